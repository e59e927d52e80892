// The run lock, and SIGTERM/SIGINT turned into a stop request, around one run's body.
import type { Log } from '../log.js';
import { acquireLock } from '../state/lock.js';

/** Set once a run's work is reported: a signal then stops nothing (the relay's wait ends). */
const runOver = { value: false };
export const markRunOver = () => {
  runOver.value = true;
};

export async function withRunLock(
  options: { config: { stateDir: string }; log: Log },
  /** The lock could not be taken: say so where it can still be said, then it is rethrown. */
  onLockError: (error: unknown) => Promise<void>,
  body: (stop: AbortSignal) => Promise<number>,
): Promise<number> {
  const { log } = options;
  const lock = await acquireLock(options.config.stateDir, (message) => log.warn(message)).catch(
    async (error: unknown) => {
      await onLockError(error);
      throw error;
    },
  );
  const stop = new AbortController();
  let signals = 0;
  runOver.value = false;
  const onSignal = (signal: NodeJS.Signals) => {
    // After the run (the relay held open on a terminal), Ctrl-C only ends the wait.
    if (runOver.value) return;
    signals += 1;
    if (signals === 1) {
      log.warn(`${signal} received: stopping the running step and rolling back what moved`);
      stop.abort();
    } else {
      log.warn(`${signal} received again: the run is finishing its rollback, please wait`);
    }
  };
  // A closed terminal (an SSH session dropping) is no reason to stop half-way: carry on to the
  // end, as under nohup; the run record says how it ended.
  const onHangup = () =>
    log.warn('SIGHUP received (the terminal went away): carrying on to the end');
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.on('SIGHUP', onHangup);
  try {
    return await body(stop.signal);
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    process.off('SIGHUP', onHangup);
    await lock.release();
  }
}
