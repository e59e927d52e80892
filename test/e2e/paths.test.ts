// The generated machine paths against the real world: for a set of paths that together take every
// transition, a sandbox host whose hook, build, check, switch and reset steps fail exactly where
// the path says, run with the built CLI. Generated from the graph, not written by hand.
import { chmod, mkdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configurationNix, nixAvailable } from '../../demo/nixSystem.js';
import { createSandbox, type Sandbox } from '../../demo/sandbox.js';
import {
  describePolicy,
  generateAllPaths,
  pathsCoveringEveryTransition,
  type GeneratedPath,
} from '../../src/machine/paths.js';
import { listTransitions } from '../../src/machine/transitions.js';
import { upgradeMachine } from '../../src/machine/upgradeMachine.js';
import { freePort } from '../../demo/etcdServer.js';
import {
  announce,
  ciBuildSystem,
  createBinaryCache,
  forget,
  publishClosure,
  publishUnsigned,
  serveCache,
  takeClosures,
} from '../../demo/binaryCache.js';
import { startFleetLockServer } from '../../demo/fleetLockServer.js';
import { runCli, runCliAndSignal } from '../support/cli.js';
import { useEtcd } from '../support/etcd.js';
import { setId } from '../../src/fleet/rollout.js';
import { execa } from 'execa';
import { processAlive } from '../support/processes.js';

const fails = (path: GeneratedPath, actor: string) =>
  path.steps.some(
    (step) =>
      step.actor === actor &&
      step.outcome === 'error' &&
      !('fleet' in step) &&
      !('inhibited' in step) &&
      !('refused' in step) &&
      !('moved' in step),
  );
/** The recall failed after it moved something: the host is between two sets. */
const failsHalfway = (path: GeneratedPath, actor: string) =>
  path.steps.some((step) => step.actor === actor && step.outcome === 'error' && 'moved' in step);
/** NixOS refuses the switch for its switch inhibitors (a real Nix sandbox: its own check). */
const inhibited = (path: GeneratedPath) =>
  path.steps.some((step) => step.outcome === 'error' && 'inhibited' in step);
/** The actor fails as the network does: for a while, with nothing moved. */
const failsForNow = (path: GeneratedPath, actor: string) =>
  path.steps.some(
    (step) =>
      step.actor === actor && step.outcome === 'error' && 'temporary' in step && !('fleet' in step),
  );
/** The actor fails because the fleet's coordinator cannot be reached. */
const fleetDown = (path: GeneratedPath, actor: string) =>
  path.steps.some((step) => step.actor === actor && step.outcome === 'error' && 'fleet' in step);
const pulled = (path: GeneratedPath, kind: string) =>
  path.steps.some(
    (step) => step.actor === 'pullRepos' && step.outcome === 'done' && step.pulled === kind,
  );
const nothingNew = (path: GeneratedPath) => pulled(path, 'unmoved');
const heldBack = (path: GeneratedPath) => pulled(path, 'held-back');
const recalled = (path: GeneratedPath) => pulled(path, 'recall');

const interruptedActor = (path: GeneratedPath) =>
  path.steps.find((step) => step.outcome === 'interrupted')?.actor;

/**
 * Whether a path can happen on a real host. Remote mode has no repos and no hooks, so hooks,
 * snapshot, pull and reset can neither fail nor be interrupted there. Only a pull of repos, and
 * not a forced one, holds back at commits that failed before.
 */
