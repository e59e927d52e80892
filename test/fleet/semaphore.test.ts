// The slot queue's rules (claims served in creation order, holders permanent) and what becomes
// of a slot after each kind of run: pure.
import { describe, expect, it } from 'vitest';
import {
  describeHolders,
  emptySemaphore,
  mayHold,
  semaphoreOf,
  type Claim,
} from '../../src/fleet/semaphore.js';
import { slotAfterRun } from '../../src/fleet/hostSlot.js';
import { upgradeResults } from '../../src/machine/types.js';

const since = '2026-11-27T04:00:00.000Z';
const claim = (id: string, revision: number, holding = false): Claim => ({
  id,
  createRevision: BigInt(revision),
  holding,
  since,
});

describe('the slot queue', () => {
  it('a new group starts with one slot', () => {
    expect(emptySemaphore('web')).toEqual({ group: 'web', slots: 1, holders: [] });
  });

  it('serves claims in the order they were created, whatever order they are read in', () => {
    const claims = [claim('c', 30), claim('a', 10), claim('b', 20)];
    expect(mayHold(claims, 2, 'a')).toBe(true);
    expect(mayHold(claims, 2, 'b')).toBe(true);
    expect(mayHold(claims, 2, 'c')).toBe(false);
    expect(mayHold(claims, 2, 'nobody')).toBe(false);
    const semaphore = semaphoreOf('web', 2, claims);
    expect(semaphore.holders.map((holder) => holder.id)).toEqual(['a', 'b']);
    expect(semaphore.waiting?.map((holder) => holder.id)).toEqual(['c']);
  });

  it('holders keep their slots; waiters fill only what is left, even ahead of a holder', () => {
    // b holds (made permanent); a was created first but still waits: one slot left for it.
    const claims = [claim('a', 10), claim('b', 20, true), claim('c', 30)];
    expect(mayHold(claims, 2, 'a')).toBe(true);
    expect(mayHold(claims, 2, 'c')).toBe(false);
    expect(mayHold(claims, 2, 'b')).toBe(true);
  });

  it('0 slots pauses the group; fewer slots than holders lets them finish and admits nobody', () => {
    const claims = [claim('a', 10, true), claim('b', 20, true), claim('c', 30)];
    expect(mayHold(claims, 1, 'c')).toBe(false);
    expect(mayHold(claims, 1, 'a')).toBe(true);
    expect(semaphoreOf('web', 1, claims).holders.map((h) => h.id)).toEqual(['a', 'b']);
    expect(mayHold([claim('a', 10)], 0, 'a')).toBe(false);
    expect(describeHolders(0, [])).toMatch(/0 slots/);
  });

  it('says who holds the slots', () => {
    expect(describeHolders(1, [{ id: 'a', since }])).toBe(
      `its one slot is held: a (since ${since})`,
    );
    expect(
      describeHolders(2, [
        { id: 'a', since },
        { id: 'b', since },
      ]),
    ).toBe(`all 2 slots are held: a (since ${since}), b (since ${since})`);
  });
});
describe('what becomes of the slot after a run', () => {
  it.each(
    upgradeResults.flatMap((result) =>
      [true, false].map((switched) => [result, switched] as const),
    ),
  )('%s (switch started: %s)', (result, switchStarted) => {
    const hold = slotAfterRun({ result, switchStarted }, 'hold');
    const release = slotAfterRun({ result, switchStarted }, 'release');
    if (result === 'rebooting') {
      expect([hold, release]).toEqual(['keep-for-boot-check', 'keep-for-boot-check']);
    } else if (result === 'rollback-failed') {
      // Nobody knows what state the host is in: the rollout stops whatever onFailure says.
      expect([hold, release]).toEqual(['hold-after-failure', 'hold-after-failure']);
    } else if (result === 'rolled-back' && switchStarted) {
      expect([hold, release]).toEqual(['hold-after-failure', 'release']);
    } else {
      expect([hold, release]).toEqual(['release', 'release']);
    }
  });
});
