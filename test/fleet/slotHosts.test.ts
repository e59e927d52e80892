// Fleet slots in-process: sandbox hosts run as `xs-upgrade run` does (test/support/inProcessRun.ts)
// against a real etcd 3.4 and the FleetLock server of Zincati's protocol, so that mutation testing
// sees the slot code they go through; test/e2e/fleet.test.ts runs the same stories through the
// built CLI, with the coordinator failing before, during and after the wait.
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../demo/etcdServer.js';
import { startFleetLockServer } from '../../demo/fleetLockServer.js';
import type { Sandbox } from '../../demo/sandbox.js';
import type { ResolvedFleet } from '../../src/config/resolve.js';
import { fleetStatus, releaseFleetSlot, setFleetSlots } from '../../src/fleet/admin.js';
import { fleetHostId, fleetProblems } from '../../src/fleet/hostId.js';
import { XsUpgradeError } from '../../src/errors.js';
import { readRejectedCommitSets } from '../../src/state/rejectedCommits.js';
import { useEtcd } from '../support/etcd.js';
import { hostOptions, runInProcess, summaryOf } from '../support/inProcessRun.js';
import { rejectionOf } from '../support/rejection.js';
import { useSandboxes } from '../support/sandboxes.js';

const sandboxes = useSandboxes();
const cluster = useEtcd();

/** A sandbox host in a fleet with a new upstream commit; `unhealthy`: its health check fails. */
async function slotHost(id: string, fleet: Record<string, unknown>, unhealthy = false) {
  const sandbox = await sandboxes.sandbox({
    fleet: { id, ...fleet },
    rollbackSwitch: ['sh', 'bin/switch.sh'],
    healthChecks: [
      {
        name: 'health',
        command: unhealthy ? 'echo "the service is down"; exit 1' : 'true',
        retries: 0,
      },
    ],
  });
  await sandbox.pushUpstream(
    'nix-config',
    'configuration.nix',
    `{ ... }: { networking.hostName = "${id}"; }\n`,
    `new for ${id}`,
  );
  return sandbox;
}

const fleetOf = async (sandbox: Sandbox): Promise<ResolvedFleet> => {
  const { fleet } = (await hostOptions(sandbox)).config;
  if (!fleet) throw new Error('no fleet in the config');
  return fleet;
};

const untouched = async (sandbox: Sandbox) => ({
  config: await sandbox.head('nix-config'),
  system: await sandbox.currentSystem(),
});