function realizable(path: GeneratedPath): boolean {
  const localOnly = ['runHooks', 'snapshotRepos', 'pullRepos', 'resetRepos'];
  const touched = path.steps.filter((step) => step.outcome !== 'done').map((step) => step.actor);
  if (heldBack(path) && (path.policy.mode === 'remote' || path.policy.force)) return false;
  // Reboots need a system profile: a Nix sandbox.
  if (path.policy.reboot !== 'never' && !nixHere) return false;
  // Switch inhibitors are checked by a real system's switch-to-configuration.
  if (inhibited(path) && (!nixHere || path.policy.mode === 'remote')) return false;
  // A closure CI built is a real Nix closure in a real binary cache.
  if (path.policy.closure && !nixHere) return false;
  // A recall goes back to a generation on a real Nix profile, after its slot (the slot's other
  // outcomes are the same transitions as an upgrade's, realized there).
  if (recalled(path)) {
    const slot = path.steps.find((step) => step.actor === 'takeSlot');
    if (!nixHere || slot?.outcome !== 'done' || path.policy.closure) return false;
  }
  return !(path.policy.mode === 'remote' && touched.some((actor) => localOnly.includes(actor)));
}

/** Local-mode scenarios run on real Nix where it is installed (CI installs it). */
const nixHere = await nixAvailable();
const transitionKeys = listTransitions(upgradeMachine).map((edge) => edge.key);
const allPaths = generateAllPaths();
// Every transition in local mode, and again every one remote mode can take on a real host.
const coverMode = (mode: 'local' | 'remote') =>
  pathsCoveringEveryTransition(
    allPaths.filter((path) => path.policy.mode === mode),
    transitionKeys,
    realizable,
  );
const local = coverMode('local');
const chosen = [...local.chosen, ...coverMode('remote').chosen];
const uncovered = local.uncovered;

/** Exit code the CLI must give for each result (DESIGN.md, "Exit codes"). */
const exitCodes: Record<string, number> = {
  upgraded: 0,
  'nothing-new': 0,
  'held-back': 3,
  'fetch-failed': 75,
  'no-slot': 75,
  'fleet-unavailable': 75,
  rebooting: 0,
  skipped: 0,
  aborted: 3,
  'rolled-back': 4,
  'rollback-failed': 5,
  recalled: 0,
};

/** Leaves a git lock file behind in nix-config, so that resetting it must fail. */
const lockNixConfig = 'touch repos/nix-config/.git/index.lock';
/** A step that runs until stopped; prints the pid of its child so the test can check it is gone. */
const slowStep = 'sleep 30 & echo "started $!"; wait';
/** A program git runs (as its upload-pack or fsmonitor) that hangs without holding git's stderr. */
const slowGitHelper = '#!/bin/sh\nexec 2>/dev/null\nsleep 30\n';

/** The output line after which the test stops the run, for a path interrupted during `actor`. */
function interruptWhen(actor: string): RegExp {
  if (actor === 'snapshotRepos') return /state snapshotting/;
  if (actor === 'pullRepos') return /state pulling/;
  if (actor === 'checkConditions') return /state checkingConditions/;
  if (actor === 'recheckConditions') return /state recheckingConditions/;
  if (actor === 'takeSlot') return /waiting for a fleet slot/;
  if (actor === 'fetchClosure') return /\[fetch-closure\] copying path/;
  return /\] started \d+/;
}

/** The switch command of a path whose switch is refused: plain, or leaving the reset's lock. */
const installStep = (script: string, lock: boolean) =>
  lock ? ['sh', '-c', `${lockNixConfig}; sh ${script}`] : ['sh', script];

