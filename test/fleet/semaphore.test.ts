// The semaphore document's rules and what becomes of a slot after each kind of run: pure.
import { describe, expect, it } from 'vitest';
import {
  describeHolders,
  emptySemaphore,
  parseSemaphore,
  releaseSlot,
  serializeSemaphore,
  setSlots,
  takeSlot,
} from '../../src/fleet/semaphore.js';
import { slotAfterRun } from '../../src/fleet/hostSlot.js';
import { upgradeResults } from '../../src/machine/types.js';

const holder = (id: string) => ({ id, since: '2026-11-27T04:00:00.000Z' });

describe('semaphore', () => {
  it('a new group starts with one slot', () => {
    expect(emptySemaphore('web')).toEqual({ group: 'web', slots: 1, holders: [] });
  });

  it('takes free slots, refuses when full, and says who holds them', () => {
    const two = setSlots(emptySemaphore('web'), 2);
    const first = takeSlot(two, holder('a'));
    if (!first.taken) throw new Error('not taken');
    const second = takeSlot(first.semaphore, holder('b'));
    if (!second.taken) throw new Error('not taken');
    const third = takeSlot(second.semaphore, holder('c'));
    expect(third).toEqual({ taken: false, slots: 2, holders: [holder('a'), holder('b')] });
    expect(describeHolders(2, [holder('a'), holder('b')])).toBe(
      'all 2 slots are held: a (since 2026-11-27T04:00:00.000Z), b (since 2026-11-27T04:00:00.000Z)',
    );
  });

  it('is re-entrant: a holder takes its own slot again, keeping since, with its new commits', () => {
    const taken = takeSlot(emptySemaphore('web'), { ...holder('a'), commits: { c: '1' } });
    if (!taken.taken) throw new Error('not taken');
    const again = takeSlot(taken.semaphore, {
      id: 'a',
      since: '2026-11-28T00:00:00.000Z',
      commits: { c: '2' },
    });
    expect(again).toEqual({
      taken: true,
      already: true,
      semaphore: { group: 'web', slots: 1, holders: [{ ...holder('a'), commits: { c: '2' } }] },
    });
  });

  it('0 slots pauses the group; fewer slots than holders lets them finish', () => {
    const paused = setSlots(emptySemaphore('web'), 0);
    expect(takeSlot(paused, holder('a')).taken).toBe(false);
    expect(describeHolders(0, [])).toMatch(/0 slots/);
    const full = { group: 'web', slots: 2, holders: [holder('a'), holder('b')] };
    expect(setSlots(full, 1).holders).toHaveLength(2);
  });

  it('a holder taking its slot again changes only its own entry', () => {
    const both = { group: 'web', slots: 2, holders: [holder('a'), holder('b')] };
    const again = takeSlot(both, { ...holder('b'), commits: { c: '3' } });
    expect(again.taken && again.semaphore.holders).toEqual([
      holder('a'),
      { ...holder('b'), commits: { c: '3' } },
    ]);
  });

  it('release is idempotent, and frees only that holder', () => {
    const held = { group: 'web', slots: 2, holders: [holder('a'), holder('b')] };
    expect(releaseSlot(held, 'a')).toEqual({ group: 'web', slots: 2, holders: [holder('b')] });
    expect(releaseSlot(held, 'c')).toBeUndefined();
  });

  it('round-trips through its stored form, and names a key that is not one', () => {
    const held = { group: 'web', slots: 3, holders: [holder('a')] };
    expect(parseSemaphore('web', serializeSemaphore(held), '/k')).toEqual(held);
    expect(() => parseSemaphore('web', 'nope', '/xs/slots/web')).toThrow(
      '/xs/slots/web is not JSON: fix or delete that key, then run again',
    );
    expect(() => parseSemaphore('web', '{"slots":-1,"holders":[]}', '/k')).toThrow(
      /not an xs-upgrade semaphore/,
    );
    for (const broken of [
      '{"slots":1,"holders":[{}]}',
      '{"slots":1,"holders":[null]}',
      '{"slots":1.5,"holders":[]}',
      '{"holders":[]}',
      '{"slots":1}',
      '[1]',
      '"text"',
      'null',
    ]) {
      expect(() => parseSemaphore('web', broken, '/k'), broken).toThrow(
        '/k is not an xs-upgrade semaphore ({"slots": N, "holders": [...]}): fix or delete that key',
      );
    }
    expect(parseSemaphore('web', '{"slots":0,"holders":[]}', '/k').slots).toBe(0);
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
