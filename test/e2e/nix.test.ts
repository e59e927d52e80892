// Real Nix systems: sandbox hosts whose system is built by real nix-build into /nix/store and
// activated from a real Nix profile with generations. Every test checks the profile's generations,
// the active system and every repo's commit: a failure anywhere must leave exactly the saved
// generation active, never "the previous one".
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configurationNix, nixAvailable } from '../../demo/nixSystem.js';
import type { Sandbox } from '../../demo/sandbox.js';
import type { RunRecord } from '../../src/state/runRecords.js';
import { runCli, runCliUntilPidFile } from '../support/cli.js';
import { processAlive } from '../support/processes.js';
import { useSandboxes } from '../support/sandboxes.js';

const use = useSandboxes();

interface NixHost {
  sandbox: Sandbox;
  /** Every repo's commit before the run. */
  saved: Record<string, string>;
  /** The system active before the run (generation 1). */
  savedSystem: string;
  run(...args: string[]): ReturnType<typeof runCli>;
  heads(): Promise<Record<string, string>>;
  /** [generation, current?] pairs, oldest first. */
  generations(): Promise<[number, boolean][]>;
}

/** A Nix sandbox on generation 1, with a new nix-config commit upstream (unless `news` is null). */
async function nixHost(
  config: Record<string, unknown> = {},
  news: string | null = configurationNix('  services.tailscale.enable = true;\n'),
): Promise<NixHost> {
  const sandbox = await use.sandbox({}, { nix: true });
  await sandbox.writeConfig(config);
  const heads = async () =>
    Object.fromEntries(
      await Promise.all(sandbox.repoNames.map(async (name) => [name, await sandbox.head(name)])),
    ) as Record<string, string>;
  const saved = await heads();
  const savedSystem = (await sandbox.currentSystem()) ?? '';
  if (news !== null) await sandbox.pushUpstream('nix-config', 'configuration.nix', news, 'news');
  return {
    sandbox,
    saved,
    savedSystem,
    heads,
    run: (...args) =>
      runCli([...(args.length > 0 ? args : ['run']), '--config', sandbox.configFile], {
        env: sandbox.env,
      }),
    generations: async () =>
      (await sandbox.generations()).map((entry) => [entry.generation, entry.current]),
  };
}

/** Asserts the host is exactly where it was: generation 1 active, its system, its commits. */
async function expectSaved(h: NixHost, generations: [number, boolean][]) {
  expect(await h.generations()).toEqual(generations);
  expect(await h.sandbox.currentSystem()).toBe(h.savedSystem);
  expect(await h.heads()).toEqual(h.saved);
}

