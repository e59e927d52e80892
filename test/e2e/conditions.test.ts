// When to upgrade: maintenance windows (the real clock shifted with faketime), AC power (a folder
// laid out as /sys/class/power_supply, through conditions.sysfsRoot) and metered connections (an
// nmcli on PATH giving each answer NetworkManager can give, or none at all). The real CLI on
// sandbox hosts with real repos.
import { execa } from 'execa';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../../demo/sandbox.js';
import type { RunRecord } from '../../src/state/runRecords.js';
import { runCli, type CliRun } from '../support/cli.js';
import { sample } from '../support/metrics.js';
import { useSandboxes } from '../support/sandboxes.js';

const use = useSandboxes();

interface Host {
  sandbox: Sandbox;
  run(options?: { at?: string; args?: string[]; tz?: string }): Promise<CliRun>;
  upgraded(): Promise<boolean>;
  lastRecord(): Promise<RunRecord | undefined>;
}

async function host(config: Record<string, unknown>): Promise<Host> {
  const sandbox = await use.sandbox({ metricsFile: 'metrics.prom', ...config });
  await sandbox.pushUpstream('nix-config', 'configuration.nix', '# new\n', 'new config');
  const fakeBin = join(sandbox.dir, 'fake-bin');
  await mkdir(fakeBin, { recursive: true });
  return {
    sandbox,
    run: ({ at, args = [], tz = 'UTC' } = {}) =>
      runCli(['run', '--config', sandbox.configFile, ...args], {
        env: { TZ: tz, PATH: `${fakeBin}:${process.env.PATH ?? ''}` },
        ...(at ? { at } : {}),
      }),
    upgraded: async () =>
      (await sandbox.head('nix-config')) === (await sandbox.remoteHead('nix-config')),
    lastRecord: async () =>
      (
        JSON.parse(
          (await runCli(['history', '--config', sandbox.configFile, '--json'])).stdout,
        ) as RunRecord[]
      )[0],
  };
}

/** A folder laid out as /sys/class/power_supply with these supplies. */
async function sysfs(
  sandbox: Sandbox,
  supplies: Record<string, { type: string; online?: string }>,
) {
  const root = join(sandbox.dir, 'sys');
  await mkdir(join(root, 'class', 'power_supply'), { recursive: true });
  for (const [name, supply] of Object.entries(supplies)) {
    const folder = join(root, 'class', 'power_supply', name);
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'type'), `${supply.type}\n`);
    if (supply.online !== undefined) await writeFile(join(folder, 'online'), `${supply.online}\n`);
  }
  return root;
}

/** An nmcli that answers GENERAL.METERED as NetworkManager would, for one connected device. */
async function nmcli(sandbox: Sandbox, metered: string) {
  await writeFile(
    join(sandbox.dir, 'fake-bin', 'nmcli'),
    `#!/bin/sh\nprintf 'GENERAL.DEVICE:wlan0\\nGENERAL.STATE:100 (connected)\\nGENERAL.METERED:${metered}\\n\\nGENERAL.DEVICE:lo\\nGENERAL.STATE:10 (unmanaged)\\nGENERAL.METERED:unknown\\n'\n`,
    { mode: 0o755 },
  );
}

const berlinWindow = { start: '02:00', length: '3h', timeZone: 'Europe/Berlin' };