/** Writes the sandbox's config (and damage) so each actor fails exactly where the path says. */
async function stage(sandbox: Sandbox, path: GeneratedPath): Promise<void> {
  // On a Nix sandbox, build and switch are real nix-build and nix-env, and the system rollback is
  // xs-upgrade's own return to the saved generation; elsewhere, shell stand-ins.
  const scripts = sandbox.nix
    ? { build: 'bin/nix-build.sh', switch: 'bin/nix-switch.sh' }
    : { build: 'bin/build.sh', switch: 'bin/switch.sh' };
  const resetFails = fails(path, 'resetRepos');
  const stopped = interruptedActor(path);
  // The step that fails just before the rollback leaves the lock that makes the reset fail.
  const failing = (before: string) => `${before}${resetFails ? `; ${lockNixConfig}` : ''}; exit 1`;
  const step = (actor: string, fine: unknown, before = 'true') => {
    if (stopped === actor) return resetFails ? `${lockNixConfig}; ${slowStep}` : slowStep;
    return fails(path, actor) ? failing(before) : fine;
  };
  const config: Record<string, unknown> = {
    buildBeforeSwitch: path.policy.buildBeforeSwitch,
    build: path.policy.buildBeforeSwitch ? step('runBuild', ['sh', scripts.build]) : undefined,
    validationChecks: [step('runChecks', 'true')],
    onValidationFailure: path.policy.onValidationFailure,
    // Installing for the next boot fails when the refused switch made no generation; a reset that
    // must fail after it finds the lock the refused switch left.
    switch: step(
      'runSwitch',
      installStep(
        fails(path, 'installForBoot') ? 'bin/nix-activate.sh' : scripts.switch,
        resetFails && (fails(path, 'installForBoot') || stopped === 'installForBoot'),
      ),
      `sh ${scripts.switch}`,
    ),
    rollbackSwitch: fails(path, 'rollbackSystem')
      ? 'echo no previous generation; exit 1'
      : sandbox.nix
        ? undefined
        : ['sh', 'bin/switch.sh'],
    // The validation-failure notification: a command that succeeds, fails, or hangs.
    notify: [{ command: step('notifyValidationFailure', 'true'), on: ['validation-failed'] }],
    healthChecks: path.policy.healthChecks
      ? [{ command: step('runHealthChecks', 'true'), retries: 0 }]
      : undefined,
  };
  if (path.policy.reboot !== 'never') await stageReboot(sandbox, path, config);
  else if (inhibited(path)) await bootedWithInhibitors(sandbox, path);
  if (path.policy.conditions) await stageConditions(sandbox, path, config);
  if (path.policy.fleet) await stageFleet(path, config);
  if (recalled(path)) await stageRecall(sandbox, path, config);
  const closure = path.policy.closure ? await stageClosure(sandbox, path, config) : undefined;
  if (path.policy.mode === 'remote') {
    // No repos: build and switch name their own source (here, the sandbox's scripts).
    Object.assign(config, { mode: 'remote', repos: undefined, preUpdateHooks: undefined });
    await sandbox.writeConfig(config);
    return;
  }
  config.preUpdateHooks = [step('runHooks', 'true')];
  await sandbox.writeConfig(config);
  if (!nothingNew(path)) {
    const commits = {
      'nix-config': await sandbox.pushUpstream(
        'nix-config',
        'configuration.nix',
        configurationNix(
          `  networking.hostName = "new";\n${inhibited(path) ? '  system.switch.inhibitors = { dbus-implementation = "broker"; };\n' : ''}`,
        ),
        'new',
      ),
      'nix-secrets': await sandbox.pushUpstream('nix-secrets', 'secrets.yaml', 'new: 1\n', 'new'),
    };
    await closure?.publish(commits['nix-config']);
    if (heldBack(path)) {
      // An earlier run here failed with exactly these commits.
      const sets = [{ commits, at: '2026-11-01T04:00:00.000Z', reason: 'building: it broke' }];
      await mkdir(join(sandbox.dir, 'state'), { recursive: true });
      await writeFile(
        join(sandbox.dir, 'state', 'rejected-commits.json'),
        JSON.stringify({ sets }),
      );
    }
  }
  if (fails(path, 'snapshotRepos')) {
    await writeFile(join(sandbox.repoPath('nix-secrets'), 'secrets.yaml'), 'uncommitted edit\n');
  }
  const nixConfig = sandbox.repoPath('nix-config');
  if (stopped === 'snapshotRepos' || stopped === 'pullRepos') {
    // git runs these helpers itself: fsmonitor during the snapshot's status, upload-pack during
    // the pull's fetch; hanging there keeps the step running until the signal comes.
    const helper = join(sandbox.dir, 'bin', 'slow-git-helper');
    await writeFile(helper, slowGitHelper, { mode: 0o755 });
    const key = stopped === 'snapshotRepos' ? 'core.fsmonitor' : 'remote.origin.uploadpack';
    await sandbox.git(['config', key, helper], nixConfig);
  }
  if (failsForNow(path, 'pullRepos')) {
    // Nobody listens there: "connection refused", as when the network or the remote is down.
    await sandbox.git(
      ['remote', 'set-url', 'origin', 'http://127.0.0.1:1/nix-secrets.git'],
      join(sandbox.dir, 'repos', 'nix-secrets'),
    );
    await sandbox.writeConfig({ ...config, fetchRetries: 0 });
  } else if (
    resetFails &&
    (fails(path, 'fetchClosure') || failsForNow(path, 'fetchClosure') || stopped === 'fetchClosure')
  ) {
    // The pull goes through; its post-merge hook leaves a lock that the rollback cannot reset.
    await lockAfterMerge(nixConfig);
  } else if (fails(path, 'pullRepos')) {
    await rm(sandbox.remotePath('nix-secrets'), { recursive: true });
    // nix-config fast-forwards, then its post-merge hook leaves a lock: the rollback cannot reset it.
    if (resetFails) await lockAfterMerge(nixConfig);
  }
}

