// Both backends against real servers: etcd 3.4 on 127.0.0.1 (compare-and-swap under contention,
// our deadline around a server that never answers) and the FleetLock server of the protocol.
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEtcd, type EtcdServer } from '../../demo/etcdServer.js';
import { startFleetLockServer } from '../../demo/fleetLockServer.js';
import { CoordinatorUnavailable } from '../../src/fleet/coordinator.js';
import { openEtcd } from '../../src/fleet/etcd.js';
import { openFleetLock } from '../../src/fleet/fleetLock.js';

let etcd: EtcdServer;
beforeAll(async () => {
  etcd = await startEtcd();
}, 60_000);
afterAll(async () => {
  await etcd.dispose();
});

const spec = (prefix: string, endpoints = [etcd.endpoint], timeoutMs = 5000) => ({
  endpoints,
  prefix,
  timeoutMs,
});

describe('etcd coordinator', () => {
  it('20 hosts taking 3 slots at once: exactly 3 get one (compare-and-swap)', async () => {
    const prefix = '/contention';
    const admin = await openEtcd(spec(prefix), {});
    await admin.setSlots?.('web', 3);
    const clients = await Promise.all(Array.from({ length: 20 }, () => openEtcd(spec(prefix), {})));
    try {
      const attempts = await Promise.all(
        clients.map((client, index) => client.tryTake({ id: `host-${index}`, group: 'web' })),
      );
      expect(attempts.filter((attempt) => attempt.taken)).toHaveLength(3);
      const [group] = (await admin.status?.()) ?? [];
      expect(group?.holders).toHaveLength(3);
      expect(group?.slots).toBe(3);
      const refused = attempts.find((attempt) => !attempt.taken);
      expect(refused && !refused.taken && refused.reason).toMatch(/^all 3 slots are held: host-/);
    } finally {
      await Promise.all([admin, ...clients].map((client) => client.close()));
    }
  }, 60_000);

  it('take is re-entrant and release idempotent; a release wakes a waiter', async () => {
    const coordinator = await openEtcd(spec('/reentrant'), {});
    try {
      expect(await coordinator.tryTake({ id: 'a', group: 'g' })).toEqual({
        taken: true,
        already: false,
      });
      expect(await coordinator.tryTake({ id: 'a', group: 'g' })).toEqual({
        taken: true,
        already: true,
      });
      expect((await coordinator.tryTake({ id: 'b', group: 'g' })).taken).toBe(false);
      const started = Date.now();
      const woken = coordinator.waitForChange('g', 20_000, new AbortController().signal);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await coordinator.release('a', 'g')).toBe(true);
      await woken;
      // Woken by the watch, not by the 20 s pause.
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(await coordinator.release('a', 'g')).toBe(false);
    } finally {
      await coordinator.close();
    }
  });

  it('a member that accepts connections and never answers: our deadline ends the call', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const coordinator = await openEtcd(spec('/silent', [`http://127.0.0.1:${port}`], 1000), {});
    try {
      const attempt = coordinator.tryTake({ id: 'a', group: 'g' });
      await expect(attempt).rejects.toThrow(CoordinatorUnavailable);
      await expect(attempt).rejects.toThrow(/read \/silent\/slots\/g: no answer within 1 s/);
    } finally {
      await coordinator.close();
      sockets.forEach((socket) => socket.destroy());
      silent.close();
    }
  });

  it('a key that is not a semaphore is named, not overwritten', async () => {
    const coordinator = await openEtcd(spec('/corrupt'), {});
    const { Etcd3 } = await import('etcd3');
    const raw = new Etcd3({ hosts: etcd.endpoint });
    try {
      await raw.put('/corrupt/slots/g').value('not json');
      await expect(coordinator.tryTake({ id: 'a', group: 'g' })).rejects.toThrow(
        '/corrupt/slots/g is not JSON: fix or delete that key, then run again',
      );
      expect(await raw.get('/corrupt/slots/g').string()).toBe('not json');
    } finally {
      raw.close();
      await coordinator.close();
    }
  });
});

describe('FleetLock coordinator', () => {
  it('speaks the protocol: take, recursive take, full, release', async () => {
    const server = await startFleetLockServer(1);
    const coordinator = openFleetLock({ url: `${server.url}/`, timeoutMs: 2000 });
    try {
      expect(await coordinator.tryTake({ id: 'a', group: 'workers' })).toEqual({
        taken: true,
        already: false,
      });
      expect((await coordinator.tryTake({ id: 'a', group: 'workers' })).taken).toBe(true);
      expect(await coordinator.tryTake({ id: 'b', group: 'workers' })).toEqual({
        taken: false,
        reason:
          'failed_lock_semaphore_full: semaphore currently full, all slots are locked already',
      });
      expect(await coordinator.release('a', 'workers')).toBe(true);
      expect((await coordinator.tryTake({ id: 'b', group: 'workers' })).taken).toBe(true);
      expect(server.requests.map((request) => request.path)).toEqual([
        '/v1/pre-reboot',
        '/v1/pre-reboot',
        '/v1/pre-reboot',
        '/v1/steady-state',
        '/v1/pre-reboot',
      ]);
    } finally {
      await server.close();
    }
  });

  it('shows what a server answers that is not a slot', async () => {
    const server = await startFleetLockServer(1);
    try {
      const wrongPath = openFleetLock({ url: `${server.url}/base`, timeoutMs: 2000 });
      expect(await wrongPath.tryTake({ id: 'a', group: 'workers' })).toEqual({
        taken: false,
        reason: 'not_found: no such endpoint: POST /base/v1/pre-reboot',
      });
      const coordinator = openFleetLock({ url: server.url, timeoutMs: 2000 });
      await expect(coordinator.release('', 'workers')).rejects.toThrow(
        /POST \/v1\/steady-state refused: invalid_client_params: /,
      );
    } finally {
      await server.close();
    }
  });
});
