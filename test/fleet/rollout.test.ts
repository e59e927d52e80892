// The rollout's rules on commit sets: ids, proofs and their soak, rejection and forgiveness. Pure.
import { describe, expect, it } from 'vitest';
import {
  emptySet,
  followable,
  proofHosts,
  provenClosure,
  quarantinedBy,
  rejectedClosures,
  sameCommits,
  setId,
  soakedProofs,
} from '../../src/fleet/rollout.js';

const commits = { 'nix-config': 'a'.repeat(40), 'nix-secrets': 'b'.repeat(40) };
const hour = 3_600_000;
const at = (hours: number) =>
  new Date(Date.parse('2026-11-27T00:00:00.000Z') + hours * hour).toISOString();

describe('commit sets', () => {
  it('the same commits have the same id whatever the order; others another', () => {
    const reversed = { 'nix-secrets': 'b'.repeat(40), 'nix-config': 'a'.repeat(40) };
    expect(setId(commits)).toBe(setId(reversed));
    // Hosts on different releases of xs-upgrade share the store: the id must never change. It is
    // the first 12 hex digits of the SHA-256 of "repo=commit\n" lines sorted by repo.
    expect(setId(commits)).toBe('25698ec214ce');
    expect(setId({ ...commits, 'nix-config': 'c'.repeat(40) })).not.toBe(setId(commits));
    expect(setId({ 'nix-config': 'a'.repeat(40) })).not.toBe(setId(commits));
  });

  it('a proof soaks while its host runs the set, and stops at the host moving on', () => {
    const open = { host: 'c1', group: 'canary', since: at(0) };
    const proven = { ...emptySet(commits), proven: [open] };
    expect(soakedProofs(proven, 'canary', 2 * hour, Date.parse(at(1)))).toEqual([]);
    expect(soakedProofs(proven, 'canary', 2 * hour, Date.parse(at(3)))).toHaveLength(1);
    expect(soakedProofs(proven, 'web', 2 * hour, Date.parse(at(3)))).toEqual([]);
    const closed = { ...emptySet(commits), proven: [{ ...open, until: at(1) }] };
    // It ran the set for one hour only: never soaked for two, however late we look.
    expect(soakedProofs(closed, 'canary', 2 * hour, Date.parse(at(10)))).toEqual([]);
  });

  it("an open proof soaks from the follower's first sighting, never from the canary's clock", () => {
    // The canary's clock is three hours behind: its "since" is three hours before it proved.
    const proven = {
      ...emptySet(commits),
      proven: [{ host: 'c1', group: 'canary', since: at(-3) }],
    };
    const now = Date.parse(at(0.5));
    expect(soakedProofs(proven, 'canary', hour, now)).toHaveLength(1);
    const firstSeen = () => Date.parse(at(0));
    expect(soakedProofs(proven, 'canary', hour, now, firstSeen)).toEqual([]);
    expect(soakedProofs(proven, 'canary', hour, Date.parse(at(1)), firstSeen)).toHaveLength(1);
    // A closed proof is measured on the canary's clock alone: its offset cancels out.
    const closed = {
      ...emptySet(commits),
      proven: [{ host: 'c1', group: 'canary', since: at(-3), until: at(-2.5) }],
    };
    expect(soakedProofs(closed, 'canary', hour, now, firstSeen)).toEqual([]);
  });

  it('followable: enough soaked canaries, and not rejected', () => {
    const rule = { group: 'canary', hosts: 2, soakMs: hour };
    const one = { ...emptySet(commits), proven: [{ host: 'c1', group: 'canary', since: at(0) }] };
    expect(followable(one, rule, Date.parse(at(2)))).toBe(false);
    const set = { ...one, proven: [...one.proven, { host: 'c2', group: 'canary', since: at(1) }] };
    expect(proofHosts(set, 'canary')).toEqual(['c1', 'c2']);
    expect(followable(set, rule, Date.parse(at(1.5)))).toBe(false);
    expect(followable(set, rule, Date.parse(at(2)))).toBe(true);
    const rejected = {
      ...set,
      rejected: [{ host: 'c3', group: 'canary', at: at(2), reason: 'healthChecking: down' }],
    };
    expect(quarantinedBy(rejected)?.host).toBe('c3');
    expect(followable(rejected, rule, Date.parse(at(5)))).toBe(false);
  });

  it('an id is of the commits of each repo, by name: moving one commit between repos changes it', () => {
    const swapped = { 'nix-config': 'b'.repeat(40), 'nix-secrets': 'a'.repeat(40) };
    expect(setId(swapped)).not.toBe(setId(commits));
    expect(setId({ 'nix-config': 'a'.repeat(40) + 'b'.repeat(40) })).not.toBe(
      setId({ 'nix-config': 'a'.repeat(40), b: 'b'.repeat(40) }),
    );
  });

  it('the same commits: every repo, no more and no fewer', () => {
    expect(sameCommits(commits, { ...commits })).toBe(true);
    expect(sameCommits(commits, { ...commits, 'nix-secrets': 'c'.repeat(40) })).toBe(false);
    expect(sameCommits(commits, { ...commits, other: 'c'.repeat(40) })).toBe(false);
    expect(sameCommits({ ...commits, other: 'c'.repeat(40) }, commits)).toBe(false);
  });

  it('the hosts of a group that proved a set, each once', () => {
    let set = emptySet(commits);
    for (const proof of [
      { host: 'c1', group: 'canary', since: at(0), until: at(1) },
      { host: 'w1', group: 'web', since: at(0) },
      { host: 'c1', group: 'canary', since: at(2) },
    ]) {
      set = { ...set, proven: [...set.proven, proof] };
    }
    expect(proofHosts(set, 'canary')).toEqual(['c1']);
    expect(proofHosts(set, 'web')).toEqual(['w1']);
  });
});

