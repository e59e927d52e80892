// The rollout's records in etcd (the layout is in store/keys.ts): each host writes its report,
// its proofs and its rejections under keys that name it, in one transaction per run, so a
// report either lands whole or not at all, and sending it again changes nothing. Everything read
// is checked (store/fleetRecords.ts); a bad record is skipped with a warning, never a failed run.
import type { EtcdSpec } from '../config/resolve.js';
import { CoordinatorUnavailable } from './coordinator.js';
import { setId, type CommitSet, type HostReport, type SetRecord } from './rollout.js';
import { openEtcdStore, type Compare, type EtcdStore, type Operation } from './store/etcdStore.js';
import {
  hostsFrom,
  membersFrom,
  pausesFrom,
  setsFrom,
  type Pause,
  type Warn,
} from './store/fleetRecords.js';
import { fleetKeys } from './store/keys.js';
import { checkRecord, type GateRecord, type ProofRecord } from './store/records.js';

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
  /** With system.closure: the closure the host switched to in this run. */
  closure?: string;
  /** The commits (and closure) this run tried and rolled back for their content, and why. */
  rejected?: { commits: CommitSet; reason: string; closure?: string };
  /** A follower's gates, if this run evaluated them. */
  gates?: GateRecord;
}

export interface RolloutStore {
  readonly where: string;
  /**
   * The commit sets. With `proofsOf`, only the proofs of that group's enrolled hosts are read
   * (a follower needs no more), when hosts are enrolled.
   */
  sets(options?: { proofsOf?: string; proofs?: false }): Promise<SetRecord[]>;
  hosts(): Promise<HostReport[]>;
  /** Operators' pauses: of groups, or of every group. */
  pauses(): Promise<Pause[]>;
  report(run: RunReport): Promise<void>;
  /** Lifts a set's fleet-wide quarantine; undefined when no set has that id. */
  forgive(id: string): Promise<{ set: SetRecord; forgiven: boolean } | undefined>;
  close(): Promise<void>;
}

/** Reports lost to a concurrent change of the same host's keys before giving up. */
const reportAttempts = 8;
/** Closed proofs a host keeps for `fleet status` and followers, unless told: 30 days. */
export const keepClosedProofsMs = 30 * 24 * 3600 * 1000;

