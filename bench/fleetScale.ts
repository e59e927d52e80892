// The fleet store at scale (`BENCH_ONLY=fleet-scale`): N simulated hosts in this one process,
// driving the real fleet code (the slot queue in src/fleet/etcd.ts, the rollout store's reads and
// one-transaction reports) against a real 3-member etcd on loopback. Each host reads the
// quarantine, waits for one of `slots` slots, "switches" for `switchMs`, reports healthy and
// releases. Hosts share one client (as one process would), each with its own counter of calls.
import { startEtcdCluster } from '../demo/etcdServer.js';
import type { EtcdSpec, ResolvedFleet } from '../src/config/resolve.js';
import { fleetStatus } from '../src/fleet/admin.js';
import { openEtcd } from '../src/fleet/etcd.js';
import { openRolloutStore } from '../src/fleet/rolloutStore.js';
import { openEtcdStore, type EtcdStore } from '../src/fleet/store/etcdStore.js';
import { waitForSlot } from '../src/fleet/waitForSlot.js';
import { createLog } from '../src/log.js';

export interface ScaleResult {
  hosts: number;
  slots: number;
  wallMs: number;
  idealMs: number;
  mostAtOnce: number;
  requests: { median: number; p99: number };
  lostRaces: number;
  failures: number;
  /** The distinct reasons of the failed runs. */
  reasons: string[];
  largestKey: { key: string; bytes: number };
  statusMs: number;
}

const quietLog = createLog({ write: () => true, env: {}, isTTY: false });

/** The store, with each call counted for one host. */
function counted(store: EtcdStore, count: { calls: number; lost: number }): EtcdStore {
  return {
    where: store.where,
    get: (key) => ((count.calls += 1), store.get(key)),
    list: (prefix) => ((count.calls += 1), store.list(prefix)),
    commit: async (compares, operations) => {
      count.calls += 1;
      const applied = await store.commit(compares, operations);
      if (!applied) count.lost += 1;
      return applied;
    },
    lease: (ttl) => ((count.calls += 1), store.lease(ttl)),
    watch: (prefix, revision, onEvent) => (
      (count.calls += 1),
      store.watch(prefix, revision, onEvent)
    ),
    admin: (what, run) => store.admin(what, run),
    close: () => Promise.resolve(),
  };
}

export async function fleetAtScale(
  hostCounts: number[],
  slots: number,
  switchMs: number,
): Promise<ScaleResult[]> {
  const cluster = await startEtcdCluster();
  const results: ScaleResult[] = [];
  try {
    for (const hostCount of hostCounts) {
      const prefix = `/scale-${hostCount}`;
      const spec: EtcdSpec = { endpoints: cluster.endpoints, prefix, timeoutMs: 10_000 };
      const fleet: ResolvedFleet = {
        group: 'web',
        slotTimeoutMs: 30 * 60_000,
        onFailure: 'hold',
        requireReport: true,
        keepProofsMs: 30 * 86_400_000,
        backend: { etcd: spec },
      };
      const shared = await openEtcdStore(spec, {});
      const operator = await openEtcd(spec, {}, shared);
      await operator.setSlots?.('web', slots);
      const commits = { 'nix-config': 'c'.repeat(40) };
      let holding = 0;
      let most = 0;
      let failures = 0;
      const reasons = new Set<string>();
      const counts: { calls: number; lost: number }[] = [];
      const host = async (index: number) => {
        const count = { calls: 0, lost: 0 };
        counts.push(count);
        const store = counted(shared, count);
        const id = `host-${String(index).padStart(4, '0')}`;
        const coordinator = await openEtcd(spec, {}, store);
        const rollout = await openRolloutStore(spec, {}, { store });
        try {
          await rollout.sets({ proofsOf: 'canary' });
          await waitForSlot({
            coordinator,
            request: { id, group: 'web', commits },
            timeoutMs: fleet.slotTimeoutMs,
            signal: new AbortController().signal,
            log: quietLog,
          });
          holding += 1;
          most = Math.max(most, holding);
          await new Promise((resolve) => setTimeout(resolve, switchMs));
          holding -= 1;
          await rollout.report({
            host: id,
            group: 'web',
            commits,
            result: 'upgraded',
            at: new Date().toISOString(),
            healthy: true,
          });
          await coordinator.release(id, 'web');
        } catch (error) {
          failures += 1;
          reasons.add(String((error as Error).message).slice(0, 200));
        } finally {
          await coordinator.close();
          await rollout.close();
        }
      };
      const started = performance.now();
      await Promise.all(Array.from({ length: hostCount }, (_, index) => host(index)));
      const wallMs = performance.now() - started;
      const statusStarted = performance.now();
      await fleetStatus(fleet, {});
      const statusMs = performance.now() - statusStarted;
      const everything = await shared.list(`${prefix}/`);
      const largest = everything.kvs.reduce(
        (big, kv) =>
          Buffer.byteLength(kv.value) > big.bytes
            ? { key: kv.key, bytes: Buffer.byteLength(kv.value) }
            : big,
        { key: '', bytes: 0 },
      );
      const calls = counts.map((count) => count.calls).sort((a, b) => a - b);
      results.push({
        hosts: hostCount,
        slots,
        wallMs,
        idealMs: Math.ceil(hostCount / slots) * switchMs,
        mostAtOnce: most,
        requests: {
          median: calls[Math.floor(calls.length / 2)] ?? 0,
          p99: calls[Math.min(calls.length - 1, Math.floor(calls.length * 0.99))] ?? 0,
        },
        lostRaces: counts.reduce((sum, count) => sum + count.lost, 0),
        failures,
        reasons: [...reasons],
        largestKey: { key: largest.key.slice(prefix.length), bytes: largest.bytes },
        statusMs,
      });
      await operator.close();
      await shared.close();
    }
  } finally {
    await cluster.dispose();
  }
  return results;
}