/** A post-merge hook that leaves git's index lock: the repo moves, then cannot be reset. */
async function lockAfterMerge(repo: string): Promise<void> {
  const hook = join(repo, '.git', 'hooks', 'post-merge');
  await writeFile(hook, '#!/bin/sh\ntouch "$(git rev-parse --git-dir)/index.lock"\n');
  await chmod(hook, 0o755);
}

const cacheServers: { close: () => Promise<void> }[] = [];
afterAll(() => Promise.all(cacheServers.map((server) => server.close())));

/**
 * system.closure as the path says. The pull picks a closure: CI builds upstream's commits, signs
 * the closure into a binary cache and the host's store forgets it; the fetch fails for good (the
 * signature bears the configured key's name but not its key), for now (the cache lost its NAR
 * files), or is stopped (a cache over HTTP that never sends them). The pull refuses one: it is
 * published unsigned. The pull picks none: nothing is published, and fallback "build" builds here.
 */
async function stageClosure(
  sandbox: Sandbox,
  path: GeneratedPath,
  config: Record<string, unknown>,
): Promise<{ publish: (commit: string) => Promise<void> }> {
  const cache = await createBinaryCache(join(sandbox.dir, 'cache'));
  const refused = path.steps.some(
    (step) => step.actor === 'pullRepos' && step.outcome === 'error' && 'refused' in step,
  );
  const picked = pulled(path, 'closure');
  const slow = interruptedActor(path) === 'fetchClosure';
  const served = slow ? await serveCache(cache, { slowNar: true }) : undefined;
  if (served) cacheServers.push(served);
  // The build and switch stay: fallback "build" uses them when nothing is published.
  const substituter = served?.url ?? cache.url;
  config.system = (
    await takeClosures(sandbox, { ...cache, substituter }, { fallback: 'build' })
  ).system;
  return {
    publish: async (commit) => {
      if (!picked && !refused) return;
      const system = await ciBuildSystem(sandbox);
      if (refused) {
        await publishUnsigned(cache, system);
      } else if (fails(path, 'fetchClosure') && !failsForNow(path, 'fetchClosure')) {
        // Another key under the configured key's name: the names match, Nix's check does not.
        const impostor = await createBinaryCache(join(sandbox.dir, 'impostor', 'cache'), 'ci-1');
        await publishClosure(cache, system, impostor.keyFile);
      } else {
        await publishClosure(cache, system);
      }
      if (failsForNow(path, 'fetchClosure')) await rm(join(cache.dir, 'nar'), { recursive: true });
      await forget(system);
      await announce(sandbox, commit, system);
    },
  };
}

/** What inspectBoot finds in this path, if it runs. */
const bootKind = (path: GeneratedPath) => {
  const inspected = path.steps.find(
    (step) => step.actor === 'inspectBoot' && step.outcome === 'done',
  );
  return inspected && 'boot' in inspected ? inspected.boot : undefined;
};

