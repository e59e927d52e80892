// Kernel updates: reboot when the new system needs it, inside a window, and check the boot that
// follows. Real Nix profiles (demo/nixSystem.ts: the kernel is a store path of its own, changed by
// boot.kernelVersion), the real clock shifted with faketime for windows, a reboot command that
// records the request, and a boot simulated by pointing `bootedSystem` at a generation.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configurationNix } from '../../demo/nixSystem.js';
import type { Sandbox } from '../../demo/sandbox.js';
import type { RunRecord } from '../../src/state/runRecords.js';
import { runCli, runCliUntilPidFile, type CliRun } from '../support/cli.js';
import { startHttpServer } from '../support/httpServer.js';
import { startFleetLockServer } from '../../demo/fleetLockServer.js';
import { sample } from '../support/metrics.js';
import { bootedSystem } from '../support/nix.js';
import { useSandboxes } from '../support/sandboxes.js';

const use = useSandboxes();

const newKernel = configurationNix('  boot.kernelVersion = "6.7.0";\n');
const sameKernel = configurationNix('  services.tailscale.enable = true;\n');

interface RebootHost {
  sandbox: Sandbox;
  /** Runs a CLI command on this host, at `at` (faketime) if given, in UTC. */
  cli(command: string, at?: string): Promise<CliRun>;
  /** How many reboots were asked for. */
  reboots(): Promise<number>;
  /** A boot into generation `n`: booted-system points at it, made now. */
  boot(generation: number): Promise<void>;
  current(): Promise<number | undefined>;
  records(): Promise<RunRecord[]>;
}

async function rebootHost(
  reboot: Record<string, unknown>,
  news: string | null,
  config: Record<string, unknown> = {},
): Promise<RebootHost> {
  const sandbox = await use.sandbox({}, { nix: true });
  const { path: booted, boot } = bootedSystem(sandbox);
  const generations = () => sandbox.generations();
  await boot(1);
  await sandbox.writeConfig({
    metricsFile: 'metrics.prom',
    reboot: {
      command: 'echo "reboot requested" >> reboot.log',
      bootedSystem: booted,
      ...reboot,
    },
    ...config,
  });
  if (news !== null) await sandbox.pushUpstream('nix-config', 'configuration.nix', news, 'news');
  const cli = (command: string, at?: string): Promise<CliRun> =>
    runCli([command, '--config', sandbox.configFile], {
      env: { ...sandbox.env, TZ: 'UTC' },
      ...(at ? { at } : {}),
    });
  return {
    sandbox,
    cli,
    reboots: async () =>
      (await readFile(join(sandbox.dir, 'reboot.log'), 'utf8').catch(() => ''))
        .split('\n')
        .filter(Boolean).length,
    boot,
    current: async () => (await generations()).find((entry) => entry.current)?.generation,
    records: async () =>
      JSON.parse(
        (await runCli(['history', '--config', sandbox.configFile, '--json'])).stdout,
      ) as RunRecord[],
  };
}

const upToSwitch = [
  'hooksRunning',
  'snapshotting',
  'pulling',
  'building',
  'validating',
  'switching',
];

