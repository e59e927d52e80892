// Waiting for a slot on a real etcd 3.4: what the wait says at each turn, the slot freed while a
// host waits, and giving up in time, word for word.
import { describe, expect, it } from 'vitest';
import { openEtcd } from '../../src/fleet/etcd.js';
import { NoSlotInTime, waitForSlot } from '../../src/fleet/waitForSlot.js';
import { useEtcd } from '../support/etcd.js';
import { memoryLog } from '../support/memoryLog.js';
import { rejectionOf } from '../support/rejection.js';

const cluster = useEtcd();

const coordinator = () =>
  openEtcd(
    { endpoints: [cluster.etcd.endpoint], prefix: cluster.newPrefix(), timeoutMs: 5000 },
    {},
  );

const wait = (
  opened: Awaited<ReturnType<typeof coordinator>>,
  id: string,
  timeoutMs: number,
  signal = new AbortController().signal,
) => {
  const log = memoryLog();
  const waiting = waitForSlot({
    coordinator: opened,
    request: { id, group: 'web' },
    timeoutMs,
    signal,
    log,
  });
  return { log, waiting };
};

describe('waitForSlot', () => {
  it('takes a free slot at once, and says so; again: already held by this host', async () => {
    const opened = await coordinator();
    try {
      const first = wait(opened, 'web-1', 1000);
      expect(await first.waiting).toEqual({ taken: true, already: false });
      expect(first.log.lines).toEqual(['fleet slot taken in group "web"']);
      const again = wait(opened, 'web-1', 1000);
      await again.waiting;
      expect(again.log.lines).toEqual([
        'fleet slot in group "web" already held by this host (web-1): going on',
      ]);
    } finally {
      await opened.close();
    }
  });

  it('says once that it waits, and takes the slot when its holder lets go', async () => {
    const opened = await coordinator();
    try {
      await opened.tryTake({ id: 'web-1', group: 'web' });
      const second = wait(opened, 'web-2', 20_000);
      setTimeout(() => void opened.release('web-1', 'web'), 1500);
      expect(await second.waiting).toEqual({ taken: true, already: false });
      expect(second.log.lines).toEqual([
        expect.stringMatching(
          /^waiting for a fleet slot in group "web": its one slot is held: web-1 \(since /,
        ) as string,
        expect.stringMatching(/^fleet slot taken in group "web" after [1-9]\d* s$/) as string,
      ]);
    } finally {
      await opened.close();
    }
  });

  it('gives up after its time, naming the wait and the holder; stops when the run does', async () => {
    const opened = await coordinator();
    try {
      await opened.tryTake({ id: 'web-1', group: 'web' });
      const error = await rejectionOf(wait(opened, 'web-2', 1200).waiting, NoSlotInTime);
      expect(error.message).toMatch(
        new RegExp(
          `^no fleet slot in group "web" within 1 s \\(etcd ${cluster.etcd.endpoint}\\): its one slot is held: web-1 \\(since `,
        ),
      );
      expect(error.temporary).toBe(true);
      // The run stopped while it waits: it stops waiting.
      const stop = new AbortController();
      const long = wait(opened, 'web-2', 120_000, stop.signal);
      setTimeout(() => stop.abort(), 300);
      await expect(long.waiting).rejects.toThrow('stopped while waiting for a fleet slot');
    } finally {
      await opened.close();
    }
  });
});
