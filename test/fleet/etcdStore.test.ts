// The documents the slots and the rollout keep in etcd (src/fleet/etcdStore.ts), on a real etcd
// 3.4: compare-and-swap against a rival writer, giving up under endless contention, watching from
// the revision read, what an unreachable store or a refused login says, and the login itself.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Etcd3 } from 'etcd3';
import { freePort, startEtcd } from '../../demo/etcdServer.js';
import type { EtcdSpec } from '../../src/config/resolve.js';
import { CoordinatorUnavailable } from '../../src/fleet/coordinator.js';
import { openEtcdStore, type DocumentKind, type EtcdStore } from '../../src/fleet/etcdStore.js';
import { useEtcd } from '../support/etcd.js';
import { rejectionOf } from '../support/rejection.js';

const cluster = useEtcd();
/** A list of words, stored one per line; a missing key holds none. */
const words: DocumentKind<string[]> = {
  parse: (text) => text.split('\n'),
  empty: () => [],
  serialize: (value) => value.join('\n'),
};

const opened: (EtcdStore | Etcd3)[] = [];
afterEach(async () => {
  for (const client of opened.splice(0)) await client.close();
});
async function store(overrides: Partial<EtcdSpec> = {}, env: NodeJS.ProcessEnv = {}) {
  const spec = { endpoints: [cluster.etcd.endpoint], prefix: '/', timeoutMs: 5000, ...overrides };
  const opening = await openEtcdStore(spec, env);
  opened.push(opening);
  return opening;
}
function raw(endpoint = cluster.etcd.endpoint) {
  const client = new Etcd3({ hosts: endpoint });
  opened.push(client);
  return client;
}
const ms = (since: number) => Date.now() - since;

/**
 * Another host writing `key` now, and done before this returns: a worker thread puts through
 * etcd's JSON gateway while this thread blocks, so that the put can happen inside a (synchronous)
 * change, between the store's read and its swap.
 */
const putDone = new Int32Array(new SharedArrayBuffer(4));
const rival = new Worker(
  `const { parentPort, workerData } = require('node:worker_threads');
  const done = new Int32Array(workerData);
  parentPort.on('message', async ({ url, body }) => {
    const ok = await fetch(url, { method: 'POST', body }).then((r) => r.ok, () => false);
    Atomics.store(done, 0, ok ? 1 : 2);
    Atomics.notify(done, 0);
  });`,
  { eval: true, workerData: putDone.buffer },
);
rival.unref();
afterAll(() => rival.terminate());
function rivalPut(key: string, value: string): void {
  const base64 = (text: string) => Buffer.from(text).toString('base64');
  Atomics.store(putDone, 0, 0);
  rival.postMessage({
    url: `${cluster.etcd.endpoint}/v3/kv/put`,
    body: JSON.stringify({ key: base64(key), value: base64(value) }),
  });
  Atomics.wait(putDone, 0, 0, 10_000);
  if (Atomics.load(putDone, 0) !== 1) throw new Error(`the rival could not put ${key}`);
}