/** "HH:MM", `hours` from now, local time. */
const hoursFromNow = (hours: number) => {
  const at = new Date(Date.now() + hours * 3_600_000);
  return `${String(at.getHours()).padStart(2, '0')}:${String(at.getMinutes()).padStart(2, '0')}`;
};

/**
 * The reboot as the path says: a booted system whose kernel differs or not (a booted-system link
 * to a system with other kernel links, or to generation 1), a window that holds now or not, a
 * reboot command that works or not, a reboot an earlier run left pending.
 */
async function stageReboot(
  sandbox: Sandbox,
  path: GeneratedPath,
  config: Record<string, unknown>,
): Promise<void> {
  const kind = bootKind(path) ?? '';
  const booted = join(sandbox.dir, 'booted-system');
  if (inhibited(path)) {
    await bootedWithInhibitors(sandbox, path);
  } else if (fails(path, 'inspectBoot')) {
    await symlink(join(sandbox.dir, 'no-such-system'), booted);
  } else if (kind.startsWith('kernel changed')) {
    const other = join(sandbox.dir, 'older-system');
    await mkdir(other, { recursive: true });
    for (const part of ['kernel', 'initrd', 'kernel-modules'])
      await symlink(join(sandbox.dir, `older-${part}`), join(other, part));
    await symlink(other, booted);
  } else {
    await symlink((await sandbox.currentSystem()) ?? '', booted);
  }
  config.reboot = {
    when: path.policy.reboot,
    bootedSystem: booted,
    command: fails(path, 'requestReboot')
      ? 'echo "no reboot for you"; exit 1'
      : 'echo "reboot requested" >> reboot.log',
    // Outside: a window that starts two hours from now.
    ...(kind.endsWith('outside window')
      ? { window: { lower: hoursFromNow(2), upper: hoursFromNow(3) } }
      : {}),
  };
  if (path.policy.rebootPending) {
    const first = (await sandbox.generations())[0];
    const pending = {
      previous: { profile: sandbox.profile, generation: 1, storePath: first?.storePath },
      previousCommits: [],
      runId: 'an-earlier-run',
      since: new Date().toISOString(),
      reason: 'outside the reboot window',
    };
    await mkdir(join(sandbox.dir, 'state'), { recursive: true });
    await writeFile(join(sandbox.dir, 'state', 'reboot-pending.json'), JSON.stringify(pending));
  }
}

/**
 * For a switch the system refuses: the booted system lists dbus "dbus" as a switch inhibitor (the
 * new commit says "broker"), with the current system's kernel, another one where the path's boot
 * says the kernel changed, or none that can be read where inspecting the boot fails.
 */
async function bootedWithInhibitors(sandbox: Sandbox, path: GeneratedPath): Promise<void> {
  const dir = join(sandbox.dir, 'booted-with-inhibitors');
  await mkdir(dir, { recursive: true });
  const current = (await sandbox.currentSystem()) ?? '';
  const changed = (bootKind(path) ?? '').startsWith('kernel changed');
  // Where the path's inspectBoot fails: a booted system whose kernel cannot be read.
  const parts = fails(path, 'inspectBoot') ? [] : ['kernel', 'initrd', 'kernel-modules'];
  for (const part of parts) {
    const target = changed
      ? join(sandbox.dir, `older-${part}`)
      : await readlink(join(current, part));
    await symlink(target, join(dir, part));
  }
  await writeFile(join(dir, 'switch-inhibitors'), 'dbus-implementation=dbus\n');
  await symlink(dir, join(sandbox.dir, 'booted-system'));
}

/**
 * The condition checks as the path says, through `conditions.unmetered` and an nmcli on PATH that
 * gives one answer per call: unmetered (the check holds), metered (it does not), or an error.
 */
