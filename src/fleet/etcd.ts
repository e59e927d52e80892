// Slots in etcd as a queue of per-host claims (semaphore.ts has the rules): a host writes only its
// own claim key, so a host's etcd role can be limited to it, and no host can take or free
// another's slot. A waiting host watches its group and wakes only when a claim ahead of it goes
// (or the limit changes) and it may now be inside the limit: one freed slot wakes one waiter,
// not every host of the group.
import type { EtcdSpec } from '../config/resolve.js';
import type { Coordinator, SlotRequest, TakeAttempt } from './coordinator.js';
import { pause } from './coordinator.js';
import { openEtcdStore, type EtcdStore, type StoredKey } from './store/etcdStore.js';
import { fleetKeys, hostIdPattern, keyParts } from './store/keys.js';
import { checkRecord } from './store/records.js';
import {
  defaultSlots,
  describeHolders,
  mayHold,
  semaphoreOf,
  type Claim,
  type Semaphore,
} from './semaphore.js';

/** What a waiting host knows of its group since its last read. */
interface Waiting {
  id: string;
  revision: bigint;
  slots: number;
  /** Keys of the waiting claims ahead of this host's, and of the holders. */
  ahead: Set<string>;
  holding: Set<string>;
}

export async function openEtcd(
  spec: EtcdSpec,
  env: NodeJS.ProcessEnv,
  given?: EtcdStore,
): Promise<Coordinator> {
  const store = given ?? (await openEtcdStore(spec, env));
  const keys = fleetKeys(spec.prefix);
  // A waiter's claim outlives a lost connection for this long; a dead waiter leaves the queue
  // after it.
  const ttlSeconds = Math.max(10, Math.ceil((spec.timeoutMs * 3) / 1000));
  const leases = new Map<string, { id: string; revoke(): Promise<void> }>();
  const waiting = new Map<string, Waiting>();

  const claimOf = (kv: StoredKey, group: string): Claim | undefined => {
    const [id, ...rest] = keyParts(kv.key, keys.claims(group));
    if (!id || rest.length > 0 || !hostIdPattern.test(id)) return undefined;
    const record = checkRecord('claim', kv.value);
    // A claim that cannot be read still holds its place: only its host or an operator wrote it.
    return {
      id,
      createRevision: kv.createRevision,
      holding: kv.lease === '0',
      since: record.ok ? record.value.since : '(unreadable claim)',
      ...(record.ok && record.value.commits ? { commits: record.value.commits } : {}),
    };
  };

  const slotsOf = (kv: StoredKey | undefined) => {
    if (!kv) return defaultSlots;
    const record = checkRecord('limit', kv.value);
    // A limit nobody can read opens nothing: no slot until an operator sets it again.
    return record.ok ? record.value.slots : 0;
  };

  const readGroup = async (group: string) => {
    const listing = await store.list(keys.groupSlots(group));
    const limitKv = listing.kvs.find((kv) => kv.key === keys.limit(group));
    const claims = listing.kvs.flatMap((kv) => claimOf(kv, group) ?? []);
    return { slots: slotsOf(limitKv), claims, kvs: listing.kvs, revision: listing.revision };
  };

  const leaseFor = async (key: string) => {
    let lease = leases.get(key);
    if (!lease) {
      lease = await store.lease(ttlSeconds);
      leases.set(key, lease);
    }
    return lease;
  };
  const dropLease = async (key: string) => {
    const lease = leases.get(key);
    leases.delete(key);
    await lease?.revoke();
  };

  const tryTake = async (request: SlotRequest): Promise<TakeAttempt> => {
    const key = keys.claim(request.group, request.id);
    const value = JSON.stringify({
      since: new Date().toISOString(),
      ...(request.commits ? { commits: request.commits } : {}),
    });
    const own = (await store.get(key)).kv;
    if (own?.lease === '0') {
      // Held since an earlier run (one that crashed, or waits for its boot check): re-entrant.
      await store.commit(
        [{ key, target: 'Create', revision: own.createRevision }],
        [{ put: key, value }],
      );
      return { taken: true, already: true };
    }
    // Join the queue, or stay in it (a put keeps the key's place, its create revision).
    const lease = await leaseFor(key);
    if (!own || own.lease !== lease.id) {
      await store.commit([], [{ put: key, value, lease: lease.id }]);
    }
    const group = await readGroup(request.group);
    const mine = group.claims.find((claim) => claim.id === request.id);
    if (mine && mayHold(group.claims, group.slots, request.id)) {
      // Inside the limit: made permanent, if the claim is still the one read (an operator may
      // have removed it meanwhile).
      const kept = await store.commit(
        [{ key, target: 'Create', revision: mine.createRevision }],
        [{ put: key, value }],
      );
      if (kept) {
        await dropLease(key);
        waiting.delete(request.group);
        return { taken: true, already: false };
      }
    }
    const semaphore = semaphoreOf(request.group, group.slots, group.claims);
    waiting.set(request.group, {
      id: request.id,
      revision: group.revision,
      slots: group.slots,
      holding: new Set(
        group.claims.filter((c) => c.holding).map((c) => keys.claim(request.group, c.id)),
      ),
      ahead: new Set(
        group.claims
          .filter((c) => !c.holding && mine !== undefined && c.createRevision < mine.createRevision)
          .map((c) => keys.claim(request.group, c.id)),
      ),
    });
    return { taken: false, reason: describeHolders(semaphore.slots, semaphore.holders) };
  };

  const waitForChange = async (group: string, ms: number, signal: AbortSignal) => {
    const known = waiting.get(group);
    if (!known) return pause(Math.min(ms, 1000), signal);
    const ownKey = keys.claim(group, known.id);
    let wake: () => void = () => undefined;
    const inside = () => known.ahead.size < known.slots - known.holding.size;
    const watcher = await store.watch(keys.groupSlots(group), known.revision, (event) => {
      if (event === 'lost' || event.key === keys.limit(group) || event.key === ownKey) {
        return wake();
      }
      if (event.type === 'delete') {
        known.ahead.delete(event.key);
        known.holding.delete(event.key);
      } else if (event.lease === '0' && known.ahead.delete(event.key)) {
        known.holding.add(event.key);
      }
      if (inside()) wake();
    });
    try {
      await pause(ms, signal, (done) => (wake = done));
    } finally {
      await watcher.cancel();
    }
  };

  return {
    where: store.where,
    // The watch wakes a waiter when it may hold; a missed event costs at most this.
    longestWait: 30_000,
    tryTake,
    release: async (id, group) => {
      const key = keys.claim(group, id);
      await dropLease(key);
      const own = (await store.get(key)).kv;
      if (!own) return false;
      await store.commit(
        [{ key, target: 'Create', revision: own.createRevision }],
        [{ delete: key }],
      );
      return true;
    },
    waitForChange,
    status: async () => {
      const listing = await store.list(keys.slots);
      const groups = new Set(
        listing.kvs.map((kv) => keyParts(kv.key, keys.slots)[0] ?? '').filter(Boolean),
      );
      return [...groups].sort().map((group): Semaphore => {
        const kvs = listing.kvs.filter((kv) => kv.key.startsWith(keys.groupSlots(group)));
        const claims = kvs.flatMap((kv) => claimOf(kv, group) ?? []);
        return semaphoreOf(group, slotsOf(kvs.find((kv) => kv.key === keys.limit(group))), claims);
      });
    },
    setSlots: async (group, slots) => {
      await store.commit([], [{ put: keys.limit(group), value: JSON.stringify({ slots }) }]);
      const { claims } = await readGroup(group);
      return semaphoreOf(group, slots, claims);
    },
    close: async () => {
      await Promise.all([...leases.keys()].map(dropLease));
      if (!given) await store.close();
    },
  };
}
