// Whole runs in-process: `upgradeHost` (what `xs-upgrade run` calls) on sandbox hosts with real git
// repos, bare remotes and real build, check and switch scripts. The end-to-end suite runs the
// same through the built CLI; these call the runner directly so that mutation testing, which only
// sees code the test process loads, can tell whether the runner's summary and state are checked.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../../demo/sandbox.js';
import { rollbackLastUpgrade } from '../../src/runner/manualRollback.js';
import { XsUpgradeError } from '../../src/errors.js';
import { rejectedSet, upgradeHost, type UpgradeHostOptions } from '../../src/runner/upgradeHost.js';
import { lockFileName } from '../../src/state/lock.js';
import { readRunRecords } from '../../src/state/runRecords.js';
import { rejectionOf } from '../support/rejection.js';
import { hostOptions, runInProcess, summaryOf } from '../support/inProcessRun.js';
import { memoryLog } from '../support/memoryLog.js';
import { useSandboxes } from '../support/sandboxes.js';

const sandboxes = useSandboxes();

const short = (commit: string | undefined) => (commit ?? '').slice(0, 12);

interface Host {
  sandbox: Sandbox;
  saved: Record<string, string>;
  heads: () => Promise<Record<string, string>>;
  /** One run, as `xs-upgrade run` makes it: its exit code and every line it logged. */
  run: (options?: Partial<UpgradeHostOptions>) => Promise<{ exitCode: number; lines: string[] }>;
  push: (name: string, content: string) => Promise<string>;
}

async function host(config: Record<string, unknown> = {}): Promise<Host> {
  const sandbox = await sandboxes.sandbox(config);
  const heads = async (): Promise<Record<string, string>> =>
    Object.fromEntries(
      await Promise.all(
        sandbox.repoNames.map(async (name) => [name, await sandbox.head(name)] as const),
      ),
    );
  return {
    sandbox,
    saved: await heads(),
    heads,
    run: (options = {}) => runInProcess(sandbox, options),
    push: (name, content) =>
      sandbox.pushUpstream(
        name,
        name === 'nix-config' ? 'configuration.nix' : 'secrets.yaml',
        content,
        `update ${name}`,
      ),
  };
}

const summary = summaryOf;

