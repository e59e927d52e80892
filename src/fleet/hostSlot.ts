// This host's fleet slot across one run: taken in `waitingForSlot`, then after the run released,
// held after a failure (onFailure "hold"), or kept until the boot check after a reboot. A
// release that fails (the coordinator is down) is remembered and retried by the next run.
import { ExitCode, XsUpgradeError, describeError } from '../errors.js';
import type { ResolvedFleet } from '../config/resolve.js';
import type { Log } from '../log.js';
import type { PulledRepo, UpgradeOutput } from '../machine/types.js';
import { clearHeldSlot, readHeldSlot, writeHeldSlot, type HeldSlot } from '../state/fleetSlot.js';
import { CoordinatorUnavailable, type Coordinator } from './coordinator.js';
import { openCoordinator } from './openCoordinator.js';
import { fleetHostId, fleetProblems } from './hostId.js';
import type { RejectedBy } from './rollout.js';
import { NoSlotInTime, waitForSlot } from './waitForSlot.js';

/** What becomes of the slot once a run is over. */
export type SlotDecision = 'release' | 'hold-after-failure' | 'keep-for-boot-check';

/**
 * Healthy, or never switched: release. Rebooting: keep it through the boot check. A switch that
 * failed: hold it (onFailure "hold"), so the rollout stops at this host; a failed rollback always
 * holds, since nobody knows what state the host is in.
 */
export function slotAfterRun(
  output: Pick<UpgradeOutput, 'result' | 'switchStarted'>,
  onFailure: ResolvedFleet['onFailure'],
): SlotDecision {
  if (output.result === 'rebooting') return 'keep-for-boot-check';
  if (output.result === 'rollback-failed') return 'hold-after-failure';
  if (output.result === 'rolled-back' && output.switchStarted && onFailure === 'hold')
    return 'hold-after-failure';
  return 'release';
}

interface HostSlotDeps {
  env: NodeJS.ProcessEnv;
  log: Log;
  stateDir: string;
}

export class HostSlot {
  private coordinator?: Promise<Coordinator>;
  private taken = false;
  /** The last answer was "full": this run surely holds nothing. */
  private refused = false;
  /** The coordinator was unreachable and requireReport false: switched without a slot. */
  private without = false;

  private constructor(
    readonly fleet: ResolvedFleet,
    readonly id: string,
    private readonly deps: HostSlotDeps,
  ) {}

  /** Checks what the config names (id, password, TLS files): exit 78 if it cannot work. */
  static async prepare(fleet: ResolvedFleet, deps: HostSlotDeps): Promise<HostSlot> {
    const [problem] = await fleetProblems(fleet, deps.env);
    if (problem) throw new XsUpgradeError(problem, ExitCode.config);
    return new HostSlot(fleet, await fleetHostId(fleet.id), deps);
  }

  private open(): Promise<Coordinator> {
    this.coordinator ??= openCoordinator(this.fleet, this.deps.env);
    return this.coordinator;
  }

  /**
   * `waitingForSlot`'s step. With `rejectedMeanwhile`, the fleet's quarantine is read again once
   * the slot is taken: a set some host rejected while this one waited is not switched to, and the
   * slot goes back at once.
   */
  async take(
    pulled: PulledRepo[],
    signal: AbortSignal,
    rejectedMeanwhile?: (commits: Record<string, string>) => Promise<RejectedBy | undefined>,
  ): Promise<void> {
    const coordinator = await this.open();
    const commits = Object.fromEntries(pulled.map((repo) => [repo.repo, repo.to]));
    try {
      await waitForSlot({
        coordinator,
        request: { id: this.id, group: this.fleet.group, commits },
        timeoutMs: this.fleet.slotTimeoutMs,
        signal,
        log: this.deps.log,
      });
      this.taken = true;
      const rejection = await rejectedMeanwhile?.(commits);
      if (rejection) {
        const line = await this.release('quarantined while waiting');
        this.taken = false;
        this.refused = true;
        this.deps.log.info(line);
        throw new QuarantinedWhileWaiting(rejection);
      }
    } catch (error) {
      if (error instanceof NoSlotInTime) this.refused = true;
      if (error instanceof CoordinatorUnavailable && !error.mayHaveChanged) this.refused = true;
      // A canary told it may go on without the fleet's store (requireReport false) does so.
      if (
        error instanceof CoordinatorUnavailable &&
        'etcd' in this.fleet.backend &&
        !this.fleet.follow &&
        !this.fleet.requireReport
      ) {
        this.without = true;
        this.deps.log.warn(
          `${error.message}: switching without a fleet slot (requireReport false)`,
        );
        return;
      }
      throw error;
    }
  }

