// The fleet's store on a real 3-member etcd 3.4 cluster on loopback (started for this file): a
// hung member (SIGSTOP) is not an outage, the leader killed mid-rollout loses no slot and breaks
// no limit, quorum lost says so in one line and comes back, and with RBAC a host's role writes
// only its own keys: every forgery of another host's records or of an operator's is refused,
// and what a host may write about itself is checked when read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Etcd3 } from 'etcd3';
import type { EtcdCluster } from '../../demo/etcdServer.js';
import { useEtcdCluster } from '../support/etcd.js';
import type { EtcdSpec, ResolvedFleet } from '../../src/config/resolve.js';
import { enrolment, enrollHost, fleetStatus, setFleetSlots } from '../../src/fleet/admin.js';
import { CoordinatorUnavailable } from '../../src/fleet/coordinator.js';
import { openEtcd } from '../../src/fleet/etcd.js';
import { setId } from '../../src/fleet/rollout.js';
import { openRolloutStore } from '../../src/fleet/rolloutStore.js';
import { openEtcdStore } from '../../src/fleet/store/etcdStore.js';
import { fleetKeys } from '../../src/fleet/store/keys.js';
import { waitForSlot } from '../../src/fleet/waitForSlot.js';
import { memoryLog } from '../support/memoryLog.js';
import { rejectionOf } from '../support/rejection.js';

const etcd = useEtcdCluster('cluster');
const newPrefix = () => etcd.newPrefix();
const spec = (prefix: string, more: Partial<EtcdSpec> = {}): EtcdSpec => ({
  endpoints: etcd.cluster.endpoints,
  prefix,
  timeoutMs: 1500,
  ...more,
});
const fleetOf = (etcd: EtcdSpec, group = 'web'): ResolvedFleet => ({
  group,
  slotTimeoutMs: 60_000,
  onFailure: 'hold',
  requireReport: true,
  keepProofsMs: 30 * 86_400_000,
  backend: { etcd },
});
const commits = (label: string) => ({ 'nix-config': label.repeat(40).slice(0, 40) });

/** `hosts` in-process hosts each take a slot, hold it `holdMs`, release; the most at once. */
async function rollout(
  etcd: EtcdSpec,
  hosts: number,
  holdMs: number,
  during?: () => Promise<void>,
) {
  let holding = 0;
  let most = 0;
  const log = memoryLog();
  const one = async (index: number) => {
    const coordinator = await openEtcd(etcd, {});
    try {
      await waitForSlot({
        coordinator,
        request: { id: `h${index}`, group: 'web' },
        timeoutMs: 60_000,
        signal: new AbortController().signal,
        log,
      });
      holding += 1;
      most = Math.max(most, holding);
      await new Promise((resolve) => setTimeout(resolve, holdMs));
      holding -= 1;
      await coordinator.release(`h${index}`, 'web');
    } finally {
      await coordinator.close();
    }
  };
  const all = Promise.allSettled(Array.from({ length: hosts }, (_, index) => one(index)));
  await during?.();
  for (const settled of await all) {
    if (settled.status === 'rejected') throw settled.reason;
  }
  return most;
}

