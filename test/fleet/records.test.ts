// Records read from the fleet's store, checked before use, and assembled into sets and hosts
// (src/fleet/store/records.ts, fleetRecords.ts): a bad record is skipped with a warning naming
// its key; a record counts only from the host its key names; enrolment decides the group. Pure.
import { describe, expect, it } from 'vitest';
import { setId } from '../../src/fleet/rollout.js';
import type { StoredKey } from '../../src/fleet/store/etcdStore.js';
import {
  hostsFrom,
  membersFrom,
  pauseOf,
  pausesFrom,
  setsFrom,
} from '../../src/fleet/store/fleetRecords.js';
import { fleetKeys } from '../../src/fleet/store/keys.js';
import { checkRecord, maxRecordBytes } from '../../src/fleet/store/records.js';

const keys = fleetKeys('/xs');
const commits = { 'nix-config': 'a'.repeat(40) };
const other = { 'nix-config': 'b'.repeat(40) };
const set = setId(commits);
const at = '2026-11-27T04:00:00.000Z';
let revision = 0n;
const kv = (key: string, value: unknown): StoredKey => {
  revision += 1n;
  return {
    key,
    value: typeof value === 'string' ? value : JSON.stringify(value),
    createRevision: revision,
    modRevision: revision,
    lease: '0',
  };
};
const collect = () => {
  const warnings: string[] = [];
  return { warnings, warn: (line: string) => warnings.push(line) };
};

describe('checking a record', () => {
  it('keeps the closure a proof or rejection names, when it is a NixOS system store path', () => {
    const closure = `/nix/store/${'a'.repeat(32)}-nixos-system-web-26.05`;
    expect(
      checkRecord('proof', JSON.stringify({ group: 'canary', commits, since: at, closure })),
    ).toEqual({
      ok: true,
      value: { group: 'canary', commits, since: at, closure },
    });
    expect(
      checkRecord(
        'rejection',
        JSON.stringify({ group: 'canary', commits, at, reason: 'x', closure }),
      ),
    ).toMatchObject({ ok: true, value: { closure } });
  });

  it('takes a record of its kind, dropping fields it does not know', () => {
    const checked = checkRecord(
      'proof',
      JSON.stringify({ group: 'canary', commits, since: at, extra: 'x' }),
    );
    expect(checked).toEqual({ ok: true, value: { group: 'canary', commits, since: at } });
  });

  it.each([
    ['{', 'is not JSON'],
    ['null', 'is not a proof'],
    ['[1]', 'is not a proof'],
    [JSON.stringify({ group: 'canary', commits, since: 'yesterday' }), 'field "since"'],
    [
      JSON.stringify({ group: 'canary', commits: { x: 'not-a-commit' }, since: at }),
      'field "commits"',
    ],
    [JSON.stringify({ group: 'canary', commits: [null], since: at }), 'field "commits"'],
    [JSON.stringify({ group: 'a/b', commits, since: at }), 'field "group"'],
    [
      JSON.stringify({ group: 'canary', commits, since: at, closure: '/etc/shadow' }),
      'field "closure"',
    ],
    [
      JSON.stringify({
        group: 'canary',
        commits,
        since: at,
        closure: `/nix/store/${'a'.repeat(32)}-hello`,
      }),
      'field "closure"',
    ],
    [
      JSON.stringify({ group: 'canary', commits, since: at, pad: 'x'.repeat(maxRecordBytes) }),
      'larger than 16 KiB',
    ],
  ])('refuses %s', (text, problem) => {
    const checked = checkRecord('proof', text);
    expect(checked.ok).toBe(false);
    expect(checked.ok ? '' : checked.problem).toContain(problem);
  });
});

describe('sets from per-host records', () => {
  it('a proof counts for the host its key names; a bad one is skipped with its key named', () => {
    const { warnings, warn } = collect();
    const sets = setsFrom(
      {
        proofs: [
          kv(keys.proof('c1', set), { group: 'canary', commits, since: at }),
          kv(keys.proof('c2', set), { proven: [null] }),
          kv(keys.proof('c3', set), 'not json'),
          // Commits that are not the set its key names: a forged proof of another set.
          kv(keys.proof('c4', set), { group: 'canary', commits: other, since: at }),
        ],
        rejections: [],
        forgiven: [],
      },
      new Map(),
      keys,
      warn,
    );
    expect(sets).toHaveLength(1);
    expect(sets[0]?.proven.map((proof) => proof.host)).toEqual(['c1']);
    expect(warnings).toEqual([
      `skipped ${keys.proof('c2', set)}: it is not a proof (field "group")`,
      `skipped ${keys.proof('c3', set)}: it is not JSON`,
      `skipped ${keys.proof('c4', set)}: its commits are not set ${set}`,
    ]);
  });

  it('with hosts enrolled, only they count, in the group the operator gave them', () => {
    const { warnings, warn } = collect();
    const members = membersFrom(
      [kv(keys.member('c1'), { group: 'canary' }), kv(keys.member('w1'), { group: 'web' })],
      keys,
      warn,
    );
    const sets = setsFrom(
      {
        proofs: [
          kv(keys.proof('c1', set), { group: 'canary', commits, since: at }),
          // w1 says it is a canary: its enrolment says web.
          kv(keys.proof('w1', set), { group: 'canary', commits, since: at }),
          kv(keys.proof('ghost', set), { group: 'canary', commits, since: at }),
        ],
        rejections: [
          kv(keys.rejection('ghost', set), { group: 'canary', commits, at, reason: 'x' }),
        ],
        forgiven: [],
      },
      members,
      keys,
      warn,
    );
    expect(sets[0]?.proven.map((proof) => [proof.host, proof.group])).toEqual([
      ['c1', 'canary'],
      ['w1', 'web'],
    ]);
    expect(sets[0]?.rejected).toEqual([]);
    expect(warnings.filter((line) => line.includes('ghost'))).toHaveLength(2);
    expect(warnings[0]).toContain('is not enrolled (`xs-upgrade fleet enroll ghost`)');
  });

  it('a rejection written before the forgiveness is lifted; one written after it counts', () => {
    const { warn } = collect();
    const before = kv(keys.rejection('c1', set), { group: 'canary', commits, at, reason: 'down' });
    const forgiven = kv(keys.forgiven(set), { at });
    const after = kv(keys.rejection('c2', set), { group: 'canary', commits, at, reason: 'again' });
    const [lifted] = setsFrom(
      { proofs: [], rejections: [before], forgiven: [forgiven] },
      new Map(),
      keys,
      warn,
    );
    expect(lifted?.rejected).toEqual([]);
    expect(lifted?.forgiven?.[0]?.rejected[0]?.host).toBe('c1');
    const [again] = setsFrom(
      { proofs: [], rejections: [before, after], forgiven: [forgiven] },
      new Map(),
      keys,
      warn,
    );
    expect(again?.rejected.map((entry) => entry.host)).toEqual(['c2']);
  });

  it('a host report without a group is skipped, never a failure', () => {
    const { warnings, warn } = collect();
    const hosts = hostsFrom(
      [
        kv(keys.report('w1'), { group: 'web', commits, result: 'upgraded', at }),
        kv(keys.report('w2'), { commits, result: 'upgraded', at }),
      ],
      new Map(),
      keys,
      warn,
    );
    expect(hosts.map((host) => host.id)).toEqual(['w1']);
    expect(warnings).toEqual([
      `skipped ${keys.report('w2')}: it is not a host report (field "group")`,
    ]);
  });
});