describe('documents changed only by compare-and-swap', () => {
  it('a key not there yet is empty at mod revision 0; an update creates it, the next changes it', async () => {
    const key = `${cluster.newPrefix()}/words`;
    const documents = await store();
    const missing = await documents.read(key, words);
    expect(missing.value).toEqual([]);
    expect(missing.modRevision).toBe('0');
    expect(Number(missing.revision)).toBeGreaterThan(0);
    expect(
      await documents.update(key, words, (value) => ({ next: [...value, 'a'], result: 1 })),
    ).toBe(1);
    expect(
      await documents.update(key, words, (value) => ({ next: [...value, 'b'], result: 2 })),
    ).toBe(2);
    const stored = await documents.read(key, words);
    expect(stored.value).toEqual(['a', 'b']);
    expect(stored.modRevision).toBe(stored.revision);
    // No next: nothing is written, the result is still returned.
    expect(await documents.update(key, words, () => ({ result: 'kept' }))).toBe('kept');
    expect((await documents.read(key, words)).modRevision).toBe(stored.modRevision);
  });

  it('a rival write between the read and the swap: the change is made again on what the rival wrote', async () => {
    const key = `${cluster.newPrefix()}/words`;
    const documents = await store();
    rivalPut(key, 'a');
    const seen: string[][] = [];
    const result = await documents.update(key, words, (value) => {
      seen.push(value);
      if (seen.length === 1) rivalPut(key, 'a\nrival');
      return { next: [...value, 'mine'], result: seen.length };
    });
    expect(seen).toEqual([['a'], ['a', 'rival']]);
    expect(result).toBe(2);
    expect((await documents.read(key, words)).value).toEqual(['a', 'rival', 'mine']);
  });

  it('a key created by a rival after it was found missing is not overwritten', async () => {
    const key = `${cluster.newPrefix()}/words`;
    const documents = await store();
    const seen: string[][] = [];
    await documents.update(key, words, (value) => {
      seen.push(value);
      if (seen.length === 1) rivalPut(key, 'rival');
      return { next: [...value, 'mine'], result: undefined };
    });
    expect(seen).toEqual([[], ['rival']]);
    expect((await documents.read(key, words)).value).toEqual(['rival', 'mine']);
  });

  it('gives up after 50 lost races in a row, saying so, having written nothing of its own', async () => {
    const key = `${cluster.newPrefix()}/words`;
    const documents = await store();
    let tries = 0;
    const error = await rejectionOf(
      documents.update(key, words, (value) => {
        tries += 1;
        rivalPut(key, `rival ${tries}`);
        return { next: [...value, 'mine'], result: undefined };
      }),
      CoordinatorUnavailable,
    );
    expect(tries).toBe(50);
    expect(error.message).toBe(
      `etcd ${cluster.etcd.endpoint}: ${key} changed 50 times while being updated; try again`,
    );
    expect(error.mayHaveChanged).toBe(false);
    expect((await documents.read(key, words)).value).toEqual(['rival 50']);
  });

  it('every key under a prefix, and only those', async () => {
    const prefix = cluster.newPrefix();
    const documents = await store();
    rivalPut(`${prefix}/hosts/a`, 'A');
    rivalPut(`${prefix}/hosts/b`, 'B');
    rivalPut(`${prefix}/hostsx`, 'not under it');
    expect(await documents.readPrefix(`${prefix}/hosts/`)).toEqual({
      [`${prefix}/hosts/a`]: 'A',
      [`${prefix}/hosts/b`]: 'B',
    });
  });
});

describe('waiting for a change', () => {
  it('wakes on a put or a delete after the revision read, not on the change read', async () => {
    const key = `${cluster.newPrefix()}/words`;
    const documents = await store();
    rivalPut(key, 'read');
    const { revision } = await documents.read(key, words);
    // Nothing changed since the read: the wait lasts its whole time.
    const quiet = Date.now();
    await documents.waitForChange(key, revision, 700, new AbortController().signal);
    expect(ms(quiet)).toBeGreaterThanOrEqual(650);
    // A change after the read, even before the wait began, ends it at once.
    rivalPut(key, 'changed');
    const woken = Date.now();
    await documents.waitForChange(key, revision, 30_000, new AbortController().signal);
    expect(ms(woken)).toBeLessThan(15_000);
    const { revision: latest } = await documents.read(key, words);
    const deleted = Date.now();
    const waiting = documents.waitForChange(key, latest, 30_000, new AbortController().signal);
    await raw().delete().key(key);
    await waiting;
    expect(ms(deleted)).toBeLessThan(15_000);
  });

  it('ends when the run is stopped', async () => {
    const key = `${cluster.newPrefix()}/words`;
    const documents = await store();
    const { revision } = await documents.read(key, words);
    const controller = new AbortController();
    const started = Date.now();
    const waiting = documents.waitForChange(key, revision, 30_000, controller.signal);
    setTimeout(() => controller.abort(), 100);
    await waiting;
    expect(ms(started)).toBeLessThan(15_000);
  });
});