describe('upgradeHost', () => {
  it('upgrades, says what moved, then finds nothing new', async () => {
    const { sandbox, saved, run, push, heads } = await host();
    const config = await push('nix-config', '{ }: { services.new = true; }\n');
    const secrets = await push('nix-secrets', 'wifi_password: ENC[new]\n');
    const first = await run();
    expect(first.exitCode).toBe(0);
    expect(await heads()).toEqual({ 'nix-config': config, 'nix-secrets': secrets });
    expect(await sandbox.currentSystem()).toBe(`results/${short(config)}-${short(secrets)}`);
    expect(summary(first.lines)).toEqual([
      'result: upgraded: the new configuration is built, checked and switched',
      `repo nix-config: saved ${short(saved['nix-config'])} -> now ${short(config)}  (moved)`,
      `repo nix-secrets: saved ${short(saved['nix-secrets'])} -> now ${short(secrets)}  (moved)`,
      'states: hooksRunning -> snapshotting -> pulling -> building -> validating -> switching -> done',
    ]);

    const second = await run();
    expect(second.exitCode).toBe(0);
    expect(summary(second.lines)).toEqual([
      'result: nothing new upstream: nothing was built or switched (use --force to rebuild anyway)',
      `repo nix-config: saved ${short(config)} -> now ${short(config)}`,
      `repo nix-secrets: saved ${short(secrets)} -> now ${short(secrets)}`,
      'states: hooksRunning -> snapshotting -> pulling -> done',
    ]);
  });

  it('rolls back a commit whose check fails, then holds it back until forced', async () => {
    const { sandbox, saved, run, push, heads } = await host();
    await push('nix-config', '{ }: { services.broken = true; }\n');
    const failed = await run();
    expect(failed.exitCode).toBe(4);
    expect(await heads()).toEqual(saved);
    expect(await sandbox.currentSystem()).toBeUndefined();
    const lines = summary(failed.lines);
    expect(lines).toEqual([
      'result: failed in validating and rolled back: every repo is back at its saved commit',
      "cause: no broken services failed with exit code 1: ! grep -n 'broken' repos/nix-config/configuration.nix",
      'next: fix the cause upstream and push a new commit; these commits are not tried again here (`xs-upgrade run --force` tries them anyway)',
      'last line of validating output:',
      '  | 1:{ }: { services.broken = true; }',
      `repo nix-config: saved ${short(saved['nix-config'])} -> now ${short(saved['nix-config'])}`,
      `repo nix-secrets: saved ${short(saved['nix-secrets'])} -> now ${short(saved['nix-secrets'])}`,
      'states: hooksRunning -> snapshotting -> pulling -> building -> validating -> rollingBack.resettingRepos -> rolledBack',
    ]);
    const rejected = JSON.parse(
      await readFile(join(sandbox.dir, 'state', 'rejected-commits.json'), 'utf8'),
    ) as { sets: { commits: Record<string, string>; reason: string }[] };
    expect(rejected.sets).toHaveLength(1);
    expect(rejected.sets[0]?.commits['nix-secrets']).toBe(saved['nix-secrets']);

    const held = await run();
    expect(held.exitCode).toBe(3);
    expect(summary(held.lines)[0]).toMatch(
      /^result: held back: upstream is at commits that failed here on \d{4}-\d\d-\d\dT.*: nothing was built or switched$/,
    );
    expect(summary(held.lines)[2]).toBe(
      'next: fix the cause upstream and push a new commit (the next run takes it), or run `xs-upgrade run --force` to try these commits again',
    );

    const forced = await run({ force: true });
    expect(forced.exitCode).toBe(4);
    expect(await heads()).toEqual(saved);
  });

  it('with --skip-validation, switches past a failing check and says so loudly', async () => {
    const { sandbox, run, push, heads } = await host();
    const broken = await push('nix-config', '{ }: { services.broken = true; }\n');
    const skipped = await run({ skipValidation: true });
    expect(skipped.exitCode).toBe(0);
    expect(skipped.lines).toContain(
      'warning: VALIDATION SKIPPED (--skip-validation): no check was run before the switch',
    );
    expect(skipped.lines.join('\n')).not.toContain('no broken services failed');
    expect((await heads())['nix-config']).toBe(broken);
    expect(await sandbox.currentSystem()).toMatch(new RegExp(`^results/${short(broken)}-`));
  });

  it('touches nothing in a dirty repo and says which file', async () => {
    const { sandbox, saved, run, push, heads } = await host();
    await push('nix-config', '{ }: { }\n');
    const path = sandbox.repoPath('nix-secrets');
    await writeFile(join(path, 'secrets.yaml'), 'edited by hand\n');
    const refused = await run();
    expect(refused.exitCode).toBe(3);
    expect(await heads()).toEqual(saved);
    const lines = summary(refused.lines);
    expect(lines[0]).toBe(
      'result: aborted in snapshotting before any change: the host is untouched',
    );
    expect(lines[1]).toBe(
      `cause: repo "nix-secrets": ${path} has uncommitted changes (M secrets.yaml): commit or stash them; nothing was changed`,
    );
    expect(await readFile(join(path, 'secrets.yaml'), 'utf8')).toBe('edited by hand\n');
  });

  it('switches back to the saved commits when asked to roll back the last upgrade', async () => {
    const { sandbox, saved, run, push, heads } = await host();
    const config = await push('nix-config', '{ }: { services.new = true; }\n');
    expect((await run()).exitCode).toBe(0);
    const log = memoryLog();
    const exitCode = await rollbackLastUpgrade({ ...(await hostOptions(sandbox)), log });
    expect(exitCode).toBe(0);
    expect(await heads()).toEqual(saved);
    expect(await sandbox.currentSystem()).toBe(
      `results/${short(saved['nix-config'])}-${short(saved['nix-secrets'])}`,
    );
    expect(log.lines.at(-1)).toMatch(
      /^result: rolled back by hand: the upgrade of \d{4}-.*Z is undone, every repo is at the commits it had before it, the system too$/,
    );
    expect(await sandbox.head('nix-config')).not.toBe(config);
  });
});

