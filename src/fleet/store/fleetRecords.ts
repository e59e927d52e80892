// The fleet's records as the rollout reads them, assembled from the per-host keys (keys.ts): a
// proof or rejection counts only from the host its key names, a set's id must match its commits,
// and once any host is enrolled (P/members/ID) only enrolled hosts count, in the group the
// operator enrolled them in, whatever they say. A record that fails any of this is skipped, with
// one warning naming its key. Pure.
import {
  setId,
  type HostReport,
  type ProvenBy,
  type RejectedBy,
  type SetRecord,
} from '../rollout.js';
import type { StoredKey } from './etcdStore.js';
import { groupPattern, hostIdPattern, keyParts, setIdPattern, type FleetKeys } from './keys.js';
import { checkRecord, type CommitSet, type PauseRecord } from './records.js';

export type Warn = (line: string) => void;

/** Enrolled hosts and their groups; empty when nobody enrolled any (an open store). */
export function membersFrom(kvs: StoredKey[], keys: FleetKeys, warn: Warn): Map<string, string> {
  const members = new Map<string, string>();
  for (const kv of kvs) {
    const [id, ...rest] = keyParts(kv.key, keys.members);
    const record = checkRecord('member', kv.value);
    if (!id || rest.length > 0 || !hostIdPattern.test(id)) continue;
    if (!record.ok) warn(`skipped ${kv.key}: it ${record.problem}`);
    else members.set(id, record.value.group);
  }
  return members;
}

/** The host a record's key names, if it may count: its own key, and enrolled where that applies. */
function hostOf(
  kv: StoredKey,
  under: string,
  members: Map<string, string>,
  warn: Warn,
): { host: string; set?: string } | undefined {
  const [host, set, ...rest] = keyParts(kv.key, under);
  if (!host || !hostIdPattern.test(host) || rest.length > 0) {
    warn(`skipped ${kv.key}: not a key xs-upgrade writes`);
    return undefined;
  }
  if (members.size > 0 && !members.has(host)) {
    warn(`skipped ${kv.key}: host "${host}" is not enrolled (\`xs-upgrade fleet enroll ${host}\`)`);
    return undefined;
  }
  return { host, ...(set === undefined ? {} : { set }) };
}

interface SetParts {
  proofs: StoredKey[];
  rejections: StoredKey[];
  forgiven: StoredKey[];
  /** Operators' `fleet abort`s: rejections of the whole fleet, lifted by `fleet forgive` too. */
  aborted?: StoredKey[];
}

export function setsFrom(
  parts: SetParts,
  members: Map<string, string>,
  keys: FleetKeys,
  warn: Warn,
): SetRecord[] {
  const sets = new Map<string, SetRecord>();
  const setOf = (id: string, commits: CommitSet) => {
    let set = sets.get(id);
    if (!set) {
      set = { id, commits, proven: [], rejected: [] };
      sets.set(id, set);
    }
    return set;
  };
  /** A record of a set: the key's set id must be the hash of the commits it names. */
  const checked = <K extends 'proof' | 'rejection'>(kind: K, kv: StoredKey, under: string) => {
    const owner = hostOf(kv, under, members, warn);
    if (!owner?.set || !setIdPattern.test(owner.set)) {
      if (owner) warn(`skipped ${kv.key}: not a key xs-upgrade writes`);
      return undefined;
    }
    const record = checkRecord(kind, kv.value);
    if (!record.ok) {
      warn(`skipped ${kv.key}: it ${record.problem}`);
      return undefined;
    }
    if (setId(record.value.commits) !== owner.set) {
      warn(`skipped ${kv.key}: its commits are not set ${owner.set}`);
      return undefined;
    }
    // The operator's enrolment says which group a host is in, not the host.
    const group = members.get(owner.host) ?? record.value.group;
    return { host: owner.host, set: owner.set, record: { ...record.value, group } };
  };

  for (const kv of parts.proofs) {
    const proof = checked('proof', kv, keys.proofs);
    if (!proof) continue;
    const { group, since, until, closure } = proof.record;
    const entry: ProvenBy = {
      host: proof.host,
      group,
      since,
      ...(until ? { until } : {}),
      ...(closure ? { closure } : {}),
    };
    setOf(proof.set, proof.record.commits).proven.push(entry);
  }
  const forgivenAt = new Map<string, { at: string; revision: bigint }>();
  for (const kv of parts.forgiven) {
    const [set, ...rest] = keyParts(kv.key, keys.forgivenAll);
    const record = checkRecord('forgiven', kv.value);
    if (!set || rest.length > 0 || !setIdPattern.test(set)) continue;
    if (!record.ok) warn(`skipped ${kv.key}: it ${record.problem}`);
    else forgivenAt.set(set, { at: record.value.at, revision: kv.modRevision });
  }
  for (const kv of parts.rejections) {
    const rejection = checked('rejection', kv, keys.rejections);
    if (!rejection) continue;
    const { group, at, reason, closure } = rejection.record;
    const entry: RejectedBy = {
      host: rejection.host,
      group,
      at,
      reason,
      ...(closure ? { closure } : {}),
    };
    const set = setOf(rejection.set, rejection.record.commits);
    // Forgiven: written before the operator's forgiveness, by the store's own order.
    const forgiven = forgivenAt.get(rejection.set);
    if (forgiven && kv.modRevision < forgiven.revision) {
      set.forgiven = [
        { at: forgiven.at, rejected: [...(set.forgiven?.[0]?.rejected ?? []), entry] },
      ];
    } else {
      set.rejected.push(entry);
    }
  }
  for (const kv of parts.aborted ?? []) {
    const [id, ...rest] = keyParts(kv.key, keys.abortedAll);
    if (!id || rest.length > 0 || !setIdPattern.test(id)) {
      warn(`skipped ${kv.key}: not a key xs-upgrade writes`);
      continue;
    }
    const record = checkRecord('abort', kv.value);
    if (!record.ok || setId(record.value.commits) !== id) {
      warn(
        `skipped ${kv.key}: ${record.ok ? `its commits are not set ${id}` : `it ${record.problem}`}`,
      );
      continue;
    }
    const { by, at, reason, commits } = record.value;
    const entry: RejectedBy = { host: by, group: 'operator', at, reason, aborted: true };
    const set = setOf(id, commits);
    const forgiven = forgivenAt.get(id);
    if (forgiven && kv.modRevision < forgiven.revision) {
      set.forgiven = [
        { at: forgiven.at, rejected: [...(set.forgiven?.[0]?.rejected ?? []), entry] },
      ];
    } else {
      set.rejected.push(entry);
    }
  }
  for (const set of sets.values()) {
    set.proven.sort((a, b) => a.since.localeCompare(b.since));
    set.rejected.sort((a, b) => a.at.localeCompare(b.at));
  }
  return [...sets.values()];
}

