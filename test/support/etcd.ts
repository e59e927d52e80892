// One real etcd for a test file (started before its tests, removed after), and a fresh key
// prefix per test, so tests share the server but never a document.
import { afterAll, beforeAll } from 'vitest';
import {
  startEtcd,
  startEtcdCluster,
  type EtcdCluster,
  type EtcdServer,
} from '../../demo/etcdServer.js';

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

/** A real 3-member etcd cluster for a test file, and a fresh key prefix per test. */
export function useEtcdCluster(name: string) {
  let cluster: EtcdCluster | undefined;
  let prefixes = 0;
  beforeAll(async () => {
    cluster = await startEtcdCluster();
  }, 60_000);
  afterAll(async () => {
    await cluster?.dispose();
  });
  return {
    /** The running cluster (after beforeAll). */
    get cluster(): EtcdCluster {
      if (!cluster) throw new Error('the etcd cluster is not started yet');
      return cluster;
    },
    /** Its client URLs, as fleetHost takes them. */
    get endpoints(): string[] {
      return this.cluster.endpoints;
    },
    newPrefix: () => `/xs-${name}-${process.pid}-${(prefixes += 1)}`,
  };
}
