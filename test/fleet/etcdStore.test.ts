// The fleet's etcd as xs-upgrade uses it (src/fleet/store/etcdStore.ts), on a real etcd 3.4:
// transactions whose compares hold or not, reads in pages that shrink for large records, watches
// from the revision read, what an unreachable store or a refused login says, TLS.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Etcd3 } from 'etcd3';
import { freePort, startEtcd } from '../../demo/etcdServer.js';
import type { EtcdSpec } from '../../src/config/resolve.js';
import { CoordinatorUnavailable } from '../../src/fleet/coordinator.js';
import { openEtcdStore, type EtcdStore } from '../../src/fleet/store/etcdStore.js';
import { useEtcd } from '../support/etcd.js';
import { rejectionOf } from '../support/rejection.js';

const cluster = useEtcd();
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

describe('the store', () => {
  it('a transaction applies only while its compares hold', async () => {
    const key = `${cluster.newPrefix()}/k`;
    const etcd = await store();
    expect((await etcd.get(key)).kv).toBeUndefined();
    // Absent: mod revision 0.
    expect(
      await etcd.commit([{ key, target: 'Mod', revision: 0n }], [{ put: key, value: 'a' }]),
    ).toBe(true);
    const first = (await etcd.get(key)).kv;
    expect(first?.value).toBe('a');
    expect(
      await etcd.commit([{ key, target: 'Mod', revision: 0n }], [{ put: key, value: 'b' }]),
    ).toBe(false);
    await raw().put(key).value('rival');
    expect(
      await etcd.commit(
        [{ key, target: 'Mod', revision: first?.modRevision ?? 0n }],
        [{ put: key, value: 'c' }],
      ),
    ).toBe(false);
    const now = (await etcd.get(key)).kv;
    expect(now?.value).toBe('rival');
    // A put keeps the key's create revision: its place in a queue.
    expect(now?.createRevision).toBe(first?.createRevision);
    expect(await etcd.commit([], [{ delete: key }])).toBe(true);
    expect((await etcd.get(key)).kv).toBeUndefined();
  });

  it('every key under a prefix, and only those, in pages; records too large for a page are read in smaller ones', async () => {
    const prefix = cluster.newPrefix();
    const etcd = await store();
    const client = raw();
    for (let index = 0; index < 450; index += 1) {
      await client.put(`${prefix}/hosts/h${String(index).padStart(3, '0')}`).value(String(index));
    }
    await client.put(`${prefix}/hostsx`).value('not under it');
    const listing = await etcd.list(`${prefix}/hosts/`);
    expect(listing.kvs).toHaveLength(450);
    expect(listing.kvs.at(-1)?.value).toBe('449');
    // Five values of 1 MiB: 5 MiB in one answer is over gRPC's 4 MiB.
    const big = `${prefix}/big/`;
    for (let index = 0; index < 5; index += 1) {
      await client.put(`${big}${index}`).value('x'.repeat(1024 * 1024));
    }
    const bigListing = await etcd.list(big);
    expect(bigListing.kvs.map((kv) => kv.value.length)).toEqual(Array(5).fill(1024 * 1024));
  }, 60_000);

  it('a watch from the revision read sees what changed after it, and can be cancelled', async () => {
    const prefix = cluster.newPrefix();
    const etcd = await store();
    await raw().put(`${prefix}/a`).value('read');
    const { revision } = await etcd.list(`${prefix}/`);
    await raw().put(`${prefix}/b`).value('after');
    const events: string[] = [];
    const watch = await etcd.watch(`${prefix}/`, revision, (event) => {
      if (event !== 'lost') events.push(`${event.type} ${event.key.slice(prefix.length)}`);
    });
    await raw().delete().key(`${prefix}/a`);
    for (let wait = 0; wait < 100 && events.length < 2; wait += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await watch.cancel();
    expect(events).toEqual(['put /b', 'delete /a']);
  });
});

describe('a store that cannot be used', () => {
  it('nobody listening: one line naming every endpoint and what each said, nothing changed', async () => {
    const endpoints = [
      `http://127.0.0.1:${await freePort()}`,
      `http://127.0.0.1:${await freePort()}`,
    ];
    const etcd = await store({ endpoints, timeoutMs: 3000 });
    expect(etcd.where).toBe(`etcd ${endpoints.join(',')}`);
    const read = await rejectionOf(etcd.get('/k'), CoordinatorUnavailable);
    expect(read.message).toMatch(
      new RegExp(
        `^etcd ${endpoints.join(',')}: read /k failed on all 2 members: cannot connect to 127\\.0\\.0\\.1:\\d+ \\(ECONNREFUSED\\)`,
      ),
    );
    expect(read.message).not.toContain('\n');
    expect(read.mayHaveChanged).toBe(false);
    const update = await rejectionOf(
      etcd.commit([], [{ put: '/k', value: 'a' }]),
      CoordinatorUnavailable,
    );
    expect(update.mayHaveChanged).toBe(false);
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
      await right.commit([], [{ put: '/k', value: 'in' }]);
      expect((await right.get('/k')).kv?.value).toBe('in');
      for (const env of [{ XS_ETCD_PASSWORD: 'wrong' }, {}]) {
        const wrong = await store(spec, env);
        const error = await rejectionOf(wrong.get('/k'), CoordinatorUnavailable);
        expect(error.message).toBe(
          `etcd ${guarded.endpoint}: read /k failed: authentication failed, invalid user ID or password`,
        );
      }
      // A user named for an etcd without logins is refused too, not ignored.
      const unguarded = await store({ username: 'root', passwordEnv: 'XS_ETCD_PASSWORD' }, {});
      const error = await rejectionOf(unguarded.get('/k'), CoordinatorUnavailable);
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
      const etcd = await store({ tls: { ca: join(dir, 'ca.pem') }, timeoutMs: 20_000 });
      const error = await rejectionOf(etcd.get('/k'), CoordinatorUnavailable);
      expect(error.message).toMatch(
        /^etcd \S+: read \/k(?: failed: .*TLS|: no answer within 20 s| failed: )/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
