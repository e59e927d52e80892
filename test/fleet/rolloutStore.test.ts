// The rollout's records on a real etcd 3.4 (src/fleet/rolloutStore.ts) and a host's reports to
// them across runs (src/fleet/hostRollout.ts): proofs opened and closed as a host moves on,
// rejections, forgiving, the hosts' last runs, and reports kept in the state dir while the store
// cannot be reached.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../demo/etcdServer.js';
import type { EtcdSpec, ResolvedFleet } from '../../src/config/resolve.js';
import { fleetStatus, setFleetSlots } from '../../src/fleet/admin.js';
import { HostRollout } from '../../src/fleet/hostRollout.js';
import { setId } from '../../src/fleet/rollout.js';
import {
  openRolloutStore,
  type RolloutStore,
  type RunReport,
} from '../../src/fleet/rolloutStore.js';
import { pendingReportsFile } from '../../src/state/fleetReports.js';
import { useEtcd } from '../support/etcd.js';
import { memoryLog } from '../support/memoryLog.js';

const cluster = useEtcd();
const closing: { close(): Promise<void> }[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const open of closing.splice(0)) await open.close();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

const spec = (endpoint = cluster.etcd.endpoint): EtcdSpec => ({
  endpoints: [endpoint],
  prefix: cluster.newPrefix(),
  timeoutMs: 2000,
});
async function records(etcd = spec()): Promise<RolloutStore> {
  const store = await openRolloutStore(etcd, {});
  closing.push(store);
  return store;
}

const v1 = { 'nix-config': '1'.repeat(40) };
const v2 = { 'nix-config': '2'.repeat(40) };
const at = (minute: number) => `2026-11-27T04:${String(minute).padStart(2, '0')}:00.000Z`;
const run = (host: string, minute: number, more: Partial<RunReport> = {}): RunReport => ({
  host,
  group: 'canary',
  commits: v1,
  result: 'upgraded',
  at: at(minute),
  healthy: true,
  ...more,
});