describe('real Nix systems', () => {
  it('has nix-build and nix-env here (scripts/install-system-deps.sh installs nix-bin)', async () => {
    expect(await nixAvailable()).toBe(true);
  });

  it('upgrades: a new generation, active, and the summary, record and metrics say so', async () => {
    const h = await nixHost({ metricsFile: 'metrics.prom' });
    const run = await h.run();
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.stdout).toContain('system: generation 1 -> 2');
    expect(await h.generations()).toEqual([
      [1, false],
      [2, true],
    ]);
    const active = await h.sandbox.currentSystem();
    expect(active).not.toBe(h.savedSystem);
    expect(active).toBe((await h.sandbox.generations())[1]?.storePath);
    expect(await h.sandbox.head('nix-config')).toBe(await h.sandbox.remoteHead('nix-config'));
    // The saved generation was on disk before anything moved.
    const saved = JSON.parse(
      await readFile(join(h.sandbox.dir, 'state', 'saved-commits.json'), 'utf8'),
    ) as { system: { generation: number; storePath: string } };
    expect(saved.system).toMatchObject({ generation: 1, storePath: h.savedSystem });
    const [record] = JSON.parse((await h.run('history', '--json')).stdout) as RunRecord[];
    expect(record?.system).toMatchObject({ saved: { generation: 1 }, final: { generation: 2 } });
    expect((await h.run('status')).stdout).toContain('system generation 1 -> 2');
    expect((await h.run('history')).stdout).toMatch(/upgraded\s+0\s+1>2/);
    const metrics = await readFile(join(h.sandbox.dir, 'metrics.prom'), 'utf8');
    expect(metrics).toMatch(/xs_upgrade_system_generation\{profile=".*"\} 2/);
    expect(metrics).toMatch(/xs_upgrade_system_generation_saved\{profile=".*"\} 1/);
  });

  it('a Nix evaluation error in the new commit: the build fails, the profile is untouched', async () => {
    const h = await nixHost({}, '{ config, pkgs, ... }:\n{\n  services.openssh.enable = \n}\n');
    const run = await h.run();
    expect(run.exitCode).toBe(4);
    expect(run.states).toContain('building');
    expect(run.states).not.toContain('switching');
    expect(run.stdout).toMatch(/\[build\] error: syntax error/);
    expect(run.stdout).toContain('system: generation 1 (unchanged)');
    await expectSaved(h, [[1, true]]);
  });

  it('a failing check: rolled back before the switch, the profile untouched', async () => {
    const h = await nixHost({ validationChecks: ['echo "sshd would not start"; exit 1'] });
    const run = await h.run();
    expect(run.exitCode).toBe(4);
    expect(run.states).not.toContain('switching');
    await expectSaved(h, [[1, true]]);
  });

  it('a switch that fails after activating: generation 1 is active again', async () => {
    const h = await nixHost({
      switch: 'sh bin/nix-switch.sh && echo "activation failed" && exit 1',
    });
    const run = await h.run();
    expect(run.exitCode, run.stdout).toBe(4);
    expect(run.states).toContain('rollingBack.revertingSystem');
    expect(run.stdout).toMatch(/\[rollback-generation\] switching profile from version 2 to 1/);
    expect(run.stdout).toContain('system: back on generation 1');
    await expectSaved(h, [
      [1, true],
      [2, false],
    ]);
  });

  it('a failing health check: the saved generation is active again', async () => {
    const h = await nixHost({
      healthChecks: [{ name: 'sshd answers', command: 'exit 1', retries: 0 }],
    });
    const run = await h.run();
    expect(run.exitCode).toBe(4);
    expect(run.states).toContain('healthChecking');
    await expectSaved(h, [
      [1, true],
      [2, false],
    ]);
  });

  it('a switch that makes two generations, then fails: exactly the saved one comes back', async () => {
    // Generation 3 has the same system as generation 1; a relative rollback would pick 2.
    const h = await nixHost({
      switch:
        'sh bin/nix-switch.sh && nix-env -p "$PWD/profiles/system" --set "$(readlink profiles/system-1-link)" && exit 1',
    });
    const run = await h.run();
    expect(run.exitCode, run.stdout).toBe(4);
    await expectSaved(h, [
      [1, true],
      [2, false],
      [3, false],
    ]);
  });

  it('SIGKILL during switching, then recover: generation 1, the repos, and the switch stopped', async () => {
    const h = await nixHost({
      switch: 'sh bin/nix-switch.sh && echo $$ > switch.pid && exec sleep 30',
    });
    const killed = await runCliUntilPidFile(
      h.sandbox.configFile,
      join(h.sandbox.dir, 'switch.pid'),
      h.sandbox.env,
    );
    const pid = killed.pid;
    expect(pid).toBeGreaterThan(0);
    expect(await h.generations()).toEqual([
      [1, false],
      [2, true],
    ]);
    await killed.kill();

    const recover = await h.run('recover');
    expect(recover.exitCode, recover.stdout).toBe(4);
    expect(recover.stdout).toContain('stopped switch (process group');
    expect(await processAlive(pid)).toBe(false);
    await expectSaved(h, [
      [1, true],
      [2, false],
    ]);
  });

  it('SIGKILL during healthChecking, then the next run: recovered to generation 1, then upgraded', async () => {
    // The health check hangs the first time only.
    const h = await nixHost({
      healthChecks: [
        {
          name: 'web',
          command: 'if [ -e hang-once ]; then rm hang-once; echo $$ > check.pid; exec sleep 30; fi',
          retries: 0,
        },
      ],
    });
    await writeFile(join(h.sandbox.dir, 'hang-once'), '');
    const killed = await runCliUntilPidFile(
      h.sandbox.configFile,
      join(h.sandbox.dir, 'check.pid'),
      h.sandbox.env,
    );
    const pid = killed.pid;
    expect(pid).toBeGreaterThan(0);
    await killed.kill();

    const next = await h.run();
    expect(next.exitCode, next.stdout).toBe(0);
    expect(next.stdout).toMatch(/found a run that was killed \(pid \d+, in healthChecking since/);
    expect(next.stdout).toContain('stopped web (process group');
    expect(next.stdout).toMatch(/rollback-generation\] switching profile from version 2 to 1/);
    expect(next.stdout).toContain('recovered: carrying on with a new run');
    // Back on 1, then the new run switched to the same system as 2 again: Nix reuses
    // generation 2 (it is the profile's newest and has that very store path).
    expect(await h.generations()).toEqual([
      [1, false],
      [2, true],
    ]);
    expect(await h.sandbox.head('nix-config')).toBe(await h.sandbox.remoteHead('nix-config'));
  });

  it('xs-upgrade rollback after a good upgrade: generation 1, the repos, and held back after', async () => {
    const h = await nixHost();
    expect((await h.run()).exitCode).toBe(0);
    expect(await h.generations()).toEqual([
      [1, false],
      [2, true],
    ]);
    const rollback = await h.run('rollback');
    expect(rollback.exitCode, rollback.stdout).toBe(0);
    expect(rollback.stdout).toContain('(back on generation 1)');
    await expectSaved(h, [
      [1, true],
      [2, false],
    ]);
    expect((await h.run('status')).stdout).toContain('system back on generation 1');
    // The next run does not take the rolled-back commits again.
    const next = await h.run();
    expect(next.exitCode).toBe(3);
    expect(next.states.at(-1)).toBe('heldBack');
    await expectSaved(h, [
      [1, true],
      [2, false],
    ]);
  });

  it('a saved generation that was garbage-collected: exit 5, saying so and how to recover', async () => {
    // The switch removes generation 1 (as nix-collect-garbage -d would), then fails.
    const h = await nixHost({
      switch: 'sh bin/nix-switch.sh && rm profiles/system-1-link && exit 1',
    });
    const run = await h.run();
    expect(run.exitCode).toBe(5);
    expect(run.stdout).toMatch(
      /rollback: generation 1 of .*profiles\/system no longer exists \(garbage-collected\?\): pick one that does with `nix-env -p .* --list-generations`/,
    );
    expect(await h.generations()).toEqual([[2, true]]);
  });

  it('a rollbackSwitch that leaves another generation active is a failed rollback', async () => {
    const h = await nixHost({
      switch: 'sh bin/nix-switch.sh && exit 1',
      rollbackSwitch: 'echo "pretending to roll back"',
    });
    const run = await h.run();
    expect(run.exitCode).toBe(5);
    expect(run.stdout).toMatch(
      /rollback: after the rollback, .*profiles\/system is on generation 2, not the saved generation 1/,
    );
  });

  it('a profile that is not a Nix profile: validate exits 78, a run 3 before anything moves', async () => {
    const h = await nixHost();
    const notAProfile = join(h.sandbox.dir, 'not-a-profile');
    await writeFile(notAProfile, 'just a file\n');
    await h.sandbox.writeConfig({ system: { profile: notAProfile } });
    const validate = await h.run('validate');
    expect(validate.exitCode).toBe(78);
    expect(validate.stderr).toMatch(
      /\/system\/profile: .*not-a-profile is not a Nix profile \(it is not a symlink\)/,
    );
    const run = await h.run();
    expect(run.exitCode).toBe(3);
    expect(run.states).toEqual(['hooksRunning', 'snapshotting', 'aborted']);
    expect(run.stdout).toMatch(/cause: .*not-a-profile is not a Nix profile/);
    await expectSaved(h, [[1, true]]);
    await rm(notAProfile);
    // A relative profile path is refused by the schema: the config alone says it is wrong.
    await h.sandbox.writeConfig({ system: { profile: 'profiles/system' } });
    expect((await h.run('validate')).exitCode).toBe(78);
  });
});