describe("operators' records: aborts and pauses", () => {
  it('an abort rejects its set in the operator’s name until a forgiveness written after it', () => {
    const { warnings, warn } = collect();
    const abort = kv(keys.aborted(set), { commits, at, by: 'alice', reason: 'bad kernel' });
    const [aborted] = setsFrom(
      { proofs: [], rejections: [], forgiven: [], aborted: [abort] },
      new Map(),
      keys,
      warn,
    );
    expect(aborted?.rejected).toEqual([
      { host: 'alice', group: 'operator', at, reason: 'bad kernel', aborted: true },
    ]);
    const forgiven = kv(keys.forgiven(set), { at });
    const [lifted] = setsFrom(
      { proofs: [], rejections: [], forgiven: [forgiven], aborted: [abort] },
      new Map(),
      keys,
      warn,
    );
    expect(lifted?.rejected).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('an abort whose commits are not its key’s set, or with a bad name, is skipped', () => {
    const { warnings, warn } = collect();
    const sets = setsFrom(
      {
        proofs: [],
        rejections: [],
        forgiven: [],
        aborted: [
          kv(keys.aborted(set), { commits: other, at, by: 'alice', reason: '' }),
          kv(keys.aborted(setId(other)), { commits: other, at, by: 'al ice\u001b[2J', reason: '' }),
        ],
      },
      new Map(),
      keys,
      warn,
    );
    expect(sets).toEqual([]);
    expect(warnings).toEqual([
      `skipped ${keys.aborted(set)}: its commits are not set ${set}`,
      `skipped ${keys.aborted(setId(other))}: it is not an abort ({"commits", "at", "by", "reason"}) (field "by")`,
    ]);
  });

  it('pauses: of every group first, then each group; a bad key or record is skipped', () => {
    const { warnings, warn } = collect();
    const pause = { at, by: 'bob', reason: 'incident' };
    const pauses = pausesFrom(
      [
        kv(keys.pausedGroup('web'), pause),
        kv(keys.pausedAll, { ...pause, by: 'alice' }),
        kv(`${keys.paused}bad/group`, pause),
        kv(keys.pausedGroup('db'), { at }),
      ],
      keys,
      warn,
    );
    expect(pauses).toEqual([
      { ...pause, by: 'alice' },
      { group: 'web', ...pause },
    ]);
    expect(pauseOf(pauses, 'web')?.by).toBe('alice');
    expect(pauseOf(pauses.slice(1), 'web')?.by).toBe('bob');
    expect(pauseOf(pauses.slice(1), 'db')).toBeUndefined();
    expect(warnings).toEqual([
      `skipped ${keys.paused}bad/group: not a key xs-upgrade writes`,
      `skipped ${keys.pausedGroup('db')}: it is not a pause ({"at", "by", "reason"}) (field "by")`,
    ]);
  });

  it('a report keeps the gates a follower measured, and drops a malformed gate record whole', () => {
    const { warnings, warn } = collect();
    const gates = {
      set,
      at,
      results: [{ name: 'errors', passed: false, measured: '3 outside max 0' }],
    };
    const [host] = hostsFrom(
      [kv(keys.report('w1'), { group: 'web', commits, result: 'nothing-new', at, gates })],
      new Map(),
      keys,
      warn,
    );
    expect(host?.gates).toEqual(gates);
    const bad = hostsFrom(
      [
        kv(keys.report('w2'), {
          group: 'web',
          commits,
          result: 'nothing-new',
          at,
          gates: { ...gates, results: [{ name: 1 }] },
        }),
      ],
      new Map(),
      keys,
      warn,
    );
    expect(bad).toEqual([]);
    expect(warnings).toHaveLength(1);
  });
});
