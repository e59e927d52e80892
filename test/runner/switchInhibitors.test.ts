// A switch NixOS refuses for its switch inhibitors, on real Nix profiles: the sandbox system's
// switch-to-configuration runs the same check with NixOS's words and exit status (demo/
// nixSystem.ts). With `inhibited: "boot"` (the default) the new generation is made the boot
// default and the host reboots through the reboot path; the commits are never held against it.
import { readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configurationNix } from '../../demo/nixSystem.js';
import type { Sandbox } from '../../demo/sandbox.js';
import { checkBoot } from '../../src/runner/bootCheck.js';
import { readRejectedCommitSets } from '../../src/state/rejectedCommits.js';
import { readRunRecords } from '../../src/state/runRecords.js';
import { hostOptions, runInProcess, summaryOf } from '../support/inProcessRun.js';
import { memoryLog } from '../support/memoryLog.js';
import { bootedSystem } from '../support/nix.js';
import { useSandboxes } from '../support/sandboxes.js';
import { useEtcd } from '../support/etcd.js';
import { fleetStatus } from '../../src/fleet/admin.js';

const sandboxes = useSandboxes();
const cluster = useEtcd();
const withDbus = (implementation: string, extra = '') =>
  configurationNix(
    `  system.switch.inhibitors = { dbus-implementation = "${implementation}"; };\n${extra}`,
  );

/** A host booted into a system whose switch inhibitor is dbus "dbus" (generation 2). */
async function inhibitedHost(config: Record<string, unknown> = {}) {
  const sandbox: Sandbox = await sandboxes.sandbox({}, { nix: true });
  const { path: booted, boot } = bootedSystem(sandbox);
  await boot(1);
  await sandbox.writeConfig({
    reboot: { when: 'needed', command: 'echo rebooted >> reboot.log', bootedSystem: booted },
    ...config,
  });
  await sandbox.pushUpstream('nix-config', 'configuration.nix', withDbus('dbus'), 'dbus');
  const first = await runInProcess(sandbox);
  expect(first.exitCode, first.text).toBe(0);
  await boot(2);
  const check = async () => {
    const log = memoryLog();
    const exitCode = await checkBoot({ ...(await hostOptions(sandbox)), log });
    return { exitCode, text: log.lines.join('\n') };
  };
  const reboots = async () =>
    (await import('node:fs/promises'))
      .readFile(join(sandbox.dir, 'reboot.log'), 'utf8')
      .then((text) => text.split('\n').filter(Boolean).length)
      .catch(() => 0);
  /** The commit whose dbus implementation is "broker": its switch is refused. */
  const pushBroker = () =>
    sandbox.pushUpstream('nix-config', 'configuration.nix', withDbus('broker'), 'broker');
  return { sandbox, boot, check, reboots, pushBroker };
}

describe('a switch refused for its switch inhibitors', () => {
  it('is installed for the next boot and rebooted into; the boot check passes on it', async () => {
    const host = await inhibitedHost();
    await host.pushBroker();
    const run = await runInProcess(host.sandbox);
    expect(run.exitCode, run.text).toBe(0);
    expect(run.text).toContain("Pre-switch check 'switchInhibitors' failed");
    expect(run.text).toContain('dbus-implementation : dbus -> broker');
    const summary = summaryOf(run.lines);
    expect(summary[0]).toBe(
      'result: installed for next boot: switch inhibited by dbus-implementation; rebooting into it, the boot is checked by `xs-upgrade boot-check`',
    );
    expect(run.text).toContain('state installingForBoot');
    expect(run.text).not.toContain('state rollingBack');
    expect(await host.reboots()).toBe(1);
    // The running system is still generation 2; the new one, 3, is the boot default.
    const generations = await host.sandbox.generations();
    expect(generations.find((entry) => entry.current)?.generation).toBe(3);
    const third = generations.find((entry) => entry.generation === 3)?.storePath;
    expect(await readlink(join(host.sandbox.dir, 'boot-default'))).toBe(third);
    expect(await host.sandbox.currentSystem()).toBe(
      generations.find((entry) => entry.generation === 2)?.storePath,
    );
    expect(await readRejectedCommitSets(join(host.sandbox.dir, 'state'))).toEqual([]);

    await host.boot(3);
    const checked = await host.check();
    expect(checked.exitCode, checked.text).toBe(0);
    const records = await readRunRecords(join(host.sandbox.dir, 'state'));
    const bootCheck = records.find((record) => record.command === 'boot-check');
    expect(bootCheck?.result, JSON.stringify(records.map((r) => [r.command, r.result]))).toBe(
      'upgraded',
    );
  });

  it('a boot that fails its check goes back to the last good generation with one reboot', async () => {
    const host = await inhibitedHost({
      bootChecks: [{ name: 'never healthy', command: 'exit 1', retries: 0 }],
    });
    await host.pushBroker();
    const run = await runInProcess(host.sandbox);
    expect(run.exitCode, run.text).toBe(0);
    await host.boot(3);
    const checked = await host.check();
    expect(checked.exitCode, checked.text).toBe(4);
    expect(await host.reboots()).toBe(2);
    const generations = await host.sandbox.generations();
    expect(generations.find((entry) => entry.current)?.generation).toBe(2);
  });

  it('with `inhibited: "fail"` it is a failed switch, rolled back, and the commits are not held back', async () => {
    const host = await inhibitedHost({ inhibited: 'fail' });
    await host.pushBroker();
    const run = await runInProcess(host.sandbox);
    expect(run.exitCode, run.text).toBe(4);
    expect(run.text).toContain('switch inhibited by dbus-implementation');
    expect(await host.reboots()).toBe(0);
    expect((await host.sandbox.generations()).find((entry) => entry.current)?.generation).toBe(2);
    expect(await readRejectedCommitSets(join(host.sandbox.dir, 'state'))).toEqual([]);
    // The next run tries the same commits again (with NIXOS_NO_CHECK=1 they switch live).
    const again = await runInProcess(host.sandbox, {
      env: { ...(await hostOptions(host.sandbox)).env, NIXOS_NO_CHECK: '1' },
    });
    expect(again.exitCode, again.text).toBe(0);
    expect(again.text).not.toContain('held back');
  });

  it('a fleet canary hitting an inhibitor quarantines nothing; its proof waits for the boot check', async () => {
    const prefix = cluster.newPrefix();
    const host = await inhibitedHost({
      fleet: {
        id: 'canary-1',
        group: 'canary',
        etcd: { endpoints: [cluster.etcd.endpoint], prefix },
      },
    });
    const broker = await host.pushBroker();
    const run = await runInProcess(host.sandbox);
    expect(run.exitCode, run.text).toBe(0);
    expect(run.text).toContain(
      'fleet: slot in group "canary" kept until the boot check after the reboot passes',
    );
    const fleet = (await hostOptions(host.sandbox)).config.fleet!;
    const before = await fleetStatus(fleet, process.env);
    const set = before.sets.find((entry) => entry.commits['nix-config'] === broker);
    expect(set?.rejected ?? []).toEqual([]);
    expect(set?.proven ?? []).toEqual([]);
    await host.boot(3);
    expect((await host.check()).exitCode).toBe(0);
    const after = await fleetStatus(fleet, process.env);
    const proven = after.sets.find((entry) => entry.commits['nix-config'] === broker);
    expect(proven?.proven.map((proof) => proof.host)).toEqual(['canary-1']);
    expect(proven?.rejected).toEqual([]);
    expect(after.groups.find((group) => group.group === 'canary')?.holders).toEqual([]);
  });
});
