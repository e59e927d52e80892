// How far a proven set has spread through a group of followers (fleet.follow.waves). Every host
// of the group computes the same answer from the same records, with nobody to coordinate:
//  - the order: the group's reported hosts sorted by a hash of host id and set id, so each set
//    starts on different hosts and no host is always first;
//  - the wave reached: wave i+1 opens once ceil(share_i × N) hosts of the group ran the set
//    healthy for wave i's soak, N being the hosts of the group that reported in;
//  - a host may take the set when its place in the order is inside the share reached.
// A host that has not reported yet counts itself, so a new group's first host is not shut out.
// Pure.
import { createHash } from 'node:crypto';
import type { FollowSpec, WaveSpec } from '../config/resolve.js';
import { soakedProofs, type SetRecord, type SoakStart } from './rollout.js';

/** Whether a follower's sets spread in waves: one wave of 100% is no wave at all. */
export function inWaves(follow: FollowSpec | undefined): boolean {
  return (follow?.waves.length ?? 0) > 1;
}

/** The hosts a share of `total` opens to: at least one, never more than all. */
export function hostsInShare(share: number, total: number): number {
  if (total <= 0) return 0;
  // Rounded to 1e-9 first: 0.07 × 100 is 7.000000000000001 in binary, not 8 hosts.
  return Math.min(total, Math.max(1, Math.ceil(Math.round(share * total * 1e9) / 1e9)));
}

/** A host's place key for a set: the same on every host, different for every set. */
function placeKey(host: string, set: string): string {
  return createHash('sha256').update(`${host}\n${set}`).digest('hex');
}

/** The group's hosts in the order a set reaches them. */
export function waveOrder(hosts: Iterable<string>, set: string): string[] {
  return [...new Set(hosts)]
    .map((host) => ({ host, key: placeKey(host, set) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.host.localeCompare(b.host)))
    .map((entry) => entry.host);
}

export interface WaveProgress {
  /** Index into the waves of the wave the set has reached. */
  wave: number;
  /** How many waves there are. */
  waves: number;
  share: number;
  /** Hosts the set is open to now: the first `open` of `order`. */
  open: number;
  /** The group's hosts that reported in (and the asking host), in the set's order. */
  order: string[];
  /** Hosts of the group that ran the set healthy for the current wave's soak. */
  soaked: number;
  /** Hosts of the group that prove it now or proved it (soaked or not). */
  proving: number;
  /** For the next wave to open: this many hosts soaked (unset on the last wave). */
  needed?: number;
}

export function waveProgress(
  set: SetRecord,
  group: string,
  waves: WaveSpec[],
  hosts: Iterable<string>,
  now: number,
  started?: SoakStart,
): WaveProgress {
  const order = waveOrder(hosts, set.id);
  const soakedIn = (wave: WaveSpec) =>
    new Set(soakedProofs(set, group, wave.soakMs, now, started).map((proof) => proof.host)).size;
  let wave = 0;
  while (wave < waves.length - 1) {
    const current = waves[wave] as WaveSpec;
    if (soakedIn(current) < hostsInShare(current.share, order.length)) break;
    wave += 1;
  }
  const current = waves[wave] ?? { share: 1, soakMs: 0 };
  const last = wave >= waves.length - 1;
  return {
    wave,
    waves: waves.length,
    share: current.share,
    open: hostsInShare(current.share, order.length),
    order,
    soaked: soakedIn(current),
    proving: new Set(set.proven.filter((proof) => proof.group === group).map((p) => p.host)).size,
    ...(last ? {} : { needed: hostsInShare(current.share, order.length) }),
  };
}

/** Whether `host` may take the set now; its place (1-based) in the order, for messages. */
export function placeIn(progress: WaveProgress, host: string): { place: number; inside: boolean } {
  const index = progress.order.indexOf(host);
  const place = index < 0 ? progress.order.length + 1 : index + 1;
  return { place, inside: index >= 0 && index < progress.open };
}
