// What xs-upgrade needs of a fleet coordinator, whatever runs it: take a slot for this host,
// release it, and (where the store allows) show and size the groups. One backend per file:
// etcd.ts (a semaphore document per group, compare-and-swap) and fleetLock.ts (Zincati's HTTP
// protocol); openCoordinator.ts picks one. This file imports no backend, so the backends can
// import it without a cycle.
import { ExitCode, XsUpgradeError } from '../errors.js';
import type { Semaphore } from './semaphore.js';

export interface SlotRequest {
  id: string;
  group: string;
  /** Repo name to the commit being applied, shown by `fleet status`. */
  commits?: Record<string, string>;
}

export type TakeAttempt =
  | { taken: true; /** The host held it already (a recovering run). */ already: boolean }
  | { taken: false; /** Who holds the slots, or what the server said. */ reason: string };

export interface Coordinator {
  /** "etcd http://10.0.0.1:2379" or "FleetLock https://airlock.example", for messages. */
  readonly where: string;
  /** One attempt: takes a free slot, or says why none was free. Re-entrant by host id. */
  tryTake(request: SlotRequest): Promise<TakeAttempt>;
  /** Frees the host's slot; false when it held none (releasing is idempotent). */
  release(id: string, group: string): Promise<boolean>;
  /** Resolves when the group may have changed, or after `ms`, or when `signal` aborts. */
  waitForChange(group: string, ms: number, signal: AbortSignal): Promise<void>;
  /**
   * The longest a waiter should wait between two attempts without being woken: short where
   * nothing wakes it (FleetLock polls), long where a watch does (etcd: a safety net only).
   */
  readonly longestWait?: number;
  /** Every group's semaphore (etcd only: the FleetLock protocol has no such call). */
  status?(): Promise<Semaphore[]>;
  setSlots?(group: string, slots: number): Promise<Semaphore>;
  close(): Promise<void>;
}

/**
 * The coordinator did not answer in time, or refused the connection: nothing can be decided, so
 * the run changes nothing and tries later (exit 75). Never a verdict on the commits.
 */
export class CoordinatorUnavailable extends XsUpgradeError {
  readonly temporary = true;
  /** Result `fleet-unavailable`: the fleet's store, not git, could not be reached. */
  readonly fleetUnavailable = true;
  readonly next =
    'nothing was switched; the next run tries again (check the coordinator with `xs-upgrade fleet status`)';
  constructor(
    message: string,
    /** The failed call was a change that may have reached the store before the answer was lost. */
    readonly mayHaveChanged = false,
  ) {
    super(message, ExitCode.temporary);
  }
}

/**
 * The useful part of a client error: "connect ECONNREFUSED 10.0.0.1:2379", not gRPC's prose, and
 * what etcd said without gRPC's status code and etcd's own prefix ("3 INVALID_ARGUMENT:
 * etcdserver: authentication failed..." is "authentication failed...").
 */
export function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const connect = /connect (E[A-Z]+) (\S+?)\.?(?:\s|$)/.exec(message);
  if (connect) return `cannot connect to ${connect[2]} (${connect[1]})`;
  if (/circuit breaker is open/.test(message)) return 'not reachable (recent calls failed)';
  return (message.split('\n')[0] ?? message)
    .replace(/\s*Resolution note:.*$/, '')
    .replace(/^\s*\d+ [A-Z_]+: /, '')
    .replace(/^etcdserver: /, '')
    .trim();
}

/** Bounds a call with our own deadline: the etcd client's connect timeout is not honoured. */
export async function withDeadline<T>(
  call: Promise<T>,
  ms: number,
  what: string,
  changes = false,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new CoordinatorUnavailable(`${what}: no answer within ${ms / 1000} s`, changes)),
      ms,
    );
  });
  try {
    return await Promise.race([call, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** A pause that ends early when `signal` aborts, or when `wakeOn` calls the wake-up it is given. */
export function pause(
  ms: number,
  signal: AbortSignal,
  wakeOn?: (wake: () => void) => void,
): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
    wakeOn?.(done);
  });
}