export function hostsFrom(
  kvs: StoredKey[],
  members: Map<string, string>,
  keys: FleetKeys,
  warn: Warn,
): HostReport[] {
  const hosts: HostReport[] = [];
  for (const kv of kvs) {
    const owner = hostOf(kv, keys.reports, members, warn);
    if (!owner || owner.set !== undefined) continue;
    const record = checkRecord('report', kv.value);
    if (!record.ok) {
      warn(`skipped ${kv.key}: it ${record.problem}`);
      continue;
    }
    const { gates } = record.value;
    hosts.push({
      id: owner.host,
      ...record.value,
      group: members.get(owner.host) ?? record.value.group,
      // Checked field by field: fields records.ts does not know are dropped here too.
      ...(gates
        ? {
            gates: {
              set: gates.set,
              at: gates.at,
              results: gates.results.map(({ name, passed, measured }) => ({
                name,
                passed,
                measured,
              })),
            },
          }
        : {}),
    });
  }
  return hosts.sort((a, b) => a.id.localeCompare(b.id));
}

/** A pause an operator set: on one group, or (without `group`) on every group. */
export interface Pause extends PauseRecord {
  group?: string;
}

/** The pauses in the store: `P/paused/GROUP` and `P/paused-all`. */
export function pausesFrom(kvs: StoredKey[], keys: FleetKeys, warn: Warn): Pause[] {
  const pauses: Pause[] = [];
  for (const kv of kvs) {
    const all = kv.key === keys.pausedAll;
    const group = keyParts(kv.key, keys.paused).join('/');
    if (!all && !groupPattern.test(group)) {
      warn(`skipped ${kv.key}: not a key xs-upgrade writes`);
      continue;
    }
    const record = checkRecord('pause', kv.value);
    if (!record.ok) warn(`skipped ${kv.key}: it ${record.problem}`);
    else pauses.push({ ...(all ? {} : { group }), ...record.value });
  }
  // Every group's pause first: it is the one that holds.
  return pauses.sort((a, b) => (a.group ?? '').localeCompare(b.group ?? ''));
}

/** The pause that holds `group`: every group's first, then its own. */
export function pauseOf(pauses: Pause[], group: string): Pause | undefined {
  return pauses.find((pause) => pause.group === undefined) ?? pauses.find((p) => p.group === group);
}

/** Who paused what, when and why, for every line that says so. */
export function pauseText(pause: Pause): string {
  return `${pause.group === undefined ? 'every group' : `group ${pause.group}`} paused by ${pause.by} at ${pause.at}${pause.reason ? `: ${pause.reason}` : ''}`;
}
