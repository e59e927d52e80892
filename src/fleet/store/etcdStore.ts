// The fleet's etcd, as xs-upgrade uses it: bounded reads of a prefix, transactions, watches and
// leases, every call under our own deadline (the etcd3 client's connect timeout is not honoured).
// One client per member: when a member does not answer in time (hung, partitioned) or has no
// leader, the same call is tried on the next member, and the member that answered is asked first
// next time. A write retried this way is safe: every write is a transaction whose compare fails
// if the first attempt landed, or a put of the same value.
import { readFile } from 'node:fs/promises';
import { Etcd3, type IOptions, type Lease, type Watcher } from 'etcd3';
import type { EtcdSpec } from '../../config/resolve.js';
import { CoordinatorUnavailable, reasonOf, withDeadline } from '../coordinator.js';

export interface StoredKey {
  key: string;
  value: string;
  createRevision: bigint;
  modRevision: bigint;
  /** "0" when the key has no lease. */
  lease: string;
}

export interface Listing {
  kvs: StoredKey[];
  /** The store's revision the listing was read at: a watch from the next one misses nothing. */
  revision: bigint;
}

/** A condition of a transaction: the key's create or mod revision equals `revision` (0: absent). */
export interface Compare {
  key: string;
  target: 'Create' | 'Mod';
  revision: bigint;
}

export type Operation = { put: string; value: string; lease?: string } | { delete: string };

export interface WatchEvent {
  type: 'put' | 'delete';
  key: string;
  /** The key's create revision and lease (puts only; a delete carries neither). */
  createRevision?: bigint;
  lease?: string;
}