describe('a cluster with a member in trouble', () => {
  it('a hung member (SIGSTOP, quorum intact): every call is answered by another member', async () => {
    const prefix = newPrefix();
    await setFleetSlots(fleetOf(spec(prefix)), {}, 'web', 2);
    // The first endpoint is asked first: hang it.
    const hung = etcd.cluster.members[0];
    hung?.pause();
    try {
      const most = await rollout(spec(prefix), 6, 100);
      expect(most).toBeLessThanOrEqual(2);
      const store = await openRolloutStore(spec(prefix), {});
      try {
        for (let run = 0; run < 4; run += 1) {
          await store.report({
            host: `h${run}`,
            group: 'web',
            commits: commits(String(run)),
            result: 'upgraded',
            at: new Date().toISOString(),
            healthy: true,
          });
        }
        expect((await store.hosts()).map((host) => host.id)).toEqual(['h0', 'h1', 'h2', 'h3']);
      } finally {
        await store.close();
      }
      for (let call = 0; call < 4; call += 1) {
        const view = await fleetStatus(fleetOf(spec(prefix)), {});
        expect(view.hosts).toHaveLength(4);
      }
    } finally {
      hung?.resume();
    }
  }, 120_000);

  it('the leader killed mid-rollout: every host gets its slot, never more than the limit at once', async () => {
    const prefix = newPrefix();
    await setFleetSlots(fleetOf(spec(prefix)), {}, 'web', 2);
    let killed: Awaited<ReturnType<EtcdCluster['leader']>>;
    const most = await rollout(spec(prefix, { timeoutMs: 3000 }), 8, 300, async () => {
      await new Promise((resolve) => setTimeout(resolve, 400));
      killed = await etcd.cluster.leader();
      expect(killed).toBeDefined();
      await killed?.stop();
    });
    expect(most).toBeLessThanOrEqual(2);
    const status = await fleetStatus(fleetOf(spec(prefix)), {});
    expect(status.groups.find((group) => group.group === 'web')?.holders).toEqual([]);
    await killed?.start();
  }, 120_000);

  it('quorum lost: one line naming every member, nothing changed; regained: it works again', async () => {
    const prefix = newPrefix();
    const [, second, third] = etcd.cluster.members;
    await second?.stop();
    await third?.stop();
    try {
      const store = await openEtcdStore(spec(prefix, { timeoutMs: 1000 }), {});
      try {
        const error = await rejectionOf(store.get(`${prefix}/k`), CoordinatorUnavailable);
        expect(error.message).toMatch(
          new RegExp(
            `^etcd ${etcd.cluster.endpoints.join(',')}: read ${prefix}/k failed on all 3 members: .*(no leader|no answer within 1 s|cannot connect)`,
          ),
        );
        expect(error.message).not.toContain('\n');
      } finally {
        await store.close();
      }
    } finally {
      await second?.start();
      await third?.start();
    }
    const store = await openEtcdStore(spec(prefix), {});
    try {
      expect(await store.commit([], [{ put: `${prefix}/k`, value: 'back' }])).toBe(true);
    } finally {
      await store.close();
    }
  }, 120_000);
});