  /** After a run: release, hold or keep the slot; returns the summary's line about it. */
  async settle(output: UpgradeOutput): Promise<string | undefined> {
    if (!output.slot) return undefined;
    if (this.without && !this.taken) {
      return 'fleet: switched without a slot: the coordinator was unreachable (requireReport false)';
    }
    const decision = slotAfterRun(output, this.fleet.onFailure);
    // Asked, with no answer or stopped before one: it may be held, and releasing costs nothing.
    const mayHold = output.slot === 'taken' || this.taken || !this.refused;
    if (decision === 'release' && !mayHold) return undefined;
    // Held since an earlier failure, and this run switched nothing: still held for the operator.
    const earlier = await readHeldSlot(this.deps.stateDir).catch(() => undefined);
    if (
      decision === 'release' &&
      !output.switchStarted &&
      earlier?.state === 'held-after-failure'
    ) {
      return `fleet: slot in group "${this.fleet.group}" still HELD since the failure of ${earlier.since}: \`xs-upgrade fleet release --id ${this.id}\` after looking at this host`;
    }
    const failure = output.failure
      ? `${output.failure.state}: ${output.failure.message}`
      : `the run ended ${output.result}`;
    return this.apply(decision, failure);
  }

  /** Does what was decided; returns the line that says so. Never throws. */
  async apply(decision: SlotDecision, reason: string): Promise<string> {
    const group = `group "${this.fleet.group}"`;
    if (decision === 'release') return this.release(reason);
    const where = (await this.open().catch(() => undefined))?.where ?? '?';
    const base = { group: this.fleet.group, id: this.id, where, since: now() };
    if (decision === 'keep-for-boot-check') {
      await this.remember({ ...base, state: 'held-for-boot-check' });
      return `fleet: slot in ${group} kept until the boot check after the reboot passes`;
    }
    await this.remember({ ...base, state: 'held-after-failure', reason: reason.slice(0, 300) });
    return `fleet: slot in ${group} HELD (onFailure "hold"): the rollout waits here; look at this host, then \`xs-upgrade fleet release --id ${this.id}\``;
  }

  /** Frees the slot; a failure is remembered for the next run and said, never thrown. */
  async release(why: string): Promise<string> {
    const group = `group "${this.fleet.group}"`;
    try {
      const coordinator = await this.open();
      const held = await coordinator.release(this.id, this.fleet.group);
      await clearHeldSlot(this.deps.stateDir);
      return held ? `fleet: slot in ${group} released` : `fleet: no slot held in ${group}`;
    } catch (error) {
      const message = describeError(error);
      await this.remember({
        state: 'release-pending',
        group: this.fleet.group,
        id: this.id,
        where: (await this.coordinator?.catch(() => undefined))?.where ?? '?',
        since: now(),
        reason: `${why}; release failed: ${message}`,
      });
      this.deps.log.warn(`cannot release the fleet slot in ${group}: ${message}`);
      return `fleet: the slot in ${group} could not be released (${message}): the next run releases it`;
    }
  }

  /**
   * Before a run, this host's record of its slot against the coordinator: a release an earlier
   * run could not do is done now (as Zincati does when it starts); a slot held after a failure
   * that an operator has released since (seen where the coordinator can tell) is forgotten.
   */
  async reconcile(): Promise<void> {
    const held = await readHeldSlot(this.deps.stateDir).catch(() => undefined);
    if (held?.state === 'release-pending') {
      this.deps.log.info(
        `releasing the fleet slot an earlier run could not release (${held.since})`,
      );
      this.deps.log.info(await this.release(held.reason ?? 'an earlier run'));
      return;
    }
    if (held?.state !== 'held-after-failure') return;
    try {
      const coordinator = await this.open();
      const groups = await coordinator.status?.();
      const group = groups?.find((entry) => entry.group === held.group);
      if (groups && !group?.holders.some((holder) => holder.id === held.id)) {
        await clearHeldSlot(this.deps.stateDir);
        this.deps.log.info(
          `the fleet slot held since the failure of ${held.since} was released by an operator`,
        );
      }
    } catch (error) {
      this.deps.log.warn(`cannot look at the fleet slot: ${describeError(error)}`);
    }
  }

  private async remember(slot: HeldSlot): Promise<void> {
    await writeHeldSlot(this.deps.stateDir, slot).catch((error: unknown) =>
      this.deps.log.warn(`cannot record the fleet slot in the state dir: ${describeError(error)}`),
    );
  }

  async close(): Promise<void> {
    const coordinator = await this.coordinator?.catch(() => undefined);
    await coordinator?.close();
  }
}

const now = () => new Date().toISOString();

/** Another host rejected these commits while this one waited for its slot: nothing switched. */
export class QuarantinedWhileWaiting extends Error {
  readonly temporary = true;
  readonly next =
    'nothing was switched; the next run holds these commits back until `xs-upgrade fleet forgive`';
  constructor(rejection: RejectedBy) {
    super(
      `${rejection.host} (group ${rejection.group}) rejected these commits at ${rejection.at} while this host waited for a slot, as that host reported it: ${rejection.reason}`,
    );
    this.name = 'QuarantinedWhileWaiting';
  }
}
