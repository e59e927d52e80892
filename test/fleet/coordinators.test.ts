// Both backends against real servers: etcd 3.4 on 127.0.0.1 (compare-and-swap under contention,
// our deadline around a server that never answers) and the FleetLock server of the protocol.
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEtcd, type EtcdServer } from '../../demo/etcdServer.js';
import { startFleetLockServer } from '../../demo/fleetLockServer.js';
import { freePort } from '../../demo/etcdServer.js';
import {
  CoordinatorUnavailable,
  pause,
  reasonOf,
  withDeadline,
} from '../../src/fleet/coordinator.js';
import { openEtcd } from '../../src/fleet/etcd.js';
import { openFleetLock } from '../../src/fleet/fleetLock.js';
import { startHttpServer } from '../support/httpServer.js';
import { rejectionOf } from '../support/rejection.js';
import { waitForSlot } from '../../src/fleet/waitForSlot.js';
import { memoryLog } from '../support/memoryLog.js';

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
      await expect(attempt).rejects.toThrow(
        /read \/silent\/slots\/g\/claims\/a: no answer within 1 s/,
      );
    } finally {
      await coordinator.close();
      sockets.forEach((socket) => socket.destroy());
      silent.close();
    }
  });

  it('an unreadable limit opens no slot; an unreadable claim keeps its place, overwriting nothing', async () => {
    const coordinator = await openEtcd(spec('/corrupt'), {});
    const { Etcd3 } = await import('etcd3');
    const raw = new Etcd3({ hosts: etcd.endpoint });
    try {
      await raw.put('/corrupt/slots/g/limit').value('not json');
      expect(await coordinator.tryTake({ id: 'a', group: 'g' })).toEqual({
        taken: false,
        reason: 'the group has 0 slots (rollout paused with `xs-upgrade fleet set-slots`)',
      });
      expect(await raw.get('/corrupt/slots/g/limit').string()).toBe('not json');
      await raw.put('/corrupt/slots/h/claims/ghost').value('[1]');
      const refused = await coordinator.tryTake({ id: 'a', group: 'h' });
      expect(refused).toEqual({
        taken: false,
        reason: 'its one slot is held: ghost (since (unreadable claim))',
      });
      await coordinator.release('a', 'g');
      await coordinator.release('a', 'h');
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

describe('FleetLock answers that are not the protocol', () => {
  /** A server that answers every request with `status` and `body`. */
  const answering = (status: number, body: string) =>
    startHttpServer((_request, response) => {
      response.statusCode = status;
      response.end(body);
    });
  const request = { id: 'web-1', group: 'web' };

  it('sends the protocol header and the client id and group as JSON, on the URL without its trailing slashes', async () => {
    const server = await answering(200, '');
    try {
      const coordinator = openFleetLock({ url: `${server.url}/fleet//`, timeoutMs: 2000 });
      expect(await coordinator.tryTake(request)).toEqual({ taken: true, already: false });
      const [sent] = server.requests;
      expect(sent?.method).toBe('POST');
      expect(sent?.url).toBe('/fleet/v1/pre-reboot');
      expect(sent?.headers['fleet-lock-protocol']).toBe('true');
      expect(sent?.headers['content-type']).toBe('application/json');
      expect(JSON.parse(sent?.body ?? '')).toEqual({ client_params: request });
    } finally {
      await server.close();
    }
  });

  it('a refusal shows "kind: value" when the body has both as strings, else the status', async () => {
    for (const [status, body, reason] of [
      [409, '{"kind":"failed_lock","value":"held by web-2"}', 'failed_lock: held by web-2'],
      [409, '{"kind":"failed_lock"}', 'HTTP 409'],
      [409, '{"kind":"failed_lock","value":3}', 'HTTP 409'],
      [400, '<html>proxy says no</html>', 'HTTP 400'],
    ] as const) {
      const server = await answering(status, body);
      try {
        const coordinator = openFleetLock({ url: server.url, timeoutMs: 2000 });
        expect(await coordinator.tryTake(request), body).toEqual({ taken: false, reason });
      } finally {
        await server.close();
      }
    }
  });

  it('a server error without a protocol body is the coordinator unavailable, naming only the origin', async () => {
    const server = await answering(500, 'Internal Server Error');
    try {
      const coordinator = openFleetLock({ url: `${server.url}/token-abc/`, timeoutMs: 2000 });
      const error = await rejectionOf(coordinator.tryTake(request), CoordinatorUnavailable);
      expect(error.message).toBe(
        `FleetLock ${server.url}: POST /v1/pre-reboot: the server failed (HTTP 500)`,
      );
      expect(error.mayHaveChanged).toBe(false);
      expect(coordinator.where).toBe(`FleetLock ${server.url}`);
    } finally {
      await server.close();
    }
  });

  it('a server error with a protocol body is an error too, not a full semaphore: asked once', async () => {
    const server = await answering(503, '{"kind":"draining","value":"try later"}');
    try {
      const coordinator = openFleetLock({ url: server.url, timeoutMs: 2000 });
      const error = await rejectionOf(
        waitForSlot({
          coordinator,
          request,
          timeoutMs: 60_000,
          signal: new AbortController().signal,
          log: memoryLog(),
        }),
        CoordinatorUnavailable,
      );
      expect(error.message).toBe(
        `FleetLock ${server.url}: POST /v1/pre-reboot: the server failed (HTTP 503, draining: try later)`,
      );
      expect(server.requests).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('an endless answer is read to 64 KiB and no more; a trickling one ends at our deadline', async () => {
    const endless = await startHttpServer((_request, response) => {
      response.statusCode = 409;
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const more = () => {
        while (!response.destroyed && response.write(chunk));
        if (!response.destroyed) response.once('drain', more);
      };
      more();
    });
    try {
      const coordinator = openFleetLock({ url: endless.url, timeoutMs: 5000 });
      expect(await coordinator.tryTake(request)).toEqual({ taken: false, reason: 'HTTP 409' });
    } finally {
      await endless.close();
    }
    const trickle = await startHttpServer((_request, response) => {
      response.statusCode = 409;
      response.flushHeaders();
      const timer = setInterval(() => response.write('x'), 100);
      response.on('close', () => clearInterval(timer));
    });
    try {
      const coordinator = openFleetLock({ url: trickle.url, timeoutMs: 800 });
      const started = Date.now();
      const error = await rejectionOf(coordinator.tryTake(request), CoordinatorUnavailable);
      expect(error.message).toBe(
        `FleetLock ${trickle.url}: POST /v1/pre-reboot: no answer within 0.8 s`,
      );
      expect(Date.now() - started).toBeLessThan(30_000);
    } finally {
      await trickle.close();
    }
  });

  it('no answer in time may have taken the slot; a refused connection did not', async () => {
    const silent = await startHttpServer(() => undefined);
    try {
      const coordinator = openFleetLock({ url: silent.url, timeoutMs: 300 });
      const error = await rejectionOf(coordinator.tryTake(request), CoordinatorUnavailable);
      expect(error.message).toBe(
        `FleetLock ${silent.url}: POST /v1/pre-reboot: no answer within 0.3 s`,
      );
      expect(error.mayHaveChanged).toBe(true);
    } finally {
      await silent.close();
    }
    const url = `http://127.0.0.1:${await freePort()}`;
    const refused = await rejectionOf(
      openFleetLock({ url, timeoutMs: 2000 }).release('web-1', 'web'),
      CoordinatorUnavailable,
    );
    expect(refused.message).toBe(`FleetLock ${url}: POST /v1/steady-state: ECONNREFUSED`);
    expect(refused.mayHaveChanged).toBe(false);
  });

  it('a URL that is not one is named as such, without echoing it', async () => {
    const coordinator = openFleetLock({ url: 'not a url/secret', timeoutMs: 2000 });
    expect(coordinator.where).toBe('FleetLock (invalid URL)');
    const error = await rejectionOf(coordinator.tryTake(request), CoordinatorUnavailable);
    expect(error.message).toMatch(/^FleetLock \(invalid URL\): POST \/v1\/pre-reboot: /);
    expect(error.message).not.toContain('secret');
  });

  it('waits at most the time asked before the next try (the protocol has no watch)', async () => {
    const coordinator = openFleetLock({ url: 'http://127.0.0.1:1', timeoutMs: 2000 });
    const waited = coordinator.waitForChange('web', 50, new AbortController().signal);
    const later = new Promise((resolve) => setTimeout(() => resolve('later'), 1500));
    expect(await Promise.race([waited.then(() => 'waited'), later])).toBe('waited');
  });
});

describe('what a coordinator failure says', () => {
  it('the useful part of a client error', () => {
    expect(reasonOf(new Error('14 UNAVAILABLE: connect ECONNREFUSED 10.0.0.1:2379.'))).toBe(
      'cannot connect to 10.0.0.1:2379 (ECONNREFUSED)',
    );
    expect(reasonOf(new Error('connect EHOSTUNREACH 10.0.0.2:2379'))).toBe(
      'cannot connect to 10.0.0.2:2379 (EHOSTUNREACH)',
    );
    expect(reasonOf(new Error('connect ETIMEDOUT 10.0.0.3:2379 after 3 tries'))).toBe(
      'cannot connect to 10.0.0.3:2379 (ETIMEDOUT)',
    );
    expect(reasonOf(new Error('the circuit breaker is open for 10.0.0.1'))).toBe(
      'not reachable (recent calls failed)',
    );
    expect(
      reasonOf(new Error('14 UNAVAILABLE: No connection established  Resolution note: dns\nmore')),
    ).toBe('No connection established');
    expect(
      reasonOf(new Error('3 INVALID_ARGUMENT: etcdserver: authentication failed, invalid user')),
    ).toBe('authentication failed, invalid user');
    expect(reasonOf(new Error('etcdserver: 14 UNAVAILABLE: kept'))).toBe('14 UNAVAILABLE: kept');
    expect(reasonOf('  a plain string  ')).toBe('a plain string');
  });

  it('our own deadline: what timed out, and whether the call may have changed the store', async () => {
    const never = new Promise<never>(() => undefined);
    const read = await rejectionOf(
      withDeadline(never, 50, 'get /xs/slots'),
      CoordinatorUnavailable,
    );
    expect(read.message).toBe('get /xs/slots: no answer within 0.05 s');
    expect(read.mayHaveChanged).toBe(false);
    expect(read.next).toBe(
      'nothing was switched; the next run tries again (check the coordinator with `xs-upgrade fleet status`)',
    );
    const write = await rejectionOf(withDeadline(never, 50, 'put', true), CoordinatorUnavailable);
    expect(write.mayHaveChanged).toBe(true);
    expect(await withDeadline(Promise.resolve(7), 50, 'get')).toBe(7);
  });

  it('a pause ends at once on an aborted signal, on abort, or on a wake-up', async () => {
    const forever = 60_000;
    const aborted = AbortSignal.abort();
    await pause(forever, aborted);
    const controller = new AbortController();
    const stopped = pause(forever, controller.signal);
    controller.abort();
    await stopped;
    let wake: () => void = () => undefined;
    const woken = pause(forever, new AbortController().signal, (done) => (wake = done));
    wake();
    await woken;
  });
});
