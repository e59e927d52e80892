// Where a recall goes (src/fleet/recall.ts): the newest set before the one running that this
// host's own run records say it ran healthy, complete, not rejected, with its generation where
// one is needed; and the pull's decision (rolloutGate.ts) to recall, or to say it cannot.
import { describe, expect, it } from 'vitest';
import { recallTarget } from '../../src/fleet/recall.js';
import { setId, type CommitSet } from '../../src/fleet/rollout.js';
import type { RunRecord } from '../../src/state/runRecords.js';

const commitsOf = (label: string): CommitSet => ({
  'nix-config': label.repeat(40).slice(0, 40),
  'nix-secrets': label.repeat(40).slice(0, 40),
});
const generation = (number: number) => ({
  profile: '/nix/var/nix/profiles/system',
  generation: number,
  storePath: `/nix/store/${String(number).repeat(32).slice(0, 32)}-nixos-system-x`,
});
function record(
  label: string,
  result: RunRecord['result'],
  extra: Partial<RunRecord> = {},
): RunRecord {
  const commits = commitsOf(label);
  return {
    version: 1,
    id: label,
    host: 'web-1',
    config: '/etc/xs-upgrade/host.json',
    xsUpgradeVersion: '0.0.0',
    pid: 1,
    startedAt: `2026-12-0${label.charCodeAt(0) % 9}T04:00:00.000Z`,
    endedAt: `2026-12-0${label.charCodeAt(0) % 9}T04:01:00.000Z`,
    running: false,
    forced: false,
    states: [],
    repos: Object.entries(commits).map(([repo, final]) => ({ repo, final })),
    result,
    interrupted: false,
    ...extra,
  };
}
const repos = ['nix-config', 'nix-secrets'];
const never = () => false;

describe('where a recall goes', () => {
  const running = setId(commitsOf('c'));
  // Newest first, as readRunRecords gives them.
  const records = [
    record('c', 'upgraded', { system: { final: generation(3) } }),
    record('9', 'nothing-new', { system: { final: generation(2) } }),
    record('b', 'upgraded', { system: { final: generation(2) } }),
    record('a', 'upgraded', { system: { final: generation(1) } }),
  ];

  it('is the newest other set it ran healthy, with the generation it ran it as', () => {
    expect(recallTarget(records, repos, running, never, true)).toEqual({
      set: setId(commitsOf('b')),
      commits: commitsOf('b'),
      system: generation(2),
      since: records[2]?.endedAt,
    });
  });

  it('skips a set rejected too, one rolled back or interrupted, and one missing a repo', () => {
    const rejectedB = (commits: CommitSet) => setId(commits) === setId(commitsOf('b'));
    expect(recallTarget(records, repos, running, rejectedB, true)?.set).toBe(setId(commitsOf('a')));
    const failed = [
      record('b', 'rolled-back'),
      record('d', 'upgraded', { interrupted: true }),
      record('e', 'upgraded', { repos: [{ repo: 'nix-config', final: 'e'.repeat(40) }] }),
      record('a', 'upgraded'),
    ];
    expect(recallTarget(failed, repos, running, never, false)?.set).toBe(setId(commitsOf('a')));
  });

  it('needs the generation where the system is a profile; without one, none', () => {
    const without = [record('b', 'upgraded')];
    expect(recallTarget(without, repos, running, never, true)).toBeUndefined();
    expect(recallTarget(without, repos, running, never, false)?.system).toBeUndefined();
    expect(recallTarget([], repos, running, never, false)).toBeUndefined();
  });

  it('a set it was recalled to counts as run healthy', () => {
    const recalled = [record('b', 'recalled', { system: { final: generation(2) } })];
    expect(recallTarget(recalled, repos, running, never, true)?.set).toBe(setId(commitsOf('b')));
  });
});
