// Fleet slots against a real etcd 3.4 (started here on 127.0.0.1 with free ports and a temp data
// dir) and a FleetLock server written to Zincati's protocol, with sandbox hosts run by the built
// CLI: at most N hosts between the start of a switch and the release, holding after a failure,
// the coordinator going away before, during and after the wait, and a host killed mid-switch.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../demo/etcdServer.js';
import { startFleetLockServer } from '../../demo/fleetLockServer.js';
import { overlapOf } from '../../demo/overlap.js';
import type { Sandbox } from '../../demo/sandbox.js';
import { runCli, runCliAndSignal, runCliWhile } from '../support/cli.js';
import { useSandboxes } from '../support/sandboxes.js';
import { useEtcd } from '../support/etcd.js';

const use = useSandboxes();
const sandbox = (config?: Record<string, unknown>) => use.sandbox(config);
const cleanup = (step: () => Promise<void>) => use.cleanup(step);

const cluster = useEtcd();
const newPrefix = () => cluster.newPrefix();

interface FleetHostOptions {
  id: string;
  fleet: Record<string, unknown>;
  /** Where the switch and health check append "start ID NS" and "end ID NS". */
  timeLog?: string;
  /** The health check fails: the run rolls back after the switch. */
  unhealthy?: boolean;
}

/**
 * A sandbox host in a fleet with a new upstream commit. Its switch waits while the file `slow`
 * exists in its folder (printing "slow" first), so a test can act in the middle of it.
 */
async function fleetHost(options: FleetHostOptions): Promise<Sandbox> {
  const log = options.timeLog ?? '/dev/null';
  const host = await sandbox({
    fleet: { id: options.id, ...options.fleet },
    switch: {
      name: 'switch',
      run: `echo "start ${options.id} $(date +%s%N)" >> ${log}; if [ -f slow ]; then echo slow; while [ -f slow ]; do sleep 0.1; done; fi; sh bin/switch.sh`,
    },
    rollbackSwitch: ['sh', 'bin/switch.sh'],
    healthChecks: [
      {
        name: 'health',
        command: options.unhealthy
          ? 'echo "the service is down"; exit 1'
          : `sleep 0.3; echo "end ${options.id} $(date +%s%N)" >> ${log}`,
        retries: 0,
      },
    ],
  });
  await pushNew(host, options.id);
  return host;
}

async function pushNew(host: Sandbox, label: string): Promise<string> {
  return host.pushUpstream(
    'nix-config',
    'configuration.nix',
    `{ ... }: { networking.hostName = "${label}-${Date.now()}"; }\n`,
    `new for ${label}`,
  );
}

const run = (host: Sandbox, args: string[] = []) =>
  runCli(['run', '--config', host.configFile, ...args]);
const fleetCli = (host: Sandbox, args: string[]) =>
  runCli(['fleet', ...args, '--config', host.configFile]);

interface GroupStatus {
  group: string;
  slots: number;
  holders: { id: string; since: string; commits?: Record<string, string> }[];
}
async function groupStatus(host: Sandbox, group = 'default'): Promise<GroupStatus | undefined> {
  const status = await fleetCli(host, ['status', '--json']);
  expect(status.exitCode, status.stderr).toBe(0);
  return (JSON.parse(status.stdout) as { groups: GroupStatus[] }).groups.find(
    (entry) => entry.group === group,
  );
}

/** The host is untouched: repos at their saved commits, the system not switched. */
async function expectUntouched(host: Sandbox, saved: { config: string; system?: string }) {
  expect(await host.head('nix-config')).toBe(saved.config);
  expect(await host.currentSystem()).toBe(saved.system);
}

const savedOf = async (host: Sandbox) => ({
  config: await host.head('nix-config'),
  system: await host.currentSystem(),
});