describe('the rollout store', () => {
  it('a healthy run proves its set; moving on to another closes that proof, and only its own', async () => {
    const store = await records();
    await store.report(run('c1', 0));
    await store.report(run('c2', 1));
    await store.report(run('c1', 10, { commits: v2, generation: 42 }));
    const sets = Object.fromEntries((await store.sets()).map((set) => [set.id, set.proven]));
    expect(sets).toEqual({
      [setId(v1)]: [
        { host: 'c1', group: 'canary', since: at(0), until: at(10) },
        { host: 'c2', group: 'canary', since: at(1) },
      ],
      [setId(v2)]: [{ host: 'c1', group: 'canary', since: at(10) }],
    });
    expect(await store.hosts()).toEqual([
      {
        id: 'c1',
        group: 'canary',
        commits: v2,
        result: 'upgraded',
        at: at(10),
        generation: 42,
        provenSet: setId(v2),
      },
      {
        id: 'c2',
        group: 'canary',
        commits: v1,
        result: 'upgraded',
        at: at(1),
        provenSet: setId(v1),
      },
    ]);
  });

  it('a run that is not healthy proves nothing and keeps the set the host last proved', async () => {
    const store = await records();
    await store.report(run('c1', 0));
    // The same set again (a run with nothing new): its proof stays open, one proof.
    await store.report(run('c1', 5, { result: 'nothing-new' }));
    await store.report(
      run('c1', 10, {
        result: 'rolled-back',
        healthy: false,
        rejected: { commits: v2, reason: 'healthChecking: down' },
      }),
    );
    const [first, second] = [...(await store.sets())].sort((a, b) =>
      a.proven.length < b.proven.length ? 1 : -1,
    );
    expect(first?.proven).toEqual([{ host: 'c1', group: 'canary', since: at(0) }]);
    expect(second).toEqual({
      id: setId(v2),
      commits: v2,
      proven: [],
      rejected: [{ host: 'c1', group: 'canary', at: at(10), reason: 'healthChecking: down' }],
    });
    const [host] = await store.hosts();
    expect(host).toEqual({
      id: 'c1',
      group: 'canary',
      commits: v1,
      result: 'rolled-back',
      at: at(10),
      provenSet: setId(v1),
    });
  });

  it('a report is one transaction: sent twice, nothing is added twice; a forgiveness stays', async () => {
    const etcd = spec();
    const store = await records(etcd);
    const rejected = run('c1', 5, {
      commits: v1,
      result: 'rolled-back',
      healthy: false,
      rejected: { commits: v2, reason: 'healthChecking: down' },
    });
    await store.report(run('c1', 0));
    await store.report(rejected);
    const { Etcd3 } = await import('etcd3');
    const raw = new Etcd3({ hosts: etcd.endpoints });
    try {
      const before = await raw.getAll().prefix(`${etcd.prefix}/`).exec();
      await store.forgive(setId(v2));
      // The same report again (a retry after a lost answer): no new revision of its rejection.
      await store.report(rejected);
      const after = await raw.getAll().prefix(`${etcd.prefix}/`).exec();
      const rejectionKey = `${etcd.prefix}/rejections/c1/${setId(v2)}`;
      const revisionOf = (answer: typeof before) =>
        answer.kvs.find((kv) => kv.key.toString() === rejectionKey)?.mod_revision;
      expect(revisionOf(after)).toBe(revisionOf(before));
      const set = (await store.sets()).find((entry) => entry.id === setId(v2));
      expect(set?.rejected).toEqual([]);
      expect(set?.forgiven?.[0]?.rejected.map((entry) => entry.host)).toEqual(['c1']);
      // Every key of the report came from one transaction: the report and the rejection were
      // written at the same revision.
      const reportKv = before.kvs.find((kv) => kv.key.toString() === `${etcd.prefix}/reports/c1`);
      expect(reportKv?.mod_revision).toBe(revisionOf(before));
    } finally {
      raw.close();
    }
  });

  it('a rollback ends the proof of the set it undid; a proof closed long ago is pruned by its host', async () => {
    const store = await records();
    await store.report(run('c1', 0));
    await store.report(run('c1', 10, { commits: v2 }));
    // `xs-upgrade rollback`: back on v1, not a proof; v2's proof ends there.
    await store.report(run('c1', 20, { commits: v1, result: 'rolled-back', healthy: false }));
    const proofs = Object.fromEntries((await store.sets()).map((set) => [set.id, set.proven]));
    expect(proofs[setId(v2)]).toEqual([
      { host: 'c1', group: 'canary', since: at(10), until: at(20) },
    ]);
    expect((await store.hosts())[0]?.provenSet).toBeUndefined();
    // Two months later, the host's next report deletes its proofs closed before its keep time.
    await store.report(run('c1', 30, { at: '2027-02-01T04:00:00.000Z' }));
    const later = await store.sets();
    expect(later.find((set) => set.id === setId(v2))).toBeUndefined();
    expect(later.find((set) => set.id === setId(v1))?.proven).toEqual([
      { host: 'c1', group: 'canary', since: '2027-02-01T04:00:00.000Z' },
    ]);
  });

  it('hosts are listed by id; a failed first run has no proven set', async () => {
    const store = await records();
    await store.report(run('web-2', 0, { group: 'web', healthy: false, result: 'fetch-failed' }));
    await store.report(run('web-10', 1, { group: 'web' }));
    await store.report(run('canary-1', 2));
    const hosts = await store.hosts();
    expect(hosts.map((host) => host.id)).toEqual(['canary-1', 'web-10', 'web-2']);
    expect(hosts[2]).not.toHaveProperty('provenSet');
    expect(hosts[2]).not.toHaveProperty('generation');
  });

  it('forgiving: lifted once, a second time says nothing was rejected, an unknown id is undefined', async () => {
    const store = await records();
    await store.report(
      run('c1', 0, {
        healthy: false,
        result: 'rolled-back',
        rejected: { commits: v2, reason: 'x' },
      }),
    );
    const first = await store.forgive(setId(v2));
    expect(first?.forgiven).toBe(true);
    expect(first?.set.rejected).toEqual([]);
    const again = await store.forgive(setId(v2));
    expect(again?.forgiven).toBe(false);
    expect(again?.set.forgiven?.[0]?.rejected[0]?.host).toBe('c1');
    expect(await store.forgive('0123456789ab')).toBeUndefined();
  });
});

describe('fleet status', () => {
  it('every group a host reported in, by name; the sets by their last event, newest first', async () => {
    const etcd = spec();
    const store = await records(etcd);
    await store.report(run('web-1', 0, { group: 'web' }));
    await store.report(run('web-1', 25, { group: 'web', commits: v2 }));
    const v3 = { 'nix-config': '3'.repeat(40) };
    await store.report(
      run('c2', 20, {
        healthy: false,
        result: 'rolled-back',
        rejected: { commits: v3, reason: 'x' },
      }),
    );
    const fleet = {
      group: 'zeta',
      slotTimeoutMs: 1000,
      onFailure: 'hold',
      requireReport: true,
      backend: { etcd },
    } as ResolvedFleet;
    await store.report(run('web-2', 30, { group: 'web', commits: v2 }));
    // A group with a semaphore of its own is listed once, as stored.
    await setFleetSlots(fleet, {}, 'web', 2);
    const view = await fleetStatus(fleet, {});
    expect(view.groups).toEqual([
      { group: 'canary', slots: 1, holders: [] },
      { group: 'web', slots: 2, holders: [] },
      { group: 'zeta', slots: 1, holders: [] },
    ]);
    // Newest first: v2's last event is web-2 coming up on it at 30, v1's web-1 moving off it at
    // 25, v3's rejection at 20.
    expect(view.sets.map((set) => set.id)).toEqual([setId(v2), setId(v1), setId(v3)]);
    // c2 comes up healthy on v3 at 40: now first. (Two orders, so at most one is the store's own.)
    await store.report(run('c2', 40, { commits: v3 }));
    const later = await fleetStatus(fleet, {});
    expect(later.sets.map((set) => set.id)).toEqual([setId(v3), setId(v2), setId(v1)]);
    expect(view.hosts.map((entry) => entry.id)).toEqual(['c2', 'web-1', 'web-2']);
  });
});

