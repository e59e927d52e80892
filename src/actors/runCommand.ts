// Runs one configured command as a real child process: streamed line by line into the log (never
// buffered whole), the last lines kept for the failure summary, a timeout, and cancellation.
import { lineSplitter, OutputTail } from './outputLines.js';
import { execa } from 'execa';
import { commandArgv, commandText, type CommandSpec } from '../config/resolve.js';
import { formatDuration } from '../config/duration.js';
import type { Log } from '../log.js';

/** How many of a failed command's last output lines the summary shows. */
export const outputTailLines = 50;
/** Time between SIGTERM and SIGKILL when a command is stopped. */
export const defaultKillGraceMs = 10_000;

export interface CommandDeps {
  log: Log;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  killGraceMs?: number;
  /** Hears of each command's process group, so a killed run's recovery can stop what it left. */
  processes?: { started(pid: number, name: string): void; ended(pid: number): void };
}

/** A command that did not exit 0. Carries the output tail the failure summary shows. */
export class CommandFailedError extends Error {
  constructor(
    message: string,
    readonly outputTail: string[],
    /** The command's name, as the log prefixes its output (e.g. a check's name). */
    readonly command: string,
    readonly details: {
      exitCode?: number;
      signal?: string;
      timedOut: boolean;
      isCanceled: boolean;
    },
  ) {
    super(message);
    this.name = 'CommandFailedError';
  }
}

export async function runCommand(spec: CommandSpec, deps: CommandDeps): Promise<void> {
  const tail = new OutputTail(outputTailLines);
  const sink = {
    lines: (block: string, clean: boolean) => {
      tail.add(block);
      deps.log.output(spec.name, block, clean);
    },
  };
  deps.log.info(`${spec.name}: ${commandText(spec)}`);
  const [file, ...args] = commandArgv(spec);
  const child = execa(file ?? '', args, {
    cwd: spec.cwd,
    env: { ...deps.env, ...spec.env },
    extendEnv: false,
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
    buffer: false,
    reject: false,
    // Its own process group, so stopping it also stops what it started (a shell's children, a
    // build's workers). execa's timeout and cancelSignal would signal the direct child only, and a
    // grandchild holding the output pipe open would keep the step alive.
    detached: true,
    cleanup: true,
  });
  const streamsDone = [child.stdout, child.stderr].map((stream) => {
    const splitter = lineSplitter(sink);
    stream.on('data', (chunk: Buffer) => {
      splitter.write(chunk);
      // The log's reader is behind: stop reading the command until it catches up (the command
      // then blocks on its full pipe, as it would writing to a slow terminal).
      const backlog = deps.log.backlog?.();
      if (backlog) {
        stream.pause();
        void backlog.then(() => stream.resume());
      }
    });
    return new Promise<void>((resolve) => {
      const done = () => {
        splitter.end();
        resolve();
      };
      stream.once('end', done);
      stream.once('close', done);
    }).then(() => undefined);
  });
  if (child.pid !== undefined) deps.processes?.started(child.pid, spec.name);
  const stopper = groupStopper(child.pid, deps.killGraceMs ?? defaultKillGraceMs);
  const timer =
    spec.timeoutMs === undefined
      ? undefined
      : setTimeout(() => stopper.stop('timeout'), spec.timeoutMs);
  const onAbort = () => stopper.stop('canceled');
  if (deps.signal.aborted) onAbort();
  deps.signal.addEventListener('abort', onAbort);
  try {
    const result = await child;
    await Promise.all(streamsDone);
    if (!result.failed && stopper.reason === undefined) return;
    const text = commandText(spec);
    let message: string;
    if (stopper.reason === 'timeout') {
      message = `${spec.name} timed out after ${formatDuration(spec.timeoutMs ?? 0)} and was stopped: ${text}`;
    } else if (stopper.reason === 'canceled') {
      message = `${spec.name} was stopped because the run was interrupted: ${text}`;
    } else if (result.code === 'ENOENT' || result.code === 'EACCES') {
      message = `${spec.name} could not start ${file} (${result.code === 'ENOENT' ? 'not found' : 'permission denied'}): check the command in the config`;
    } else if (result.signal) {
      message = `${spec.name} was killed by ${result.signal}: ${text}`;
    } else {
      message = `${spec.name} failed with exit code ${result.exitCode ?? '?'}: ${text}`;
    }
    throw new CommandFailedError(message, tail.lines(), spec.name, {
      ...(result.exitCode === undefined ? {} : { exitCode: result.exitCode }),
      ...(result.signal === undefined ? {} : { signal: result.signal }),
      timedOut: stopper.reason === 'timeout',
      isCanceled: stopper.reason === 'canceled',
    });
  } finally {
    clearTimeout(timer);
    stopper.dispose();
    if (child.pid !== undefined) deps.processes?.ended(child.pid);
    deps.signal.removeEventListener('abort', onAbort);
  }
}

/** Runs commands one after the other; the first failure stops the rest. */
export async function runCommandsInOrder(specs: CommandSpec[], deps: CommandDeps): Promise<void> {
  for (const spec of specs) await runCommand(spec, deps);
}

/**
 * Runs up to `limit` commands at once; the first failure stops the ones still running (they are
 * cancelled, not reported) and is the error thrown.
 */
export async function runCommandsConcurrently(
  specs: CommandSpec[],
  limit: number,
  deps: CommandDeps,
): Promise<void> {
  if (limit <= 1) return runCommandsInOrder(specs, deps);
  const stopOthers = new AbortController();
  const signal = AbortSignal.any([deps.signal, stopOthers.signal]);
  let next = 0;
  let firstFailure: Error | undefined;
  const worker = async () => {
    while (next < specs.length && firstFailure === undefined && !signal.aborted) {
      const spec = specs[next];
      next += 1;
      if (!spec) break;
      try {
        await runCommand(spec, { ...deps, signal });
      } catch (error) {
        if (firstFailure === undefined && !stopOthers.signal.aborted) {
          firstFailure = error instanceof Error ? error : new Error(String(error));
          stopOthers.abort();
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, specs.length) }, worker));
  if (firstFailure !== undefined) throw firstFailure;
  if (deps.signal.aborted)
    throw new Error('the checks were stopped because the run was interrupted');
}

/** SIGTERM to the whole process group, then SIGKILL after a grace period. */
function groupStopper(pid: number | undefined, graceMs: number) {
  let reason: 'timeout' | 'canceled' | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  const signalGroup = (signal: NodeJS.Signals) => {
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // The group is already gone: nothing left to stop.
    }
  };
  return {
    get reason() {
      return reason;
    },
    stop(why: 'timeout' | 'canceled') {
      if (reason !== undefined) return;
      reason = why;
      signalGroup('SIGTERM');
      killTimer = setTimeout(() => signalGroup('SIGKILL'), graceMs);
    },
    dispose() {
      clearTimeout(killTimer);
      // A group leader that exited may leave children behind; after a stop, make sure they go too.
      if (reason !== undefined) signalGroup('SIGKILL');
    },
  };
}
