// Runs the upgrade machine with the real actors, a log line per state, and a report of what it
// did (the host itself is measured after it, by the lifecycle). Takes its environment as arguments, so tests drive it
// in-process exactly as the CLI does.
import { createActor, type InspectionEvent, type Observer, type Snapshot } from 'xstate';
import { createUpgradeActors, type ActorDeps } from '../actors/index.js';
import type { ResolvedConfig } from '../config/resolve.js';
import { ExitCode } from '../errors.js';
import type { Log } from '../log.js';
import type { RejectedCommitSet } from '../state/rejectedCommits.js';
import type { SavedGeneration, UpgradeOutput, UpgradeResult } from '../machine/types.js';
import { statePathOf } from '../machine/statePath.js';
import { upgradeMachine } from '../machine/upgradeMachine.js';
import { conditionsConfigured } from '../config/resolve.js';

export interface RunOptions {
  config: ResolvedConfig;
  log: Log;
  env: NodeJS.ProcessEnv;
  /** Build and switch even when no repo has a new commit (and retry a rejected commit set). */
  force?: boolean;
  /** Do not run the validation checks (--skip-validation). */
  skipValidation?: boolean;
  killGraceMs?: number;
  /** Receives every inspection event of the run (--inspect, --inspect-log). */
  inspect?: Observer<InspectionEvent>;
  /** Aborting it asks the run to stop: the step is stopped and what moved is rolled back. */
  interrupt?: AbortSignal;
  /** Hears about every state entered, with the machine's persisted snapshot (crash recovery). */
  onState?: (state: string, at: Date, persisted: unknown) => void;
  /** A persisted snapshot of an unfinished run to resume; it is interrupted at once, so it rolls back. */
  restore?: unknown;
  /** Why the restored run is stopped, as its failure says (it was killed, not signalled). */
  restoreReason?: string;
  /** Hears of every step command's process group. */
  processes?: ActorDeps['processes'];
  /** The run record's id. */
  runId?: string;
  /** Awaited before each step starts (the state is written to disk by then). */
  beforeStep?: () => Promise<void>;
  /** Commit sets that failed before: not pulled again unless `force`. */
  rejected?: RejectedCommitSet[];
  /** --ignore-conditions: run whatever the window, power and network say. */
  ignoreConditions?: boolean;
  /** An earlier run left a reboot pending (outside the window): consider it even if nothing is new. */
  rebootPending?: boolean;
  /** With `fleet`: waits for this host's slot. */
  takeSlot?: ActorDeps['takeSlot'];
  /** With `fleet.etcd`: what the fleet lets the pull take. */
  pullGate?: ActorDeps['pullGate'];
}

export interface StateVisit {
  state: string;
  ms: number;
}

/** What the machine did: its output, the states it went through, and the exit code that means. */
export interface MachineReport {
  output: UpgradeOutput;
  states: StateVisit[];
  exitCode: number;
}

/** The machine's report with the host as measured once the run ended: what the summary tells. */
export interface RunReport extends MachineReport {
  /** Each repo's commit once the run ended, and how many commits it is behind its remote branch. */
  finalCommits: { repo: string; commit: string; behind?: number }[];
  /** The system generation once the run ended (with `system.profile`). */
  finalSystem?: SavedGeneration;
}

const exitCodes: Record<UpgradeResult, number> = {
  upgraded: ExitCode.done,
  'nothing-new': ExitCode.done,
  // Upgraded and healthy; the boot that follows is checked by `xs-upgrade boot-check`.
  rebooting: ExitCode.done,
  // Not now (outside the window, on battery, metered): nothing was done, and that is fine.
  skipped: ExitCode.done,
  // Not upgraded, nothing touched, and a person must fix upstream (or --force): not a success.
  'held-back': ExitCode.aborted,
  'fetch-failed': ExitCode.temporary,
  // No fleet slot in time, or the coordinator unreachable: the repos went back; try later.
  'no-slot': ExitCode.temporary,
  // The fleet's store could not be reached (before or while waiting for a slot): try later.
  'fleet-unavailable': ExitCode.temporary,
  aborted: ExitCode.aborted,
  'rolled-back': ExitCode.rolledBack,
  'rollback-failed': ExitCode.rollbackFailed,
  // Back on the newest set proven good here, as the fleet asked: done.
  recalled: ExitCode.done,
};

export async function runUpgrade(options: RunOptions): Promise<MachineReport> {
  const { config, log } = options;
  const machine = upgradeMachine.provide({
    actors: createUpgradeActors(config, {
      log,
      env: options.env,
      force: options.force ?? false,
      skipValidation: options.skipValidation ?? false,
      ...(options.beforeStep ? { beforeStep: options.beforeStep } : {}),
      ...(options.rejected ? { rejected: options.rejected } : {}),
      ...(options.processes ? { processes: options.processes } : {}),
      ...(options.runId ? { runId: options.runId } : {}),
      ...(options.takeSlot ? { takeSlot: options.takeSlot } : {}),
      ...(options.pullGate ? { pullGate: options.pullGate } : {}),
      ...(options.killGraceMs === undefined ? {} : { killGraceMs: options.killGraceMs }),
    }),
  });
  const actor = createActor(machine, {
    ...(options.inspect ? { inspect: options.inspect } : {}),
    ...(options.restore === undefined ? {} : { snapshot: options.restore as Snapshot<unknown> }),
    input: {
      policy: {
        mode: config.mode,
        buildBeforeSwitch: config.buildBeforeSwitch,
        onValidationFailure: config.onValidationFailure,
        force: options.force ?? false,
        healthChecks: config.healthChecks.length > 0,
        reboot: config.reboot.when,
        rebootPending: options.rebootPending ?? false,
        conditions: !options.ignoreConditions && conditionsConfigured(config),
        fleet: config.fleet !== undefined,
        closure: config.system?.closure !== undefined,
      },
    },
  });

  const states: StateVisit[] = [];
  let current: { state: string; since: number } | undefined;
  const enter = (state: string) => {
    const now = performance.now();
    const previous = current ? { name: current.state, ms: now - current.since } : undefined;
    if (current && previous) states.push({ state: current.state, ms: previous.ms });
    log.state(state, previous);
    options.onState?.(state, new Date(), actor.getPersistedSnapshot());
    current = { state, since: now };
  };
  const interrupt = () =>
    actor.send({
      type: 'INTERRUPT',
      ...(options.restoreReason === undefined ? {} : { reason: options.restoreReason }),
    });

  const output = await new Promise<UpgradeOutput>((resolve, reject) => {
    actor.subscribe({
      next: (snapshot) => {
        const state = statePathOf(snapshot.value);
        if (state !== current?.state) enter(state);
        if (snapshot.status === 'done') resolve(snapshot.output);
      },
      error: reject,
    });
    actor.start();
    const started = actor.getSnapshot();
    if (started.status === 'done') resolve(started.output);
    // A restored run is resumed only to be stopped: it rolls back whatever it had moved.
    if (options.interrupt?.aborted || options.restore !== undefined) interrupt();
    options.interrupt?.addEventListener('abort', interrupt);
  });
  options.interrupt?.removeEventListener('abort', interrupt);
  if (current) states.push({ state: current.state, ms: performance.now() - current.since });

  return { output, states, exitCode: exitCodes[output.result] };
}