describe("a host's reports", () => {
  async function host(etcd: EtcdSpec, stateDir?: string) {
    const dir = stateDir ?? (await mkdtemp(join(tmpdir(), 'xs-reports-')));
    if (!stateDir) dirs.push(dir);
    const log = memoryLog();
    const fleet = {
      group: 'canary',
      id: 'c1',
      slotTimeoutMs: 1000,
      onFailure: 'hold',
      requireReport: true,
      backend: { etcd },
    } as ResolvedFleet;
    const rollout = new HostRollout(fleet, 'c1', { env: {}, log, stateDir: dir });
    closing.push(rollout);
    return { rollout, log, stateDir: dir };
  }
  /** This host's run: HostRollout adds the host and group itself. */
  const report = (minute: number, more: Partial<RunReport> = {}) => ({
    commits: v1,
    result: 'upgraded',
    at: at(minute),
    healthy: true,
    ...more,
  });

  it('says what it reported', async () => {
    const { rollout } = await host(spec());
    expect(await rollout.report(report(0))).toBe('fleet: reported healthy on these commits');
    expect(await rollout.report(report(1, { healthy: false, result: 'fetch-failed' }))).toBe(
      'fleet: reported',
    );
    expect(
      await rollout.report(
        report(2, {
          healthy: false,
          result: 'rolled-back',
          rejected: { commits: v2, reason: 'x' },
        }),
      ),
    ).toBe('fleet: reported; these commits are now quarantined fleet-wide');
  });

  it('kept while the store cannot be reached, then sent first, in order, by the next run', async () => {
    const etcd = spec();
    const away = { ...etcd, endpoints: [`http://127.0.0.1:${await freePort()}`] };
    const cut = await host(away);
    const line = await cut.rollout.report(report(0));
    expect(line).toMatch(
      /^fleet: the report could not be sent \(etcd http:\/\/127\.0\.0\.1:\d+: read \S+\/reports\/c1 failed: cannot connect to .* \(ECONNREFUSED\)\): the next run sends it$/,
    );
    expect(cut.log.lines).toEqual([
      expect.stringMatching(/^warning: cannot report to the fleet: etcd /),
    ]);
    await cut.rollout.report(report(5, { healthy: false, result: 'fetch-failed' }));
    const kept = JSON.parse(await readFile(join(cut.stateDir, pendingReportsFile), 'utf8')) as {
      reports: RunReport[];
    };
    expect(kept.reports.map((entry) => [entry.host, entry.at])).toEqual([
      ['c1', at(0)],
      ['c1', at(5)],
    ]);

    const back = await host(etcd, cut.stateDir);
    await back.rollout.sendPending();
    expect(back.log.lines).toEqual(['sent 2 fleet reports an earlier run could not send']);
    const [stored] = await (await records(etcd)).hosts();
    expect([stored?.at, stored?.result, stored?.provenSet]).toEqual([
      at(5),
      'fetch-failed',
      setId(v1),
    ]);
    await expect(readFile(join(cut.stateDir, pendingReportsFile))).rejects.toThrow(/ENOENT/);
    // Nothing pending: nothing said.
    await back.rollout.sendPending();
    expect(back.log.lines).toHaveLength(1);
  });

  it('one pending report sent, and a pending file that cannot be read is said and left', async () => {
    const etcd = spec();
    const away = { ...etcd, endpoints: [`http://127.0.0.1:${await freePort()}`] };
    const cut = await host(away);
    await cut.rollout.report(report(0));
    const back = await host(etcd, cut.stateDir);
    await back.rollout.sendPending();
    expect(back.log.lines).toEqual(['sent 1 fleet report an earlier run could not send']);

    const broken = await host(etcd);
    await writeFile(join(broken.stateDir, pendingReportsFile), '{ not json');
    expect(await broken.rollout.report(report(1))).toBe('fleet: reported healthy on these commits');
    expect(broken.log.lines).toEqual([
      expect.stringMatching(
        /^warning: cannot read the pending fleet reports: .*fleet-reports-pending\.json/,
      ),
    ]);
  });

  it('a report that cannot be kept for later is said', async () => {
    const away = { ...spec(), endpoints: [`http://127.0.0.1:${await freePort()}`] };
    const cut = await host(away);
    await rm(cut.stateDir, { recursive: true });
    await writeFile(cut.stateDir, 'a file, not a folder');
    await cut.rollout.report(report(0));
    expect(cut.log.lines.at(-1)).toMatch(/^warning: cannot keep the fleet report for later: /);
  });
});