async function stageConditions(
  sandbox: Sandbox,
  path: GeneratedPath,
  config: Record<string, unknown>,
): Promise<void> {
  const answers = ['checkConditions', 'recheckConditions'].flatMap((actor) => {
    const step = path.steps.find((candidate) => candidate.actor === actor);
    if (!step) return [];
    if (step.outcome === 'error') return ['error'];
    if (step.outcome === 'interrupted') return ['hang'];
    return 'conditions' in step && step.conditions === 'fail' ? ['yes'] : ['no'];
  });
  await writeFile(join(sandbox.dir, 'nmcli-answers'), `${answers.join('\n')}\n`);
  await mkdir(join(sandbox.dir, 'fake-bin'), { recursive: true });
  await writeFile(
    join(sandbox.dir, 'fake-bin', 'nmcli'),
    `#!/bin/sh
# NetworkManager as the path needs it: the first answer left in nmcli-answers.
answers="${sandbox.dir}/nmcli-answers"
answer=$(head -n 1 "$answers"); sed -i 1d "$answers"
case "$answer" in
  error) echo "Error: NetworkManager is not running." >&2; exit 8 ;;
  hang) sleep 30 ;;
esac
printf 'GENERAL.DEVICE:eth0\nGENERAL.STATE:100 (connected)\nGENERAL.METERED:%s\n' "$answer"
`,
    { mode: 0o755 },
  );
  config.conditions = { unmetered: true };
}

/** One FleetLock server (with one slot per group) for every fleet path; each path its own group. */
const fleetLock = await startFleetLockServer(1);
afterAll(() => fleetLock.close());
const fleetGroups = new Map<GeneratedPath, string>();

/**
 * The slot as the path says: free; unreachable (nobody listens on the coordinator's port); or
 * held by another host, so the run waits until the signal comes.
 */
async function stageFleet(path: GeneratedPath, config: Record<string, unknown>): Promise<void> {
  const group = `paths-${fleetGroups.size + 1}`;
  fleetGroups.set(path, group);
  const take = path.steps.find((step) => step.actor === 'takeSlot');
  if (take?.outcome === 'interrupted') {
    const answer = await fetch(`${fleetLock.url}/v1/pre-reboot`, {
      method: 'POST',
      headers: { 'fleet-lock-protocol': 'true' },
      body: JSON.stringify({ client_params: { id: 'another-host', group } }),
    });
    expect(answer.status).toBe(200);
  }
  // The store the pull asks unreachable: an etcd on a port nobody listens on.
  if (fleetDown(path, 'pullRepos')) {
    const endpoint = `http://127.0.0.1:${await freePort()}`;
    config.fleet = { id: 'this-host', group, etcd: { endpoints: [endpoint], timeout: '2s' } };
    return;
  }
  // No slot in time: another host holds the group's one slot past a short slotTimeout.
  if (fails(path, 'takeSlot')) {
    const answer = await fetch(`${fleetLock.url}/v1/pre-reboot`, {
      method: 'POST',
      headers: { 'fleet-lock-protocol': 'true' },
      body: JSON.stringify({ client_params: { id: 'another-host', group } }),
    });
    expect(answer.status).toBe(200);
  }
  // The coordinator unreachable: a port nobody listens on.
  const url = fleetDown(path, 'takeSlot') ? `http://127.0.0.1:${await freePort()}` : fleetLock.url;
  const slotTimeout = fails(path, 'takeSlot') ? '1s' : '1m';
  config.fleet = { id: 'this-host', group, slotTimeout, fleetLock: { url } };
}

/** One etcd for the recall paths: the fleet's store says the set the host runs was aborted. */
const recallEtcd = useEtcd();
/** Where each recall path's host must end up: the commits and generation it ran before. */
const recallTargets = new Map<
  GeneratedPath,
  { heads: { config: string; secrets: string }; generation: number; system: string | undefined }
>();

/**
 * A host that upgraded twice on a real etcd fleet (v2, then v3), then v3 aborted by an operator:
 * the run recalls it to v2's generation. Refused before anything moved: v2's generation was
 * garbage-collected. Failed half-way: a configured rollbackSwitch (which a recall runs instead of
 * switching generations) fails after the repos went back.
 */
