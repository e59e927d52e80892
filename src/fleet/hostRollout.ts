// This host's part in the fleet's rollout, with fleet.etcd: the pull asks the fleet's records what
// it may take (rolloutGate.ts), and every run ends by reporting to them (rolloutStore.ts). A
// report the store does not take waits in the state dir for the next run.
import type { ResolvedFleet } from '../config/resolve.js';
import { describeError } from '../errors.js';
import type { Log } from '../log.js';
import { readPendingReports, writePendingReports } from '../state/fleetReports.js';
import { recordSightings, sightingKey } from '../state/proofSightings.js';
import {
  quarantinedBy,
  sameCommits,
  type CommitSet,
  type RejectedBy,
  type SetRecord,
  type SoakStart,
} from './rollout.js';
import { rolloutGate, type PullGate } from './rolloutGate.js';
import type { RolloutStore, RunReport } from './rolloutStore.js';
import type { GateRecord } from './store/records.js';
import { inWaves } from './waves.js';

interface HostRolloutDeps {
  env: NodeJS.ProcessEnv;
  log: Log;
  stateDir: string;
  /** The configured repos' names, and whether a recall needs a system generation on record. */
  recall?: { repos: string[]; needsGeneration: boolean };
}

export class HostRollout {
  private store?: Promise<RolloutStore>;

  constructor(
    readonly fleet: ResolvedFleet,
    readonly id: string,
    private readonly deps: HostRolloutDeps,
  ) {}

  private open(): Promise<RolloutStore> {
    const { backend } = this.fleet;
    if (!('etcd' in backend)) throw new Error('the rollout needs fleet.etcd');
    this.store ??= import('./rolloutStore.js').then(({ openRolloutStore }) =>
      openRolloutStore(backend.etcd, this.deps.env, {
        keepProofsMs: this.fleet.keepProofsMs,
        warn: (line) => this.deps.log.warn(`fleet store: ${line}`),
      }),
    );
    return this.store;
  }

  /** What this run's gates measured: sent with its report. */
  private gateRecord?: GateRecord;

  gate(force: boolean): PullGate {
    const follow = this.fleet.follow;
    // With waves, a follower counts its own group's proofs too: read them all in one request.
    const waves = inWaves(follow);
    return rolloutGate({
      fleet: this.fleet,
      sets: async () =>
        (await this.open()).sets(follow && !waves ? { proofsOf: follow.group } : {}),
      pauses: async () => (await this.open()).pauses(),
      ...(waves
        ? {
            waves: {
              self: this.id,
              groupHosts: async () =>
                (await (await this.open()).hosts())
                  .filter((host) => host.group === this.fleet.group)
                  .map((host) => host.id),
            },
          }
        : {}),
      ...(follow && follow.gates.length > 0
        ? {
            gates: async (set, wave) => {
              const { evaluateGates } = await import('./gates.js');
              const results = await evaluateGates(follow.gates, {
                set: set.id,
                group: this.fleet.group,
                wave,
                env: this.deps.env,
              });
              this.gateRecord = { set: set.id, at: new Date().toISOString(), results };
              return results;
            },
          }
        : {}),
      ...(this.deps.recall ? { recallTarget: this.recallTarget(this.deps.recall) } : {}),
      force,
      log: this.deps.log,
      soakStart: (sets, now) => this.soakStart(sets, now),
    });
  }

  /**
   * When this host first saw each open proof it counts (the canaries', and with waves its own
   * group's), kept in the state dir: a soak runs on this host's clock. The watcher (watch.ts)
   * sights them the same way, so the two never forget each other's sightings.
   */
  async soakStart(sets: SetRecord[], now: number): Promise<SoakStart> {
    const follow = this.fleet.follow;
    const waves = inWaves(follow);
    const open = sets.flatMap((set) =>
      set.proven
        .filter(
          (proof) =>
            proof.until === undefined &&
            (proof.group === follow?.group || (waves && proof.group === this.fleet.group)),
        )
        .map((proof) => sightingKey({ ...proof, set: set.id })),
    );
    const seen = await recordSightings(this.deps.stateDir, open, now).catch((error: unknown) => {
      this.deps.log.warn(`cannot keep when proofs were first seen: ${describeError(error)}`);
      const none: Record<string, number> = {};
      return none;
    });
    return (proof) => seen[sightingKey(proof)] ?? now;
  }

  /** Where a recall goes: this host's own run records say (src/fleet/recall.ts). */
  private recallTarget(spec: { repos: string[]; needsGeneration: boolean }) {
    return async (running: string, quarantined: (commits: CommitSet) => boolean) => {
      const [{ readRunRecords }, { recallTarget, recallRecords }] = await Promise.all([
        import('../state/runRecords.js'),
        import('./recall.js'),
      ]);
      const records = await readRunRecords(this.deps.stateDir, recallRecords);
      return recallTarget(records, spec.repos, running, quarantined, spec.needsGeneration);
    };
  }

  /**
   * Right before the switch, with the slot taken: has any host rejected `commits` while this one
   * waited? Throws CoordinatorUnavailable when the store cannot say (nothing is switched then).
   */
  async rejectedMeanwhile(commits: CommitSet, force: boolean): Promise<RejectedBy | undefined> {
    if (force) return undefined;
    const sets = await (await this.open()).sets({ proofs: false });
    const record = sets.find((set) => sameCommits(set.commits, commits));
    return record && quarantinedBy(record);
  }

  /**
   * Tells the fleet how the run ended; returns the summary's line. Without the store the report
   * waits for the next run (and a canary that must report says so).
   */
  async report(run: Omit<RunReport, 'host' | 'group'>): Promise<string> {
    const report: RunReport = {
      host: this.id,
      group: this.fleet.group,
      ...run,
      ...(this.gateRecord ? { gates: this.gateRecord } : {}),
    };
    const pending = [...(await this.pending()), report];
    const sent = await this.send(pending);
    if (sent === pending.length) {
      return run.rejected
        ? 'fleet: reported; these commits are now quarantined fleet-wide'
        : run.healthy
          ? 'fleet: reported healthy on these commits'
          : 'fleet: reported';
    }
    return `fleet: the report could not be sent (${this.lastError}): the next run sends it`;
  }

  /** Reports earlier runs could not send: sent before this run's. */
  async sendPending(): Promise<void> {
    const pending = await this.pending();
    if (pending.length === 0) return;
    const sent = await this.send(pending);
    if (sent > 0)
      this.deps.log.info(
        `sent ${sent} fleet report${sent === 1 ? '' : 's'} an earlier run could not send`,
      );
  }

  private lastError = '';

  private async pending(): Promise<RunReport[]> {
    return readPendingReports(this.deps.stateDir).catch((error: unknown) => {
      this.deps.log.warn(`cannot read the pending fleet reports: ${describeError(error)}`);
      return [];
    });
  }

  /** Sends in order until one fails; keeps the rest for later. Returns how many went. */
  private async send(reports: RunReport[]): Promise<number> {
    let sent = 0;
    try {
      const store = await this.open();
      for (const report of reports) {
        await store.report(report);
        sent += 1;
      }
    } catch (error) {
      this.lastError = describeError(error);
      this.deps.log.warn(`cannot report to the fleet: ${this.lastError}`);
    }
    await writePendingReports(this.deps.stateDir, reports.slice(sent)).catch((error: unknown) =>
      this.deps.log.warn(`cannot keep the fleet report for later: ${describeError(error)}`),
    );
    return sent;
  }

  async close(): Promise<void> {
    const store = await this.store?.catch(() => undefined);
    await store?.close();
  }
}