describe('reboot after an upgrade', () => {
  it('kernel unchanged, "needed": no reboot', async () => {
    const h = await rebootHost({ when: 'needed' }, sameKernel);
    const run = await h.cli('run');
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.states).toEqual([...upToSwitch, 'checkingReboot', 'done']);
    expect(run.stdout).toContain('reboot: not needed');
    expect(await h.reboots()).toBe(0);
  });

  it('kernel changed inside the window: asks for the reboot, exit 0, boot check pending', async () => {
    const h = await rebootHost(
      { when: 'needed', window: { lower: '01:00', upper: '05:00' } },
      newKernel,
    );
    const run = await h.cli('run', '2026-03-03 02:30:00');
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.states).toEqual([...upToSwitch, 'checkingReboot', 'rebooting', 'rebootRequested']);
    expect(run.stdout).toMatch(/result: upgraded, rebooting: .*boot-check/);
    expect(await h.reboots()).toBe(1);
    expect(await h.current()).toBe(2);
    const status = await h.cli('status');
    expect(status.stdout).toMatch(/^boot check pending: rebooting into generation 2/m);
    expect(
      sample(
        await readFile(join(h.sandbox.dir, 'metrics.prom'), 'utf8'),
        'xs_upgrade_reboot_pending',
      ),
    ).toBe(1);
  });

  it('kernel changed outside the window: upgraded, reboot pending; the next run inside it reboots without pulling again', async () => {
    const h = await rebootHost(
      { when: 'needed', window: { lower: '01:00', upper: '05:00' } },
      newKernel,
    );
    const outside = await h.cli('run', '2026-03-03 14:00:00');
    expect(outside.exitCode, outside.stdout).toBe(0);
    expect(outside.states.at(-1)).toBe('done');
    expect(outside.stdout).toContain(
      'reboot: pending (outside the reboot window 01:00-05:00): a run inside the window will reboot',
    );
    expect(await h.reboots()).toBe(0);
    expect((await h.cli('status')).stdout).toMatch(
      /^reboot pending since .*outside the reboot window/m,
    );
    expect(
      sample(
        await readFile(join(h.sandbox.dir, 'metrics.prom'), 'utf8'),
        'xs_upgrade_reboot_pending',
      ),
    ).toBe(1);

    const inside = await h.cli('run', '2026-03-04 02:00:00');
    expect(inside.exitCode, inside.stdout).toBe(0);
    expect(inside.states).toEqual([
      'hooksRunning',
      'snapshotting',
      'pulling',
      'checkingReboot',
      'rebooting',
      'rebootRequested',
    ]);
    expect(await h.reboots()).toBe(1);
    // The boot check knows the last good generation from the run that upgraded.
    const check = JSON.parse(
      await readFile(join(h.sandbox.dir, 'state', 'boot-check.json'), 'utf8'),
    ) as { previous: { generation: number }; expected: { generation: number } };
    expect(check.previous.generation).toBe(1);
    expect(check.expected.generation).toBe(2);
  });

  it.each([
    ['23:30, inside 23:00-02:00', '2026-03-03 23:30:00', true],
    ['00:30, inside 23:00-02:00 (past midnight)', '2026-03-04 00:30:00', true],
    ['03:00, outside 23:00-02:00', '2026-03-04 03:00:00', false],
  ])('a window across midnight: %s', async (_name, at, inside) => {
    const h = await rebootHost(
      { when: 'needed', window: { lower: '23:00', upper: '02:00' } },
      newKernel,
    );
    const run = await h.cli('run', at);
    expect(run.exitCode, run.stdout).toBe(0);
    expect(await h.reboots()).toBe(inside ? 1 : 0);
  });

  it('"always" reboots with the kernel unchanged', async () => {
    const h = await rebootHost({ when: 'always' }, sameKernel);
    const run = await h.cli('run');
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.states.at(-1)).toBe('rebootRequested');
    expect(await h.reboots()).toBe(1);
  });

  it('SIGTERM from the reboot itself never rolls back the upgrade', async () => {
    // As systemd does at shutdown: the reboot command stops the run's own service.
    const h = await rebootHost(
      {
        when: 'always',
        command: 'echo "reboot requested" >> reboot.log; kill -TERM $PPID; sleep 1',
      },
      sameKernel,
    );
    const run = await h.cli('run');
    expect(run.stdout).toContain('SIGTERM received');
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.states.at(-1)).toBe('rebootRequested');
    expect(run.states.some((state) => state.startsWith('rollingBack'))).toBe(false);
    expect(await h.current()).toBe(2);
    expect(await h.sandbox.head('nix-config')).toBe(await h.sandbox.remoteHead('nix-config'));
  });
});