async function stageRecall(
  sandbox: Sandbox,
  path: GeneratedPath,
  config: Record<string, unknown>,
): Promise<void> {
  const fleet = {
    id: 'this-host',
    group: fleetGroups.get(path) ?? 'recall',
    etcd: {
      endpoints: [recallEtcd.etcd.endpoint],
      prefix: recallEtcd.newPrefix(),
      timeout: '2s',
    },
  };
  await sandbox.writeConfig({ fleet });
  const upgrade = async (label: string) => {
    await sandbox.pushUpstream(
      'nix-config',
      'configuration.nix',
      configurationNix(`  networking.hostName = "${label}";\n`),
      label,
    );
    const run = await runCli(['run', '--config', sandbox.configFile], { env: sandbox.env });
    expect(run.exitCode, run.stdout).toBe(0);
  };
  await upgrade('v2');
  const current = (await sandbox.generations()).find((entry) => entry.current);
  recallTargets.set(path, {
    heads: { config: await sandbox.head('nix-config'), secrets: await sandbox.head('nix-secrets') },
    generation: current?.generation ?? 0,
    system: await sandbox.currentSystem(),
  });
  await upgrade('v3');
  const running = setId({
    'nix-config': await sandbox.head('nix-config'),
    'nix-secrets': await sandbox.head('nix-secrets'),
  });
  const aborted = await runCli(['fleet', 'abort', running, '--config', sandbox.configFile], {
    env: sandbox.env,
  });
  expect(aborted.exitCode, aborted.stderr).toBe(0);
  if (fails(path, 'recall')) {
    await execa(
      'nix-env',
      ['-p', sandbox.profile ?? '', '--delete-generations', String(current?.generation)],
      {
        env: { ...process.env, ...sandbox.env },
      },
    );
  }
  if (failsHalfway(path, 'recall')) config.rollbackSwitch = 'echo "cannot switch back"; exit 1';
  config.fleet = fleet;
}

/** The CLI's environment for this sandbox: Nix, and the fake nmcli first on PATH. */
const cliEnv = (sandbox: Sandbox) => ({
  ...sandbox.env,
  PATH: `${join(sandbox.dir, 'fake-bin')}:${process.env.PATH ?? ''}`,
});

const sandboxes: Sandbox[] = [];
afterAll(async () => {
  await Promise.all(sandboxes.map((sandbox) => rm(sandbox.dir, { recursive: true, force: true })));
});

