// One real etcd for a test file (started before its tests, removed after), and a fresh key
// prefix per test, so tests share the server but never a document.
import { afterAll, beforeAll } from 'vitest';
import { startEtcd, type EtcdServer } from '../../demo/etcdServer.js';

export function useEtcd() {
  let server: EtcdServer | undefined;
  let prefixes = 0;
  beforeAll(async () => {
    server = await startEtcd();
  });
  afterAll(async () => {
    await server?.dispose();
  });
  return {
    /** The running server (after beforeAll). */
    get etcd(): EtcdServer {
      if (!server) throw new Error('etcd is not started yet');
      return server;
    },
    newPrefix: () => `/xs-upgrade-test-${process.pid}-${(prefixes += 1)}`,
  };
}
