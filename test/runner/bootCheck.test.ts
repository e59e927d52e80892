// `xs-upgrade boot-check` in-process: real Nix system profiles (demo/nixSystem.ts), a reboot
// command that records the request, and a boot simulated by pointing `bootedSystem` at a
// generation. The e2e suite runs the same stories through the built CLI; these call the runner so
// that mutation testing sees what the boot check decides and says.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startFleetLockServer } from '../../demo/fleetLockServer.js';
import { configurationNix } from '../../demo/nixSystem.js';
import type { Sandbox } from '../../demo/sandbox.js';
import { fleetStatus } from '../../src/fleet/admin.js';
import { setId } from '../../src/fleet/rollout.js';
import { checkBoot } from '../../src/runner/bootCheck.js';
import { readManualRecovery } from '../../src/state/manualRecovery.js';
import { readRejectedCommitSets } from '../../src/state/rejectedCommits.js';
import { readRunRecords } from '../../src/state/runRecords.js';
import { useEtcd } from '../support/etcd.js';
import { hostOptions, runInProcess } from '../support/inProcessRun.js';
import { memoryLog } from '../support/memoryLog.js';
import { bootedSystem } from '../support/nix.js';
import { useSandboxes } from '../support/sandboxes.js';

const sandboxes = useSandboxes();
const cluster = useEtcd();

const sameKernel = configurationNix('  services.tailscale.enable = true;\n');

async function rebootHost(config: Record<string, unknown> = {}, rebootCommand?: string) {
  const sandbox: Sandbox = await sandboxes.sandbox({}, { nix: true });
  const { path: booted, boot } = bootedSystem(sandbox);
  await boot(1);
  await sandbox.writeConfig({
    reboot: {
      when: 'always',
      command: rebootCommand ?? 'echo "reboot requested" >> reboot.log',
      bootedSystem: booted,
    },
    ...config,
  });
  await sandbox.pushUpstream('nix-config', 'configuration.nix', sameKernel, 'news');
  const before = await sandbox.head('nix-config');
  const run = await runInProcess(sandbox);
  expect(run.exitCode, run.text).toBe(0);
  const stateDir = (await hostOptions(sandbox)).config.stateDir;
  return {
    sandbox,
    run,
    before,
    after: await sandbox.head('nix-config'),
    stateDir,
    boot,
    storePath: async (generation: number) =>
      (await sandbox.generations()).find((entry) => entry.generation === generation)?.storePath,
    current: async () => (await sandbox.generations()).find((entry) => entry.current)?.generation,
    reboots: async () =>
      (await readFile(join(sandbox.dir, 'reboot.log'), 'utf8').catch(() => ''))
        .split('\n')
        .filter(Boolean).length,
    check: async () => {
      const log = memoryLog();
      const exitCode = await checkBoot({ ...(await hostOptions(sandbox)), log });
      return { exitCode, lines: log.lines };
    },
  };
}