describe('rejectedSet', () => {
  const pulled = [{ repo: 'nix-config', from: 'a'.repeat(40), to: 'b'.repeat(40) }];
  const output = (failure: { state: string; message: string; temporary?: true }) => ({
    result: 'rolled-back' as const,
    savedCommits: [],
    pulled,
    failure,
    interrupted: false,
    switchStarted: true,
  });

  it('holds the new commits against a failed build, check, switch or health check', () => {
    expect(rejectedSet(output({ state: 'switching', message: 'switch failed' }))).toMatchObject({
      commits: { 'nix-config': 'b'.repeat(40) },
      reason: 'switching: switch failed',
    });
  });

  it('not against passing trouble, a failed pull, an interruption or nothing new', () => {
    const full = {
      state: 'switching',
      message: 'cannot write the state dir',
      temporary: true as const,
    };
    expect(rejectedSet(output(full))).toBeUndefined();
    expect(rejectedSet(output({ state: 'pulling', message: 'x' }))).toBeUndefined();
    expect(
      rejectedSet({ ...output({ state: 'building', message: 'x' }), interrupted: true }),
    ).toBeUndefined();
    expect(
      rejectedSet({
        ...output({ state: 'building', message: 'x' }),
        pulled: [{ repo: 'nix-config', from: 'a', to: 'a' }],
      }),
    ).toBeUndefined();
    expect(
      rejectedSet({ ...output({ state: 'building', message: 'x' }), result: 'aborted' }),
    ).toBeUndefined();
  });
});

