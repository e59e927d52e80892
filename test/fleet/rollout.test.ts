// The rollout's rules on commit sets: ids, proofs and their soak, rejection and forgiveness. Pure.
import { describe, expect, it } from 'vitest';
import {
  addProof,
  addRejection,
  closeProof,
  emptySet,
  followable,
  forgive,
  parseSetRecord,
  proofHosts,
  quarantinedBy,
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
    expect(setId(commits)).toMatch(/^[0-9a-f]{12}$/);
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

  it('a stored record that is not one is named', () => {
    expect(() => parseSetRecord('{"id": 1}', '/x/sets/abc')).toThrow(
      '/x/sets/abc is not an xs-upgrade commit set record: fix or delete that key',
    );
  });
});