describe('least privilege: each host writes only its own keys', () => {
  const prefix = '/xs-rbac';
  const keys = fleetKeys(prefix);
  const root = { username: 'root', passwordEnv: 'ROOT_PW' };
  const env = { ROOT_PW: 'r00t', C1_PW: 'c1-pass', W1_PW: 'w1-pass' };
  let admin: Etcd3;

  beforeAll(async () => {
    admin = new Etcd3({ hosts: etcd.cluster.endpoints });
    await admin.role('root').create();
    await (await admin.user('root').create('r00t')).addRole('root');
    await admin.auth.authEnable();
    const operator = fleetOf(spec(prefix, root));
    await enrollHost(operator, env, enrolment(prefix, 'c1', 'canary'), 'c1-pass');
    await enrollHost(operator, env, enrolment(prefix, 'w1', 'web'), 'w1-pass');
  }, 60_000);
  afterAll(() => {
    admin?.close();
  });

  /** The fleet spec of host `id`'s enrolled user (its password in `ID_PW`). */
  const asHostSpec = (id: string) =>
    spec(prefix, { username: `xs-upgrade-host-${id}`, passwordEnv: `${id.toUpperCase()}_PW` });
  /** A client logged in as host `id`'s enrolled user: the attacker's own credentials. */
  const asHost = (id: string, password: string) =>
    new Etcd3({
      hosts: etcd.cluster.endpoints,
      auth: { username: `xs-upgrade-host-${id}`, password },
    });

  it("refuses a host's writes to another host's keys and to the operator's", async () => {
    const attacker = asHost('w1', 'w1-pass');
    const v2 = commits('2');
    const forged = JSON.stringify({
      group: 'canary',
      commits: v2,
      since: '2020-01-01T00:00:00.000Z',
    });
    try {
      for (const key of [
        keys.proof('c1', setId(v2)),
        keys.rejection('c1', setId(v2)),
        keys.report('c1'),
        keys.claim('web', 'ghost'),
        keys.limit('web'),
        keys.forgiven(setId(v2)),
        // An operator's pause and abort: no host may stop the fleet or recall a set.
        keys.pausedGroup('canary'),
        keys.pausedAll,
        keys.aborted(setId(v2)),
        keys.member('w1'),
        `${prefix}/sets/${setId(v2)}`,
      ]) {
        await expect(attacker.put(key).value(forged), key).rejects.toThrow(/permission denied/);
      }
      // Its own keys it may write.
      await attacker.put(keys.report('w1')).value('{}');
    } finally {
      attacker.close();
    }
  });

  it('a host enrolled in web that claims to be a canary proves nothing for the canaries; its bad records are skipped', async () => {
    const attacker = asHost('w1', 'w1-pass');
    const v3 = commits('3');
    try {
      await attacker
        .put(keys.proof('w1', setId(v3)))
        .value(JSON.stringify({ group: 'canary', commits: v3, since: '2020-01-01T00:00:00.000Z' }));
      await attacker.put(keys.proof('w1', setId(commits('4')))).value('{"proven":[null]}');
      await attacker.put(keys.rejection('w1', setId(commits('5')))).value('x'.repeat(1024 * 1024));
    } finally {
      attacker.close();
    }
    const warnings: string[] = [];
    const follower = await openRolloutStore(asHostSpec('c1'), env, {
      warn: (line) => warnings.push(line),
    });
    try {
      const sets = await follower.sets();
      const proofs = sets.find((set) => set.id === setId(v3))?.proven;
      expect(proofs).toEqual([{ host: 'w1', group: 'web', since: '2020-01-01T00:00:00.000Z' }]);
      expect(sets.some((set) => set.id === setId(commits('5')))).toBe(false);
      expect(warnings).toEqual(
        expect.arrayContaining([
          `skipped ${keys.proof('w1', setId(commits('4')))}: it is not a proof (field "group")`,
          `skipped ${keys.rejection('w1', setId(commits('5')))}: it is larger than 16 KiB`,
        ]),
      );
      // The host's own report, in one transaction, under its own role.
      await follower.report({
        host: 'c1',
        group: 'canary',
        commits: commits('6'),
        result: 'upgraded',
        at: new Date().toISOString(),
        healthy: true,
      });
      expect(
        (await follower.sets()).find((set) => set.id === setId(commits('6')))?.proven[0]?.host,
      ).toBe('c1');
    } finally {
      await follower.close();
    }
  });

  it("a host takes and frees only its own slot claim; forgiving is the operator's", async () => {
    const canary = await openEtcd(asHostSpec('c1'), env);
    const host = await openEtcd(asHostSpec('w1'), env);
    try {
      expect(await canary.tryTake({ id: 'c1', group: 'canary' })).toEqual({
        taken: true,
        already: false,
      });
      expect(await host.tryTake({ id: 'w1', group: 'web' })).toEqual({
        taken: true,
        already: false,
      });
      const other = await rejectionOf(host.release('c1', 'canary'), CoordinatorUnavailable);
      expect(other.message).toMatch(/permission denied/);
      expect(await host.release('w1', 'web')).toBe(true);
      expect(await canary.release('c1', 'canary')).toBe(true);
    } finally {
      await canary.close();
      await host.close();
    }
    const store = await openRolloutStore(asHostSpec('w1'), env);
    try {
      await store.report({
        host: 'w1',
        group: 'web',
        commits: commits('1'),
        result: 'rolled-back',
        at: new Date().toISOString(),
        healthy: false,
        rejected: { commits: commits('7'), reason: 'healthChecking: down' },
      });
      const forgive = await rejectionOf(store.forgive(setId(commits('7'))), CoordinatorUnavailable);
      expect(forgive.message).toMatch(/permission denied/);
    } finally {
      await store.close();
    }
  });
});