describe('checkBoot', () => {
  it('waits for the boot, passes the new generation, then has nothing pending', async () => {
    const h = await rebootHost();
    const early = await h.check();
    expect(early).toEqual({
      exitCode: 0,
      lines: [
        expect.stringMatching(
          /^the host has not booted since the reboot into generation 2 was asked for at \d{4}-\S+Z: nothing to check yet$/,
        ) as string,
      ],
    });
    await h.boot(2);
    const passed = await h.check();
    expect(passed.exitCode).toBe(0);
    expect(passed.lines).toContain(`booted ${await h.storePath(2)}; expected generation 2`);
    expect(passed.lines.slice(-2)).toEqual([
      'result: upgraded (rebooted into generation 2)',
      'system: generation 2, booted and healthy',
    ]);
    const [record] = await readRunRecords(h.stateDir);
    expect(record).toMatchObject({
      result: 'upgraded',
      exitCode: 0,
      running: false,
      summary: 'result: upgraded (rebooted into generation 2)',
      reboot: { requested: true, bootCheck: { passed: true, booted: await h.storePath(2) } },
    });
    expect(await h.check()).toEqual({
      exitCode: 0,
      lines: ['no boot check pending: nothing to do'],
    });
  });

  it('fails once: the last good generation and commits back, one more reboot, then passes there', async () => {
    const h = await rebootHost({
      bootChecks: [{ name: 'never healthy', command: 'exit 1', retries: 0 }],
    });
    await h.boot(2);
    const failed = await h.check();
    expect(failed.exitCode).toBe(4);
    const problem =
      'health check never healthy failed after 1 attempt: never healthy failed with exit code 1: exit 1';
    expect(failed.lines).toContain(`boot check failed: ${problem}`);
    expect(failed.lines.slice(-3)).toEqual([
      'result: the boot into generation 2 failed its check and was rolled back: generation 1 is the boot default again, every repo is back at its saved commit, and the host reboots into it',
      `cause: ${problem}`,
      'next: fix the cause upstream; these commits are not tried again here. The boot after this reboot is checked too',
    ]);
    const profile = join(h.sandbox.dir, 'profiles', 'system');
    expect(failed.lines).toEqual(
      expect.arrayContaining([
        `rollback-generation: nix-env -p ${profile} --switch-generation 1`,
        `rollback-activate: ${profile}-1-link/bin/switch-to-configuration boot`,
      ]),
    );
    expect(await h.current()).toBe(1);
    expect(await h.sandbox.head('nix-config')).toBe(h.before);
    expect(await h.reboots()).toBe(2);
    expect(await readRejectedCommitSets(h.stateDir)).toEqual([
      expect.objectContaining({
        commits: expect.objectContaining({ 'nix-config': h.after }) as object,
        reason: `bootCheck: ${problem}`,
      }),
    ]);

    await h.boot(1);
    // The boot checks run again on the last good generation; this one fails only on the new one.
    await h.sandbox.writeConfig({
      reboot: {
        when: 'always',
        command: 'echo "reboot requested" >> reboot.log',
        bootedSystem: join(h.sandbox.dir, 'booted-system'),
      },
    });
    const back = await h.check();
    expect(back.exitCode).toBe(0);
    expect(back.lines.slice(-2)).toEqual([
      'result: rolled back (rebooted into generation 1, the last good one, after the new generation failed its boot check)',
      'system: generation 1, booted and healthy',
    ]);
    const [record] = await readRunRecords(h.stateDir);
    // A record of its own: the boot into the last good generation is healthy, nothing failed now.
    expect(record).toMatchObject({ command: 'boot-check', result: 'rollback-booted', exitCode: 0 });
  });

  it('fails twice: exit 5 with what to do by hand, and stays stopped', async () => {
    const h = await rebootHost({
      bootChecks: [{ name: 'never healthy', command: 'exit 1', retries: 0 }],
    });
    await h.boot(2);
    expect((await h.check()).exitCode).toBe(4);
    await h.boot(1);
    const twice = await h.check();
    expect(twice.exitCode).toBe(5);
    const profile = join(h.sandbox.dir, 'profiles', 'system');
    const problem =
      'health check never healthy failed after 1 attempt: never healthy failed with exit code 1: exit 1';
    expect(twice.lines.slice(-3)).toEqual([
      'result: ROLLBACK FAILED: the host did not come back healthy after one automatic rollback reboot: manual recovery needed',
      `cause: ${problem}`,
      `next: pick a generation that boots (\`nix-env -p ${profile} --list-generations\`; the last good one was 1), make it the default with \`nix-env -p ${profile} --switch-generation N\` and \`${profile}/bin/switch-to-configuration boot\`, reboot, put the repos back (docs/recovery.md), then \`xs-upgrade recover --confirm-manual-fix\``,
    ]);
    expect(await h.reboots()).toBe(2);
    const [record] = await readRunRecords(h.stateDir);
    expect(record).toMatchObject({
      result: 'rollback-failed',
      exitCode: 5,
      rollbackFailure: { state: 'bootCheck' },
    });
    expect(await readManualRecovery(h.stateDir)).toMatchObject({
      runId: record?.id,
      reason: `boot check failed after the automatic rollback reboot: ${problem}`,
    });
    const after = await h.check();
    expect(after.exitCode).toBe(5);
    expect(after.lines).toEqual([
      'result: REFUSED: a failed rollback still waits for manual recovery: nothing was run',
      expect.stringMatching(/^cause: a rollback failed on /) as string,
    ]);
  });

  it('booted into another generation: rolled back as a failed boot', async () => {
    const h = await rebootHost();
    // The boot loader fell back to the old generation: the new one never came up.
    await h.boot(1);
    const check = await h.check();
    expect(check.exitCode).toBe(4);
    expect(check.lines).toContain(
      `cause: booted ${await h.storePath(1)}, not generation 2 (${await h.storePath(2)})`,
    );
    expect(await h.current()).toBe(1);
  });

  it('a rollback that cannot reboot stops at once, as a second failure would', async () => {
    // The reboot command works for the run's request and fails for the rollback's.
    const h = await rebootHost(
      { bootChecks: [{ name: 'never healthy', command: 'exit 1', retries: 0 }] },
      'test ! -e reboot.log && echo "reboot requested" >> reboot.log',
    );
    await h.boot(2);
    const check = await h.check();
    expect(check.exitCode).toBe(5);
    expect(check.lines).toContainEqual(
      expect.stringMatching(
        /^cause: health check never healthy failed .*; and the rollback failed: reboot failed with exit code 1: test ! -e reboot.log/,
      ),
    );
    expect(await readManualRecovery(h.stateDir)).toBeDefined();
  });

  it('keeps the fleet slot through the reboot, and lets it go once the boot check passes', async () => {
    const server = await startFleetLockServer(1);
    sandboxes.cleanup(() => server.close());
    const h = await rebootHost({ fleet: { id: 'rebooter', fleetLock: { url: server.url } } });
    const holds = () => server.holders.get('default')?.has('rebooter') ?? false;
    expect(h.run.lines).toContain(
      'fleet: slot in group "default" kept until the boot check after the reboot passes',
    );
    expect(holds()).toBe(true);
    await h.boot(2);
    const passed = await h.check();
    expect(passed.exitCode).toBe(0);
    expect(passed.lines).toContain('fleet: slot in group "default" released');
    expect(holds()).toBe(false);
  });

  describe('in a fleet on etcd', () => {
    const never = { name: 'never healthy', command: 'exit 1', retries: 0 };
    const problem =
      'health check never healthy failed after 1 attempt: never healthy failed with exit code 1: exit 1';
    async function fleetRebootHost(onFailure: 'hold' | 'release', bootChecks: unknown[] = []) {
      const fleet = {
        id: 'rebooter',
        onFailure,
        etcd: { endpoints: [cluster.etcd.endpoint], prefix: cluster.newPrefix() },
      };
      const h = await rebootHost({ fleet, bootChecks });
      const spec = (await hostOptions(h.sandbox)).config.fleet;
      if (!spec) throw new Error('no fleet');
      const status = () => fleetStatus(spec, process.env);
      const holders = async () =>
        (await status()).groups.flatMap((group) => group.holders.map((holder) => holder.id));
      /** The same config without the boot checks: the last good generation passes. */
      const healthyAgain = () =>
        h.sandbox.writeConfig({
          reboot: {
            when: 'always',
            command: 'echo "reboot requested" >> reboot.log',
            bootedSystem: join(h.sandbox.dir, 'booted-system'),
          },
          fleet,
        });
      return { ...h, status, holders, healthyAgain };
    }

    it('a boot that passes proves the commits to the fleet and frees the slot', async () => {
      const h = await fleetRebootHost('hold');
      expect(await h.holders()).toEqual(['rebooter']);
      await h.boot(2);
      const passed = await h.check();
      expect(passed.exitCode).toBe(0);
      expect(passed.lines.slice(-2)).toEqual([
        'fleet: slot in group "default" released',
        'fleet: reported healthy on these commits',
      ]);
      const view = await h.status();
      expect(view.hosts.map((host) => [host.id, host.result, host.commits['nix-config']])).toEqual([
        ['rebooter', 'upgraded', h.after],
      ]);
      const [reported] = view.hosts;
      const proven = view.sets.find((set) => set.id === setId(reported?.commits ?? {}));
      expect(proven?.proven.map((proof) => proof.host)).toEqual(['rebooter']);
      expect(await h.holders()).toEqual([]);
    });

    it('a boot that fails quarantines the commits fleet-wide; back on the last good one, onFailure "hold" keeps the slot', async () => {
      const h = await fleetRebootHost('hold', [never]);
      await h.boot(2);
      const failed = await h.check();
      expect(failed.exitCode).toBe(4);
      expect(failed.lines.slice(-2)).toEqual([
        'fleet: slot in group "default" kept until the boot check after the reboot passes',
        'fleet: reported; these commits are now quarantined fleet-wide',
      ]);
      const view = await h.status();
      const [reported] = view.hosts;
      // The host reports what it runs now: the commits from before the upgrade.
      expect([reported?.result, reported?.commits['nix-config']]).toEqual([
        'rolled-back',
        h.before,
      ]);
      const rejected = view.sets.find((set) => set.commits['nix-config'] === h.after);
      expect(rejected?.rejected.map((entry) => [entry.host, entry.reason])).toEqual([
        ['rebooter', `bootCheck: ${problem}`],
      ]);
      expect(rejected?.proven).toEqual([]);
      expect(await h.holders()).toEqual(['rebooter']);

      await h.boot(1);
      await h.healthyAgain();
      const back = await h.check();
      expect(back.exitCode).toBe(0);
      expect(back.lines.slice(-2)).toEqual([
        'fleet: slot in group "default" HELD (onFailure "hold"): the rollout waits here; look at this host, then `xs-upgrade fleet release --id rebooter`',
        'fleet: reported',
      ]);
      expect(await h.holders()).toEqual(['rebooter']);
      const [again] = (await h.status()).hosts;
      expect([again?.result, again?.commits['nix-config']]).toEqual(['rollback-booted', h.before]);
    });

    it('back on the last good generation with onFailure "release": the slot is freed', async () => {
      const h = await fleetRebootHost('release', [never]);
      await h.boot(2);
      expect((await h.check()).exitCode).toBe(4);
      await h.boot(1);
      await h.healthyAgain();
      const back = await h.check();
      expect(back.exitCode).toBe(0);
      expect(back.lines.slice(-2)).toEqual([
        'fleet: slot in group "default" released',
        'fleet: reported',
      ]);
      expect(await h.holders()).toEqual([]);
    });
  });
});
