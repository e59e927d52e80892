// The rollout's rules on commit sets: ids, proofs and their soak, rejection and forgiveness. Pure.
import { describe, expect, it } from 'vitest';
import {
  addProof,
  addRejection,
  closeProof,
  emptySet,
  followable,
  forgive,
  parseHostReport,
  parseSetRecord,
  proofHosts,
  quarantinedBy,
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
    const proven = addProof(emptySet(commits), { host: 'c1', group: 'canary', since: at(0) });
    if (!proven) throw new Error('no proof');
    expect(addProof(proven, { host: 'c1', group: 'canary', since: at(1) })).toBeUndefined();
    expect(soakedProofs(proven, 'canary', 2 * hour, Date.parse(at(1)))).toEqual([]);
    expect(soakedProofs(proven, 'canary', 2 * hour, Date.parse(at(3)))).toHaveLength(1);
    expect(soakedProofs(proven, 'web', 2 * hour, Date.parse(at(3)))).toEqual([]);
    const closed = closeProof(proven, 'c1', at(1));
    if (!closed) throw new Error('not closed');
    // It ran the set for one hour only: never soaked for two, however late we look.
    expect(soakedProofs(closed, 'canary', 2 * hour, Date.parse(at(10)))).toEqual([]);
    expect(closeProof(closed, 'c1', at(2))).toBeUndefined();
  });

  it('followable: enough soaked canaries, and not rejected', () => {
    const rule = { group: 'canary', hosts: 2, soakMs: hour };
    let set = emptySet(commits);
    set = addProof(set, { host: 'c1', group: 'canary', since: at(0) }) ?? set;
    expect(followable(set, rule, Date.parse(at(2)))).toBe(false);
    set = addProof(set, { host: 'c2', group: 'canary', since: at(1) }) ?? set;
    expect(proofHosts(set, 'canary')).toEqual(['c1', 'c2']);
    expect(followable(set, rule, Date.parse(at(1.5)))).toBe(false);
    expect(followable(set, rule, Date.parse(at(2)))).toBe(true);
    const rejected = addRejection(set, {
      host: 'c3',
      group: 'canary',
      at: at(2),
      reason: 'healthChecking: down',
    });
    expect(quarantinedBy(rejected)?.host).toBe('c3');
    expect(followable(rejected, rule, Date.parse(at(5)))).toBe(false);
    const forgiven = forgive(rejected, at(6));
    expect(forgiven && quarantinedBy(forgiven)).toBeUndefined();
    expect(forgiven?.forgiven?.[0]?.rejected[0]?.host).toBe('c3');
    expect(forgiven && followable(forgiven, rule, Date.parse(at(6)))).toBe(true);
    expect(forgive(set, at(7))).toBeUndefined();
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

  it('proofs are per host: one host moving on closes only its own open proof', () => {
    let set = emptySet(commits);
    set = addProof(set, { host: 'c1', group: 'canary', since: at(0) }) ?? set;
    // Another host proves it while c1 runs it still.
    const both = addProof(set, { host: 'c2', group: 'canary', since: at(1) });
    expect(both?.proven.map((proof) => proof.host)).toEqual(['c1', 'c2']);
    if (!both) throw new Error('no second proof');
    const closed = closeProof(both, 'c1', at(2));
    expect(closed?.proven).toEqual([
      { host: 'c1', group: 'canary', since: at(0), until: at(2) },
      { host: 'c2', group: 'canary', since: at(1) },
    ]);
    // c1 comes back: a new proof beside the closed one; closing again ends only the new one.
    const back = closed && addProof(closed, { host: 'c1', group: 'canary', since: at(3) });
    const again = back && closeProof(back, 'c1', at(4));
    expect(again?.proven).toEqual([
      { host: 'c1', group: 'canary', since: at(0), until: at(2) },
      { host: 'c2', group: 'canary', since: at(1) },
      { host: 'c1', group: 'canary', since: at(3), until: at(4) },
    ]);
    expect(closeProof(both, 'c3', at(2))).toBeUndefined();
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

  it('a stored record that is not one is named', () => {
    const refusal = '/x/sets/abc is not an xs-upgrade commit set record: fix or delete that key';
    const whole = { id: 'abc', commits, proven: [], rejected: [] };
    expect(parseSetRecord(JSON.stringify(whole), '/x/sets/abc')).toEqual(whole);
    for (const broken of [
      { ...whole, id: 1 },
      { ...whole, commits: 'abc' },
      { ...whole, commits: null },
      { ...whole, proven: {} },
      { ...whole, rejected: undefined },
    ]) {
      expect(() => parseSetRecord(JSON.stringify(broken), '/x/sets/abc')).toThrow(refusal);
    }
    expect(() => parseSetRecord('{', '/x/sets/abc')).toThrow(
      '/x/sets/abc is not JSON: fix or delete that key, then run again',
    );
  });

  it('a stored host report that is not one is named', () => {
    const report = { id: 'web-1', group: 'web', commits, result: 'upgraded', at: at(0) };
    expect(parseHostReport(JSON.stringify(report), '/x/hosts/web-1')).toEqual(report);
    for (const broken of [
      { ...report, id: 7 },
      { ...report, result: undefined },
    ]) {
      expect(() => parseHostReport(JSON.stringify(broken), '/x/hosts/web-1')).toThrow(
        '/x/hosts/web-1 is not an xs-upgrade host report: fix or delete that key',
      );
    }
  });
});
