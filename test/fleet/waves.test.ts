// How far a set has spread through a group (src/fleet/waves.ts): the order is the same on every
// host and different for every set, a share opens to the hosts it names and never more, and a
// wave opens only once enough hosts of the group soaked the set for the wave before it.
import { describe, expect, it } from 'vitest';
import { setId, type SetRecord } from '../../src/fleet/rollout.js';
import { hostsInShare, placeIn, waveOrder, waveProgress } from '../../src/fleet/waves.js';

const hour = 3_600_000;
const now = Date.parse('2026-12-06T12:00:00.000Z');
const hoursAgo = (hours: number) => new Date(now - hours * hour).toISOString();
const hosts = Array.from({ length: 40 }, (_, index) => `web-${index + 1}`);
const waves = [
  { share: 0.05, soakMs: 2 * hour },
  { share: 0.25, soakMs: 6 * hour },
  { share: 1, soakMs: 0 },
];

function set(label: string, proofs: { host: string; since: number; group?: string }[]): SetRecord {
  const commits = { 'nix-config': label.padEnd(40, '0') };
  return {
    id: setId(commits),
    commits,
    proven: [
      { host: 'canary-1', group: 'canary', since: hoursAgo(10) },
      ...proofs.map((proof) => ({
        host: proof.host,
        group: proof.group ?? 'web',
        since: hoursAgo(proof.since),
      })),
    ],
    rejected: [],
  };
}

describe('the order a set reaches a group in', () => {
  it('is the same whatever order the hosts are listed in, and differs between sets', () => {
    const a = waveOrder(hosts, 'aaaaaaaaaaaa');
    expect(waveOrder([...hosts].reverse(), 'aaaaaaaaaaaa')).toEqual(a);
    expect([...a].sort()).toEqual([...hosts].sort());
    const b = waveOrder(hosts, 'bbbbbbbbbbbb');
    expect(b).not.toEqual(a);
    // Not the listing order either.
    expect(a).not.toEqual(hosts);
  });

  it('counts a host once, however often it is listed', () => {
    expect(waveOrder(['a', 'b', 'a'], 'aaaaaaaaaaaa')).toHaveLength(2);
  });
});

describe('a share of a group', () => {
  it('rounds up, opens to at least one host and never to more than all', () => {
    expect(hostsInShare(0.05, 40)).toBe(2);
    expect(hostsInShare(0.05, 41)).toBe(3);
    expect(hostsInShare(0.05, 3)).toBe(1);
    expect(hostsInShare(0.25, 1000)).toBe(250);
    expect(hostsInShare(0.07, 100)).toBe(7);
    expect(hostsInShare(1, 40)).toBe(40);
    expect(hostsInShare(0.5, 0)).toBe(0);
  });
});

describe('the wave a set has reached', () => {
  it('starts in the first wave, open to the first hosts of its order only', () => {
    const fresh = set('a', []);
    const progress = waveProgress(fresh, 'web', waves, hosts, now);
    expect(progress).toMatchObject({
      wave: 0,
      waves: 3,
      share: 0.05,
      open: 2,
      soaked: 0,
      needed: 2,
    });
    const order = waveOrder(hosts, fresh.id);
    expect(placeIn(progress, order[0] ?? '')).toEqual({ place: 1, inside: true });
    expect(placeIn(progress, order[1] ?? '')).toEqual({ place: 2, inside: true });
    expect(placeIn(progress, order[2] ?? '')).toEqual({ place: 3, inside: false });
    expect(placeIn(progress, 'not-reported')).toEqual({ place: 41, inside: false });
  });

  it('opens the next wave only when the share soaked for the wave’s soak', () => {
    const order = waveOrder(hosts, set('b', []).id);
    const first = order.slice(0, 2);
    const soaking = set('b', [
      { host: first[0] ?? '', since: 3 },
      { host: first[1] ?? '', since: 1 },
    ]);
    expect(waveProgress(soaking, 'web', waves, hosts, now)).toMatchObject({
      wave: 0,
      soaked: 1,
      proving: 2,
    });
    const soaked = set(
      'b',
      first.map((host) => ({ host, since: 3 })),
    );
    const second = waveProgress(soaked, 'web', waves, hosts, now);
    expect(second).toMatchObject({ wave: 1, share: 0.25, open: 10, needed: 10 });
    expect(placeIn(second, order[9] ?? '').inside).toBe(true);
    expect(placeIn(second, order[10] ?? '').inside).toBe(false);
  });

  it('reaches the last wave, which opens to every host and needs nothing more', () => {
    const order = waveOrder(hosts, set('c', []).id);
    const ten = set(
      'c',
      order.slice(0, 10).map((host) => ({ host, since: 7 })),
    );
    const last = waveProgress(ten, 'web', waves, hosts, now);
    expect(last).toMatchObject({ wave: 2, share: 1, open: 40 });
    expect(last.needed).toBeUndefined();
  });

  it("counts only the group's own proofs, never the canaries' or another group's", () => {
    const other = set(
      'd',
      hosts.slice(0, 10).map((host) => ({ host, since: 9, group: 'db' })),
    );
    expect(waveProgress(other, 'web', waves, hosts, now).wave).toBe(0);
  });

  it('measures an open proof from the sighting the caller gives, not the host’s own clock', () => {
    const order = waveOrder(hosts, set('e', []).id);
    const proven = set(
      'e',
      order.slice(0, 2).map((host) => ({ host, since: 3 })),
    );
    expect(waveProgress(proven, 'web', waves, hosts, now, () => now - hour).wave).toBe(0);
    expect(waveProgress(proven, 'web', waves, hosts, now).wave).toBe(1);
  });
});

describe('a group of 200 on a timer (the benchmark’s simulation, smaller)', () => {
  it('fills every wave in order, never past its share, no sooner than its soaks allow', async () => {
    const { simulateWaves } = await import('../../bench/waves.js');
    const result = simulateWaves({ hosts: 200 });
    expect(result.overShare).toBe(0);
    expect(result.waves.map((wave) => wave.hosts)).toEqual([10, 50, 200]);
    for (const wave of result.waves) {
      expect(wave.filledMs).toBeGreaterThanOrEqual(wave.idealMs);
      // A host hears of an opened wave at its next run: at most an hour and one more soak later.
      expect(wave.filledMs).toBeLessThan(wave.idealMs + 4 * hour);
    }
  });
});
