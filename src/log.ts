// The run's log: one line per state entered (time, and how long the previous state took), step
// output prefixed by the step's name. Under systemd (JOURNAL_STREAM set) lines carry `<N>` syslog
// priorities instead of timestamps and colour; colour only on a TTY and never with NO_COLOR.
import { formatDuration } from './config/duration.js';
import { sanitizeLine, withoutControls } from './sanitize.js';

export interface Log {
  /** A state was entered; `previous` says which one it left and how long that took. */
  state(name: string, previous?: { name: string; ms: number }): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /**
   * A line of the closing report, as it is (no "warning:"/"error:" word) at the given priority:
   * every line that explains a failure carries the failure's priority in the journal.
   */
  report(level: LogLevel, message: string): void;
  /** Complete lines a step's command printed, joined by "\n" (written in batches). */
  /** `clean`: known to hold no control character (outputLines.ts), so none is looked for. */
  output(step: string, block: string, clean?: boolean): void;
  /** Writes out the batched output lines now. */
  flush(): void;
  /**
   * While the reader of the log (the journal, a pipe) has not caught up: a promise that resolves
   * when it has. A step's output is paused until then, so memory stays flat however much it prints.
   */
  backlog?(): Promise<void> | undefined;
}

export interface LogOptions {
  /** Returns false when the reader is behind (as a stream's write does). */
  write: (text: string) => unknown;
  /** Resolves when a reader that was behind has caught up (a stream's 'drain'). */
  drained?: () => Promise<void>;
  env: NodeJS.ProcessEnv;
  isTTY: boolean;
  now?: () => Date;
}

/** The part of a writable stream the log needs to wait for a reader that is behind. */
export interface DrainableStream {
  once(event: 'drain' | 'close' | 'error', listener: () => void): unknown;
  removeListener(event: 'drain' | 'close' | 'error', listener: () => void): unknown;
  destroyed?: boolean;
  writableEnded?: boolean;
}

export function isDrainable(stream: object): stream is DrainableStream {
  return 'once' in stream && 'removeListener' in stream;
}

const drainEvents = ['drain', 'close', 'error'] as const;

/**
 * Waits for a reader that is behind. A reader that went away (a closed pipe) never drains: its
 * close or error ends the wait too, and a stream already finished is not waited for at all, so
 * output is never held back for nobody. The listeners of one wait go when it ends: a long build
 * waits thousands of times.
 */
export function drainedOf(stream: DrainableStream): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      if (stream.destroyed === true || stream.writableEnded === true) return resolve();
      const done = () => {
        for (const event of drainEvents) stream.removeListener(event, done);
        resolve();
      };
      for (const event of drainEvents) stream.once(event, done);
    });
}

// syslog priorities, as sd-daemon(3) reads them from the start of a line.
const priority = { error: 3, warn: 4, info: 6 } as const;
export type LogLevel = keyof typeof priority;
const colours = { state: 36, warn: 33, error: 31, dim: 2 } as const;

export function createLog({
  write: writeOut,
  drained,
  env,
  isTTY,
  now = () => new Date(),
}: LogOptions): Log {
  let behind: Promise<void> | undefined;
  const write = (text: string) => {
    if (writeOut(text) === false && drained && !behind) {
      behind = drained().then(() => {
        behind = undefined;
      });
    }
  };
  const journal = Boolean(env.JOURNAL_STREAM);
  const colour = isTTY && !journal && env.NO_COLOR === undefined;
  const paint = (code: number, text: string) => (colour ? `\u001b[${code}m${text}\u001b[0m` : text);
  // A build can print millions of lines: its output is written in batches, and the timestamp is
  // formatted once per millisecond, not once per line. Any other line flushes the batch first,
  // so the order on screen is the order things happened.
  let batch = '';
  let flushTimer: NodeJS.Immediate | undefined;
  const flush = () => {
    if (flushTimer) clearImmediate(flushTimer);
    flushTimer = undefined;
    if (batch === '') return;
    const text = batch;
    batch = '';
    write(text);
  };
  let stampMs = Number.NaN;
  let stampText = '';
  const stamp = () => {
    const at = now();
    if (at.getTime() !== stampMs) {
      stampMs = at.getTime();
      stampText = paint(colours.dim, at.toISOString().slice(11, 23));
    }
    return stampText;
  };
  const format = (level: keyof typeof priority, text: string) =>
    journal ? `<${priority[level]}>${text}\n` : `${stamp()} ${text}\n`;
  const line = (level: keyof typeof priority, text: string) => {
    flush();
    write(format(level, text));
  };
  return {
    state(name, previous) {
      const after = previous ? ` (${previous.name} took ${formatDuration(previous.ms)})` : '';
      line('info', `${paint(colours.state, `state ${name}`)}${after}`);
    },
    // Messages carry text from elsewhere (errors, the fleet store): one line each, no controls,
    // made safe before the log's own colour codes are added.
    info: (message) => line('info', sanitizeLine(message)),
    warn: (message) => line('warn', paint(colours.warn, `warning: ${sanitizeLine(message)}`)),
    error: (message) => line('error', paint(colours.error, `error: ${sanitizeLine(message)}`)),
    report: (level, message) => {
      const text = sanitizeLine(message);
      line(level, level === 'info' ? text : paint(colours[level], text));
    },
    output: (step, block, clean = false) => {
      // One prefix per line, built once per block. The journal stamps each line itself, so
      // there only the priority and the step name go in front.
      const prefix = journal ? `<${priority.info}>[${step}] ` : `${stamp()} [${step}] `;
      const text = clean ? block : withoutControls(block);
      batch += `${prefix}${text.replaceAll('\n', `\n${prefix}`)}\n`;
      if (batch.length >= 64 * 1024) flush();
      else flushTimer ??= setImmediate(flush);
    },
    flush,
    backlog: () => behind,
  };
}