describe('fleet slots on etcd', () => {
  it('6 hosts, 2 slots: never more than 2 between a switch and its release, and all upgrade', async () => {
    const prefix = newPrefix();
    const shared = await sandbox();
    const timeLog = join(shared.dir, 'times.log');
    await writeFile(timeLog, '');
    const fleet = { etcd: { endpoints: [cluster.etcd.endpoint], prefix } };
    const hosts = await Promise.all(
      Array.from({ length: 6 }, (_unused, index) =>
        fleetHost({ id: `web-${index + 1}`, fleet, timeLog }),
      ),
    );
    const [first] = hosts;
    if (!first) throw new Error('no host');
    expect((await fleetCli(first, ['set-slots', '2'])).stdout).toContain(
      'group default: 2 slots, 0 held',
    );

    const runs = await Promise.all(hosts.map((host) => run(host)));

    for (const result of runs) {
      expect(result.exitCode, result.stdout).toBe(0);
      expect(result.states).toContain('waitingForSlot');
      expect(result.stdout).toContain('fleet: slot in group "default" released');
    }
    for (const host of hosts)
      expect(await host.head('nix-config')).toBe(await host.remoteHead('nix-config'));
    const lines = (await readFile(timeLog, 'utf8')).split('\n').filter(Boolean);
    const { most, hosts: seen } = overlapOf(lines);
    expect(seen.size).toBe(6);
    expect(lines).toHaveLength(12);
    expect(most).toBeLessThanOrEqual(2);
    expect(await groupStatus(first)).toEqual({ group: 'default', slots: 2, holders: [] });
  });

  it('a host whose health check fails holds its slot; the others give up (75, untouched) until `fleet release`', async () => {
    const prefix = newPrefix();
    const fleet = { slotTimeout: '2s', etcd: { endpoints: [cluster.etcd.endpoint], prefix } };
    const broken = await fleetHost({ id: 'canary', fleet, unhealthy: true });
    const next = await fleetHost({ id: 'next', fleet });

    const failed = await run(broken);
    expect(failed.exitCode, failed.stdout).toBe(4);
    expect(failed.stdout).toContain(
      'fleet: slot in group "default" HELD (onFailure "hold"): the rollout waits here; look at this host, then `xs-upgrade fleet release --id canary`',
    );
    const held = await groupStatus(broken);
    expect(held?.holders.map((holder) => holder.id)).toEqual(['canary']);
    expect(Object.keys(held?.holders[0]?.commits ?? {})).toEqual(['nix-config', 'nix-secrets']);
    const status = await fleetCli(broken, ['status']);
    expect(status.stdout).toMatch(
      /group default: 1 of 1 slot held {2}\(this host's group\)\n {2}slot: canary \(this host\) since \S+ on nix-config [0-9a-f]{12}, nix-secrets [0-9a-f]{12}/,
    );

    const saved = await savedOf(next);
    const waited = await run(next);
    expect(waited.exitCode, waited.stdout).toBe(75);
    expect(waited.stdout).toContain('result: no fleet slot (temporary)');
    expect(waited.stdout).toMatch(
      /cause: no fleet slot in group "default" within 2 s \(etcd http:\/\/127\.0\.0\.1:\d+\): its one slot is held: canary \(since /,
    );
    await expectUntouched(next, saved);
    // Not a verdict on the commits: the next run tries them again.
    expect(
      await readFile(join(next.dir, 'state', 'rejected-commits.json'), 'utf8').catch(() => 'none'),
    ).toBe('none');

    expect((await runCli(['status', '--config', broken.configFile])).stdout).toMatch(
      /^FLEET SLOT HELD in group default \(etcd http:\S+\) since \S+, after: healthChecking: .+; the rollout waits for an operator: look at this host, then `xs-upgrade fleet release --id canary`$/m,
    );
    const release = await fleetCli(next, ['release', '--id', 'canary']);
    expect(release.stdout).toBe('released the slot of canary in group default');
    // The canary's own record follows the coordinator at its next run.
    const canaryAgain = await run(broken);
    expect(canaryAgain.stdout).toContain('was released by an operator');
    expect((await runCli(['status', '--config', broken.configFile])).stdout).not.toContain(
      'FLEET SLOT',
    );
    const after = await run(next);
    expect(after.exitCode, after.stdout).toBe(0);
    expect(await next.head('nix-config')).toBe(await next.remoteHead('nix-config'));
    expect((await groupStatus(next))?.holders).toEqual([]);
  });

  it('onFailure "release" frees the slot after a failed switch', async () => {
    const fleet = {
      onFailure: 'release',
      etcd: { endpoints: [cluster.etcd.endpoint], prefix: newPrefix() },
    };
    const broken = await fleetHost({ id: 'canary', fleet, unhealthy: true });
    const failed = await run(broken);
    expect(failed.exitCode, failed.stdout).toBe(4);
    expect(failed.stdout).toContain('fleet: slot in group "default" released');
    expect((await groupStatus(broken))?.holders).toEqual([]);
  });

  it('etcd down before the run, and while a host waits: one clear line, exit 75, nothing moved', async () => {
    const fleet = {
      slotTimeout: '1m',
      etcd: { endpoints: [cluster.etcd.endpoint], prefix: newPrefix(), timeout: '2s' },
    };
    const host = await fleetHost({ id: 'waiter', fleet });
    const saved = await savedOf(host);
    cleanup(() => cluster.etcd.start().catch(() => undefined));

    await cluster.etcd.stop();
    const before = await run(host);
    expect(before.exitCode, before.stdout).toBe(75);
    // The pull asks the fleet's quarantine first: nothing moves without it (requireReport).
    expect(before.stdout).toContain(
      'result: fleet store unavailable (temporary): nothing was moved, the host is untouched',
    );
    expect(before.stdout).toMatch(
      /cause: cannot read the fleet's quarantine: etcd http:\/\/127\.0\.0\.1:\d+: read \/\S+\/members\/\* failed: cannot connect to 127\.0\.0\.1:\d+ \(ECONNREFUSED\); nothing was moved/,
    );
    expect(before.stderr).toBe('');
    expect(before.stdout).not.toMatch(/\n\s+at /);
    await expectUntouched(host, saved);
    const status = await fleetCli(host, ['status']);
    expect(status.exitCode).toBe(75);
    expect(status.stderr).toMatch(
      /^xs-upgrade: etcd http:\S+ read \S+ failed: cannot connect to \S+ \(ECONNREFUSED\)$/,
    );

    await cluster.etcd.start();
    expect((await fleetCli(host, ['set-slots', '0'])).exitCode).toBe(0);
    const during = await runCliWhile(['run', '--config', host.configFile], {
      when: /waiting for a fleet slot/,
      then: () => cluster.etcd.stop(),
    });
    expect(during.happened).toBe(true);
    expect(during.exitCode, during.stdout).toBe(75);
    expect(during.stdout).toContain(
      'result: fleet store unavailable (temporary): every repo is back at its saved commit, nothing was switched',
    );
    // Whichever call met the stopped etcd: a refused read, or a watch with no answer in time.
    expect(during.stdout).toMatch(
      /cause: etcd http:\/\/127\.0\.0\.1:\d+: (read|watch|update) \S+( failed: cannot connect|: no answer within 2 s)/,
    );
    expect(during.stderr).toBe('');
    await expectUntouched(host, saved);
    await cluster.etcd.start();
  });

  it('etcd down while a host holds a slot mid-switch: the run finishes; the next run releases', async () => {
    const fleet = {
      etcd: { endpoints: [cluster.etcd.endpoint], prefix: newPrefix(), timeout: '2s' },
    };
    const host = await fleetHost({ id: 'switcher', fleet });
    cleanup(() => cluster.etcd.start().catch(() => undefined));
    await writeFile(join(host.dir, 'slow'), '');

    const result = await runCliWhile(['run', '--config', host.configFile], {
      when: /\[switch\] slow/,
      then: async () => {
        await cluster.etcd.stop();
        await rm(join(host.dir, 'slow'));
      },
    });
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.stdout).toContain('result: upgraded');
    expect(result.stdout).toMatch(
      /fleet: the slot in group "default" could not be released \(.+\): the next run releases it/,
    );
    expect(result.stderr).toBe('');
    expect(await host.head('nix-config')).toBe(await host.remoteHead('nix-config'));
    const pending = JSON.parse(
      await readFile(join(host.dir, 'state', 'fleet-slot.json'), 'utf8'),
    ) as { state: string };
    expect(pending.state).toBe('release-pending');

    await cluster.etcd.start();
    expect((await groupStatus(host))?.holders.map((holder) => holder.id)).toEqual(['switcher']);
    const next = await run(host);
    expect(next.exitCode, next.stdout).toBe(0);
    expect(next.stdout).toContain('releasing the fleet slot an earlier run could not release');
    expect(next.stdout).toContain('result: nothing new upstream');
    expect((await groupStatus(host))?.holders).toEqual([]);
    await expect(readFile(join(host.dir, 'state', 'fleet-slot.json'))).rejects.toThrow(/ENOENT/);
  });

  it.each(['hold', 'release'] as const)(
    'SIGKILL in switching keeps the slot; the recovery rolls back, then %ss it',
    async (onFailure) => {
      const fleet = {
        onFailure,
        etcd: { endpoints: [cluster.etcd.endpoint], prefix: newPrefix() },
      };
      const host = await fleetHost({ id: 'killed', fleet });
      const saved = await savedOf(host);
      await writeFile(join(host.dir, 'slow'), '');

      const killed = await runCliAndSignal(['run', '--config', host.configFile], {
        when: /\[switch\] slow/,
        signal: 'SIGKILL',
      });
      expect(killed.signalled).toBe(true);
      expect((await groupStatus(host))?.holders.map((holder) => holder.id)).toEqual(['killed']);

      await rm(join(host.dir, 'slow'));
      const recovered = await runCli(['recover', '--config', host.configFile]);
      expect(recovered.exitCode, recovered.stdout).toBe(4);
      expect(recovered.stdout).toContain('found a run that was killed');
      expect(await host.head('nix-config')).toBe(saved.config);
      const holders = (await groupStatus(host))?.holders.map((holder) => holder.id);
      expect(holders).toEqual(onFailure === 'hold' ? ['killed'] : []);

      // Re-entrant: the host may use the slot it holds; healthy, it frees it.
      const again = await run(host);
      expect(again.exitCode, again.stdout).toBe(0);
      if (onFailure === 'hold') {
        expect(again.stdout).toContain('already held by this host (killed): going on');
      }
      expect((await groupStatus(host))?.holders).toEqual([]);
    },
  );

  it('SIGTERM while waiting for a slot leaves nothing held and the repos back', async () => {
    const fleet = { etcd: { endpoints: [cluster.etcd.endpoint], prefix: newPrefix() } };
    const holder = await fleetHost({ id: 'holder', fleet, unhealthy: true });
    expect((await run(holder)).exitCode).toBe(4);
    const host = await fleetHost({ id: 'stopped', fleet });
    const saved = await savedOf(host);
    const stopped = await runCliAndSignal(['run', '--config', host.configFile], {
      when: /waiting for a fleet slot/,
    });
    expect(stopped.exitCode, stopped.stdout).toBe(4);
    await expectUntouched(host, saved);
    expect((await groupStatus(host))?.holders.map((entry) => entry.id)).toEqual(['holder']);
  });
});

describe('operating the fleet store', () => {
  it('`fleet enroll` prints the role of a host that writes only its own keys; `fleet prune` deletes the old layout', async () => {
    const prefix = newPrefix();
    const host = await fleetHost({
      id: 'ops',
      fleet: { etcd: { endpoints: [cluster.etcd.endpoint], prefix } },
    });
    const enroll = await fleetCli(host, ['enroll', 'web-4', '--group', 'web']);
    expect(enroll.exitCode, enroll.stderr).toBe(0);
    expect(enroll.stdout.split('\n')).toEqual(
      expect.arrayContaining([
        'etcdctl role add xs-upgrade-host-web-4',
        `etcdctl role grant-permission xs-upgrade-host-web-4 read --prefix=true ${prefix}/`,
        `etcdctl role grant-permission xs-upgrade-host-web-4 readwrite ${prefix}/reports/web-4`,
        `etcdctl role grant-permission xs-upgrade-host-web-4 readwrite --prefix=true ${prefix}/proofs/web-4/`,
        `etcdctl role grant-permission xs-upgrade-host-web-4 readwrite ${prefix}/slots/web/claims/web-4`,
        `etcdctl put ${prefix}/members/web-4 '{"group":"web"}'`,
      ]),
    );
    const bad = await fleetCli(host, ['enroll', 'web 4']);
    expect(bad.exitCode).toBe(64);
    expect(bad.stderr).toMatch(/^xs-upgrade: web 4: a host id is/);

    const { Etcd3 } = await import('etcd3');
    const raw = new Etcd3({ hosts: cluster.etcd.endpoint });
    try {
      await raw.put(`${prefix}/sets/0123456789ab`).value('{"proven":[]}');
      await raw.put(`${prefix}/slots/web`).value('{"slots":1,"holders":[]}');
      await raw.put(`${prefix}/proofs/web-9/0123456789ab`).value('not json');
      const dry = await fleetCli(host, ['prune', '--dry-run']);
      expect(dry.exitCode, dry.stderr).toBe(0);
      expect(dry.stdout.split('\n').sort()).toEqual(
        [
          `would delete ${prefix}/proofs/web-9/0123456789ab`,
          `would delete ${prefix}/sets/0123456789ab`,
          `would delete ${prefix}/slots/web`,
          '3 keys to delete',
        ].sort(),
      );
      expect(await raw.get(`${prefix}/slots/web`).string()).not.toBeNull();
      const pruned = await fleetCli(host, ['prune']);
      expect(pruned.stdout).toContain('3 keys deleted');
      expect(await raw.getAll().prefix(`${prefix}/`).keys()).toEqual([]);
    } finally {
      raw.close();
    }
  });
});

describe('fleet slots over FleetLock', () => {
  it('takes, holds after a failure, refuses the next host, and releases on `fleet release`', async () => {
    const server = await startFleetLockServer(1);
    cleanup(() => server.close());
    const fleet = { group: 'workers', slotTimeout: '3s', fleetLock: { url: server.url } };
    const broken = await fleetHost({ id: 'canary', fleet, unhealthy: true });
    const next = await fleetHost({ id: 'next', fleet });

    expect((await run(broken)).exitCode).toBe(4);
    expect([...(server.holders.get('workers') ?? [])]).toEqual(['canary']);
    expect(server.requests[0]).toEqual({
      path: '/v1/pre-reboot',
      id: 'canary',
      group: 'workers',
      status: 200,
    });

    const saved = await savedOf(next);
    const waited = await run(next);
    expect(waited.exitCode, waited.stdout).toBe(75);
    expect(waited.stdout).toMatch(
      /cause: no fleet slot in group "workers" within 3 s \(FleetLock http:\/\/127\.0\.0\.1:\d+\): failed_lock_semaphore_full: semaphore currently full, all slots are locked already/,
    );
    await expectUntouched(next, saved);

    const status = await fleetCli(next, ['status']);
    expect(status.exitCode).toBe(64);
    expect(status.stderr).toMatch(
      /^xs-upgrade: fleet status needs fleet\.etcd: .+FleetLock protocol, which has no such call/,
    );

    expect((await fleetCli(next, ['release', '--id', 'canary'])).stdout).toBe(
      'released the slot of canary in group workers',
    );
    const after = await run(next);
    expect(after.exitCode, after.stdout).toBe(0);
    expect(after.stdout).toContain('fleet: slot in group "workers" released');
    expect(server.holders.get('workers')?.size).toBe(0);
    // Every request carried the protocol's header (the server refuses others with 400).
    expect(
      server.requests.every((request) => request.status === 200 || request.status === 409),
    ).toBe(true);
  });

  it('an unreachable FleetLock server: exit 75, nothing moved', async () => {
    // A port nobody listens on: connection refused, as when the server is down.
    const port = await freePort();
    const host = await fleetHost({
      id: 'lonely',
      fleet: { fleetLock: { url: `http://127.0.0.1:${port}`, timeout: '2s' } },
    });
    const saved = await savedOf(host);
    const result = await run(host);
    expect(result.exitCode, result.stdout).toBe(75);
    expect(result.stdout).toContain(
      `cause: FleetLock http://127.0.0.1:${port}: POST /v1/pre-reboot: ECONNREFUSED\n`,
    );
    await expectUntouched(host, saved);
  });
});

describe('fleet config', () => {
  it('--dry-run says where the slot would come from, and asks nobody', async () => {
    const host = await fleetHost({
      id: 'dry',
      fleet: {
        group: 'web',
        slotTimeout: '45s',
        fleetLock: { url: 'https://lock.example:8443/base?token=s3cret' },
      },
    });
    const dry = await runCli(['run', '--dry-run', '--config', host.configFile]);
    expect(dry.exitCode, dry.stdout).toBe(0);
    expect(dry.stdout).toContain(
      'waitingForSlot:\n  would take a slot in group "web" on FleetLock https://lock.example:8443 (waiting up to 45 s), released once healthy; after a failed switch: hold\nswitching:',
    );
    expect(dry.stdout).not.toContain('s3cret');
  });

  const cases: [string, Record<string, unknown>, RegExp][] = [
    [
      'an endpoint without a scheme',
      { etcd: { endpoints: ['127.0.0.1:2379'] } },
      /\/fleet\/etcd\/endpoints\/0/,
    ],
    [
      'a FleetLock URL that is not http',
      { fleetLock: { url: 'ftp://lock.example' } },
      /\/fleet\/fleetLock\/url/,
    ],
    [
      'a group with a space',
      { group: 'web servers', etcd: { endpoints: ['http://127.0.0.1:2379'] } },
      /\/fleet\/group/,
    ],
    [
      'both coordinators',
      { etcd: { endpoints: ['http://127.0.0.1:2379'] }, fleetLock: { url: 'http://127.0.0.1:1' } },
      /\/fleet/,
    ],
    ['no coordinator', { group: 'web' }, /\/fleet/],
  ];
  it.each(cases)(
    '%s: exit 78 from validate and run, one line each',
    async (_name, fleet, where) => {
      const host = await sandbox({ fleet: { id: 'x', ...fleet } });
      for (const command of ['validate', 'run']) {
        const result = await runCli([command, '--config', host.configFile]);
        expect(result.exitCode, result.stderr).toBe(78);
        expect(result.stderr).toMatch(where);
        expect(result.stderr).not.toMatch(/\n\s+at /);
      }
    },
  );

  it('a password variable that is not set: exit 78 before anything moves', async () => {
    const host = await fleetHost({
      id: 'secret',
      fleet: {
        etcd: {
          endpoints: [cluster.etcd.endpoint],
          username: 'root',
          password: 'XS_TEST_ETCD_PASSWORD',
        },
      },
    });
    const saved = await savedOf(host);
    const result = await runCli(['run', '--config', host.configFile], {
      env: { XS_TEST_ETCD_PASSWORD: undefined },
    });
    expect(result.exitCode).toBe(78);
    expect(result.stderr).toBe(
      'xs-upgrade: fleet.etcd.password names XS_TEST_ETCD_PASSWORD, which is not set in the environment: set it (systemd: EnvironmentFile=)',
    );
    await expectUntouched(host, saved);
  });
});