describe('closures in the records', () => {
  const closureA = `/nix/store/${'a'.repeat(32)}-nixos-system-web-26.05`;
  const closureB = `/nix/store/${'b'.repeat(32)}-nixos-system-web-26.05`;
  const rule = { group: 'canary', hosts: 2, soakMs: hour };
  const proof = (host: string, closure?: string) => ({
    host,
    group: 'canary',
    since: at(0),
    ...(closure ? { closure } : {}),
  });

  it('a follower takes the closure enough soaked canaries ran the set as, and no other', () => {
    const now = Date.parse(at(2));
    const agreed = { ...emptySet(commits), proven: [proof('c1', closureA), proof('c2', closureA)] };
    expect(provenClosure(agreed, rule, now)).toBe(closureA);
    // Two canaries, two builds: neither closure is proven on enough hosts.
    const split = { ...emptySet(commits), proven: [proof('c1', closureA), proof('c2', closureB)] };
    expect(provenClosure(split, rule, now)).toBeUndefined();
    // The same canary twice counts once; a proof without a closure counts for none.
    const twice = {
      ...emptySet(commits),
      proven: [proof('c1', closureA), proof('c1', closureA), proof('c2')],
    };
    expect(provenClosure(twice, rule, now)).toBeUndefined();
    // Not soaked yet.
    expect(provenClosure(agreed, rule, Date.parse(at(0.5)))).toBeUndefined();
    // The most-proven closure wins.
    const three = {
      ...emptySet(commits),
      proven: [proof('c1', closureB), proof('c2', closureA), proof('c3', closureA)],
    };
    expect(provenClosure(three, rule, now)).toBe(closureA);
  });

  it('a rejected closure is known by its path, the first rejection naming it', () => {
    const rejection = (host: string, closure?: string) => ({
      host,
      group: 'canary',
      at: at(1),
      reason: 'healthChecking: failed',
      ...(closure ? { closure } : {}),
    });
    const one = {
      ...emptySet(commits),
      rejected: [rejection('c1', closureA), rejection('c2', closureA)],
    };
    const other = {
      ...emptySet({ 'nix-config': 'c'.repeat(40) }),
      rejected: [rejection('c3'), rejection('c4', closureB)],
    };
    const found = rejectedClosures([one, other]);
    expect([...found.keys()].sort()).toEqual([closureA, closureB]);
    expect(found.get(closureA)?.by.host).toBe('c1');
    expect(found.get(closureA)?.set.id).toBe(one.id);
    expect(found.get(closureB)?.by.host).toBe('c4');
    expect(rejectedClosures([emptySet(commits)]).size).toBe(0);
  });
});