describe('a store that cannot be used', () => {
  it('nobody listening: named by every endpoint, and nothing changed, whatever the call', async () => {
    const endpoints = [
      `http://127.0.0.1:${await freePort()}`,
      `http://127.0.0.1:${await freePort()}`,
    ];
    const documents = await store({ endpoints, timeoutMs: 3000 });
    expect(documents.where).toBe(`etcd ${endpoints.join(',')}`);
    const read = await rejectionOf(documents.read('/k', words), CoordinatorUnavailable);
    expect(read.message).toMatch(
      new RegExp(
        `^etcd ${endpoints.join(',')}: read /k failed: cannot connect to 127\\.0\\.0\\.1:\\d+ \\(ECONNREFUSED\\)$`,
      ),
    );
    expect(read.mayHaveChanged).toBe(false);
    const update = await rejectionOf(
      documents.update('/k', words, () => ({ next: ['a'], result: undefined })),
      CoordinatorUnavailable,
    );
    expect(update.mayHaveChanged).toBe(false);
    const watch = await rejectionOf(
      documents.waitForChange('/k', '1', 30_000, new AbortController().signal),
      CoordinatorUnavailable,
    );
    expect(watch.message).toBe(`etcd ${endpoints.join(',')}: watch /k: no answer within 3 s`);
  });

  it('logs in with the password from the variable named, and says plainly when etcd refuses it', async () => {
    const guarded = await startEtcd();
    try {
      const admin = raw(guarded.endpoint);
      await admin.role('root').create();
      await (await admin.user('root').create('s3cret')).addRole('root');
      await admin.auth.authEnable();
      const spec = {
        endpoints: [guarded.endpoint],
        username: 'root',
        passwordEnv: 'XS_ETCD_PASSWORD',
      };
      const right = await store(spec, { XS_ETCD_PASSWORD: 's3cret' });
      await right.update('/k', words, () => ({ next: ['in'], result: undefined }));
      expect((await right.read('/k', words)).value).toEqual(['in']);
      for (const env of [{ XS_ETCD_PASSWORD: 'wrong' }, {}]) {
        const wrong = await store(spec, env);
        const error = await rejectionOf(wrong.read('/k', words), CoordinatorUnavailable);
        expect(error.message).toBe(
          `etcd ${guarded.endpoint}: read /k failed: authentication failed, invalid user ID or password`,
        );
      }
      // A user named for an etcd without logins is refused too, not ignored.
      const unguarded = await store({ username: 'root', passwordEnv: 'XS_ETCD_PASSWORD' }, {});
      const error = await rejectionOf(unguarded.read('/k', words), CoordinatorUnavailable);
      expect(error.message).toBe(
        `etcd ${cluster.etcd.endpoint}: read /k failed: authentication is not enabled`,
      );
    } finally {
      for (const client of opened.splice(0)) await client.close();
      await guarded.dispose();
    }
  }, 60_000);

  it("a CA file that is not the server's: TLS is used, and fails", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'xs-etcd-tls-'));
    try {
      await writeFile(join(dir, 'ca.pem'), 'not a certificate');
      // The TLS failure comes at once; the deadline is long so that it still comes first on a
      // loaded machine (with 3 s it did not, and the old pattern's "/k :" never matched the
      // deadline's message "/k: no answer").
      const documents = await store({ tls: { ca: join(dir, 'ca.pem') }, timeoutMs: 20_000 });
      const error = await rejectionOf(documents.read('/k', words), CoordinatorUnavailable);
      expect(error.message).toMatch(
        /^etcd \S+: read \/k(?: failed: .*TLS|: no answer within 20 s)/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
