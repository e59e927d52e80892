// Waits for a slot: asks the coordinator, and while the group is full waits for a change (an
// etcd watch, or a pause for FleetLock) until `slotTimeout`. Not getting one is never a verdict on
// the commits: the run puts its repos back and a later run tries again.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Log } from '../log.js';
import type { Coordinator, SlotRequest, TakeAttempt } from './coordinator.js';

/** No slot came free in time: temporary, nothing was switched. */
export class NoSlotInTime extends Error {
  readonly temporary = true;
  readonly next =
    'nothing was switched; the next run tries again. If a host holds its slot after a failure, look at it, then `xs-upgrade fleet release --id ID`';
  constructor(message: string) {
    super(message);
    this.name = 'NoSlotInTime';
  }
}

export interface SlotWait {
  coordinator: Coordinator;
  request: SlotRequest;
  timeoutMs: number;
  signal: AbortSignal;
  log: Log;
}

/** Longest single wait between two attempts: a missed wake-up costs at most this. */
const longestWait = 5000;

export async function waitForSlot({
  coordinator,
  request,
  timeoutMs,
  signal,
  log,
}: SlotWait): Promise<TakeAttempt & { taken: true }> {
  const started = Date.now();
  let announced = false;
  for (let attempt = 0; ; attempt += 1) {
    if (signal.aborted) throw new Error('stopped while waiting for a fleet slot');
    const outcome = await coordinator.tryTake(request);
    if (outcome.taken) {
      // How long it waited, only when it did: a slow first answer is not a wait.
      const waited = Math.round((Date.now() - started) / 1000);
      log.info(
        outcome.already
          ? `fleet slot in group "${request.group}" already held by this host (${request.id}): going on`
          : `fleet slot taken in group "${request.group}"${attempt > 0 ? ` after ${waited} s` : ''}`,
      );
      return outcome;
    }
    const left = started + timeoutMs - Date.now();
    if (left <= 0) {
      throw new NoSlotInTime(
        `no fleet slot in group "${request.group}" within ${formatWait(timeoutMs)} (${coordinator.where}): ${outcome.reason}`,
      );
    }
    if (!announced) {
      log.info(`waiting for a fleet slot in group "${request.group}": ${outcome.reason}`);
      announced = true;
    }
    // A little jitter, so hosts woken by the same release do not all race for it in step.
    await coordinator.waitForChange(
      request.group,
      Math.min(left, coordinator.longestWait ?? longestWait),
      signal,
    );
    if (attempt > 0) await sleep(Math.floor(Math.random() * 50));
  }
}

function formatWait(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${Math.round(ms / 1000)} s`;
}
