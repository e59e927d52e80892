// One lifecycle for every command that changes a host (`run`, `recover`, `rollback`,
// `boot-check`): take the lock; refuse while a failed rollback waits for an operator; recover
// what a killed run left; do the command's work; then measure the host and hand one outcome to
// the reporters. A command is its work and two answers (docs/architecture.md).
import { ExitCode, XsUpgradeError } from '../errors.js';
import { createRedactor } from '../redact.js';
import {
  clearManualRecovery,
  manualRecoveryLine,
  readManualRecovery,
} from '../state/manualRecovery.js';
import { RunRecorder, type RunCommand, type RunRecord } from '../state/runRecords.js';
import { recoverUnfinishedRun } from './crashRecovery.js';
import { fleetOfRun, type FleetParts } from './fleetParts.js';
import { recordFor, type UpgradeHostOptions } from './hostOptions.js';
import { measureHost } from './hostState.js';
import { outcomeOf, type RunDraft } from './outcome.js';
import { report } from './reporters/index.js';
import { withRunLock } from './runLock.js';
import { startedSummary } from './startedSummary.js';

export interface HostCommand {
  command: RunCommand;
  /** `recover --confirm-manual-fix`: the operator says the host was put back by hand. */
  confirmsManualFix?: boolean;
  /** Whether the work goes ahead after a killed run was recovered with this exit code. */
  goesOnAfterRecovery(exitCode: number): boolean;
  /** The work; a number is an exit code for a run that did nothing worth a record. */
  work(run: RunContext): Promise<RunDraft | number>;
}

export interface RunContext {
  stop: AbortSignal;
  /** This run's record, written as it goes (states) and finished by the reporters. */
  recorder: RunRecorder;
  fleet: () => Promise<FleetParts | undefined>;
  /** The exit code of the killed run recovered before this one, if there was one. */
  recovered?: number;
}

export async function runOnHost(
  options: UpgradeHostOptions,
  command: HostCommand,
): Promise<number> {
  const fleet = fleetOfRun(options);
  // A state dir that cannot be written is a failed run that cannot be recorded: still say it
  // where monitoring looks (metrics, notifications). Another run holding the lock is not.
  const onLockError = async (error: unknown) => {
    if (!(error instanceof XsUpgradeError) || error.exitCode === ExitCode.temporary) return;
    const draft = startedSummary.aborted(error.exitCode, {
      state: 'starting',
      message: error.message,
    });
    await finishRun(options, undefined, recordFor(options, command.command), draft, fleet.open);
  };
  try {
    return await withRunLock(options, onLockError, async (stop) => {
      const refused = await refuseOrConfirm(options, command, fleet.open);
      if (refused !== undefined) return refused;
      const recovered = await recoverUnfinishedRun(options, stop, (recorder, draft, itsFleet) =>
        finishRun(options, recorder, recorder.record, draft, itsFleet),
      );
      if (recovered !== undefined && !command.goesOnAfterRecovery(recovered)) return recovered;
      if (stop.aborted) return recovered ?? ExitCode.aborted;
      const recorder = recorderOf(options, recordFor(options, command.command));
      const draft = await command.work({
        stop,
        recorder,
        fleet: fleet.open,
        ...(recovered === undefined ? {} : { recovered }),
      });
      if (typeof draft === 'number') return draft;
      return await finishRun(options, recorder, recorder.record, draft, fleet.open);
    });
  } finally {
    await fleet.close();
  }
}

/**
 * After a failed rollback nobody knows what state the host is in: refuse (exit 5), and keep
 * saying so everywhere an operator looks, until `recover --confirm-manual-fix`.
 */
async function refuseOrConfirm(
  options: UpgradeHostOptions,
  command: HostCommand,
  fleet: () => Promise<FleetParts | undefined>,
): Promise<number | undefined> {
  const { config, log } = options;
  const marker = await readManualRecovery(config.stateDir);
  if (marker && command.confirmsManualFix) {
    await clearManualRecovery(config.stateDir);
    const record = recordFor(options, command.command, false);
    await finishRun(
      options,
      recorderOf(options, record),
      record,
      startedSummary.confirmed(),
      fleet,
    );
    return undefined;
  }
  if (command.confirmsManualFix) {
    log.info('no failed rollback waits for an operator: nothing to confirm');
    return undefined;
  }
  if (!marker) return undefined;
  const record = recordFor(options, command.command);
  return finishRun(
    options,
    recorderOf(options, record),
    record,
    startedSummary.refused(manualRecoveryLine(marker)),
    fleet,
  );
}

function recorderOf(options: UpgradeHostOptions, record: RunRecord): RunRecorder {
  return new RunRecorder(
    options.config.stateDir,
    record,
    (message) => options.log.warn(message),
    createRedactor(options.config.secrets),
  );
}

/** The end of every run: the host measured, the outcome made, every reporter told. */
async function finishRun(
  options: UpgradeHostOptions,
  recorder: RunRecorder | undefined,
  record: RunRecord,
  draft: RunDraft,
  fleet: () => Promise<FleetParts | undefined>,
): Promise<number> {
  const final = await measureHost(options.config, options.env);
  const endedAt = new Date().toISOString();
  const states = record.states.map((visit, index, all) => ({
    state: visit.state,
    ms:
      visit.ms ??
      (index === all.length - 1 ? Date.parse(endedAt) - Date.parse(visit.enteredAt) : 0),
  }));
  const outcome = outcomeOf(draft, {
    command: record.command ?? 'run',
    runId: record.id,
    startedAt: record.startedAt,
    endedAt,
    states,
    ...(record.killed ? { killed: record.killed } : {}),
    final,
  });
  await report(outcome, { options, ...(recorder ? { recorder } : {}), fleet });
  await draft.afterReport?.();
  return outcome.exitCode;
}