export interface EtcdStore {
  /** "etcd http://10.0.0.1:2379,...", for messages. */
  readonly where: string;
  get(key: string): Promise<{ kv?: StoredKey; revision: bigint }>;
  /** Every key under `prefix`, read in pages at one revision, so no answer is too big. */
  list(prefix: string): Promise<Listing>;
  /** Applies `operations` if every compare holds; false when one did not. */
  commit(compares: Compare[], operations: Operation[]): Promise<boolean>;
  /** A lease kept alive until revoked or the process ends. */
  lease(ttlSeconds: number): Promise<{ id: string; revoke(): Promise<void> }>;
  /** Calls `onEvent` for changes under `prefix` after `revision`, until cancelled. */
  watch(
    prefix: string,
    revision: bigint,
    onEvent: (event: WatchEvent | 'lost') => void,
  ): Promise<{ cancel(): Promise<void> }>;
  /** The client of the member that answered last, for the operator's role and user calls. */
  admin<T>(what: string, run: (client: Etcd3) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

type Policy = NonNullable<NonNullable<IOptions['faultHandling']>['global']>;
/** A fault-handling policy that runs the call once, as it is. */
const passThrough = {
  execute: (call: (context: { signal: AbortSignal; attempt: number }) => unknown) =>
    Promise.resolve().then(() => call({ signal: new AbortController().signal, attempt: 1 })),
} as unknown as Policy;

/** Keys per page: small enough that a page of records at our size limit fits a gRPC answer. */
const pageSize = 200;

/**
 * Answers that would be the same from every member (the request, the credentials or the role):
 * said at once. Anything else (no answer, no connection, no leader, a member stopping) means this
 * member cannot serve now and another may.
 */
const sameEverywhere =
  /permission denied|authentication failed|authentication is not enabled|invalid auth token|invalid argument|duplicate key|too many operations|request is too large|larger than max|already exists|not found/i;

/** etcd's words for a cluster without quorum, as one plain phrase. */
function plain(reason: string): string {
  if (/no leader/i.test(reason))
    return 'no leader (the cluster has lost quorum, or is electing one)';
  if (/request timed out/i.test(reason))
    return 'request timed out (the cluster may have lost quorum)';
  return reason;
}

export async function openEtcdStore(spec: EtcdSpec, env: NodeJS.ProcessEnv): Promise<EtcdStore> {
  const options: IOptions = {
    hosts: [],
    dialTimeout: spec.timeoutMs,
    // No retries and no circuit breaker inside the client: one call is one request, and moving on
    // to another member is done here, under our deadline. (The client's breaker would refuse every
    // call to a member for a while after one failed, even a smaller page after a too-large one.)
    faultHandling: { host: () => passThrough, global: passThrough },
  };
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
  const where = `etcd ${spec.endpoints.join(',')}`;
  const clients = new Map<number, Etcd3>();
  const clientAt = (index: number) => {
    let client = clients.get(index);
    if (!client) {
      client = new Etcd3({ ...options, hosts: [spec.endpoints[index] as string] });
      clients.set(index, client);
    }
    return client;
  };
  // Hosts start at a random member, so a fleet spreads its calls over the cluster.
  let preferred = Math.floor(Math.random() * spec.endpoints.length);

  /**
   * One call, on each member in turn until one answers: our deadline per member, and one line
   * that says what every member said when none did.
   */
  const call = async <T>(
    what: string,
    run: (client: Etcd3) => Promise<T>,
    changes = false,
  ): Promise<T> => {
    const reasons: string[] = [];
    let mayHaveChanged = false;
    for (let step = 0; step < spec.endpoints.length; step += 1) {
      const index = (preferred + step) % spec.endpoints.length;
      try {
        const answer = await withDeadline(run(clientAt(index)), spec.timeoutMs, what, changes);
        preferred = index;
        return answer;
      } catch (error) {
        const reason =
          error instanceof CoordinatorUnavailable
            ? `no answer within ${spec.timeoutMs / 1000} s`
            : reasonOf(error);
        if (!(error instanceof CoordinatorUnavailable) && sameEverywhere.test(String(error))) {
          throw new CoordinatorUnavailable(`${where}: ${what} failed: ${plain(reason)}`, false);
        }
        // Refused before it was sent changed nothing; a call that got no answer may have.
        if (!/ECONNREFUSED|circuit breaker/.test(`${reason} ${String(error)}`)) {
          mayHaveChanged ||= changes;
        }
        reasons.push(plain(reason));
      }
    }
    const said = [...new Set(reasons)];
    const members = spec.endpoints.length;
    const one = said[0] ?? 'no answer';
    throw new CoordinatorUnavailable(
      members === 1
        ? `${where}: ${what}${one.startsWith('no answer within') ? ': ' : ' failed: '}${one}`
        : `${where}: ${what} failed on all ${members} members: ${said.join('; ')}`,
      mayHaveChanged,
    );
  };

  const toStored = (kv: {
    key: Buffer;
    value: Buffer;
    create_revision: string;
    mod_revision: string;
    lease: string;
  }): StoredKey => ({
    key: kv.key.toString(),
    value: kv.value.toString(),
    createRevision: BigInt(kv.create_revision),
    modRevision: BigInt(kv.mod_revision),
    lease: String(kv.lease),
  });

  const list = async (prefix: string): Promise<Listing> => {
    const end = prefixEnd(prefix);
    const kvs: StoredKey[] = [];
    let start = prefix;
    let revision: bigint | undefined;
    let size = pageSize;
    for (;;) {
      const from = start;
      let answer;
      try {
        answer = await call(`read ${prefix}*`, (client) => {
          const range = client.getAll().inRange({ start: from, end }).limit(size);
          if (revision !== undefined) range.revision(String(revision));
          return range.exec();
        });
      } catch (error) {
        // Someone stored records so large a page does not fit one answer: smaller pages.
        if (size > 1 && /larger than max|RESOURCE_EXHAUSTED/i.test(String(error))) {
          size = Math.max(1, Math.floor(size / 8));
          continue;
        }
        throw error;
      }
      revision ??= BigInt(answer.header.revision);
      kvs.push(...answer.kvs.map(toStored));
      const last = answer.kvs.at(-1);
      if (!answer.more || !last) break;
      start = `${last.key.toString()}\0`;
    }
    return { kvs, revision: revision ?? 0n };
  };

  return {
    where,
    get: async (key) => {
      const answer = await call(`read ${key}`, (client) => client.get(key).exec());
      const kv = answer.kvs[0];
      return {
        ...(kv ? { kv: toStored(kv) } : {}),
        revision: BigInt(answer.header.revision),
      };
    },
    list,
    commit: async (compares, operations) => {
      const keys = [...new Set(operations.map((op) => ('put' in op ? op.put : op.delete)))];
      const answer = await call(
        `update ${keys.length === 1 ? keys[0] : `${keys.length} keys`}`,
        (client) => {
          // A transaction needs a first compare: with none, one that always holds.
          const [first, ...rest] = compares;
          const txn = rest.reduce(
            (built, compare) =>
              built.and(compare.key, compare.target, '==', compare.revision.toString()),
            first
              ? client.if(first.key, first.target, '==', first.revision.toString())
              : client.if(keys[0] ?? '\0', 'Create', '>', -1),
          );
          return txn
            .then(
              ...operations.map((op) =>
                'put' in op
                  ? op.lease
                    ? client.put(op.put).value(op.value).lease(op.lease)
                    : client.put(op.put).value(op.value)
                  : client.delete().key(op.delete),
              ),
            )
            .commit();
        },
        true,
      );
      return answer.succeeded;
    },
    lease: async (ttlSeconds) => {
      const lease: Lease = await call('grant a lease', async (client) => {
        const granted = client.lease(ttlSeconds, { autoKeepAlive: true });
        // A lease that is lost makes its keys go; the caller finds that out on its next read.
        granted.on('lost', () => undefined);
        await granted.grant();
        return granted;
      });
      return {
        id: await lease.grant(),
        revoke: () =>
          withDeadline(lease.revoke(), spec.timeoutMs, 'revoke a lease').catch(() => {
            lease.release();
          }),
      };
    },
    watch: async (prefix, revision, onEvent) => {
      const tried: Watcher[] = [];
      // Every listener goes on before the watch connects: a watch whose call timed out is
      // cancelled, and an "error" it emits later never reaches an emitter without a listener
      // (which would end the process).
      await call(`watch ${prefix}*`, (client) => {
        const created = client
          .watch()
          .prefix(prefix)
          .startRevision(String(revision + 1n))
          .watcher();
        tried.push(created);
        created
          .on('put', (kv) =>
            onEvent({
              type: 'put',
              key: kv.key.toString(),
              createRevision: BigInt(kv.create_revision),
              lease: String(kv.lease),
            }),
          )
          .on('delete', (kv) => onEvent({ type: 'delete', key: kv.key.toString() }))
          .on('error', () => onEvent('lost'))
          .on('end', () => onEvent('lost'))
          // The member went away: the watch may miss events while the client reconnects.
          .on('disconnected', () => onEvent('lost'));
        return new Promise<void>((resolve, reject) => {
          created.once('connected', () => resolve());
          created.once('error', reject);
        });
      }).catch(async (error: unknown) => {
        await Promise.all(tried.map((watch) => watch.cancel().catch(() => undefined)));
        throw error;
      });
      // A member that answered late: only the watch that connected last is kept.
      const watcher = tried.at(-1);
      await Promise.all(tried.slice(0, -1).map((watch) => watch.cancel().catch(() => undefined)));
      return {
        cancel: () =>
          withDeadline(
            watcher?.cancel() ?? Promise.resolve(),
            spec.timeoutMs,
            'cancel watch',
          ).catch(() => undefined),
      };
    },
    admin: (what, run) => call(what, run, true),
    close: () => {
      for (const client of clients.values()) client.close();
      return Promise.resolve();
    },
  };
}

/** The first key after every key that starts with `prefix`. */
function prefixEnd(prefix: string): Buffer {
  const bytes = Buffer.from(prefix);
  for (let i = bytes.length - 1; i >= 0; i -= 1) {
    if ((bytes[i] as number) < 0xff) {
      const end = bytes.subarray(0, i + 1);
      end[i] = (end[i] as number) + 1;
      return Buffer.from(end);
    }
  }
  return Buffer.from([0]);
}
