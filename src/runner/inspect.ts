// --inspect and --inspect-log: the run's inspection events, in @statelyai/inspect's format, to the
// Stately inspector over a WebSocket and/or to a JSON-lines file. @statelyai/inspect's own
// WebSocket adapter retries every 5 s forever with a timer `stop()` cannot cancel, which would keep
// an unattended run alive; this sink queues while connecting, retries a few times on timers that
// never hold the process, and on close flushes for at most a second.
import { createInspector, type StatelyInspectionEvent } from '@statelyai/inspect';
import type { WriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { outputFileProblem, overwriteNoFollow } from '../actors/stateFile.js';
import safeStableStringify from 'safe-stable-stringify';
import type { InspectionEvent, Observer } from 'xstate';
import { WebSocket } from 'ws';
import { UsageError } from '../errors.js';
import { startInspectRelay } from './inspectRelay.js';
import type { Log } from '../log.js';

const stringify = safeStableStringify.configure({ maximumDepth: 10 });
const maxQueuedEvents = 1000;
const connectAttempts = 3;
const retryDelayMs = 500;
const closeDeadlineMs = 1000;

/** What createInspector needs of an adapter, plus a close that waits for the last events. */
interface Sink {
  start?(): void;
  send(event: StatelyInspectionEvent): void;
  close(): Promise<void>;
}

/** Sends events to a WebSocket (the Stately inspector or its relay); never holds up the run. */
class InspectorSocket implements Sink {
  private socket: WebSocket | undefined;
  private queue: string[] = [];
  private attempts = 0;
  private closing = false;
  private gaveUp = false;
  private opened = false;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly url: string,
    private readonly log: Log,
    private readonly redact: (text: string) => string,
  ) {}

  start(): void {
    this.connect();
  }

  private connect(): void {
    const socket = new WebSocket(this.url, { handshakeTimeout: 2000 });
    this.socket = socket;
    socket.on('open', () => {
      this.attempts = 0;
      this.opened = true;
      for (const message of this.queue.splice(0)) socket.send(message);
    });
    // A failed connection emits 'error' then 'close'; the retry decision lives in 'close'.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (this.closing || this.gaveUp) return;
      this.attempts += 1;
      if (this.attempts >= connectAttempts) this.giveUp();
      else {
        this.retryTimer = setTimeout(() => this.connect(), retryDelayMs * this.attempts);
        this.retryTimer.unref();
      }
    });
  }

  private giveUp(): void {
    if (this.gaveUp) return;
    this.gaveUp = true;
    this.queue = [];
    // The relay's publish path is this process's secret: not for the log.
    const where = this.url.replace(/\/publish\/[0-9a-f]+$/, '');
    this.log.warn(`inspector at ${where} is not reachable; the run goes on without it`);
  }

  send(event: StatelyInspectionEvent): void {
    const message = this.redact(stringify(event) ?? 'null');
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(message);
    else if (!this.gaveUp) {
      this.queue.push(message);
      if (this.queue.length > maxQueuedEvents) this.queue.shift();
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.retryTimer);
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) {
      socket?.terminate();
      if (!this.opened) this.giveUp();
      return;
    }
    const deadline = Date.now() + closeDeadlineMs;
    while (socket.bufferedAmount > 0 && Date.now() < deadline) await delay(10);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(
        () => {
          socket.terminate();
          resolve();
        },
        Math.max(0, deadline - Date.now()),
      );
      socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.close();
    });
  }
}

/** Writes one JSON line per event, for offline replay. */
class InspectionLogFile implements Sink {
  constructor(
    private readonly stream: WriteStream,
    private readonly redact: (text: string) => string,
  ) {}
  send(event: StatelyInspectionEvent): void {
    this.stream.write(`${this.redact(stringify(event) ?? 'null')}\n`);
  }
  close(): Promise<void> {
    return new Promise((resolve) => this.stream.end(resolve));
  }
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface InspectOptions {
  /** A ws:// URL, or true to start the local relay. */
  inspect?: string | boolean;
  /** Where to write JSON lines. */
  inspectLog?: string;
  /** The relay's address (--inspect-host); 127.0.0.1 unless a person widens it. */
  inspectHost?: string;
  log: Log;
  /** Tells the user where to open the relay. */
  print: (line: string) => void;
  /** Applied to every event sent or written: no marked secret leaves the process. */
  redact?: (text: string) => string;
}

export interface Inspection {
  observer: Observer<InspectionEvent>;
  /** The relay's page, when one was started. */
  relayUrl?: string;
  close(): Promise<void>;
}

export async function startInspection(options: InspectOptions): Promise<Inspection | undefined> {
  if (!options.inspect && !options.inspectLog) return undefined;
  const sinks: Sink[] = [];
  const redact = options.redact ?? ((text: string) => text);
  const stops: (() => Promise<void>)[] = [];
  let relayUrl: string | undefined;

  if (options.inspectLog) {
    const stream = await openLog(options.inspectLog);
    sinks.push(new InspectionLogFile(stream, redact));
  }
  if (options.inspect) {
    let url: string;
    if (typeof options.inspect === 'string') {
      url = checkUrl(options.inspect);
    } else {
      const host = options.inspectHost ?? '127.0.0.1';
      // The port the inspector's docs use, when free; else one the system picks.
      const relay = await startInspectRelay({ host, port: 8080 }).catch(() =>
        startInspectRelay({ host, port: 0 }),
      );
      stops.push(() => relay.stop());
      relayUrl = relay.pageUrl;
      url = relay.publishUrl;
      options.print(
        host === '127.0.0.1'
          ? `inspector relay: open ${relayUrl} in a browser on this host (it listens on 127.0.0.1 only)`
          : `inspector relay: open ${relayUrl} in a browser; it listens on ${host}: anyone who can reach it sees this run's events`,
      );
    }
    sinks.push(new InspectorSocket(url, options.log, redact));
  }

  const inspectors = sinks.map((sink) => createInspector(sink));
  // createInspector leaves starting the adapter (connecting) to its caller.
  inspectors.forEach((inspector) => inspector.start());
  return {
    observer: {
      next: (event) => inspectors.forEach((inspector) => inspector.inspect.next?.(event)),
    },
    ...(relayUrl ? { relayUrl } : {}),
    async close() {
      // @statelyai/inspect converts each event on a later turn of the event loop: let them arrive.
      await delay(0);
      await delay(0);
      await Promise.all(sinks.map((sink) => sink.close()));
      await Promise.all(stops.map((stop) => stop()));
    },
  };
}

function checkUrl(text: string): string {
  try {
    const url = new URL(text);
    if (url.protocol === 'ws:' || url.protocol === 'wss:') return text;
  } catch {
    // fall through to the usage error
  }
  throw new UsageError(
    `--inspect ${text}: not a ws:// or wss:// URL (or give --inspect alone for a local relay)`,
  );
}

async function openLog(file: string): Promise<WriteStream> {
  const handle = await open(file, overwriteNoFollow, 0o600).catch((error: unknown) => {
    throw new UsageError(
      `--inspect-log ${file}: cannot write it (${outputFileProblem(error)}): pick another path`,
    );
  });
  return handle.createWriteStream();
}
