// What the watcher (src/fleet/watch.ts) starts the upgrade for: the set this host runs rejected
// or aborted (a recall), or a set proven, soaked and open to this host that it has not run. Pure.
import { describe, expect, it } from 'vitest';
import type { ResolvedFleet } from '../../src/config/resolve.js';
import { setId, type SetRecord } from '../../src/fleet/rollout.js';
import { watchReasons } from '../../src/fleet/watch.js';
import { waveOrder } from '../../src/fleet/waves.js';

const hour = 3_600_000;
const now = Date.parse('2026-12-06T12:00:00.000Z');
const hoursAgo = (hours: number) => new Date(now - hours * hour).toISOString();
const set = (label: string, canarySince?: number): SetRecord => {
  const commits = { 'nix-config': label.repeat(40).slice(0, 40) };
  return {
    id: setId(commits),
    commits,
    proven:
      canarySince === undefined
        ? []
        : [{ host: 'canary-1', group: 'canary', since: hoursAgo(canarySince) }],
    rejected: [],
  };
};
const fleet = (follow?: Partial<NonNullable<ResolvedFleet['follow']>>): ResolvedFleet => ({
  group: 'web',
  slotTimeoutMs: 60_000,
  onFailure: 'hold',
  requireReport: true,
  keepProofsMs: 30 * 24 * hour,
  backend: { etcd: { endpoints: ['http://127.0.0.1:1'], prefix: '/xs', timeoutMs: 1000 } },
  ...(follow
    ? {
        follow: {
          group: 'canary',
          hosts: 1,
          soakMs: 2 * hour,
          waves: [{ share: 1, soakMs: 0 }],
          gates: [],
          ...follow,
        },
      }
    : {}),
});
const base = {
  ran: new Set<string>(),
  self: 'web-1',
  groupHosts: [],
  now,
  started: (proof: { since: string }) => Date.parse(proof.since),
};

describe('what the watcher starts the upgrade for', () => {
  it('the set this host runs, aborted: a recall, once per abort', () => {
    const running = set('a', 5);
    running.rejected.push({
      host: 'alice',
      group: 'operator',
      at: hoursAgo(1),
      reason: 'panics',
      aborted: true,
    });
    const reasons = watchReasons({ ...base, sets: [running], running: running.id, fleet: fleet() });
    expect(reasons).toEqual([
      {
        key: `recall ${running.id} ${hoursAgo(1)}`,
        line: `recall: alice aborted set ${running.id}, which this host runs, (\`xs-upgrade fleet abort\`) at ${hoursAgo(1)}: panics`,
      },
    ]);
    // Not for a set it does not run, nor for one nobody rejected.
    expect(
      watchReasons({ ...base, sets: [running], running: 'ffffffffffff', fleet: fleet() }),
    ).toEqual([]);
    expect(
      watchReasons({ ...base, sets: [set('b', 5)], running: set('b').id, fleet: fleet() }),
    ).toEqual([]);
  });

  it('following canaries: a set soaked by its own clock that it has not run', () => {
    const soaked = set('c', 3);
    const soaking = set('d', 1);
    const ran = set('e', 5);
    const reasons = watchReasons({
      ...base,
      sets: [soaked, soaking, ran],
      ran: new Set([ran.id]),
      running: set('f').id,
      fleet: fleet({}),
    });
    expect(reasons.map((reason) => reason.key)).toEqual([`proven ${soaked.id}`]);
    // Its own clock: first seen an hour ago, not soaked yet.
    expect(
      watchReasons({
        ...base,
        sets: [soaked],
        running: set('f').id,
        fleet: fleet({}),
        started: () => now - hour,
      }),
    ).toEqual([]);
  });

  it('with waves, only once the set’s wave reached this host', () => {
    const proven = set('g', 3);
    const hosts = Array.from({ length: 10 }, (_, index) => `web-${index + 1}`);
    const order = waveOrder(hosts, proven.id);
    const waves = [
      { share: 0.1, soakMs: hour },
      { share: 1, soakMs: 0 },
    ];
    const asked = (self: string) =>
      watchReasons({
        ...base,
        self,
        groupHosts: hosts,
        sets: [proven],
        running: set('f').id,
        fleet: fleet({ waves }),
      });
    expect(asked(order[0] ?? '').map((reason) => reason.line)).toEqual([
      `set ${proven.id} is proven on the canaries (wave 1 of 2 reached this host)`,
    ]);
    expect(asked(order[1] ?? '')).toEqual([]);
  });
});
