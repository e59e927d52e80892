// The rollout's records in etcd, under the fleet prefix: PREFIX/sets/ID (a commit set: who proved
// it, who rejected it) and PREFIX/hosts/ID (a host's last run). Every change is a compare-and-swap
// of one document (etcdStore.ts), so hosts reporting at once never lose each other's entries.
import type { EtcdSpec } from '../config/resolve.js';
import { openEtcdStore, type DocumentKind } from './etcdStore.js';
import {
  addProof,
  addRejection,
  closeProof,
  emptySet,
  forgive,
  parseHostReport,
  parseSetRecord,
  setId,
  type CommitSet,
  type HostReport,
  type SetRecord,
} from './rollout.js';

/** What a finished run tells the fleet. */
export interface RunReport {
  host: string;
  group: string;
  /** Each repo's commit once the run ended. */
  commits: CommitSet;
  result: string;
  at: string;
  generation?: number;
  /** The host came up healthy on `commits`: a proof. */
  healthy: boolean;
  /** The commits this run tried and rolled back for their content, and why. */
  rejected?: { commits: CommitSet; reason: string };
}

export interface RolloutStore {
  readonly where: string;
  sets(): Promise<SetRecord[]>;
  hosts(): Promise<HostReport[]>;
  report(run: RunReport): Promise<void>;
  /** Lifts a set's fleet-wide quarantine; undefined when no set has that id. */
  forgive(id: string): Promise<{ set: SetRecord; forgiven: boolean } | undefined>;
  close(): Promise<void>;
}

const setKind: DocumentKind<SetRecord | undefined> = {
  parse: parseSetRecord,
  empty: () => undefined,
  serialize: (value) => JSON.stringify(value),
};
const hostKind: DocumentKind<HostReport | undefined> = {
  parse: parseHostReport,
  empty: () => undefined,
  serialize: (value) => JSON.stringify(value),
};

export async function openRolloutStore(
  spec: EtcdSpec,
  env: NodeJS.ProcessEnv,
): Promise<RolloutStore> {
  const store = await openEtcdStore(spec, env);
  const setsPrefix = `${spec.prefix}/sets/`;
  const hostsPrefix = `${spec.prefix}/hosts/`;
  const setKey = (id: string) => `${setsPrefix}${id}`;

  /** Applies `change` to the record of `commits` (created when new); no write if it returns undefined. */
  const changeSet = (commits: CommitSet, change: (set: SetRecord) => SetRecord | undefined) =>
    store.update(setKey(setId(commits)), setKind, (stored) => {
      const next = change(stored ?? emptySet(commits));
      return { ...(next ? { next } : {}), result: undefined };
    });

  return {
    where: store.where,
    sets: async () =>
      Object.entries(await store.readPrefix(setsPrefix)).map(([key, text]) =>
        parseSetRecord(text, key),
      ),
    hosts: async () =>
      Object.entries(await store.readPrefix(hostsPrefix))
        .map(([key, text]) => parseHostReport(text, key))
        .sort((a, b) => a.id.localeCompare(b.id)),
    report: async (run) => {
      const hostKey = `${hostsPrefix}${run.host}`;
      const previous = (await store.read(hostKey, hostKind)).value;
      const id = setId(run.commits);
      if (run.rejected) {
        const rejection = {
          host: run.host,
          group: run.group,
          at: run.at,
          reason: run.rejected.reason,
        };
        await changeSet(run.rejected.commits, (set) => addRejection(set, rejection));
      }
      if (run.healthy) {
        await changeSet(run.commits, (set) =>
          addProof(set, { host: run.host, group: run.group, since: run.at }),
        );
        // Moving on ends the proof of the set it ran before.
        const before = previous?.provenSet;
        if (before && before !== id) {
          await store.update(setKey(before), setKind, (set) => {
            const next = set && closeProof(set, run.host, run.at);
            return { ...(next ? { next } : {}), result: undefined };
          });
        }
      }
      const provenSet = run.healthy ? id : previous?.provenSet;
      const report: HostReport = {
        id: run.host,
        group: run.group,
        commits: run.commits,
        result: run.result,
        at: run.at,
        ...(run.generation === undefined ? {} : { generation: run.generation }),
        ...(provenSet ? { provenSet } : {}),
      };
      await store.update(hostKey, hostKind, () => ({ next: report, result: undefined }));
    },
    forgive: (id) =>
      store.update<SetRecord | undefined, { set: SetRecord; forgiven: boolean } | undefined>(
        setKey(id),
        setKind,
        (set) => {
          if (!set) return { result: undefined };
          const next = forgive(set, new Date().toISOString());
          return next
            ? { next, result: { set: next, forgiven: true } }
            : { result: { set, forgiven: false } };
        },
      ),
    close: () => store.close(),
  };
}