describe('upgradeHost before the machine starts', () => {
  it('another run holds the lock: refused for now (75), nothing recorded', async () => {
    const { sandbox, run } = await host();
    const { stateDir } = (await hostOptions(sandbox)).config;
    await mkdir(stateDir, { recursive: true });
    // A live process that is an xs-upgrade run, as /proc tells it.
    const other = execa('bash', ['-c', 'exec -a xs-upgrade sleep 30'], { reject: false });
    sandboxes.cleanup(async () => {
      other.kill('SIGKILL');
      await other;
    });
    // Once bash has exec'd: /proc shows the new command line.
    await expect
      .poll(() => readFile(`/proc/${other.pid}/cmdline`, 'utf8').catch(() => ''), { timeout: 5000 })
      .toContain('xs-upgrade');
    const since = '2026-11-27T04:00:00.000Z';
    await writeFile(
      join(stateDir, lockFileName),
      JSON.stringify({ pid: other.pid, since, host: hostname() }),
    );
    const error = await rejectionOf(run(), XsUpgradeError);
    expect(error.exitCode).toBe(75);
    expect(error.message).toBe(
      `another run (pid ${other.pid}, since ${since}) holds ${join(stateDir, lockFileName)}: wait for it to finish; if no such run exists, delete the file`,
    );
    expect(await readRunRecords(stateDir)).toEqual([]);
  });

  it('a lock left by a run that is gone: taken over, said, and the run goes on', async () => {
    const { sandbox, run } = await host();
    const { stateDir } = (await hostOptions(sandbox)).config;
    await mkdir(stateDir, { recursive: true });
    const gone = execa('true');
    await gone;
    const since = '2026-11-27T04:00:00.000Z';
    const file = join(stateDir, lockFileName);
    await writeFile(file, JSON.stringify({ pid: gone.pid, since, host: hostname() }));
    const { exitCode, lines } = await run();
    expect(exitCode).toBe(0);
    expect(lines[0]).toBe(
      `warning: taking over ${file}, left by pid ${gone.pid} (no longer running) since ${since}`,
    );
    // Released at the end, as any run's own lock.
    await expect(readFile(file)).rejects.toThrow(/ENOENT/);
  });

  it('a state dir that cannot be written: refused, and still said where monitoring looks', async () => {
    const { sandbox } = await host({ metricsFile: 'metrics.prom' });
    const options = await hostOptions(sandbox);
    await rm(options.config.stateDir, { recursive: true, force: true });
    await writeFile(options.config.stateDir, 'a file where the state dir should be\n');
    const error = await rejectionOf(upgradeHost({ ...options, log: memoryLog() }), XsUpgradeError);
    expect(error.exitCode).toBe(3);
    expect(error.message).toBe(
      `cannot write the state dir ${options.config.stateDir}: it is a file, not a folder: move the file away, or set "stateDir" to a writable folder`,
    );
    const metrics = await readFile(join(sandbox.dir, 'metrics.prom'), 'utf8');
    expect(metrics).toContain('xs_upgrade_last_run_result{result="aborted"} 1');
    expect(metrics).toContain('xs_upgrade_last_run_success 0');
  });

  it('repos the config names that are not there: a failed run, recorded, with what to fix', async () => {
    const { sandbox } = await host();
    // As `run` loads it: the repos are the run's to check, so that a missing one is a failed run.
    const options = await hostOptions(sandbox);
    await rm(sandbox.repoPath('nix-secrets'), { recursive: true, force: true });
    await rm(sandbox.repoPath('nix-config'), { recursive: true, force: true });
    const log = memoryLog();
    const failed = { exitCode: await upgradeHost({ ...options, log }), lines: log.lines };
    expect(failed.exitCode).toBe(3);
    expect(summary(failed.lines)[0]).toBe(
      'result: aborted before any change: the host is untouched',
    );
    // Every missing repo, not only the first.
    expect(summary(failed.lines)[1]).toMatch(
      /^cause: [^;]*nix-config[^;]*; [^;]*nix-secrets[^;]*$/,
    );
    expect(summary(failed.lines)[2]).toBe(
      'next: fix the repo paths on this host (or the config); the next run will try again',
    );
    const [record] = await readRunRecords(options.config.stateDir);
    expect(record).toMatchObject({
      result: 'aborted',
      exitCode: 3,
      running: false,
      failure: { state: 'starting' },
    });
  });

  it('--ignore-conditions says so loudly and runs outside the window; without conditions, nothing to say', async () => {
    const now = new Date();
    const hour = (now.getHours() + 12) % 24;
    const window = { start: `${String(hour).padStart(2, '0')}:00`, length: '1h' };
    const { run, push, sandbox } = await host({ window });
    await push('nix-config', '# new\n');
    const skipped = await run();
    expect(summary(skipped.lines)[0]).toMatch(/^result: skipped \(outside the maintenance window/);
    const ignored = await run({ ignoreConditions: true });
    expect(ignored.exitCode).toBe(0);
    expect(ignored.lines).toContain(
      'warning: CONDITIONS IGNORED (--ignore-conditions): running whatever the maintenance window, power and network say',
    );
    expect(summary(ignored.lines)[0]).toMatch(
      /^result: upgraded: .* \(conditions ignored: --ignore-conditions\)$/,
    );
    // status shows the record's result line, so it says so too.
    const [record] = await readRunRecords(join(sandbox.dir, 'state'));
    expect(record?.summary).toMatch(/\(conditions ignored: --ignore-conditions\)$/);
    const plain = await host();
    const quiet = await plain.run({ ignoreConditions: true });
    expect(quiet.lines.some((line) => line.includes('CONDITIONS IGNORED'))).toBe(false);
  });
});