describe('xs-upgrade boot-check', () => {
  it('does nothing when no boot check is pending', async () => {
    const h = await rebootHost({ when: 'needed' }, null);
    const check = await h.cli('boot-check');
    expect(check.exitCode).toBe(0);
    expect(check.stdout).toContain('no boot check pending: nothing to do');
  });

  it('passes: booted the new generation and healthy', async () => {
    const h = await rebootHost({ when: 'always' }, sameKernel);
    expect((await h.cli('run')).exitCode).toBe(0);
    const early = await h.cli('boot-check');
    expect(early.stdout).toContain('has not booted since the reboot into generation 2');
    await h.boot(2);
    const check = await h.cli('boot-check');
    expect(check.exitCode, check.stdout).toBe(0);
    expect(check.stdout).toContain('result: upgraded (rebooted into generation 2)');
    const [record] = await h.records();
    expect(record?.summary).toBe('result: upgraded (rebooted into generation 2)');
    expect((await h.cli('boot-check')).stdout).toContain('no boot check pending');
    expect(
      sample(
        await readFile(join(h.sandbox.dir, 'metrics.prom'), 'utf8'),
        'xs_upgrade_reboot_pending',
      ),
    ).toBe(0);
  });

  it('a run before the reboot upgrades nothing; a run after it checks the boot first', async () => {
    const h = await rebootHost({ when: 'always' }, sameKernel);
    expect((await h.cli('run')).exitCode).toBe(0);
    await h.sandbox.pushUpstream('nix-config', 'configuration.nix', newKernel, 'newer');
    const early = await h.cli('run');
    expect(early.exitCode, early.stdout).toBe(0);
    expect(early.stdout).toContain('has not booted since the reboot into generation 2');
    expect(early.states).toEqual([]);
    expect(await h.current()).toBe(2);
    await h.boot(2);
    const after = await h.cli('run');
    expect(after.stdout).toContain('result: upgraded (rebooted into generation 2)');
    expect(after.states).toEqual([]);
    // The next run takes the newer commits.
    const next = await h.cli('run');
    expect(next.states).toContain('switching');
    expect(await h.current()).toBe(3);
  });

  it('fails once: back to generation 1 as the boot default, repos reset, one more reboot; then passes there', async () => {
    const h = await rebootHost({ when: 'always' }, sameKernel, {
      bootChecks: [
        {
          name: 'sshd after boot',
          command: '! readlink booted-system | grep -q "$(readlink profiles/system-2-link)"',
          retries: 0,
        },
      ],
    });
    const saved = await h.sandbox.head('nix-config');
    expect((await h.cli('run')).exitCode).toBe(0);
    await h.boot(2);
    const failed = await h.cli('boot-check');
    expect(failed.exitCode, failed.stdout).toBe(4);
    expect(failed.stdout).toMatch(/boot check failed: health check sshd after boot failed/);
    expect(await h.current()).toBe(1);
    expect(await h.sandbox.head('nix-config')).toBe(saved);
    expect(await h.reboots()).toBe(2);

    await h.boot(1);
    const back = await h.cli('boot-check');
    expect(back.exitCode, back.stdout).toBe(0);
    expect(back.stdout).toContain('result: rolled back (rebooted into generation 1');
    // The rolled-back commits are not tried again.
    const next = await h.cli('run');
    expect(next.states.at(-1)).toBe('heldBack');
  });

  it('fails twice: exit 5, a rollback-failed notification, and what to do by hand', async () => {
    const server = await startHttpServer();
    use.cleanup(server.close);
    const h = await rebootHost({ when: 'always' }, sameKernel, {
      bootChecks: [{ name: 'never healthy', command: 'exit 1', retries: 0 }],
      notify: [{ webhook: { url: `${server.url}/hook`, retries: 0 }, on: ['rollback-failed'] }],
    });
    expect((await h.cli('run')).exitCode).toBe(0);
    await h.boot(2);
    expect((await h.cli('boot-check')).exitCode).toBe(4);
    await h.boot(1);
    const twice = await h.cli('boot-check');
    expect(twice.exitCode, twice.stdout).toBe(5);
    expect(twice.stdout).toContain('result: ROLLBACK FAILED: the host did not come back healthy');
    expect(twice.stdout).toMatch(/next: pick a generation that boots .*--confirm-manual-fix/);
    expect(
      server.requests.map((request) => (JSON.parse(request.body) as { event: string }).event),
    ).toEqual(['rollback-failed']);
    expect(await h.reboots()).toBe(2);
    expect((await h.cli('run')).exitCode).toBe(5);
  });

  it('booted into the wrong generation: rolled back as a failed boot', async () => {
    const h = await rebootHost({ when: 'always' }, sameKernel);
    expect((await h.cli('run')).exitCode).toBe(0);
    await h.boot(1); // the boot loader fell back to the old generation
    const check = await h.cli('boot-check');
    expect(check.exitCode, check.stdout).toBe(4);
    expect(check.stdout).toMatch(/cause: booted \/nix\/store\/\S+, not generation 2/);
    expect(await h.current()).toBe(1);
  });

  it('SIGKILL between the reboot request and the boot check: recovered, not asked twice, then checked', async () => {
    const h = await rebootHost(
      {
        when: 'always',
        command: 'echo "reboot requested" >> reboot.log; echo $$ > reboot.pid; exec sleep 30',
      },
      sameKernel,
    );
    const killed = await runCliUntilPidFile(
      h.sandbox.configFile,
      join(h.sandbox.dir, 'reboot.pid'),
      h.sandbox.env,
    );
    const pid = killed.pid;
    expect(pid).toBeGreaterThan(0);
    await killed.kill();
    await h.boot(2);
    const check = await h.cli('boot-check');
    expect(check.exitCode, check.stdout).toBe(0);
    expect(check.stdout).toContain('found a run that was killed');
    expect(check.stdout).toContain('the reboot this run asked for has happened already');
    expect(check.stdout).toContain('result: upgraded (rebooted into generation 2)');
    expect(await h.reboots()).toBe(1);
  });
});

