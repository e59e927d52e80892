// Slots in etcd: one semaphore document per group at PREFIX/slots/GROUP, changed only by
// compare-and-swap transactions on its mod revision (as CoreOS's locksmith and airlock do), so
// two hosts taking the last slot at once cannot both get it. No leases: a host that dies holding
// a slot keeps it, since a host that crashed mid-switch must stop the rollout.
// Every call is bounded by our own deadline: the client's connect timeout is not honoured.
import { readFile } from 'node:fs/promises';
import { Etcd3, type IOptions } from 'etcd3';
import type { EtcdSpec } from '../config/resolve.js';
import {
  CoordinatorUnavailable,
  pause,
  reasonOf,
  withDeadline,
  type Coordinator,
  type SlotRequest,
  type TakeAttempt,
} from './coordinator.js';
import {
  emptySemaphore,
  parseSemaphore,
  releaseSlot,
  serializeSemaphore,
  setSlots,
  takeSlot,
  describeHolders,
  type Semaphore,
} from './semaphore.js';

/** Lost compare-and-swap races in a row before giving up: only under heavy contention. */
const casAttempts = 50;

interface Stored {
  semaphore: Semaphore;
  /** 0 when the key does not exist yet. */
  modRevision: string;
  /** The store's revision when read: a watch from the next one misses no change. */
  revision: string;
}

export async function openEtcd(spec: EtcdSpec, env: NodeJS.ProcessEnv): Promise<Coordinator> {
  const options: IOptions = { hosts: spec.endpoints, dialTimeout: spec.timeoutMs };
  if (spec.username) {
    options.auth = { username: spec.username, password: env[spec.passwordEnv ?? ''] ?? '' };
  }
  if (spec.tls) {
    const read = (path: string | undefined) => (path ? readFile(path) : Promise.resolve(undefined));
    const [ca, cert, key] = await Promise.all([
      read(spec.tls.ca),
      read(spec.tls.cert),
      read(spec.tls.key),
    ]);
    options.credentials = {
      rootCertificate: ca ?? Buffer.alloc(0),
      ...(key ? { privateKey: key } : {}),
      ...(cert ? { certChain: cert } : {}),
    };
  }
  const client = new Etcd3(options);
  const where = `etcd ${spec.endpoints.join(',')}`;
  const keyOf = (group: string) => `${spec.prefix}/slots/${group}`;

  /** Our deadline around one call; any failure of the store is "unavailable", said in one line. */
  const call = async <T>(what: string, run: () => Promise<T>, changes = false): Promise<T> => {
    try {
      return await withDeadline(run(), spec.timeoutMs, `${where}: ${what}`, changes);
    } catch (error) {
      if (error instanceof CoordinatorUnavailable) throw error;
      // Refused before it was sent: nothing changed, whatever the call was.
      const refused = /ECONNREFUSED|circuit breaker is open/.test(String(error));
      throw new CoordinatorUnavailable(
        `${where}: ${what} failed: ${reasonOf(error)}`,
        changes && !refused,
      );
    }
  };

  const read = async (group: string): Promise<Stored> => {
    const key = keyOf(group);
    const answer = await call(`read ${key}`, () => client.get(key).exec());
    const kv = answer.kvs[0];
    return {
      semaphore: kv ? parseSemaphore(group, kv.value.toString(), key) : emptySemaphore(group),
      modRevision: kv ? String(kv.mod_revision) : '0',
      revision: String(answer.header.revision),
    };
  };

  /** Writes `next` only if the document is still the one read; false when another host won. */
  const swap = async (group: string, stored: Stored, next: Semaphore): Promise<boolean> => {
    const key = keyOf(group);
    const compare =
      stored.modRevision === '0'
        ? client.if(key, 'Create', '==', 0)
        : client.if(key, 'Mod', '==', stored.modRevision);
    const answer = await call(
      `update ${key}`,
      () => compare.then(client.put(key).value(serializeSemaphore(next))).commit(),
      true,
    );
    return answer.succeeded;
  };

  /** Reads, changes and swaps until the swap wins: the change is applied to the latest document. */
  const update = async <T>(
    group: string,
    change: (semaphore: Semaphore) => { next?: Semaphore; result: T },
  ): Promise<T> => {
    for (let attempt = 0; attempt < casAttempts; attempt += 1) {
      const stored = await read(group);
      const { next, result } = change(stored.semaphore);
      if (!next || (await swap(group, stored, next))) return result;
    }
    throw new CoordinatorUnavailable(
      `${where}: ${keyOf(group)} changed ${casAttempts} times while being updated; try again`,
    );
  };

  return {
    where,
    tryTake: (request: SlotRequest) =>
      update<TakeAttempt>(request.group, (semaphore) => {
        const outcome = takeSlot(semaphore, {
          id: request.id,
          since: new Date().toISOString(),
          ...(request.commits ? { commits: request.commits } : {}),
        });
        if (!outcome.taken) {
          return {
            result: { taken: false, reason: describeHolders(outcome.slots, outcome.holders) },
          };
        }
        return { next: outcome.semaphore, result: { taken: true, already: outcome.already } };
      }),
    release: (id: string, group: string) =>
      update(group, (semaphore) => {
        const next = releaseSlot(semaphore, id);
        return next ? { next, result: true } : { result: false };
      }),
    waitForChange: async (group, ms, signal) => {
      // A watch from the revision read wakes the waiter as soon as a slot is freed; if the watch
      // cannot be set up, a plain pause does the same job more slowly.
      try {
        const stored = await read(group);
        const watcher = await call(`watch ${keyOf(group)}`, () =>
          client
            .watch()
            .key(keyOf(group))
            .startRevision(String(BigInt(stored.revision) + 1n))
            .create(),
        );
        await pause(ms, signal, (wake) =>
          watcher.on('put', wake).on('delete', wake).on('error', wake).on('end', wake),
        );
        await withDeadline(watcher.cancel(), spec.timeoutMs, 'cancel watch').catch(() => {});
      } catch (error) {
        if (error instanceof CoordinatorUnavailable) throw error;
        await pause(ms, signal);
      }
    },
    status: async () => {
      const prefix = `${spec.prefix}/slots/`;
      const all = await call(`read ${prefix}*`, () => client.getAll().prefix(prefix).strings());
      return Object.entries(all)
        .map(([key, text]) => parseSemaphore(key.slice(prefix.length), text, key))
        .sort((a, b) => a.group.localeCompare(b.group));
    },
    setSlots: (group: string, slots: number) =>
      update(group, (semaphore) => {
        const next = setSlots(semaphore, slots);
        return { next, result: next };
      }),
    close: () => {
      client.close();
      return Promise.resolve();
    },
  };
}