export async function openRolloutStore(
  spec: EtcdSpec,
  env: NodeJS.ProcessEnv,
  options: { warn?: Warn; store?: EtcdStore; keepProofsMs?: number } = {},
): Promise<RolloutStore> {
  const store = options.store ?? (await openEtcdStore(spec, env));
  const keys = fleetKeys(spec.prefix);
  const warned = new Set<string>();
  const warn: Warn = (line) => {
    if (warned.has(line)) return;
    warned.add(line);
    options.warn?.(line);
  };
  // Enrolment is the operator's and changes between runs, not within one: read once per store.
  let enrolment: Promise<Map<string, string>> | undefined;
  const members = () =>
    (enrolment ??= store
      .list(keys.members)
      .then((listing) => membersFrom(listing.kvs, keys, warn))
      .catch((error: unknown) => {
        enrolment = undefined;
        throw error;
      }));

  const sets = async ({
    proofsOf,
    proofs: withProofs,
  }: { proofsOf?: string; proofs?: false } = {}) => {
    const enrolled = await members();
    const canaries = proofsOf
      ? [...enrolled].filter(([, group]) => group === proofsOf).map(([id]) => id)
      : [];
    const [proofs, rejections, forgiven, aborted] = await Promise.all([
      withProofs === false
        ? []
        : proofsOf && enrolled.size > 0
          ? Promise.all(canaries.map((id) => store.list(keys.hostProofs(id)))).then((all) =>
              all.flatMap((listing) => listing.kvs),
            )
          : store.list(keys.proofs).then((listing) => listing.kvs),
      store.list(keys.rejections).then((listing) => listing.kvs),
      store.list(keys.forgivenAll).then((listing) => listing.kvs),
      store.list(keys.abortedAll).then((listing) => listing.kvs),
    ]);
    return setsFrom({ proofs, rejections, forgiven, aborted }, enrolled, keys, warn);
  };

  const report = async (run: RunReport) => {
    const reportKey = keys.report(run.host);
    for (let attempt = 0; attempt < reportAttempts; attempt += 1) {
      const { kv: previousKv } = await store.get(reportKey);
      const previousRecord = previousKv ? checkRecord('report', previousKv.value) : undefined;
      const previous = previousRecord?.ok ? previousRecord.value : undefined;
      const running = Object.keys(run.commits).length > 0 ? setId(run.commits) : undefined;
      // This host's proofs, read once: the one it runs, the one it ran, and what to prune.
      const own = (await store.list(keys.hostProofs(run.host))).kvs.map((kv) => {
        const record = checkRecord('proof', kv.value);
        return { kv, proof: record.ok ? record.value : undefined };
      });
      const ownProof = (set: string) => {
        const found = own.find((entry) => entry.kv.key === keys.proof(run.host, set));
        return { kv: found?.kv, proof: found?.proof };
      };
      const compares: Compare[] = [
        { key: reportKey, target: 'Mod', revision: previousKv?.modRevision ?? 0n },
      ];
      const operations: Operation[] = [];
      const putProof = (set: string, proof: ProofRecord) =>
        operations.push({ put: keys.proof(run.host, set), value: JSON.stringify(proof) });

      if (run.healthy && running) {
        const { kv, proof } = ownProof(running);
        compares.push({
          key: keys.proof(run.host, running),
          target: 'Mod',
          revision: kv?.modRevision ?? 0n,
        });
        if (!proof || proof.until !== undefined) {
          putProof(running, {
            group: run.group,
            commits: run.commits,
            since: run.at,
            ...(run.closure ? { closure: run.closure } : {}),
          });
        }
      }
      // Running something else now (moved on, or rolled back): the proof it held ends here.
      const before = previous?.provenSet;
      if (before && before !== running) {
        const { kv, proof } = ownProof(before);
        if (kv && proof && proof.until === undefined) {
          compares.push({ key: kv.key, target: 'Mod', revision: kv.modRevision });
          putProof(before, { ...proof, until: run.at });
        }
      }
      if (run.rejected) {
        const key = keys.rejection(run.host, setId(run.rejected.commits));
        const { kv } = await store.get(key);
        const existing = kv ? checkRecord('rejection', kv.value) : undefined;
        // The same report sent again leaves the rejection (and any forgiveness after it) be.
        if (!(existing?.ok && existing.value.at === run.at)) {
          operations.push({
            put: key,
            value: JSON.stringify({
              group: run.group,
              commits: run.rejected.commits,
              at: run.at,
              reason: run.rejected.reason.slice(0, 1000),
              ...(run.rejected.closure ? { closure: run.rejected.closure } : {}),
            }),
          });
        }
      }
      const written = new Set(operations.map((op) => ('put' in op ? op.put : op.delete)));
      const cutoff = Date.parse(run.at) - (options.keepProofsMs ?? keepClosedProofsMs);
      for (const { kv, proof } of own) {
        // Closed before the keep time, or unreadable: only this host writes here, so it is its
        // own debris.
        const old = proof?.until !== undefined && Date.parse(proof.until) < cutoff;
        if ((old || !proof) && !written.has(kv.key)) operations.push({ delete: kv.key });
      }
      const provenSet = run.healthy ? running : before === running ? before : undefined;
      operations.push({
        put: reportKey,
        value: JSON.stringify({
          group: run.group,
          commits: run.commits,
          result: run.result,
          at: run.at,
          ...(run.generation === undefined ? {} : { generation: run.generation }),
          ...(provenSet ? { provenSet } : {}),
          ...(run.closure ? { closure: run.closure } : {}),
          ...(run.gates ? { gates: run.gates } : {}),
        }),
      });
      if (await store.commit(compares, operations)) return;
      // Another run of this host reported meanwhile: read again, after a pause with jitter.
      await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt * Math.random()));
    }
    throw new CoordinatorUnavailable(
      `${store.where}: ${reportKey} changed ${reportAttempts} times while being reported; the next run sends the report`,
    );
  };

  return {
    where: store.where,
    sets,
    hosts: async () => {
      const enrolled = await members();
      return hostsFrom((await store.list(keys.reports)).kvs, enrolled, keys, warn);
    },
    pauses: async () => {
      const [groups, all] = await Promise.all([store.list(keys.paused), store.get(keys.pausedAll)]);
      return pausesFrom([...groups.kvs, ...(all.kv ? [all.kv] : [])], keys, warn);
    },
    report,
    forgive: async (id) => {
      const set = (await sets()).find((entry) => entry.id === id);
      if (!set) return undefined;
      if (set.rejected.length === 0) return { set, forgiven: false };
      const at = new Date().toISOString();
      await store.commit([], [{ put: keys.forgiven(id), value: JSON.stringify({ at }) }]);
      return {
        set: {
          ...set,
          rejected: [],
          forgiven: [...(set.forgiven ?? []), { at, rejected: set.rejected }],
        },
        forgiven: true,
      };
    },
    close: async () => {
      if (!options.store) await store.close();
    },
  };
}