describe('a fleet slot through the reboot', () => {
  const fleetHost = async (bootChecks: unknown[] = []) => {
    const server = await startFleetLockServer(1);
    use.cleanup(() => server.close());
    const h = await rebootHost({ when: 'always' }, sameKernel, {
      fleet: { id: 'rebooter', fleetLock: { url: server.url } },
      bootChecks,
    });
    const holds = () => server.holders.get('default')?.has('rebooter') ?? false;
    return { h, holds };
  };

  it('is kept until the boot check passes, then released', async () => {
    const { h, holds } = await fleetHost();
    const run = await h.cli('run');
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.stdout).toContain(
      'fleet: slot in group "default" kept until the boot check after the reboot passes',
    );
    expect(holds()).toBe(true);
    expect((await h.cli('status')).stdout).toContain(
      'fleet slot held in group default (FleetLock http://127.0.0.1:',
    );
    await h.boot(2);
    const check = await h.cli('boot-check');
    expect(check.exitCode, check.stdout).toBe(0);
    expect(check.stdout).toContain('fleet: slot in group "default" released');
    expect(holds()).toBe(false);
  });

  it('a failed boot keeps it through the rollback reboot, then holds it (onFailure "hold")', async () => {
    const { h, holds } = await fleetHost([
      {
        name: 'sshd after boot',
        command: '! readlink booted-system | grep -q "$(readlink profiles/system-2-link)"',
        retries: 0,
      },
    ]);
    expect((await h.cli('run')).exitCode).toBe(0);
    await h.boot(2);
    const failed = await h.cli('boot-check');
    expect(failed.exitCode, failed.stdout).toBe(4);
    expect(failed.stdout).toContain('kept until the boot check after the reboot passes');
    expect(holds()).toBe(true);
    await h.boot(1);
    const back = await h.cli('boot-check');
    expect(back.exitCode, back.stdout).toBe(0);
    expect(back.stdout).toContain('fleet: slot in group "default" HELD (onFailure "hold")');
    expect(holds()).toBe(true);
  });
});