describe('generated end-to-end scenarios', () => {
  it('cover every transition of the machine', () => {
    expect(uncovered).toEqual([]);
  });

  it.each(
    chosen.map(
      (path) => [`[${describePolicy(path.policy)}] ${path.states.join(' > ')}`, path] as const,
    ),
  )('%s', async (_name, path) => {
    const sandbox = await createSandbox({ nix: nixHere && path.policy.mode === 'local' });
    sandboxes.push(sandbox);
    // After staging: a recall's staging upgrades the host twice first.
    await stage(sandbox, path);
    const saved = {
      config: await sandbox.head('nix-config'),
      secrets: await sandbox.head('nix-secrets'),
    };
    const savedSystem = await sandbox.currentSystem();
    const args = ['run', '--config', sandbox.configFile, ...(path.policy.force ? ['--force'] : [])];
    const stopped = interruptedActor(path);
    // Stopped while it installs for the next boot: that boot takes its time.
    const env = {
      ...cliEnv(sandbox),
      ...(stopped === 'installForBoot' ? { XS_DEMO_SLOW_BOOT: '1' } : {}),
    };
    const run = stopped
      ? await runCliAndSignal(args, { when: interruptWhen(stopped), env })
      : await runCli(args, { env });
    if (stopped) {
      expect(run.stdout).toContain('SIGTERM received: stopping the running step');
      // A step's own child process is stopped with it.
      const child = /\] started (\d+)/.exec(run.stdout)?.[1];
      if (child) expect(await processAlive(Number(child))).toBe(false);
    }

    expect(run.states, run.stdout).toEqual(path.states);
    expect(run.exitCode, run.stdout).toBe(exitCodes[path.result]);
    const heads = {
      config: await sandbox.head('nix-config'),
      secrets: await sandbox.head('nix-secrets'),
    };
    const target = recallTargets.get(path);
    if (path.policy.mode === 'remote') {
      expect(heads).toEqual(saved);
    } else if (path.result === 'recalled' && target) {
      // Exactly where it was before the aborted set: the commits and the generation.
      expect(heads).toEqual(target.heads);
      expect((await sandbox.generations()).find((entry) => entry.current)?.generation).toBe(
        target.generation,
      );
      expect(await sandbox.currentSystem()).toBe(target.system);
    } else if (path.result === 'rollback-failed' && failsHalfway(path, 'recall') && target) {
      // The repos went back; the system's switch back failed: half-way, as the result says.
      expect(heads).toEqual(target.heads);
    } else if (
      ['held-back', 'fetch-failed', 'no-slot', 'fleet-unavailable'].includes(path.result)
    ) {
      expect(heads).toEqual(saved);
      expect(await sandbox.currentSystem()).toBe(savedSystem);
    } else if (['upgraded', 'rebooting'].includes(path.result) && !nothingNew(path)) {
      const upstream = {
        config: await sandbox.remoteHead('nix-config'),
        secrets: await sandbox.remoteHead('nix-secrets'),
      };
      expect(heads).toEqual(upstream);
      expect(heads.config).not.toBe(saved.config);
    } else if (path.result === 'rollback-failed' && fails(path, 'resetRepos')) {
      // The locked repo could not be reset; the other one was.
      expect(heads.secrets).toBe(saved.secrets);
    } else {
      // Aborted, nothing new (forced or not), rolled back, or the system rollback failed after
      // the repos were reset.
      expect(heads).toEqual(saved);
    }
    const switched = path.states.includes('switching');
    const reboots = (await readFile(join(sandbox.dir, 'reboot.log'), 'utf8').catch(() => ''))
      .split('\n')
      .filter(Boolean).length;
    expect(reboots).toBe(path.result === 'rebooting' ? 1 : 0);
    if (path.result === 'rolled-back' && switched && sandbox.nix) {
      // Exactly the saved generation is active again, and its system.
      expect((await sandbox.generations()).find((entry) => entry.current)?.generation).toBe(1);
      expect(await sandbox.currentSystem()).toBe(savedSystem);
    } else if (path.result === 'rolled-back' && switched && path.policy.mode === 'local') {
      // The system rollback re-activated the build of the saved commits.
      expect(await sandbox.currentSystem()).toBe(
        `results/${saved.config.slice(0, 12)}-${saved.secrets.slice(0, 12)}`,
      );
    } else if (target) {
      // A recall switches no new generation; refused, it changed nothing at all.
      if (path.result === 'aborted') expect(await sandbox.currentSystem()).toBe(savedSystem);
    } else if (sandbox.nix && !switched) {
      // Nothing before the switch touches the system.
      expect(await sandbox.generations()).toEqual([
        { generation: 1, storePath: savedSystem, current: true },
      ]);
    } else if (sandbox.nix && ['upgraded', 'rebooting'].includes(path.result)) {
      // A forced rebuild of the same commits is the same system: Nix makes no new generation.
      const current = (await sandbox.generations()).find((entry) => entry.current);
      expect(current?.generation).toBe(nothingNew(path) ? 1 : 2);
    }
    const group = fleetGroups.get(path);
    if (group) {
      // Released once healthy or never switched; held after a switch that failed (onFailure hold).
      const holds = fleetLock.holders.get(group)?.has('this-host') ?? false;
      expect(holds).toBe(switched && ['rolled-back', 'rollback-failed'].includes(path.result));
    }
  });
});
