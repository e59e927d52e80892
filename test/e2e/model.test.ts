// Whole runs against a model (fast-check's model-based commands): random sequences of pushing a
// good commit, one whose build fails, one whose check fails, one whose health check fails,
// dirtying and cleaning a repo, a run, and a run killed with SIGKILL at a random moment followed by
// `recover`, and `rollback` by hand, all on a real sandbox host with the built CLI. After every step a small model says
// where the repo is, which build is the active system, the exit code, and what `status --json`
// reports; a mismatch fails with the shrunk sequence and the seed that replays it
// (XS_MODEL_SEED=... npm run test:e2e -- model). A new seed each run, printed.
import { execa } from 'execa';
import fc from 'fast-check';
import { rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../../demo/sandbox.js';
import { packageRoot } from '../../src/packageFiles.js';
import { cliPath, runCli } from '../support/cli.js';

const seed = Number(process.env.XS_MODEL_SEED ?? Math.floor(Math.random() * 2 ** 31));
/** Sequences per run of the suite (CI included); each is a new sandbox host. */
const sequences = Number(process.env.XS_MODEL_RUNS ?? 4);

type Kind = 'good' | 'build' | 'check' | 'health';
/** What each kind of commit puts in configuration.nix, and so which step fails. */
const content: Record<Kind, string> = {
  good: 'services.ok = true;',
  build: 'BUILD-FAIL',
  check: 'broken', // the demo's "no broken services" check
  health: 'HEALTH-FAIL',
};

interface Model {
  /** nix-config upstream: its commit and what kind of commit it is. */
  upstream: string;
  kind: Kind;
  /** The commit the host's nix-config is on. */
  host: string;
  /** The nix-config commit the active system was built from; undefined before the first switch. */
  system: string | undefined;
  /** Commit sets that failed here: held back until upstream moves on. */
  rejected: Set<string>;
  /** After a killed run, whether it had recorded the failure is not known. */
  maybeRejected: Set<string>;
  dirty: boolean;
  pushes: number;
  /** The last upgrade a run made, for `rollback`; undone once rolled back by hand. */
  lastUpgrade: { before: string; after: string; undone: boolean } | undefined;
}

interface Real {
  sandbox: Sandbox;
}

interface Outcome {
  exitCode: number;
  result: string;
  host: string;
  system: string | undefined;
  reject: boolean;
}

/** What a run does, given the model (several outcomes only after a killed run). */
function predictRun(model: Model): Outcome[] {
  const unchanged = { host: model.host, system: model.system, reject: false };
  if (model.dirty) return [{ exitCode: 3, result: 'aborted', ...unchanged }];
  if (model.upstream === model.host) return [{ exitCode: 0, result: 'nothing-new', ...unchanged }];
  if (model.rejected.has(model.upstream))
    return [{ exitCode: 3, result: 'held-back', ...unchanged }];
  const tried: Outcome =
    model.kind === 'good'
      ? {
          exitCode: 0,
          result: 'upgraded',
          host: model.upstream,
          system: model.upstream,
          reject: false,
        }
      : {
          exitCode: 4,
          result: 'rolled-back',
          host: model.host,
          // A failed health check comes after the switch: the rollback switch builds the repos'
          // saved commits again, so the system is the host's commit whatever it was before.
          system: model.kind === 'health' ? model.host : model.system,
          reject: true,
        };
  return model.maybeRejected.has(model.upstream)
    ? [tried, { exitCode: 3, result: 'held-back', ...unchanged }]
    : [tried];
}

function apply(model: Model, outcome: Outcome): void {
  if (outcome.result === 'upgraded')
    model.lastUpgrade = { before: model.host, after: outcome.host, undone: false };
  model.host = outcome.host;
  model.system = outcome.system;
  if (outcome.result === 'held-back' || outcome.reject) model.rejected.add(model.upstream);
  if (outcome.result !== 'aborted') model.maybeRejected.delete(model.upstream);
}

async function observe(real: Real) {
  const host = await real.sandbox.head('nix-config');
  const link = await real.sandbox.currentSystem();
  const status = await runCli(['status', '--json', '--config', real.sandbox.configFile]);
  const parsed = JSON.parse(status.stdout) as {
    running: unknown;
    manualRecoveryNeeded: unknown;
    lastRun: { id: string; result: string; repos: { repo: string; final?: string }[] } | null;
  };
  return {
    host,
    /** results/<config>-<secrets>: the first 12 hex digits of the nix-config commit. */
    systemPrefix: link ? /results\/([0-9a-f]{12})-/.exec(link)?.[1] : undefined,
    status: parsed,
  };
}

/** The real host against one outcome: true when everything the model says is so. */
function matches(
  seen: Awaited<ReturnType<typeof observe>>,
  outcome: Outcome,
  exitCode: number,
): boolean {
  const final = seen.status.lastRun?.repos.find((repo) => repo.repo === 'nix-config')?.final;
  return (
    exitCode === outcome.exitCode &&
    seen.host === outcome.host &&
    seen.systemPrefix === outcome.system?.slice(0, 12) &&
    seen.status.lastRun?.result === outcome.result &&
    final === outcome.host &&
    seen.status.running === null &&
    seen.status.manualRecoveryNeeded === null
  );
}

const describeOutcome = (outcome: Outcome) =>
  `exit ${outcome.exitCode} ${outcome.result}, host ${outcome.host.slice(0, 12)}, system ${outcome.system?.slice(0, 12) ?? 'none'}`;

const describeSeen = (seen: Awaited<ReturnType<typeof observe>>, exitCode: number) =>
  `exit ${exitCode} ${seen.status.lastRun?.result ?? 'no run'}, host ${seen.host.slice(0, 12)}, system ${seen.systemPrefix ?? 'none'}, running ${JSON.stringify(seen.status.running)}, manual ${JSON.stringify(seen.status.manualRecoveryNeeded)}`;

class Push implements fc.AsyncCommand<Model, Real> {
  constructor(readonly kind: Kind) {}
  check = () => true;
  async run(model: Model, real: Real): Promise<void> {
    model.pushes += 1;
    const text = `# push ${model.pushes}: ${content[this.kind]}\n`;
    model.upstream = await real.sandbox.pushUpstream(
      'nix-config',
      'configuration.nix',
      text,
      `push ${model.pushes}`,
    );
    model.kind = this.kind;
  }
  toString = () => `push ${this.kind}`;
}

const localFile = (real: Real) => join(real.sandbox.repoPath('nix-config'), 'local-note.txt');

class Dirty implements fc.AsyncCommand<Model, Real> {
  check = (model: Readonly<Model>) => !model.dirty;
  async run(model: Model, real: Real): Promise<void> {
    await writeFile(localFile(real), 'an edit made on the host\n');
    model.dirty = true;
  }
  toString = () => 'dirty the repo';
}

class Clean implements fc.AsyncCommand<Model, Real> {
  check = (model: Readonly<Model>) => model.dirty;
  async run(model: Model, real: Real): Promise<void> {
    await unlink(localFile(real));
    model.dirty = false;
  }
  toString = () => 'clean the repo';
}

class Run implements fc.AsyncCommand<Model, Real> {
  check = () => true;
  async run(model: Model, real: Real): Promise<void> {
    const run = await runCli(['run', '--config', real.sandbox.configFile]);
    const seen = await observe(real);
    const outcomes = predictRun(model);
    const outcome = outcomes.find((candidate) => matches(seen, candidate, run.exitCode));
    expect(
      outcome,
      `run: expected ${outcomes.map(describeOutcome).join(' or ')}; got ${describeSeen(seen, run.exitCode)}\n${run.stdout}${run.stderr}`,
    ).toBeDefined();
    if (outcome) apply(model, outcome);
  }
  toString = () => 'run';
}

class Rollback implements fc.AsyncCommand<Model, Real> {
  check = () => true;
  async run(model: Model, real: Real): Promise<void> {
    const rollback = await runCli(['rollback', '--config', real.sandbox.configFile]);
    const seen = await observe(real);
    const upgrade = model.lastUpgrade;
    const report = `rollback: ${describeSeen(seen, rollback.exitCode)}\n${rollback.stdout}${rollback.stderr}`;
    if (model.dirty || !upgrade || upgrade.undone) {
      // Nothing on record to undo, or local changes that are not ours to reset: nothing moves.
      expect(rollback.exitCode, report).toBe(3);
      expect(seen.host, report).toBe(model.host);
      expect(seen.systemPrefix, report).toBe(model.system?.slice(0, 12));
      return;
    }
    expect(rollback.exitCode, report).toBe(0);
    expect(seen.host, report).toBe(upgrade.before);
    // The rollback switch builds the restored commits: the system is theirs.
    expect(seen.systemPrefix, report).toBe(upgrade.before.slice(0, 12));
    expect(seen.status.lastRun?.result, report).toBe('rolled-back');
    expect(seen.status.running, report).toBeNull();
    expect(seen.status.manualRecoveryNeeded, report).toBeNull();
    model.host = upgrade.before;
    model.system = upgrade.before;
    model.rejected.add(upgrade.after);
    upgrade.undone = true;
  }
  toString = () => 'rollback';
}

class KillAndRecover implements fc.AsyncCommand<Model, Real> {
  constructor(readonly afterMs: number) {}
  check = () => true;
  async run(model: Model, real: Real): Promise<void> {
    const before = (await observe(real)).status.lastRun?.id;
    const child = execa('node', [cliPath, 'run', '--config', real.sandbox.configFile], {
      cwd: packageRoot,
      env: { NO_COLOR: '1', JOURNAL_STREAM: undefined },
      reject: false,
      stdin: 'ignore',
    });
    await new Promise((resolve) => setTimeout(resolve, this.afterMs));
    child.kill('SIGKILL');
    const killed = await child;
    const recover = await runCli(['recover', '--config', real.sandbox.configFile]);
    const seen = await observe(real);
    // Either the run had finished before the signal (its own outcome, nothing to recover), or it
    // had not: whatever it moved is back (the system too, if its switch had started).
    const finished = predictRun(model).find(
      (outcome) =>
        seen.status.lastRun?.id !== before &&
        recover.exitCode === 0 &&
        matches(seen, outcome, killed.exitCode ?? outcome.exitCode),
    );
    if (finished) {
      apply(model, finished);
      return;
    }
    const report = `kill after ${this.afterMs} ms, recover exit ${recover.exitCode}: ${describeSeen(seen, recover.exitCode)}\n${recover.stdout}${recover.stderr}`;
    expect(seen.host, report).toBe(model.host);
    const systems = [model.system, model.host].map((commit) => commit?.slice(0, 12));
    expect(systems, report).toContain(seen.systemPrefix);
    expect([0, 3, 4], report).toContain(recover.exitCode);
    expect(seen.status.running, report).toBeNull();
    expect(seen.status.manualRecoveryNeeded, report).toBeNull();
    model.system =
      seen.systemPrefix === undefined
        ? undefined
        : seen.systemPrefix === systems[1]
          ? model.host
          : model.system;
    // Whether the killed run got as far as recording a failed commit set is not known.
    if (model.upstream !== model.host && !model.rejected.has(model.upstream))
      model.maybeRejected.add(model.upstream);
  }
  toString = () => `run, SIGKILL after ${this.afterMs} ms, recover`;
}

const commands = [
  fc.constantFrom<Kind>('good', 'good', 'build', 'check', 'health').map((kind) => new Push(kind)),
  fc.constant(new Dirty()),
  fc.constant(new Clean()),
  fc.constant(new Run()),
  fc.constant(new Run()),
  fc.constant(new Rollback()),
  fc.integer({ min: 30, max: 900 }).map((ms) => new KillAndRecover(ms)),
];

describe('whole runs against a model (fast-check commands, real sandbox host)', () => {
  it(
    `agree after every step (seed ${seed}, ${sequences} sequences)`,
    async () => {
      // Printed whatever happens, so a failure in CI can be replayed here.
      console.log(`model test: XS_MODEL_SEED=${seed} XS_MODEL_RUNS=${sequences}`);
      const hosts: Sandbox[] = [];
      try {
        await fc.assert(
          fc.asyncProperty(fc.commands(commands, { maxCommands: 9 }), async (sequence) => {
            const sandbox = await createSandbox();
            hosts.push(sandbox);
            await sandbox.writeConfig({
              build: {
                name: 'build',
                run: '! grep -q BUILD-FAIL repos/nix-config/configuration.nix && sh bin/build.sh',
              },
              // A slower switch, so a kill lands inside it now and then.
              switch: { name: 'switch', run: 'sleep 0.2 && sh bin/switch.sh' },
              rollbackSwitch: ['sh', 'bin/switch.sh'],
              healthChecks: [
                {
                  name: 'service',
                  command: '! grep -q HEALTH-FAIL repos/nix-config/configuration.nix',
                  retries: 0,
                },
              ],
            });
            const host = await sandbox.head('nix-config');
            const model: Model = {
              upstream: host,
              kind: 'good',
              host,
              system: undefined,
              rejected: new Set(),
              maybeRejected: new Set(),
              dirty: false,
              pushes: 0,
              lastUpgrade: undefined,
            };
            await fc.asyncModelRun(() => ({ model, real: { sandbox } }), sequence);
            await rm(sandbox.dir, { recursive: true, force: true });
          }),
          { numRuns: sequences, seed, interruptAfterTimeLimit: 8 * 60_000 },
        );
      } finally {
        await Promise.all(hosts.map((host) => rm(host.dir, { recursive: true, force: true })));
      }
    },
    10 * 60_000,
  );
});
