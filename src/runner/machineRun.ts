// One run of the upgrade machine inside the lifecycle: the fleet's pending business first, the
// inspector when asked for, the machine (fresh, or resumed to be stopped after a crash), and the
// draft of its outcome: what it did, which commits it proved bad, how to say it.
import type { UpgradeOutput } from '../machine/types.js';
import { createRedactor } from '../redact.js';
import { readRejectedCommitSets, type RejectedCommitSet } from '../state/rejectedCommits.js';
import { readRebootPendingNow } from '../state/rebootState.js';
import type { RunRecorder } from '../state/runRecords.js';
import { StepProcessTracker } from '../state/stepProcesses.js';
import type { FleetParts } from './fleetParts.js';
import type { UpgradeHostOptions } from './hostOptions.js';
import type { RunDraft } from './outcome.js';
import { markRunOver } from './runLock.js';
import { runUpgrade } from './runUpgrade.js';
import { formatSummary } from './summary.js';

/** States whose failure says the new commits themselves are bad (not the network, not a signal). */
const contentFailures = new Set(['building', 'validating', 'switching', 'healthChecking']);

/** The commit set to skip from now on, when this run proved it bad. */
export function rejectedSet(output: UpgradeOutput): RejectedCommitSet | undefined {
  const { failure } = output;
  if (output.interrupted || !failure || !contentFailures.has(failure.state)) return undefined;
  // Passing trouble (the state dir's disk was full before the switch): not the commits' fault.
  if (failure.temporary) return undefined;
  // A switch NixOS refused for its switch inhibitors (`inhibited: "fail"`): it needs a reboot,
  // not other commits.
  if (failure.inhibitedBy) return undefined;
  if (output.result !== 'rolled-back' && output.result !== 'rollback-failed') return undefined;
  if (output.pulled.every((repo) => repo.from === repo.to)) return undefined;
  return {
    commits: Object.fromEntries(output.pulled.map((repo) => [repo.repo, repo.to])),
    at: new Date().toISOString(),
    reason: `${failure.state}: ${failure.message}`.slice(0, 300),
  };
}

export async function runMachine(
  options: UpgradeHostOptions,
  run: {
    recorder: RunRecorder;
    stop: AbortSignal;
    fleet: FleetParts | undefined;
    restore?: { snapshot: unknown; reason: string };
  },
): Promise<RunDraft> {
  const { config, log } = options;
  const { recorder, restore } = run;
  const record = recorder.record;
  const slot = run.fleet?.slot;
  const rollout = run.fleet?.rollout;
  await slot?.reconcile();
  await rollout?.sendPending();
  // Loaded only when asked for: most runs never pay for the inspector's modules.
  const inspection =
    options.inspect || options.inspectLog
      ? await (
          await import('./inspect.js')
        ).startInspection({
          ...(options.inspect === undefined ? {} : { inspect: options.inspect }),
          ...(options.inspectLog === undefined ? {} : { inspectLog: options.inspectLog }),
          ...(options.inspectHost === undefined ? {} : { inspectHost: options.inspectHost }),
          log,
          print: (line) => log.info(line),
          redact: createRedactor(config.secrets),
        })
      : undefined;
  if (restore === undefined)
    log.info(`xs-upgrade ${options.version}: upgrading with ${config.file}`);
  const processes = new StepProcessTracker(config.stateDir);
  const pending = await readRebootPendingNow(config.stateDir);
  const rejectedBefore = await readRejectedCommitSets(config.stateDir);
  const machine = await runUpgrade({
    config,
    log,
    env: options.env,
    force: options.force,
    skipValidation: options.skipValidation ?? false,
    ignoreConditions: options.ignoreConditions ?? false,
    interrupt: run.stop,
    onState: (state, at, persisted) => recorder.stateEntered(state, at, persisted),
    beforeStep: () => recorder.flushed(),
    rejected: rejectedBefore,
    processes,
    runId: record.id,
    // Only a reboot known to be wanted is acted on; "cannot tell" is for a person to decide.
    rebootPending: config.reboot.when !== 'never' && pending !== undefined && !pending.uncertain,
    ...(restore === undefined ? {} : { restore: restore.snapshot, restoreReason: restore.reason }),
    ...(options.killGraceMs === undefined ? {} : { killGraceMs: options.killGraceMs }),
    ...(inspection ? { inspect: inspection.observer } : {}),
    ...(slot
      ? {
          takeSlot: (pulled, signal) =>
            slot.take(
              pulled,
              signal,
              rollout && ((commits) => rollout.rejectedMeanwhile(commits, options.force)),
            ),
        }
      : {}),
    ...(rollout ? { pullGate: rollout.gate(options.force) } : {}),
  });
  await processes.flushed();
  const { output } = machine;
  // Skipped at the start for the window: the closure for upstream's commits may be fetched now.
  const prefetched =
    output.result === 'skipped' &&
    config.system?.closure?.prefetch === true &&
    config.windows.length > 0 &&
    !machine.states.some((visit) => visit.state === 'pulling') &&
    !run.stop.aborted
      ? await (
          await import('../closure/prefetch.js')
        ).prefetchClosure(config, {
          log,
          env: options.env,
          signal: run.stop,
          rejected: rejectedBefore,
          ...(rollout ? { gate: rollout.gate(options.force) } : {}),
        })
      : undefined;
  if (prefetched) log.info(prefetched);
  const rejected = rejectedSet(output);
  return {
    result: output.result,
    exitCode: machine.exitCode,
    ...(output.failure ? { failure: output.failure } : {}),
    ...(output.validationFailure ? { validationFailure: output.validationFailure } : {}),
    ...(output.rollbackFailure ? { rollbackFailure: output.rollbackFailure } : {}),
    ...(output.heldBack ? { heldBack: output.heldBack } : {}),
    ...(output.skipReason ? { skipReason: output.skipReason } : {}),
    ...(output.reboot ? { reboot: output.reboot } : {}),
    interrupted: output.interrupted,
    saved: {
      repos: output.savedCommits,
      ...(output.savedSystem ? { system: output.savedSystem } : {}),
    },
    ...(rejected ? { rejected } : {}),
    machine: { output, states: machine.states },
    describe: (final) =>
      formatSummary({
        report: {
          ...machine,
          finalCommits: final.repos,
          ...(final.system ? { finalSystem: final.system } : {}),
        },
        config,
        skippedValidation: options.skipValidation ?? false,
        ignoredConditions: record.ignoredConditions ?? false,
        rejected: rejected !== undefined,
        ...(record.killed ? { killed: record.killed } : {}),
        ...(prefetched ? { notes: [prefetched] } : {}),
      }),
    afterReport: async () => {
      if (inspection?.relayUrl && options.isTTY) {
        markRunOver();
        log.info(
          `the relay keeps this run for the inspector at ${inspection.relayUrl}; press Ctrl-C to stop it`,
        );
        await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
      }
      await inspection?.close();
    },
  };
}
