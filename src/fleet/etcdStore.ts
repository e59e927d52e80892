// JSON documents in etcd, each changed only by compare-and-swap on its mod revision (as CoreOS's
// locksmith and airlock keep their semaphore), so two hosts changing one document at once cannot
// both win. The slots (etcd.ts) and the rollout's reports (rollout store) sit on it.
// Every call is bounded by our own deadline: the etcd3 client's connect timeout is not honoured.
import { readFile } from 'node:fs/promises';
import { Etcd3, type IOptions } from 'etcd3';
import type { EtcdSpec } from '../config/resolve.js';
import { CoordinatorUnavailable, pause, reasonOf, withDeadline } from './coordinator.js';

/** Lost compare-and-swap races in a row before giving up: only under heavy contention. */
const casAttempts = 50;

export interface Stored<T> {
  value: T;
  /** 0 when the key does not exist yet. */
  modRevision: string;
  /** The store's revision when read: a watch from the next one misses no change. */
  revision: string;
}

/** How a kind of document is read and written. */
export interface DocumentKind<T> {
  /** Throws an error naming the key when the text is not one. */
  parse(text: string, key: string): T;
  /** What a key that does not exist yet holds. */
  empty(key: string): T;
  serialize(value: T): string;
}

export interface EtcdStore {
  /** "etcd http://10.0.0.1:2379,...", for messages. */
  readonly where: string;
  read<T>(key: string, kind: DocumentKind<T>): Promise<Stored<T>>;
  /** Reads, changes and swaps until the swap wins: the change applies to the latest document. */
  update<T, R>(
    key: string,
    kind: DocumentKind<T>,
    change: (value: T) => { next?: T; result: R },
  ): Promise<R>;
  /** Every key under `prefix`, with its text. */
  readPrefix(prefix: string): Promise<Record<string, string>>;
  /** Resolves when `key` changes after `revision`, or after `ms`, or when `signal` aborts. */
  waitForChange(key: string, revision: string, ms: number, signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

export async function openEtcdStore(spec: EtcdSpec, env: NodeJS.ProcessEnv): Promise<EtcdStore> {
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

  const read = async <T>(key: string, kind: DocumentKind<T>): Promise<Stored<T>> => {
    const answer = await call(`read ${key}`, () => client.get(key).exec());
    const kv = answer.kvs[0];
    return {
      value: kv ? kind.parse(kv.value.toString(), key) : kind.empty(key),
      modRevision: kv ? String(kv.mod_revision) : '0',
      revision: String(answer.header.revision),
    };
  };

  /** Writes `next` only if the document is still the one read; false when another host won. */
  const swap = async <T>(key: string, kind: DocumentKind<T>, stored: Stored<T>, next: T) => {
    const compare =
      stored.modRevision === '0'
        ? client.if(key, 'Create', '==', 0)
        : client.if(key, 'Mod', '==', stored.modRevision);
    const answer = await call(
      `update ${key}`,
      () => compare.then(client.put(key).value(kind.serialize(next))).commit(),
      true,
    );
    return answer.succeeded;
  };

  return {
    where,
    read,
    update: async (key, kind, change) => {
      for (let attempt = 0; attempt < casAttempts; attempt += 1) {
        const stored = await read(key, kind);
        const { next, result } = change(stored.value);
        if (next === undefined || (await swap(key, kind, stored, next))) return result;
      }
      throw new CoordinatorUnavailable(
        `${where}: ${key} changed ${casAttempts} times while being updated; try again`,
      );
    },
    readPrefix: (prefix) => call(`read ${prefix}*`, () => client.getAll().prefix(prefix).strings()),
    waitForChange: async (key, revision, ms, signal) => {
      // A watch from the revision after the one read wakes the waiter as soon as the key changes,
      // and not for the change it read. A watch that cannot be set up is the store unavailable,
      // like any other call.
      const watcher = await call(`watch ${key}`, () =>
        client
          .watch()
          .key(key)
          .startRevision(String(BigInt(revision) + 1n))
          .create(),
      );
      await pause(ms, signal, (wake) =>
        watcher.on('put', wake).on('delete', wake).on('error', wake).on('end', wake),
      );
      await withDeadline(watcher.cancel(), spec.timeoutMs, 'cancel watch').catch(() => {});
    },
    close: () => {
      client.close();
      return Promise.resolve();
    },
  };
}
