// --inspect and --inspect-log in-process: a real WebSocket server on 127.0.0.1 standing in for
// the Stately inspector, a real file, a tiny machine whose events carry a secret.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket, WebSocketServer } from 'ws';
import { freePort } from '../../demo/etcdServer.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createActor, createMachine } from 'xstate';
import { startInspection } from '../../src/runner/inspect.js';
import { memoryLog } from '../support/memoryLog.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xs-upgrade-inspect-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const machine = createMachine({
  id: 'tiny',
  initial: 'waiting',
  states: { waiting: { on: { GO: 'done' } }, done: { type: 'final' } },
});
const redact = (text: string) => text.replaceAll('hunter2', '***');

/** Runs the tiny machine through the inspection: one event carries the secret. */
function runTiny(observer: NonNullable<Parameters<typeof createActor>[1]>['inspect']) {
  const actor = createActor(machine, { inspect: observer });
  actor.start();
  // An event with more than the machine declares, as a run's events carry (a secret among them).
  const go: { type: 'GO'; password?: string } = { type: 'GO', password: 'hunter2' };
  actor.send(go);
}

/** Whether a WebSocket client can connect to the port. */
function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    // As the relay's own page does: its events path, from its own origin.
    const socket = new WebSocket(`ws://127.0.0.1:${port}/events`, {
      origin: `http://127.0.0.1:${port}`,
    });
    socket.once('open', () => {
      socket.close();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A WebSocket server on 127.0.0.1 standing in for the inspector: what it was sent. */
async function inspectorOn(port: number) {
  const server = new WebSocketServer({ host: '127.0.0.1', port });
  await new Promise((resolve) => server.once('listening', resolve));
  const received: string[] = [];
  server.on('connection', (socket) =>
    socket.on('message', (data: Buffer) => {
      received.push(data.toString('utf8'));
    }),
  );
  return { server, received };
}

describe('startInspection', () => {
  it('does nothing unless asked', async () => {
    expect(await startInspection({ log: memoryLog(), print: () => undefined })).toBeUndefined();
  });

  it('writes one JSON line per event to a file only its owner reads, secrets redacted', async () => {
    const file = join(dir, 'events.jsonl');
    const inspection = await startInspection({
      inspectLog: file,
      log: memoryLog(),
      print: () => undefined,
      redact,
    });
    runTiny(inspection?.observer);
    await inspection?.close();
    const text = await readFile(file, 'utf8');
    const events = text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; event?: { type: string } });
    expect(events.map((event) => event.type)).toContain('@xstate.event');
    expect(events.some((event) => event.event?.type === 'GO')).toBe(true);
    expect(text).toContain('***');
    expect(text).not.toContain('hunter2');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('refuses a log it cannot write and a URL that is not ws:// or wss://, one line each', async () => {
    const options = { log: memoryLog(), print: () => undefined };
    const gone = join(dir, 'no-such-folder', 'events.jsonl');
    await expect(startInspection({ ...options, inspectLog: gone })).rejects.toThrow(
      `--inspect-log ${gone}: cannot write it (ENOENT): pick another path`,
    );
    for (const url of ['http://127.0.0.1:1', 'not a url'])
      await expect(startInspection({ ...options, inspect: url })).rejects.toThrow(
        `--inspect ${url}: not a ws:// or wss:// URL (or give --inspect alone for a local relay)`,
      );
  });

  it('sends every event to the inspector, those from before it connected too, redacted', async () => {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => server.once('listening', resolve));
    const received: string[] = [];
    server.on('connection', (socket) =>
      socket.on('message', (data: Buffer) => {
        received.push(data.toString('utf8'));
      }),
    );
    try {
      const { port } = server.address() as { port: number };
      const log = memoryLog();
      const inspection = await startInspection({
        inspect: `ws://127.0.0.1:${port}`,
        log,
        print: () => undefined,
        redact,
      });
      // Sent at once, before the socket can have opened: queued, then flushed.
      runTiny(inspection?.observer);
      await expect.poll(() => received.some((text) => text.includes('"GO"'))).toBe(true);
      await inspection?.close();
      expect(received.join('\n')).toContain('***');
      expect(received.join('\n')).not.toContain('hunter2');
      expect(log.lines).toEqual([]);
    } finally {
      server.close();
    }
  });

  it('an inspector that starts late still gets the run, after a retry', async () => {
    const port = await freePort();
    const log = memoryLog();
    const inspection = await startInspection({
      inspect: `ws://127.0.0.1:${port}`,
      log,
      print: () => undefined,
    });
    runTiny(inspection?.observer);
    // The first try finds nobody; the inspector is up before the second (half a second later).
    await new Promise((resolve) => setTimeout(resolve, 100));
    const { server, received } = await inspectorOn(port);
    try {
      await expect
        .poll(() => received.some((text) => text.includes('"GO"')), { timeout: 10_000 })
        .toBe(true);
      await inspection?.close();
      expect(log.lines).toEqual([]);
    } finally {
      server.close();
    }
  });

  it('keeps only the newest 1000 events while connecting', async () => {
    const { server, received } = await inspectorOn(0);
    try {
      const { port } = server.address() as { port: number };
      const inspection = await startInspection({
        inspect: `ws://127.0.0.1:${port}`,
        log: memoryLog(),
        print: () => undefined,
      });
      const counter = createMachine({ id: 'counter', on: { TICK: {} } });
      const actor = createActor(counter, { inspect: inspection?.observer });
      actor.start();
      for (let tick = 0; tick < 1200; tick += 1) actor.send({ type: 'TICK', tick });
      await expect.poll(() => received.some((text) => text.includes('"tick":1199'))).toBe(true);
      await inspection?.close();
      const ticks = received.map((text) => /"tick":(\d+)/.exec(text)?.[1]);
      expect(received).toHaveLength(1000);
      expect(ticks.at(-1)).toBe('1199');
      expect(received.some((text) => text.includes('"tick":0,'))).toBe(false);
    } finally {
      server.close();
    }
  });

  it('gives up on an inspector nobody runs, says so once, and still closes', async () => {
    const log = memoryLog();
    const url = `ws://127.0.0.1:${await freePort()}`;
    const inspection = await startInspection({ inspect: url, log, print: () => undefined });
    runTiny(inspection?.observer);
    await expect
      .poll(() => log.lines, { timeout: 10_000 })
      .toEqual([`warning: inspector at ${url} is not reachable; the run goes on without it`]);
    await inspection?.close();
    expect(log.lines).toHaveLength(1);
  });

  it('starts a local relay when given no URL, and says where to open it', async () => {
    const printed: string[] = [];
    const inspection = await startInspection({
      inspect: true,
      log: memoryLog(),
      print: (line) => printed.push(line),
    });
    try {
      const port = Number(new URL(inspection?.relayUrl ?? '').port);
      expect(printed).toEqual([
        `inspector relay: open http://127.0.0.1:${port}/ in a browser on this host (it listens on 127.0.0.1 only)`,
      ]);
      // The relay takes WebSocket clients (the inspector's page is one) until the run closes it.
      expect(await connects(port)).toBe(true);
      await inspection?.close();
      expect(await connects(port)).toBe(false);
    } finally {
      await inspection?.close();
    }
  });
});
