// The fleet's memory of commit sets, kept in etcd beside the slots: which hosts ran a set healthy
// (proven, since when, until when), which rejected it for its content (quarantined fleet-wide until
// an operator forgives it), and each host's last run. Canaries prove sets; followers take only
// sets proven on enough canaries for long enough. Pure: the store and git are elsewhere.
import { createHash } from 'node:crypto';
import type { CommitSet, ReportRecord } from './store/records.js';

export type { CommitSet };

export interface ProvenBy {
  host: string;
  group: string;
  /** When the host came up healthy on the set. */
  since: string;
  /** When it moved to another set; unset while it runs this one. */
  until?: string;
  /** With system.closure: the closure it ran the set as. */
  closure?: string;
}

export interface RejectedBy {
  /** The host that rejected it, or with `aborted` the operator who ran `fleet abort`. */
  host: string;
  group: string;
  at: string;
  /** The failure, redacted as everywhere else. */
  reason: string;
  /** With system.closure: the closure that failed, quarantined wherever it turns up. */
  closure?: string;
  /** An operator's `fleet abort`, not a host's rollback. */
  aborted?: true;
}

/** Who rejected `what` (a set, its commits, a closure), for every line that says so. */
export function rejectedByText(by: RejectedBy, what: string): string {
  return by.aborted
    ? `${by.host} aborted ${what} (\`xs-upgrade fleet abort\`) at ${by.at}: ${by.reason}`
    : `${by.host} (group ${by.group}) rejected ${what} at ${by.at}, as that host reported it: ${by.reason}`;
}

export interface SetRecord {
  /** A short hash of the commits: what `fleet forgive` takes. */
  id: string;
  commits: CommitSet;
  proven: ProvenBy[];
  rejected: RejectedBy[];
  /** Rejections an operator forgave, and when. */
  forgiven?: { at: string; rejected: RejectedBy[] }[];
}

/**
 * A host's last run, as stored at PREFIX/reports/ID (its `generation`: the system generation
 * after the run; its `provenSet`: the set it last proved, so moving on closes that proof).
 */
export interface HostReport extends ReportRecord {
  id: string;
}

/** A set's id: the same commits give the same id on every host. */
export function setId(commits: CommitSet): string {
  const canonical = Object.keys(commits)
    .sort()
    .map((repo) => `${repo}=${commits[repo] ?? ''}\n`)
    .join('');
  return createHash('sha256').update(canonical).digest('hex').slice(0, 12);
}

export const emptySet = (commits: CommitSet): SetRecord => ({
  id: setId(commits),
  commits,
  proven: [],
  rejected: [],
});

export function sameCommits(a: CommitSet, b: CommitSet): boolean {
  const repos = Object.keys(a);
  return repos.length === Object.keys(b).length && repos.every((repo) => a[repo] === b[repo]);
}

/** The rejection that quarantines a set fleet-wide, if any: the first. */
export function quarantinedBy(set: SetRecord): RejectedBy | undefined {
  return set.rejected[0];
}

/**
 * When a follower counts an open proof's soak from: its own first sighting of it, never the
 * canary's clock (a canary hours behind would skip the soak). Without one (tests, `fleet
 * status`), the canary's own `since`.
 */
export type SoakStart = (proof: ProvenBy & { set: string }) => number;

const canaryClock: SoakStart = (proof) => Date.parse(proof.since);

/**
 * The proofs of hosts in `group` that ran the set healthy for at least `soakMs` by `now`. A
 * closed proof is measured on one clock, the canary's (its offset cancels out); an open one from
 * `started`.
 */
export function soakedProofs(
  set: SetRecord,
  group: string,
  soakMs: number,
  now: number,
  started: SoakStart = canaryClock,
): ProvenBy[] {
  return set.proven.filter(
    (entry) =>
      entry.group === group &&
      (entry.until === undefined
        ? now - started({ ...entry, set: set.id })
        : Date.parse(entry.until) - Date.parse(entry.since)) >= soakMs,
  );
}

/** Distinct hosts of `group` with a proof of the set, soaked or not. */
export function proofHosts(set: SetRecord, group: string): string[] {
  return [
    ...new Set(set.proven.filter((entry) => entry.group === group).map((entry) => entry.host)),
  ];
}

/** A followable set: proven on at least `hosts` hosts of `group` for `soakMs`, and not rejected. */
export function followable(
  set: SetRecord,
  follow: { group: string; hosts: number; soakMs: number },
  now: number,
  started?: SoakStart,
): boolean {
  if (quarantinedBy(set)) return false;
  const hosts = new Set(
    soakedProofs(set, follow.group, follow.soakMs, now, started).map((p) => p.host),
  );
  return hosts.size >= follow.hosts;
}

/**
 * The closure the set's soaked proofs in `follow.group` ran it as, when enough hosts ran that
 * same closure: what a follower takes instead of asking the closure source.
 */
export function provenClosure(
  set: SetRecord,
  follow: { group: string; hosts: number; soakMs: number },
  now: number,
  started?: SoakStart,
): string | undefined {
  const hostsOf = new Map<string, Set<string>>();
  for (const proof of soakedProofs(set, follow.group, follow.soakMs, now, started)) {
    if (!proof.closure) continue;
    const hosts = hostsOf.get(proof.closure) ?? new Set<string>();
    hosts.add(proof.host);
    hostsOf.set(proof.closure, hosts);
  }
  const [best] = [...hostsOf].sort((a, b) => b[1].size - a[1].size);
  return best && best[1].size >= follow.hosts ? best[0] : undefined;
}

/** Closures a host rejected (not forgiven), by store path: quarantined under any commits. */
export function rejectedClosures(
  sets: SetRecord[],
): Map<string, { set: SetRecord; by: RejectedBy }> {
  const found = new Map<string, { set: SetRecord; by: RejectedBy }>();
  for (const set of sets) {
    for (const rejection of set.rejected) {
      if (rejection.closure && !found.has(rejection.closure)) {
        found.set(rejection.closure, { set, by: rejection });
      }
    }
  }
  return found;
}