describe('maintenance windows', () => {
  it('inside the window: upgrades', async () => {
    const h = await host({ window: berlinWindow });
    const run = await h.run({ at: '2026-03-03 02:30:00' }); // 03:30 in Berlin
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.states[0]).toBe('checkingConditions');
    expect(await h.upgraded()).toBe(true);
  });

  it('outside: skipped at once, nothing touched, exit 0, recorded with the next window', async () => {
    const h = await host({ window: berlinWindow });
    const run = await h.run({ at: '2026-03-03 12:00:00' });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.states).toEqual(['checkingConditions', 'skipped']);
    expect(run.stdout).toContain(
      'result: skipped (outside the maintenance window (next: Wed 02:00 Europe/Berlin)): nothing was done',
    );
    expect(await h.upgraded()).toBe(false);
    const record = await h.lastRecord();
    expect(record).toMatchObject({ result: 'skipped', exitCode: 0 });
    expect(record?.skipReason).toContain('outside the maintenance window');
    expect(
      sample(
        await readFile(join(h.sandbox.dir, 'metrics.prom'), 'utf8'),
        'xs_upgrade_last_run_result{result="skipped"}',
      ),
    ).toBe(1);
    // --force does not override a window; --ignore-conditions does, loudly, and is recorded.
    expect((await h.run({ at: '2026-03-03 12:00:00', args: ['--force'] })).states).toEqual([
      'checkingConditions',
      'skipped',
    ]);
    const ignored = await h.run({ at: '2026-03-03 12:00:00', args: ['--ignore-conditions'] });
    expect(ignored.exitCode).toBe(0);
    expect(ignored.stdout).toContain('CONDITIONS IGNORED (--ignore-conditions)');
    expect(await h.upgraded()).toBe(true);
    // (Every run here starts at the same faked instant: find the record, not the newest.)
    const records = JSON.parse(
      (await runCli(['history', '--config', h.sandbox.configFile, '--json'])).stdout,
    ) as RunRecord[];
    expect(records.find((record) => record.result === 'upgraded')?.ignoredConditions).toBe(true);
  });

  it('--dry-run says the run would be skipped, and why, exit 0', async () => {
    const h = await host({ window: berlinWindow });
    const dry = await h.run({ at: '2026-03-03 12:00:00', args: ['--dry-run'] });
    expect(dry.exitCode).toBe(0);
    expect(dry.stdout).toContain(
      'would skip (exit 0): outside the maintenance window (next: Wed 02:00 Europe/Berlin)',
    );
    expect(dry.stdout).not.toContain('hooksRunning:');
    const inside = await h.run({ at: '2026-03-03 02:30:00', args: ['--dry-run'] });
    expect(inside.stdout).toContain(
      'checkingConditions: the maintenance window, power and network allow a run now',
    );
    expect(await h.upgraded()).toBe(false);
  });

  it('a window across midnight, in the host time zone', async () => {
    const h = await host({ window: { start: '23:00', length: '3h' } });
    expect((await h.run({ at: '2026-03-03 01:00:00' })).states.at(-1)).toBe('done');
  });

  it('the day daylight saving time begins in Europe/Berlin: 02:30 opens when the clock jumps to 03:00', async () => {
    const h = await host({ window: { start: '02:30', length: '3h', timeZone: 'Europe/Berlin' } });
    const before = await h.run({ at: '2026-03-29 00:50:00' }); // 01:50 CET
    expect(before.stdout).toContain('(next: Sun 03:00 Europe/Berlin)');
    const after = await h.run({ at: '2026-03-29 01:10:00' }); // 03:10 CEST
    expect(after.states.at(-1)).toBe('done');
    expect(await h.upgraded()).toBe(true);
  });

  it('a build that runs past the end: the repos go back, nothing is switched, skipped', async () => {
    // faketime's clock runs on: the window closes a few seconds into the run.
    const h = await host({
      window: { start: '02:00', length: '1h' },
      build: 'sleep 10; sh bin/build.sh',
    });
    const saved = await h.sandbox.head('nix-config');
    const run = await h.run({ at: '2026-03-03 02:59:52' });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.states).toEqual([
      'checkingConditions',
      'hooksRunning',
      'snapshotting',
      'pulling',
      'building',
      'validating',
      'recheckingConditions',
      'rollingBack.resettingRepos',
      'rolledBack',
    ]);
    expect(run.stdout).toMatch(
      /result: skipped \(outside the maintenance window \(next: Wed 02:00 UTC\) before switching\): every repo is back/,
    );
    expect(await h.sandbox.head('nix-config')).toBe(saved);
    expect(await h.sandbox.currentSystem()).toBeUndefined();
    // Not the commits' fault: tried again next time.
    expect((await h.lastRecord())?.result).toBe('skipped');
  });
});

describe('AC power', () => {
  it.each([
    ['mains online', { AC: { type: 'Mains', online: '1' }, BAT0: { type: 'Battery' } }, true],
    [
      'mains offline, on battery',
      { AC: { type: 'Mains', online: '0' }, BAT0: { type: 'Battery' } },
      false,
    ],
    ['a battery only', { BAT0: { type: 'Battery' } }, false],
    ['no power supply at all', {}, true],
  ] as const)('%s', async (_name, supplies, upgrades) => {
    const h = await host({});
    const root = await sysfs(h.sandbox, supplies);
    await h.sandbox.writeConfig({ conditions: { acPower: true, sysfsRoot: root } });
    const run = await h.run();
    expect(run.exitCode, run.stdout).toBe(0);
    expect(await h.upgraded()).toBe(upgrades);
    if (!upgrades) expect(run.stdout).toContain('result: skipped (on battery)');
  });

  it('the generated unit says ConditionACPower=true', async () => {
    const h = await host({ conditions: { acPower: true } });
    const out = join(h.sandbox.dir, 'units');
    expect(
      (await runCli(['systemd', '--config', h.sandbox.configFile, '--out', out])).exitCode,
    ).toBe(0);
    expect(await readFile(join(out, 'xs-upgrade.service'), 'utf8')).toContain(
      'ConditionACPower=true',
    );
  });
});

describe('metered connections', () => {
  it.each([
    ['yes', false],
    ['no', true],
    ['yes (guessed)', false],
    ['guess-yes', false],
    ['no (guessed)', true],
    ['guess-no', true],
    ['unknown', true],
  ])('NetworkManager says %j', async (answer, upgrades) => {
    const h = await host({ conditions: { unmetered: true } });
    await nmcli(h.sandbox, answer);
    const run = await h.run();
    expect(run.exitCode, run.stdout).toBe(0);
    expect(await h.upgraded()).toBe(upgrades);
    if (!upgrades) expect(run.stdout).toContain('result: skipped (metered connection)');
  });

  it('no NetworkManager: unmetered, said once', async () => {
    const h = await host({ conditions: { unmetered: true } });
    // Nothing installs NetworkManager here: the fake-bin folder has no nmcli in this test.
    const installed = await execa('sh', ['-c', 'command -v nmcli'], { reject: false });
    expect(installed.exitCode).not.toBe(0);
    const run = await h.run();
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.stdout.match(/NetworkManager \(nmcli\) is not installed/g)).toHaveLength(1);
    expect(await h.upgraded()).toBe(true);
  });

  it('a skipped run sends "skipped" only to a notification that asks for it', async () => {
    const h = await host({
      conditions: { unmetered: true },
      notify: [
        { command: 'echo "$XS_UPGRADE_EVENT" >> events.log', on: ['skipped'] },
        { command: 'echo "failure" >> failures.log', on: ['failure'] },
      ],
    });
    await nmcli(h.sandbox, 'yes');
    expect((await h.run()).exitCode).toBe(0);
    expect(await readFile(join(h.sandbox.dir, 'events.log'), 'utf8')).toBe('skipped\n');
    await expect(readFile(join(h.sandbox.dir, 'failures.log'), 'utf8')).rejects.toThrow();
  });
});
