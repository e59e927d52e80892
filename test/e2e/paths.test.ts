// The generated machine paths against the real world: for a set of paths that together take every
// transition, a sandbox host whose hook, build, check, switch and reset steps fail exactly where
// the path says, run with the built CLI. Generated from the graph, not written by hand.
import { chmod, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../../demo/sandbox.js';
import {
  describePolicy,
  generateAllPaths,
  pathsCoveringEveryTransition,
  type GeneratedPath,
} from '../../src/machine/paths.js';
import { listTransitions } from '../../src/machine/transitions.js';
import { upgradeMachine } from '../../src/machine/upgradeMachine.js';
import { runCli } from '../support/cli.js';

const fails = (path: GeneratedPath, actor: string) =>
  path.steps.some((step) => step.actor === actor && step.outcome === 'error');
const nothingNew = (path: GeneratedPath) =>
  path.steps.some(
    (step) => step.actor === 'pullRepos' && step.outcome === 'done' && step.pulled === 'unmoved',
  );

/**
 * Whether a path can happen on a real host. Remote mode has no repos and no hooks, so hooks,
 * snapshot, pull and reset cannot fail there; the validation-failure notification only logs, so
 * it cannot fail yet.
 */
function realizable(path: GeneratedPath): boolean {
  if (fails(path, 'notifyValidationFailure')) return false;
  const localOnly = ['runHooks', 'snapshotRepos', 'pullRepos', 'resetRepos'];
  return !(path.policy.mode === 'remote' && localOnly.some((actor) => fails(path, actor)));
}

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
  aborted: 3,
  'rolled-back': 4,
  'rollback-failed': 5,
};

/** Leaves a git lock file behind in nix-config, so that resetting it must fail. */
const lockNixConfig = 'touch repos/nix-config/.git/index.lock';

/** Writes the sandbox's config (and damage) so each actor fails exactly where the path says. */
async function stage(sandbox: Sandbox, path: GeneratedPath): Promise<void> {
  const resetFails = fails(path, 'resetRepos');
  // The step that fails just before the rollback leaves the lock that makes the reset fail.
  const failing = (before: string) => `${before}${resetFails ? `; ${lockNixConfig}` : ''}; exit 1`;
  const config: Record<string, unknown> = {
    buildBeforeSwitch: path.policy.buildBeforeSwitch,
    build: path.policy.buildBeforeSwitch
      ? fails(path, 'runBuild')
        ? failing('echo building')
        : ['sh', 'bin/build.sh']
      : undefined,
    validationChecks: [fails(path, 'runChecks') ? failing('echo checking') : 'true'],
    onValidationFailure: path.policy.onValidationFailure,
    switch: fails(path, 'runSwitch') ? failing('sh bin/switch.sh') : ['sh', 'bin/switch.sh'],
    rollbackSwitch: fails(path, 'rollbackSystem')
      ? 'echo no previous generation; exit 1'
      : ['sh', 'bin/switch.sh'],
  };
  if (path.policy.mode === 'remote') {
    // No repos: build and switch name their own source (here, the sandbox's scripts).
    Object.assign(config, { mode: 'remote', repos: undefined, preUpdateHooks: undefined });
    await sandbox.writeConfig(config);
    return;
  }
  config.preUpdateHooks = [fails(path, 'runHooks') ? 'echo capturing; exit 1' : 'true'];
  await sandbox.writeConfig(config);
  if (!nothingNew(path)) {
    await sandbox.pushUpstream('nix-config', 'configuration.nix', '# new\n', 'new config');
    await sandbox.pushUpstream('nix-secrets', 'secrets.yaml', 'new: secret\n', 'new secret');
  }
  if (fails(path, 'snapshotRepos')) {
    await writeFile(join(sandbox.repoPath('nix-secrets'), 'secrets.yaml'), 'uncommitted edit\n');
  }
  if (fails(path, 'pullRepos')) {
    await rm(sandbox.remotePath('nix-secrets'), { recursive: true });
    if (resetFails) {
      // nix-config fast-forwards, then its post-merge hook leaves a lock: the rollback cannot reset it.
      const hook = join(sandbox.repoPath('nix-config'), '.git', 'hooks', 'post-merge');
      await writeFile(hook, '#!/bin/sh\ntouch "$(git rev-parse --git-dir)/index.lock"\n');
      await chmod(hook, 0o755);
    }
  }
}

const sandboxes: Sandbox[] = [];
afterAll(async () => {
  await Promise.all(sandboxes.map((sandbox) => rm(sandbox.dir, { recursive: true, force: true })));
});

describe('generated end-to-end scenarios', () => {
  it('cover every transition the real world can take', () => {
    // Until notifications exist, sending one cannot fail; every other transition is walked.
    expect(uncovered).toEqual([
      'notifying: xstate.error.actor.notifyValidationFailure -> switching',
    ]);
  });

  it.each(
    chosen.map(
      (path) => [`[${describePolicy(path.policy)}] ${path.states.join(' > ')}`, path] as const,
    ),
  )('%s', async (_name, path) => {
    const sandbox = await createSandbox();
    sandboxes.push(sandbox);
    const saved = {
      config: await sandbox.head('nix-config'),
      secrets: await sandbox.head('nix-secrets'),
    };
    await stage(sandbox, path);
    const run = await runCli([
      'run',
      '--config',
      sandbox.configFile,
      ...(path.policy.force ? ['--force'] : []),
    ]);

    expect(run.states, run.stdout).toEqual(path.states);
    expect(run.exitCode).toBe(exitCodes[path.result]);
    const heads = {
      config: await sandbox.head('nix-config'),
      secrets: await sandbox.head('nix-secrets'),
    };
    if (path.policy.mode === 'remote') {
      expect(heads).toEqual(saved);
    } else if (path.result === 'upgraded' && !nothingNew(path)) {
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
    if (
      path.result === 'rolled-back' &&
      path.states.includes('switching') &&
      path.policy.mode === 'local'
    ) {
      // The system rollback re-activated the build of the saved commits.
      expect(await sandbox.currentSystem()).toBe(
        `results/${saved.config.slice(0, 12)}-${saved.secrets.slice(0, 12)}`,
      );
    }
  });
});
