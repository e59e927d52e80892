// Issue 27, item 3, as the reviewer did it: the `--inspect` relay, reached from another address
// (127.0.0.2 stands for one: loopback, but not the address the relay listens on), from a page of
// another origin, and by a client that sends what it likes. Real sockets, the relay as a run
// starts it, a run's events through a real inspection.
import { get } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createActor, createMachine } from 'xstate';
import { startInspection, type Inspection } from '../../src/runner/inspect.js';
import { memoryLog } from '../support/memoryLog.js';

let inspection: Inspection | undefined;
afterEach(async () => {
  await inspection?.close();
  inspection = undefined;
});

async function relay() {
  const started = await startInspection({
    inspect: true,
    log: memoryLog(),
    print: () => undefined,
  });
  if (!started?.relayUrl) throw new Error('no relay started');
  inspection = started;
  return { inspection: started, port: Number(new URL(started.relayUrl).port) };
}

/** The run's events: a tiny machine through the inspection. */
function runEvents(observer: Inspection['observer']) {
  const machine = createMachine({
    id: 'tiny',
    initial: 'waiting',
    states: { waiting: { on: { GO: 'done' } }, done: { type: 'final' } },
  });
  const actor = createActor(machine, { inspect: observer });
  actor.start();
  actor.send({ type: 'GO' });
}

/** A WebSocket client: whether it got in, what it was sent, and a way to send. */
function client(url: string, origin?: string, maxPayload?: number) {
  const socket = new WebSocket(url, {
    ...(origin ? { origin } : {}),
    ...(maxPayload ? { maxPayload } : {}),
  });
  const received: string[] = [];
  socket.on('message', (data: Buffer) => received.push(data.toString('utf8')));
  const opened = new Promise<boolean>((resolve) => {
    socket.once('open', () => resolve(true));
    socket.once('error', () => resolve(false));
  });
  return { socket, received, opened };
}

describe('the --inspect relay', () => {
  it('listens on 127.0.0.1 only: from another address nothing answers', async () => {
    const { port } = await relay();
    const fromElsewhere = await new Promise<string>((resolve) => {
      get(`http://127.0.0.2:${port}/`, () => resolve('answered')).once(
        'error',
        (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'),
      );
    });
    expect(fromElsewhere).toBe('ECONNREFUSED');
    expect(await client(`ws://127.0.0.2:${port}/events`, `http://127.0.0.2:${port}`).opened).toBe(
      false,
    );
  });

  it("refuses a viewer from another origin, and one with no origin on the viewers' path", async () => {
    const { port } = await relay();
    expect(await client(`ws://127.0.0.1:${port}/events`, 'https://evil.example').opened).toBe(
      false,
    );
    expect(await client(`ws://127.0.0.1:${port}/events`).opened).toBe(false);
    // Nor can anyone publish without the run's secret path.
    expect(await client(`ws://127.0.0.1:${port}/`).opened).toBe(false);
    expect(await client(`ws://127.0.0.1:${port}/publish/guess`).opened).toBe(false);
  });

  it("shows the run's events to its page, and never stores or passes on what a viewer sends", async () => {
    const { inspection: running, port } = await relay();
    const origin = `http://127.0.0.1:${port}`;
    const first = client(`ws://127.0.0.1:${port}/events`, origin);
    const second = client(`ws://127.0.0.1:${port}/events`, origin);
    expect([await first.opened, await second.opened]).toEqual([true, true]);
    runEvents(running.observer);
    await expect.poll(() => first.received.length, { timeout: 5000 }).toBeGreaterThan(2);
    const forged = JSON.stringify({ type: '@xstate.event', event: { type: 'FORGED' } });
    first.socket.send(forged);
    // One more of the run's events after the forgery: the forgery would have come before it.
    runEvents(running.observer);
    await expect.poll(() => second.received.length, { timeout: 5000 }).toBeGreaterThan(4);
    expect(second.received.join('\n')).not.toContain('FORGED');
    const later = client(`ws://127.0.0.1:${port}/events`, origin);
    expect(await later.opened).toBe(true);
    await expect.poll(() => later.received.length, { timeout: 5000 }).toBe(second.received.length);
    expect(later.received.join('\n')).not.toContain('FORGED');
    for (const viewer of [first, second, later]) viewer.socket.close();
  });

  it('closes on a viewer that sends a large message, before it is read whole', async () => {
    const { port } = await relay();
    const viewer = client(`ws://127.0.0.1:${port}/events`, `http://127.0.0.1:${port}`);
    expect(await viewer.opened).toBe(true);
    const closed = new Promise<number>((resolve) =>
      viewer.socket.once('close', (code) => resolve(code)),
    );
    viewer.socket.send(Buffer.alloc(2 * 1024 * 1024, 'x'));
    // 1009: message too big.
    expect(await closed).toBe(1009);
  });

  it('serves its page only at /', async () => {
    const { port } = await relay();
    const status = (path: string) =>
      new Promise<number>((resolve) => {
        get(`http://127.0.0.1:${port}${path}`, (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        });
      });
    expect([await status('/'), await status('/anything')]).toEqual([200, 404]);
  });
});