describe('fleet slots on etcd, in-process', () => {
  it('a failed host holds its slot, the next gives up untouched (75) until the slot is released', async () => {
    const fleet = {
      slotTimeout: '1s',
      etcd: { endpoints: [cluster.etcd.endpoint], prefix: cluster.newPrefix(), timeout: '2s' },
    };
    const broken = await slotHost('canary', fleet, true);
    const next = await slotHost('next', fleet);

    const failed = await runInProcess(broken);
    expect(failed.exitCode).toBe(4);
    expect(failed.lines).toContain(
      'fleet: slot in group "default" HELD (onFailure "hold"): the rollout waits here; look at this host, then `xs-upgrade fleet release --id canary`',
    );
    const view = await fleetStatus(await fleetOf(broken), process.env);
    const [group] = view.groups;
    expect(group?.group).toBe('default');
    expect(group?.slots).toBe(1);
    expect(group?.holders.map((holder) => holder.id)).toEqual(['canary']);

    const before = await untouched(next);
    const waited = await runInProcess(next);
    expect(waited.exitCode).toBe(75);
    const summary = summaryOf(waited.lines);
    expect(summary[0]).toMatch(/^result: no fleet slot \(temporary\)/);
    expect(waited.text).toMatch(
      /cause: no fleet slot in group "default" within 1 s \(etcd http:\/\/127\.0\.0\.1:\d+\): its one slot is held: canary \(since /,
    );
    expect(await untouched(next)).toEqual(before);
    // Not a verdict on the commits: the next run tries them again.
    expect(await readRejectedCommitSets((await hostOptions(next)).config.stateDir)).toEqual([]);

    expect(await releaseFleetSlot(await fleetOf(next), process.env, 'canary', 'default')).toBe(
      true,
    );
    expect(await releaseFleetSlot(await fleetOf(next), process.env, 'canary', 'default')).toBe(
      false,
    );
    const canaryAgain = await runInProcess(broken);
    expect(canaryAgain.text).toContain('was released by an operator');
    const after = await runInProcess(next);
    expect(after.exitCode, after.text).toBe(0);
    expect(after.lines).toContain('fleet: slot in group "default" released');
    expect(await next.head('nix-config')).toBe(await next.remoteHead('nix-config'));
    expect((await fleetStatus(await fleetOf(next), process.env)).groups[0]?.holders).toEqual([]);
  });

  it('onFailure "release" frees the slot after a failed health check', async () => {
    const broken = await slotHost(
      'canary',
      {
        onFailure: 'release',
        etcd: { endpoints: [cluster.etcd.endpoint], prefix: cluster.newPrefix() },
      },
      true,
    );
    const failed = await runInProcess(broken);
    expect(failed.exitCode).toBe(4);
    expect(failed.lines).toContain('fleet: slot in group "default" released');
    expect((await fleetStatus(await fleetOf(broken), process.env)).groups[0]?.holders).toEqual([]);
  });

  it('0 slots pauses a group; more slots let more hosts through', async () => {
    const fleet = {
      group: 'web',
      slotTimeout: '1s',
      etcd: { endpoints: [cluster.etcd.endpoint], prefix: cluster.newPrefix() },
    };
    const host = await slotHost('web-1', fleet);
    const paused = await setFleetSlots(await fleetOf(host), process.env, 'web', 0);
    expect(paused).toMatchObject({ group: 'web', slots: 0, holders: [] });
    const before = await untouched(host);
    const refused = await runInProcess(host);
    expect(refused.exitCode).toBe(75);
    expect(refused.text).toMatch(/cause: no fleet slot in group "web" within 1 s .*paused/);
    expect(await untouched(host)).toEqual(before);
    await setFleetSlots(await fleetOf(host), process.env, 'web', 2);
    const upgraded = await runInProcess(host);
    expect(upgraded.exitCode, upgraded.text).toBe(0);
    expect(upgraded.lines).toContain('fleet: slot in group "web" released');
  });

  it("fleet status: this host's group before anyone took a slot there, every group by name", async () => {
    const host = await slotHost('zeta-1', {
      group: 'zeta',
      etcd: { endpoints: [cluster.etcd.endpoint], prefix: cluster.newPrefix() },
    });
    const fleet = await fleetOf(host);
    expect(await fleetStatus(fleet, process.env)).toEqual({
      groups: [{ group: 'zeta', slots: 1, holders: [] }],
      hosts: [],
      sets: [],
      paused: [],
      warnings: [],
    });
    await setFleetSlots(fleet, process.env, 'alpha', 2);
    const view = await fleetStatus(fleet, process.env);
    expect(view.groups.map((group) => [group.group, group.slots])).toEqual([
      ['alpha', 2],
      ['zeta', 1],
    ]);
    // A host report without a group, and one that is not JSON: skipped, each named once.
    const { Etcd3 } = await import('etcd3');
    const raw = new Etcd3({ hosts: cluster.etcd.endpoint });
    const { prefix } = (fleet.backend as { etcd: { prefix: string } }).etcd;
    try {
      await raw.put(`${prefix}/reports/bad-1`).value('{"result":"upgraded"}');
      await raw.put(`${prefix}/reports/bad-2`).value('{');
    } finally {
      raw.close();
    }
    const skipped = await fleetStatus(fleet, process.env);
    expect(skipped.hosts).toEqual([]);
    expect(skipped.warnings).toEqual([
      `skipped ${prefix}/reports/bad-1: it is not a host report (field "group")`,
      `skipped ${prefix}/reports/bad-2: it is not JSON`,
    ]);
  });

  it('etcd gone while a host holds its slot mid-switch: the run finishes, the next releases', async () => {
    const sandbox = await sandboxes.sandbox({
      fleet: {
        id: 'switcher',
        etcd: { endpoints: [cluster.etcd.endpoint], prefix: cluster.newPrefix(), timeout: '1s' },
      },
      // Holds the switch while the file `slow` exists, so the test can stop etcd meanwhile.
      switch: {
        name: 'switch',
        run: 'touch switching; while [ -f slow ]; do sleep 0.1; done; sh bin/switch.sh',
      },
    });
    await sandbox.pushUpstream('nix-config', 'configuration.nix', '# new\n', 'new');
    await writeFile(join(sandbox.dir, 'slow'), '');
    const stateDir = (await hostOptions(sandbox)).config.stateDir;
    try {
      const running = runInProcess(sandbox);
      await expect
        .poll(
          () =>
            stat(join(sandbox.dir, 'switching')).then(
              () => true,
              () => false,
            ),
          {
            timeout: 30_000,
          },
        )
        .toBe(true);
      await cluster.etcd.stop();
      await rm(join(sandbox.dir, 'slow'));
      const result = await running;
      expect(result.exitCode, result.text).toBe(0);
      expect(result.text).toMatch(
        /fleet: the slot in group "default" could not be released \(.+\): the next run releases it/,
      );
      // Its report to the fleet waits for the next run too.
      expect(result.text).toMatch(
        /fleet: the report could not be sent \(.+\): the next run sends it/,
      );
      expect(JSON.parse(await readFile(join(stateDir, 'fleet-slot.json'), 'utf8'))).toMatchObject({
        state: 'release-pending',
      });
    } finally {
      await cluster.etcd.start();
    }
    expect(
      (await fleetStatus(await fleetOf(sandbox), process.env)).groups[0]?.holders.map(
        (holder) => holder.id,
      ),
    ).toEqual(['switcher']);
    const next = await runInProcess(sandbox);
    expect(next.exitCode, next.text).toBe(0);
    expect(next.text).toContain('releasing the fleet slot an earlier run could not release');
    expect(next.text).toContain('sent 1 fleet report an earlier run could not send');
    const [reported] = (await fleetStatus(await fleetOf(sandbox), process.env)).hosts;
    // The late report went first; this run's own ("nothing new", on the same commits) is the last.
    expect(reported).toMatchObject({
      id: 'switcher',
      result: 'nothing-new',
      commits: { 'nix-config': await sandbox.head('nix-config') },
    });
    expect((await fleetStatus(await fleetOf(sandbox), process.env)).groups[0]?.holders).toEqual([]);
    await expect(readFile(join(stateDir, 'fleet-slot.json'))).rejects.toThrow(/ENOENT/);
  });

  it('etcd unreachable: one line naming it, exit 75, nothing moved', async () => {
    const port = await freePort();
    const etcd = { endpoints: [`http://127.0.0.1:${port}`], prefix: '/unreachable', timeout: '1s' };
    const host = await slotHost('lonely', { etcd });
    const before = await untouched(host);
    const result = await runInProcess(host);
    expect(result.exitCode).toBe(75);
    expect(result.lines).toContain(
      `cause: cannot read the fleet's quarantine: etcd http://127.0.0.1:${port}: read /unreachable/members/* failed: cannot connect to 127.0.0.1:${port} (ECONNREFUSED); nothing was moved (set fleet.requireReport to false to upgrade without it)`,
    );
    expect(await untouched(host)).toEqual(before);
    // requireReport false (docs/fleet.md): without the store it goes on without quarantine,
    // slot and report, and says so.
    const unguarded = await slotHost('unguarded', { etcd, requireReport: false });
    const onward = await runInProcess(unguarded);
    expect(onward.exitCode, onward.text).toBe(0);
    expect(onward.lines).toContain(
      'fleet: switched without a slot: the coordinator was unreachable (requireReport false)',
    );
    expect(await unguarded.head('nix-config')).toBe(await unguarded.remoteHead('nix-config'));
  });
});

describe('fleet slots over FleetLock, in-process', () => {
  it('takes, holds after a failure, refuses the next host, releases when told', async () => {
    const server = await startFleetLockServer(1);
    sandboxes.cleanup(() => server.close());
    const fleet = { group: 'workers', slotTimeout: '1s', fleetLock: { url: server.url } };
    const broken = await slotHost('canary', fleet, true);
    const next = await slotHost('next', fleet);

    expect((await runInProcess(broken)).exitCode).toBe(4);
    expect([...(server.holders.get('workers') ?? [])]).toEqual(['canary']);
    expect(server.requests[0]).toEqual({
      path: '/v1/pre-reboot',
      id: 'canary',
      group: 'workers',
      status: 200,
    });

    const before = await untouched(next);
    const waited = await runInProcess(next);
    expect(waited.exitCode).toBe(75);
    expect(waited.text).toMatch(
      /cause: no fleet slot in group "workers" within 1 s \(FleetLock http:\/\/127\.0\.0\.1:\d+\): failed_lock_semaphore_full: semaphore currently full, all slots are locked already/,
    );
    expect(await untouched(next)).toEqual(before);

    // The protocol has no status and no sizes: said in one line, exit 64.
    const refusal = await rejectionOf(
      fleetStatus(await fleetOf(next), process.env),
      XsUpgradeError,
    );
    expect(refusal.message).toMatch(
      /^fleet status needs fleet\.etcd: .+ speaks the FleetLock protocol, which has no such call/,
    );
    expect(refusal.exitCode).toBe(64);
    await expect(setFleetSlots(await fleetOf(next), process.env, 'workers', 2)).rejects.toThrow(
      /^fleet set-slots needs fleet\.etcd/,
    );

    expect(await releaseFleetSlot(await fleetOf(next), process.env, 'canary', 'workers')).toBe(
      true,
    );
    const after = await runInProcess(next);
    expect(after.exitCode, after.text).toBe(0);
    expect(after.lines).toContain('fleet: slot in group "workers" released');
    expect(server.holders.get('workers')?.size).toBe(0);
  });

  it('an unreachable FleetLock server: exit 75, nothing moved', async () => {
    const port = await freePort();
    const host = await slotHost('lonely', {
      fleetLock: { url: `http://127.0.0.1:${port}`, timeout: '1s' },
    });
    const before = await untouched(host);
    const result = await runInProcess(host);
    expect(result.exitCode).toBe(75);
    expect(result.lines).toContain(
      `cause: FleetLock http://127.0.0.1:${port}: POST /v1/pre-reboot: ECONNREFUSED`,
    );
    expect(await untouched(host)).toEqual(before);
  });
});

describe('the host id and what the fleet config needs of the host', () => {
  it("takes fleet.id, else a machine id file's id, and names a file that holds none", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'xs-upgrade-host-id-'));
    sandboxes.cleanup(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'machine-id');
    expect(await fleetHostId('web-1', file)).toBe('web-1');
    await writeFile(file, '0123456789abcdef0123456789abcdef\n');
    expect(await fleetHostId(undefined, file)).toBe('0123456789abcdef0123456789abcdef');
    // systemd's placeholder before first boot, and an id with anything before or after it.
    for (const text of [
      'uninitialized\n',
      'x0123456789abcdef0123456789abcdef\n',
      '0123456789abcdef0123456789abcdefx\n',
    ]) {
      await writeFile(file, text);
      await expect(fleetHostId(undefined, file)).rejects.toThrow(
        `fleet.id is not set and ${file} does not hold a machine id: set "fleet.id" in the config`,
      );
    }
    await expect(fleetHostId(undefined, join(dir, 'gone'))).rejects.toThrow(
      `fleet.id is not set and ${join(dir, 'gone')} cannot be read (ENOENT): set "fleet.id" in the config`,
    );
  });

  it('names a password variable that is not set and a TLS file it cannot read', async () => {
    const fleet: ResolvedFleet = {
      group: 'default',
      id: 'web-1',
      slotTimeoutMs: 1000,
      onFailure: 'hold',
      keepProofsMs: 30 * 86_400_000,
      requireReport: true,
      backend: {
        etcd: {
          endpoints: ['https://127.0.0.1:1'],
          prefix: '/x',
          username: 'xs',
          passwordEnv: 'XS_TEST_PASSWORD',
          tls: { ca: '/nonexistent/ca.pem', cert: '/etc/hostname' },
          timeoutMs: 1000,
        },
      },
    };
    expect(await fleetProblems(fleet, {})).toEqual([
      'fleet.etcd.password names XS_TEST_PASSWORD, which is not set in the environment: set it (systemd: EnvironmentFile=)',
      'fleet.etcd.tls.ca /nonexistent/ca.pem cannot be read (ENOENT): fix the path or its permissions',
    ]);
    expect(await fleetProblems(fleet, { XS_TEST_PASSWORD: 'pw' })).toHaveLength(1);
    // FleetLock has neither: only the id counts.
    expect(
      await fleetProblems(
        { ...fleet, backend: { fleetLock: { url: 'http://h', timeoutMs: 1 } } },
        {},
      ),
    ).toEqual([]);
  });
});
