// Every record read from the fleet's store is checked here before anything uses it: another
// host, or anyone who can write to etcd, may have put anything there. A record that is too big,
// not JSON or not of its kind is skipped with one warning naming its key; it never fails a run.
// Pure.
import { groupPattern, operatorPattern, setIdPattern } from './keys.js';
import { isSystemPath } from '../../closure/systemPath.js';

/** No record xs-upgrade writes comes near this; anything bigger is not ours. */
export const maxRecordBytes = 16 * 1024;
const maxRepos = 200;
const maxReason = 1000;
const repoPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const commitPattern = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
/** An ISO time as toISOString writes it. */
const timePattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z$/;

export type CommitSet = Record<string, string>;

export interface ProofRecord {
  group: string;
  commits: CommitSet;
  since: string;
  until?: string;
  /** With system.closure: the closure the host ran the commits as. */
  closure?: string;
}
export interface RejectionRecord {
  group: string;
  commits: CommitSet;
  at: string;
  reason: string;
  /** With system.closure: the closure that failed. */
  closure?: string;
}
export interface ReportRecord {
  group: string;
  commits: CommitSet;
  result: string;
  at: string;
  generation?: number;
  provenSet?: string;
  closure?: string;
  /** A follower's gates, the last time it evaluated them. */
  gates?: GateRecord;
}
export interface ClaimRecord {
  since: string;
  commits?: CommitSet;
}
export interface LimitRecord {
  slots: number;
}
export interface ForgivenRecord {
  at: string;
}
export interface MemberRecord {
  group: string;
}
/** `fleet pause`: who paused, when, and why. */
export interface PauseRecord {
  at: string;
  by: string;
  reason: string;
}
/** `fleet abort SET`: the set rejected fleet-wide by an operator. */
export interface AbortRecord extends PauseRecord {
  commits: CommitSet;
}
/** What a follower's gates measured for a set, kept in its report. */
export interface GateRecord {
  set: string;
  at: string;
  results: { name: string; passed: boolean; measured: string }[];
}

/** A record, or why it is not one. */
export type Checked<T> = { ok: true; value: T } | { ok: false; problem: string };

type Shape = Record<string, (value: unknown) => boolean>;

const isString = (pattern: RegExp) => (value: unknown) =>
  typeof value === 'string' && pattern.test(value);
const isTime = isString(timePattern);
const isGroup = isString(groupPattern);
const isText = (value: unknown) => typeof value === 'string' && value.length <= maxReason;
const isCount = (max: number) => (value: unknown) =>
  Number.isInteger(value) && (value as number) >= 0 && (value as number) <= max;
export const isCommitSet = (value: unknown): value is CommitSet => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const entries = Object.entries(value);
  return (
    entries.length > 0 &&
    entries.length <= maxRepos &&
    entries.every(([repo, commit]) => repoPattern.test(repo) && isString(commitPattern)(commit))
  );
};
const isClosure = (value: unknown) => typeof value === 'string' && isSystemPath(value);
const maxGates = 20;
const isGateResult = (value: unknown) => {
  if (typeof value !== 'object' || value === null) return false;
  const { name, passed, measured } = value as Record<string, unknown>;
  return (
    typeof name === 'string' &&
    name.length <= 64 &&
    typeof passed === 'boolean' &&
    typeof measured === 'string' &&
    measured.length <= 200
  );
};
const isGates = (value: unknown) => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const { set, at, results } = value as Record<string, unknown>;
  return (
    isString(setIdPattern)(set) &&
    isTime(at) &&
    Array.isArray(results) &&
    results.length <= maxGates &&
    results.every(isGateResult)
  );
};
const optional = (check: (value: unknown) => boolean) => (value: unknown) =>
  value === undefined || check(value);

const shapes = {
  proof: {
    group: isGroup,
    commits: isCommitSet,
    since: isTime,
    until: optional(isTime),
    closure: optional(isClosure),
  },
  rejection: {
    group: isGroup,
    commits: isCommitSet,
    at: isTime,
    reason: isText,
    closure: optional(isClosure),
  },
  report: {
    group: isGroup,
    commits: (value: unknown) =>
      isCommitSet(value) ||
      (typeof value === 'object' &&
        value !== null &&
        !Array.isArray(value) &&
        Object.keys(value).length === 0),
    result: isString(/^[a-z-]{1,40}$/),
    at: isTime,
    generation: optional(isCount(1e9)),
    provenSet: optional(isString(setIdPattern)),
    closure: optional(isClosure),
    gates: optional(isGates),
  },
  claim: { since: isTime, commits: optional(isCommitSet) },
  limit: { slots: isCount(100_000) },
  forgiven: { at: isTime },
  member: { group: isGroup },
  pause: { at: isTime, by: isString(operatorPattern), reason: isText },
  abort: { commits: isCommitSet, at: isTime, by: isString(operatorPattern), reason: isText },
} satisfies Record<string, Shape>;

export type RecordKind = keyof typeof shapes;
interface Kinds {
  proof: ProofRecord;
  rejection: RejectionRecord;
  report: ReportRecord;
  claim: ClaimRecord;
  limit: LimitRecord;
  forgiven: ForgivenRecord;
  member: MemberRecord;
  pause: PauseRecord;
  abort: AbortRecord;
}

const described: Record<RecordKind, string> = {
  proof: 'a proof',
  rejection: 'a rejection',
  report: 'a host report',
  claim: 'a slot claim',
  limit: 'a slot limit ({"slots": N})',
  forgiven: 'a forgiveness',
  member: 'a membership ({"group": G})',
  pause: 'a pause ({"at", "by", "reason"})',
  abort: 'an abort ({"commits", "at", "by", "reason"})',
};

/** Checks `text` as a record of `kind`; unknown fields are dropped, never carried along. */
export function checkRecord<K extends RecordKind>(kind: K, text: string): Checked<Kinds[K]> {
  if (Buffer.byteLength(text) > maxRecordBytes) {
    return { ok: false, problem: `is larger than ${maxRecordBytes / 1024} KiB` };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, problem: 'is not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, problem: `is not ${described[kind]}` };
  }
  const shape: Shape = shapes[kind];
  const record: Record<string, unknown> = {};
  for (const [field, check] of Object.entries(shape)) {
    const fieldValue = (value as Record<string, unknown>)[field];
    if (!check(fieldValue)) {
      return { ok: false, problem: `is not ${described[kind]} (field "${field}")` };
    }
    if (fieldValue !== undefined) record[field] = fieldValue;
  }
  return { ok: true, value: record as unknown as Kinds[K] };
}
