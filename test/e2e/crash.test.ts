// Fault injection: the real CLI is killed with SIGKILL in every state (and in the middle of
// rollingBack), then run again. Every repo must be back at its saved commit and the system at the
// saved build, never a mix, and no uncommitted local file may be lost.
import { execa } from 'execa';
import { readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../../demo/sandbox.js';
import type { RunRecord } from '../../src/state/runRecords.js';
import { cliPath, runCli } from '../support/cli.js';
import { processAlive } from '../support/processes.js';

const sandboxes: Sandbox[] = [];
afterEach(async () => {
  await Promise.all(
    sandboxes.splice(0).map((sandbox) => rm(sandbox.dir, { recursive: true, force: true })),
  );
});

/** Shell that hangs the first time it runs (writing its pid), and does nothing the next times. */
const hangOnce = (dir: string) =>
  `if [ -e ${dir}/.hang-once ]; then rm ${dir}/.hang-once; echo $$ > ${dir}/hang.pid; exec sleep 30; fi`;

interface Crash {
  /** The state the run is killed in. */
  state: string;
  /** The hanging step is a command of the run (not a program git runs): recovery must stop it. */
  step?: string;
  config: (dir: string) => Record<string, unknown>;
  /**
   * A program git runs itself, set on nix-config before the run: upload-pack, or a clean filter
   * (`git status` re-hashes a file whose stat changed through it). Not core.fsmonitor: xs-upgrade
   * turns it off for every git it runs (docs/security.md).
   */
  gitHelper?: 'filter.hang.clean' | 'remote.origin.uploadpack';
  exitCode: number;
}

const crashes: Crash[] = [
  {
    state: 'hooksRunning',
    step: 'hook',
    config: (dir) => ({ preUpdateHooks: [hangOnce(dir)] }),
    exitCode: 3,
  },
  { state: 'snapshotting', config: () => ({}), gitHelper: 'filter.hang.clean', exitCode: 3 },
  { state: 'pulling', config: () => ({}), gitHelper: 'remote.origin.uploadpack', exitCode: 4 },
  {
    state: 'building',
    step: 'build',
    config: (dir) => ({ build: `${hangOnce(dir)}; sh bin/build.sh` }),
    exitCode: 4,
  },
  {
    state: 'validating',
    step: 'check',
    config: (dir) => ({ validationChecks: [hangOnce(dir)] }),
    exitCode: 4,
  },
  {
    state: 'notifying',
    step: 'command 1',
    config: (dir) => ({
      onValidationFailure: 'notify',
      validationChecks: ['exit 1'],
      notify: [{ command: hangOnce(dir), on: ['validation-failed'] }],
    }),
    exitCode: 4,
  },
  // Killed after the new system is active: recovery must put the old one back.
  {
    state: 'switching',
    step: 'switch',
    config: (dir) => ({ switch: `sh bin/switch.sh && ${hangOnce(dir)}` }),
    exitCode: 4,
  },
  {
    // The build fails and leaves a hanging clean filter on a file whose stat changed: the
    // rollback's `git status` hangs in it.
    state: 'rollingBack.resettingRepos',
    config: (dir) => ({
      build: `git -C repos/nix-config config filter.hang.clean ${dir}/bin/hang-once-helper && echo 'configuration.nix filter=hang' > repos/nix-config/.git/info/attributes && touch -d '+1 minute' repos/nix-config/configuration.nix; exit 1`,
    }),
    exitCode: 4,
  },
  {
    state: 'rollingBack.revertingSystem',
    step: 'rollback-switch',
    config: (dir) => ({
      switch: 'sh bin/switch.sh; exit 1',
      rollbackSwitch: `${hangOnce(dir)}; sh bin/switch.sh`,
    }),
    exitCode: 4,
  },
];

async function killedHost(crash: Crash) {
  const sandbox = await createSandbox();
  sandboxes.push(sandbox);
  const { dir } = sandbox;
  // The host runs its saved commits' build before the night's run.
  expect((await runCli(['run', '--config', sandbox.configFile, '--force'])).exitCode).toBe(0);
  const savedSystem = await sandbox.currentSystem();
  const saved = {
    config: await sandbox.head('nix-config'),
    secrets: await sandbox.head('nix-secrets'),
  };
  // A local file git ignores: nothing may ever remove it.
  await writeFile(join(sandbox.repoPath('nix-config'), '.git', 'info', 'exclude'), 'local.nix\n');
  await writeFile(join(sandbox.repoPath('nix-config'), 'local.nix'), '# my local edits\n');

  await sandbox.writeConfig(crash.config(dir));
  await writeFile(
    join(dir, 'bin', 'hang-once-helper'),
    `#!/bin/sh\nexec 2>/dev/null\n${hangOnce(dir)}\nexit 1\n`,
    {
      mode: 0o755,
    },
  );
  if (crash.gitHelper) {
    const repo = sandbox.repoPath('nix-config');
    await sandbox.git(['config', crash.gitHelper, join(dir, 'bin', 'hang-once-helper')], repo);
    if (crash.gitHelper === 'filter.hang.clean') {
      await writeFile(join(repo, '.git', 'info', 'attributes'), 'configuration.nix filter=hang\n');
      // A changed stat makes `git status` read the file again, through the filter.
      const later = new Date(Date.now() + 60_000);
      await utimes(join(repo, 'configuration.nix'), later, later);
    }
  }
  await sandbox.pushUpstream('nix-config', 'configuration.nix', '# new\n', 'new config');
  await sandbox.pushUpstream('nix-secrets', 'secrets.yaml', 'new: secret\n', 'new secret');
  await writeFile(join(dir, '.hang-once'), '');

  const child = execa('node', [cliPath, 'run', '--config', sandbox.configFile], {
    reject: false,
    env: { NO_COLOR: '1' },
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // Wait until the step hangs (it wrote its pid), in the state under test.
  let hangPid = 0;
  for (let attempt = 0; attempt < 1500 && !hangPid; attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    hangPid = Number((await readFile(join(dir, 'hang.pid'), 'utf8').catch(() => '')).trim());
  }
  expect(hangPid, output).toBeGreaterThan(0);
  expect([...output.matchAll(/\bstate (\S+)/g)].map((match) => match[1]).at(-1)).toBe(crash.state);
  // The guarantee starts once the step's process group is on disk (a few milliseconds after it
  // starts; docs/recovery.md): kill the run only then.
  if (crash.step !== undefined) await stepRecorded(join(dir, 'state'), hangPid);
  child.kill('SIGKILL');
  await child;
  // A step command goes on after its run was killed, until the recovery stops it. A program git
  // ran itself (a filter, upload-pack) is git's, not a step's: end it here.
  if (crash.step === undefined) process.kill(hangPid, 'SIGKILL');
  else expect(await processAlive(hangPid)).toBe(true);
  return { sandbox, saved, savedSystem, hangPid };
}

/** Waits until the run has written the process group `pid` to its state dir. */
async function stepRecorded(stateDir: string, pid: number): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt += 1) {
    const text = await readFile(join(stateDir, 'step-processes.json'), 'utf8').catch(() => '');
    if (text.includes(`"pid": ${pid},`)) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`the run never recorded process group ${pid}`);
}

describe('killed with SIGKILL, then recovered', () => {
  it.each(crashes.map((crash) => [crash.state, crash] as const))('in %s', async (_state, crash) => {
    const { sandbox, saved, savedSystem, hangPid } = await killedHost(crash);

    const recover = await runCli(['recover', '--config', sandbox.configFile]);
    expect(recover.stdout).toMatch(
      new RegExp(
        `found a run that was killed \\(pid \\d+, in ${crash.state.replace('.', '\\.')} since \\d{4}-`,
      ),
    );
    expect(recover.exitCode, recover.stdout).toBe(crash.exitCode);
    if (crash.step !== undefined) {
      // The step the killed run left running was stopped before anything was reset.
      expect(await processAlive(hangPid)).toBe(false);
      const stopped = recover.stdout.indexOf(`stopped ${crash.step} (process group`);
      expect(stopped, recover.stdout).toBeGreaterThan(-1);
      const firstState = recover.stdout.search(/\bstate /);
      expect(stopped).toBeLessThan(firstState);
    }
    // Never a mix: every repo and the system are back where they were.
    expect({
      config: await sandbox.head('nix-config'),
      secrets: await sandbox.head('nix-secrets'),
    }).toEqual(saved);
    expect(await sandbox.currentSystem()).toBe(savedSystem);
    expect(await readFile(join(sandbox.repoPath('nix-config'), 'local.nix'), 'utf8')).toBe(
      '# my local edits\n',
    );

    const history = JSON.parse(
      (await runCli(['history', '--config', sandbox.configFile, '--json'])).stdout,
    ) as RunRecord[];
    // Killed, not "interrupted (SIGTERM or SIGINT)": the record says where and when.
    expect(history[0]).toMatchObject({
      recovered: true,
      interrupted: false,
      killed: { state: crash.state },
      running: false,
      exitCode: crash.exitCode,
    });
    expect(Date.parse(history[0]?.killed?.lastSeen ?? '')).toBeGreaterThan(0);
    if (!crash.state.startsWith('rollingBack')) {
      expect(recover.stdout).toContain(
        `cause: killed (SIGKILL, out of memory or power loss) in ${crash.state}`,
      );
    }
    const status = await runCli(['status', '--config', sandbox.configFile]);
    expect(status.stdout).toMatch(/last run: .*: killed, (aborted|rolled-back)/);
    // Nothing is left to recover.
    expect((await runCli(['recover', '--config', sandbox.configFile])).stdout).toContain(
      'nothing to recover',
    );
  });

  it('a normal run recovers first, then carries on and upgrades', async () => {
    const { sandbox } = await killedHost(
      crashes.find((crash) => crash.state === 'building') as Crash,
    );
    const run = await runCli(['run', '--config', sandbox.configFile]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('found a run that was killed');
    expect(run.stdout).toContain('recovered: carrying on with a new run');
    expect(run.stdout).toContain('result: upgraded');
    expect(await sandbox.head('nix-config')).toBe(await sandbox.remoteHead('nix-config'));
  });
});
