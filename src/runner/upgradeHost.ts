// `xs-upgrade run` and `xs-upgrade recover`: one upgrade with everything an unattended run needs
// around the machine: the lock, the refusal while a failed rollback waits for an operator, crash
// recovery (stopping what the killed run left running first), checks of the world the config
// names, the run record, SIGTERM/SIGINT, the inspector, and the after-run reporters (rejected
// commits, metrics, notifications, summary).
import { ExitCode, XsUpgradeError, describeError } from '../errors.js';
import { createRedactor } from '../redact.js';
import { checkRepos } from '../config/checkRepos.js';
import { conditionsConfigured, type ResolvedConfig } from '../config/resolve.js';
import { buildPayload, eventsForResult, sendNotifications } from '../actors/sendNotifications.js';
import { defaultKillGraceMs } from '../actors/runCommand.js';
import type { Log } from '../log.js';
import type { Failure, UpgradeOutput } from '../machine/types.js';
import {
  readRejectedCommitSets,
  rejectCommitSet,
  type RejectedCommitSet,
} from '../state/rejectedCommits.js';
import { acquireLock } from '../state/lock.js';
import {
  clearManualRecovery,
  manualRecoveryLine,
  markManualRecoveryNeeded,
  readManualRecovery,
} from '../state/manualRecovery.js';
import { renderMetrics, writeMetrics } from '../state/metrics.js';
import {
  newRunRecord,
  pruneRunRecords,
  readUnfinishedRun,
  RunRecorder,
  type RecordResult,
  type RunRecord,
} from '../state/runRecords.js';
import { StepProcessTracker, stopLeftoverSteps } from '../state/stepProcesses.js';
import {
  clearRebootPending,
  readBootCheck,
  readRebootPending,
  writeRebootPending,
} from '../state/rebootState.js';
import type { HostSlot } from '../fleet/hostSlot.js';
import type { HostRollout } from '../fleet/hostRollout.js';
import { runUpgrade, type RunReport } from './runUpgrade.js';
import { formatSummary, resultLevel, type Summary } from './summary.js';

export interface UpgradeHostOptions {
  config: ResolvedConfig;
  log: Log;
  env: NodeJS.ProcessEnv;
  version: string;
  force: boolean;
  skipValidation?: boolean;
  /** --ignore-conditions: run whatever the window, power and network say. */
  ignoreConditions?: boolean;
  inspect?: string | boolean;
  inspectLog?: string;
  /** Whether a person is watching (keeps the inspector relay up after the run). */
  isTTY: boolean;
  killGraceMs?: number;
}

/** `run`: finish the recovery of a crashed run if there is one, then upgrade. */
export async function upgradeHost(options: UpgradeHostOptions): Promise<number> {
  return withRunLock(options, async (stop) => {
    const refused = await refuseWhileManualRecoveryNeeded(options);
    if (refused !== undefined) return refused;
    const recovery = await recoverUnfinishedRun(options, stop);
    if (
      recovery !== undefined &&
      recovery !== ExitCode.aborted &&
      recovery !== ExitCode.rolledBack
    ) {
      options.log.error(
        'the unfinished run could not be recovered: not starting a new one (see docs/recovery.md)',
      );
      return recovery;
    }
    if (recovery !== undefined) options.log.info('recovered: carrying on with a new run');
    if (stop.aborted) return recovery ?? ExitCode.aborted;
    // A reboot this host asked for comes first: before it, upgrading again would make the boot
    // check expect the wrong generation; after it, the boot is checked before anything moves.
    const bootCheck = await readBootCheck(options.config.stateDir);
    if (bootCheck) {
      const { performBootCheck } = await import('./bootCheck.js');
      const checked = await performBootCheck(options, bootCheck);
      options.log.info(
        'a reboot this host asked for is pending or was just checked: not upgrading in this run',
      );
      return checked;
    }
    const record = recordFor(options);
    if (options.skipValidation) record.skippedValidation = true;
    if (options.ignoreConditions && conditionsConfigured(options.config)) {
      record.ignoredConditions = true;
      options.log.warn(
        'CONDITIONS IGNORED (--ignore-conditions): running whatever the maintenance window, power and network say',
      );
    }
    // A config that is valid as written, on a host whose repos are not what it says: a failed
    // run like any other (recorded, notified, in the metrics), not exit 78.
    const problems = await checkRepos(options.config.repos);
    if (problems.length > 0) {
      return finishUnstartedRun(options, record, {
        result: 'aborted',
        exitCode: ExitCode.aborted,
        failure: {
          state: 'starting',
          message: problems.join('; '),
          next: 'fix the repo paths on this host (or the config); the next run will try again',
        },
      });
    }
    return executeRun(options, record, stop);
  });
}

/** This host in its fleet: its slot, and with etcd its part in the rollout. */
export interface FleetParts {
  slot: HostSlot;
  rollout?: HostRollout;
}

/** With `fleet`: checked before anything moves (a bad id or secret: exit 78). */
export async function prepareFleet(options: UpgradeHostOptions): Promise<FleetParts | undefined> {
  const { fleet, stateDir } = options.config;
  if (!fleet) return undefined;
  const deps = { env: options.env, log: options.log, stateDir };
  const { HostSlot } = await import('../fleet/hostSlot.js');
  const slot = await HostSlot.prepare(fleet, deps);
  if (!('etcd' in fleet.backend)) return { slot };
  const { HostRollout } = await import('../fleet/hostRollout.js');
  return { slot, rollout: new HostRollout(fleet, slot.id, deps) };
}

/** `recover`: only the recovery of a crashed run; exit 0 when there is none. */
export async function recoverHost(
  options: UpgradeHostOptions & { confirmManualFix?: boolean },
): Promise<number> {
  return withRunLock(options, async (stop) => {
    const marker = await readManualRecovery(options.config.stateDir);
    if (marker && options.confirmManualFix) {
      await confirmManualFix(options);
    } else if (options.confirmManualFix) {
      options.log.info('no failed rollback waits for an operator: nothing to confirm');
    } else {
      const refused = await refuseWhileManualRecoveryNeeded(options);
      if (refused !== undefined) return refused;
    }
    const recovery = await recoverUnfinishedRun(options, stop);
    if (recovery === undefined) options.log.info('nothing to recover: the last run finished');
    return recovery ?? ExitCode.done;
  });
}

/** Set once a run's work is done: a signal then stops nothing. */
const runOver = { value: false };

/** The lock, and SIGTERM/SIGINT turned into a stop request, around `body`. */
export async function withRunLock(
  options: UpgradeHostOptions,
  body: (stop: AbortSignal) => Promise<number>,
): Promise<number> {
  const { log } = options;
  const lock = await acquireLock(options.config.stateDir, (message) => log.warn(message)).catch(
    async (error: unknown) => {
      // A state dir that cannot be written is a failed run that cannot be recorded: still say it
      // where monitoring looks (metrics, notifications). Another run holding the lock is not.
      if (error instanceof XsUpgradeError && error.exitCode !== ExitCode.temporary) {
        await reportRun(options, recordFor(options), {
          result: 'aborted',
          exitCode: error.exitCode,
          failure: { state: 'starting', message: error.message },
        });
      }
      throw error;
    },
  );
  const stop = new AbortController();
  let signals = 0;
  runOver.value = false;
  const onSignal = (signal: NodeJS.Signals) => {
    // After the run (the relay held open on a terminal), Ctrl-C only ends the wait.
    if (runOver.value) return;
    signals += 1;
    if (signals === 1) {
      log.warn(`${signal} received: stopping the running step and rolling back what moved`);
      stop.abort();
    } else {
      log.warn(`${signal} received again: the run is finishing its rollback, please wait`);
    }
  };
  // A closed terminal (an SSH session dropping) is no reason to stop half-way: carry on to the
  // end, as under nohup; the run record says how it ended.
  const onHangup = () =>
    log.warn('SIGHUP received (the terminal went away): carrying on to the end');
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.on('SIGHUP', onHangup);
  try {
    return await body(stop.signal);
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    process.off('SIGHUP', onHangup);
    await lock.release();
  }
}

/** A new run record for this host's config and version; `forced` as the command line said. */
export function recordFor(options: UpgradeHostOptions, forced = options.force): RunRecord {
  return newRunRecord({ config: options.config.file, xsUpgradeVersion: options.version, forced });
}

/**
 * After a failed rollback nobody knows what state the host is in: refuse (exit 5), and keep
 * saying so everywhere an operator looks, until `recover --confirm-manual-fix`.
 */
async function refuseWhileManualRecoveryNeeded(
  options: UpgradeHostOptions,
): Promise<number | undefined> {
  const marker = await readManualRecovery(options.config.stateDir);
  if (!marker) return undefined;
  const record = recordFor(options);
  return finishUnstartedRun(options, record, {
    result: 'refused',
    exitCode: ExitCode.rollbackFailed,
    failure: { state: 'starting', message: manualRecoveryLine(marker) },
  });
}

/** The operator put the host back by hand: clear the marker, and record that they said so. */
async function confirmManualFix(options: UpgradeHostOptions): Promise<void> {
  const { config, log } = options;
  await clearManualRecovery(config.stateDir);
  const record = recordFor(options, false);
  record.result = 'recovery-confirmed';
  record.summary =
    'result: manual recovery confirmed by an operator (--confirm-manual-fix): runs go ahead again';
  record.running = false;
  record.endedAt = new Date().toISOString();
  record.exitCode = ExitCode.done;
  await saveRecord(options, record);
  log.info(record.summary);
}

/**
 * A run that was killed (SIGKILL, power loss) left its machine snapshot behind. First stop the
 * step it left running (a build goes on after its parent dies), then resume the snapshot and stop
 * it at once: from `pulling` on it rolls back (the system too if the switch had started); before,
 * it ends aborted; a finished machine needs nothing. Returns the exit code, or undefined if there
 * was nothing to recover.
 */
export async function recoverUnfinishedRun(
  options: UpgradeHostOptions,
  stop: AbortSignal,
): Promise<number | undefined> {
  const { config, log } = options;
  const unfinished = await readUnfinishedRun(config.stateDir);
  if (!unfinished) return undefined;
  const { current, record: found } = unfinished;
  const lastSeen = current.enteredAt ?? found?.states.at(-1)?.enteredAt ?? 'an unknown time';
  log.warn(
    `found a run that was killed (pid ${current.pid}, in ${current.state} since ${lastSeen}): recovering it first`,
  );
  const stopped = await stopLeftoverSteps(
    config.stateDir,
    options.killGraceMs ?? defaultKillGraceMs,
  );
  for (const step of stopped) {
    log.warn(
      `stopped ${step.name} (process group ${step.pid}, started ${step.startedAt}), which the killed run left running`,
    );
  }
  const record = found ?? recordFor(options, false);
  record.recovered = true;
  record.killed = { state: current.state, lastSeen };
  return executeRun({ ...options, inspect: false }, record, stop, {
    snapshot: current.snapshot,
    reason: `killed (SIGKILL, out of memory or power loss) in ${current.state}, last heard of at ${lastSeen}; finished by the recovery of ${new Date().toISOString()}`,
  });
}

/** States whose failure says the new commits themselves are bad (not the network, not a signal). */
const contentFailures = new Set(['building', 'validating', 'switching', 'healthChecking']);

/** The commit set to skip from now on, when this run proved it bad. */
export function rejectedSet(output: UpgradeOutput): RejectedCommitSet | undefined {
  const { failure } = output;
  if (output.interrupted || !failure || !contentFailures.has(failure.state)) return undefined;
  // Passing trouble (the state dir's disk was full before the switch): not the commits' fault.
  if (failure.temporary) return undefined;
  if (output.result !== 'rolled-back' && output.result !== 'rollback-failed') return undefined;
  if (output.pulled.every((repo) => repo.from === repo.to)) return undefined;
  return {
    commits: Object.fromEntries(output.pulled.map((repo) => [repo.repo, repo.to])),
    at: new Date().toISOString(),
    reason: `${failure.state}: ${failure.message}`.slice(0, 300),
  };
}

/** Runs the machine (fresh, or resumed from `restore`) and does everything that follows a run. */
async function executeRun(
  options: UpgradeHostOptions,
  record: RunRecord,
  stop: AbortSignal,
  restore?: { snapshot: unknown; reason: string },
): Promise<number> {
  const { config, log } = options;
  const recorder = new RunRecorder(
    config.stateDir,
    record,
    (message) => log.warn(message),
    createRedactor(config.secrets),
  );
  const processes = new StepProcessTracker(config.stateDir);
  const fleet = await prepareFleet(options);
  try {
    return await runAndReport(options, record, stop, restore, recorder, processes, fleet);
  } finally {
    await fleet?.slot.close();
    await fleet?.rollout?.close();
  }
}

async function runAndReport(
  options: UpgradeHostOptions,
  record: RunRecord,
  stop: AbortSignal,
  restore: { snapshot: unknown; reason: string } | undefined,
  recorder: RunRecorder,
  processes: StepProcessTracker,
  fleet: FleetParts | undefined,
): Promise<number> {
  const { config, log } = options;
  const slot = fleet?.slot;
  const rollout = fleet?.rollout;
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
          log,
          print: (line) => log.info(line),
          redact: createRedactor(config.secrets),
        })
      : undefined;
  if (restore === undefined)
    log.info(`xs-upgrade ${options.version}: upgrading with ${config.file}`);
  const report = await runUpgrade({
    config,
    log,
    env: options.env,
    force: options.force,
    skipValidation: options.skipValidation ?? false,
    ignoreConditions: options.ignoreConditions ?? false,
    interrupt: stop,
    onState: (state, at, persisted) => recorder.stateEntered(state, at, persisted),
    beforeStep: () => recorder.flushed(),
    rejected: await readRejectedCommitSets(config.stateDir),
    processes,
    runId: record.id,
    rebootPending:
      config.reboot.when !== 'never' && (await readRebootPending(config.stateDir)) !== undefined,
    ...(restore === undefined ? {} : { restore: restore.snapshot, restoreReason: restore.reason }),
    ...(options.killGraceMs === undefined ? {} : { killGraceMs: options.killGraceMs }),
    ...(inspection ? { inspect: inspection.observer } : {}),
    ...(slot ? { takeSlot: (pulled, signal) => slot.take(pulled, signal) } : {}),
    ...(rollout ? { pullGate: rollout.gate(options.force) } : {}),
  });
  await processes.flushed();
  const { output } = report;

  record.endedAt = new Date().toISOString();
  const last = record.states.at(-1);
  if (last) last.ms = Date.parse(record.endedAt) - Date.parse(last.enteredAt);
  record.running = false;
  record.result = output.result;
  // A killed run was stopped by its recovery, not by a signal to it: say killed, not interrupted.
  record.interrupted = output.interrupted && !record.killed;
  record.exitCode = report.exitCode;
  record.repos = config.repos.map((repo) => {
    const saved = output.savedCommits.find((entry) => entry.repo === repo.name)?.commit;
    const final = report.finalCommits.find((entry) => entry.repo === repo.name)?.commit;
    return { repo: repo.name, ...(saved ? { saved } : {}), ...(final ? { final } : {}) };
  });
  if (output.failure) record.failure = output.failure;
  if (output.validationFailure) record.validationFailure = output.validationFailure;
  if (output.rollbackFailure) record.rollbackFailure = output.rollbackFailure;
  if (output.heldBack) record.heldBack = output.heldBack;
  if (output.reboot) record.reboot = output.reboot;
  if (output.skipReason) record.skipReason = output.skipReason;
  if (output.savedSystem || report.finalSystem) {
    record.system = {
      ...(output.savedSystem ? { saved: output.savedSystem } : {}),
      ...(report.finalSystem ? { final: report.finalSystem } : {}),
    };
  }
  const rejected = rejectedSet(output);
  const slotLine = await slot?.settle(output);
  const reportLine = await rollout?.report({
    commits: Object.fromEntries(report.finalCommits.map((entry) => [entry.repo, entry.commit])),
    result: output.result,
    at: new Date().toISOString(),
    ...(report.finalSystem ? { generation: report.finalSystem.generation } : {}),
    healthy: output.result === 'upgraded',
    ...(rejected
      ? {
          rejected: {
            commits: rejected.commits,
            reason: createRedactor(config.secrets)(rejected.reason),
          },
        }
      : {}),
  });
  const summary = formatSummary({
    report,
    config,
    skippedValidation: options.skipValidation ?? false,
    rejected: rejected !== undefined,
    ...(record.killed ? { killed: record.killed } : {}),
    fleetLines: [slotLine, reportLine].filter((line): line is string => line !== undefined),
  });
  record.summary = summary.lines[0] ?? '';
  await recorder.finish();
  if (rejected) {
    await rejectCommitSet(config.stateDir, rejected).catch((error: unknown) =>
      log.warn(`cannot record the failed commits: ${String(error)}`),
    );
  }
  if (output.result === 'rollback-failed') {
    await markManualRecoveryNeeded(config.stateDir, {
      since: record.endedAt,
      runId: record.id,
      reason: output.rollbackFailure?.message ?? 'unknown',
    }).catch((error: unknown) =>
      log.warn(`cannot record that manual recovery is needed: ${String(error)}`),
    );
  }
  await rememberReboot(options, record, output).catch((error: unknown) =>
    log.warn(`cannot record the pending reboot: ${describeError(error)}`),
  );
  await pruneRunRecords(config.stateDir, config.keepRuns).catch(() => undefined);

  await reportRun(options, record, { summary, report });
  if (inspection?.relayUrl && options.isTTY) {
    runOver.value = true;
    log.info(
      `the relay keeps this run for the inspector at ${inspection.relayUrl}; press Ctrl-C to stop it`,
    );
    await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
  }
  await inspection?.close();
  return report.exitCode;
}

/**
 * A reboot that was wanted but not done (outside the window, or its command failed) waits for a
 * later run, which must still know the last good generation and commits; a reboot asked for, or
 * found not needed, clears it.
 */
async function rememberReboot(
  options: UpgradeHostOptions,
  record: RunRecord,
  output: UpgradeOutput,
): Promise<void> {
  const { stateDir } = options.config;
  const reboot = output.reboot;
  if (!reboot) return;
  if (reboot.requested || (reboot.pending === undefined && reboot.kernelChanged !== undefined)) {
    await clearRebootPending(stateDir);
    return;
  }
  // Pending, and known to be wanted (not "cannot tell"): keep the earliest good state.
  if (reboot.pending === undefined || reboot.kernelChanged === undefined) return;
  const earlier = await readRebootPending(stateDir);
  if (!output.savedSystem) return;
  await writeRebootPending(stateDir, {
    previous: earlier?.previous ?? output.savedSystem,
    previousCommits: earlier?.previousCommits ?? output.savedCommits,
    runId: earlier?.runId ?? record.id,
    since: earlier?.since ?? new Date().toISOString(),
    reason: reboot.pending,
  });
}

/** How a run that did not go through the machine ended (refused, stopped at start, boot check). */
export interface UnstartedOutcome {
  result: RecordResult;
  exitCode: number;
  failure?: Failure;
  /** The summary, when not the standard one for a run stopped at its start. */
  lines?: string[];
}

/** A run that ended before the machine started: recorded, then reported like any other. */
async function finishUnstartedRun(
  options: UpgradeHostOptions,
  record: RunRecord,
  outcome: UnstartedOutcome,
): Promise<number> {
  record.running = false;
  record.endedAt = new Date().toISOString();
  record.result = outcome.result;
  record.exitCode = outcome.exitCode;
  if (outcome.failure) record.failure = outcome.failure;
  record.summary = unstartedSummary(outcome).lines[0] ?? '';
  await saveRecord(options, record);
  await pruneRunRecords(options.config.stateDir, options.config.keepRuns).catch(() => undefined);
  await reportRun(options, record, outcome);
  return outcome.exitCode;
}

async function saveRecord(options: UpgradeHostOptions, record: RunRecord): Promise<void> {
  const { config, log } = options;
  await new RunRecorder(
    config.stateDir,
    record,
    (message) => log.warn(message),
    createRedactor(config.secrets),
  ).save();
}

function unstartedSummary(outcome: UnstartedOutcome): Summary {
  if (outcome.lines)
    return { level: resultLevel('aborted', outcome.exitCode), lines: outcome.lines };
  const failure = outcome.failure ?? { state: 'starting', message: 'unknown' };
  const lines =
    outcome.result === 'refused'
      ? [
          'result: REFUSED: a failed rollback still waits for manual recovery: nothing was run',
          `cause: ${failure.message}`,
        ]
      : [
          `result: aborted before any change: the host is untouched`,
          `cause: ${failure.message}`,
          ...(failure.next ? [`next: ${failure.next}`] : []),
        ];
  return { level: 'error', lines };
}

/**
 * The after-run reporters, for every run that ends (upgraded, failed, refused, or stopped before
 * it began): metrics, notifications, and the summary at the outcome's priority.
 */
export async function reportRun(
  options: UpgradeHostOptions,
  record: RunRecord,
  ended: { summary: Summary; report: RunReport } | UnstartedOutcome,
): Promise<void> {
  const { config, log } = options;
  const summary = 'summary' in ended ? ended.summary : unstartedSummary(ended);
  const result = 'summary' in ended ? ended.report.output.result : ended.result;
  const failure = 'summary' in ended ? ended.report.output.failure : ended.failure;
  const manualRecoveryNeeded =
    result === 'refused' ||
    result === 'rollback-failed' ||
    (await readManualRecovery(config.stateDir).catch(() => undefined)) !== undefined;
  if (config.metricsFile) {
    if (record.endedAt === undefined) record.endedAt = new Date().toISOString();
    if (record.result === undefined) record.result = result;
    const behind = 'summary' in ended ? ended.report.finalCommits : [];
    // A reboot, or the boot check after it, waits: from either marker.
    const rebootPending =
      (await readRebootPending(config.stateDir).catch(() => undefined)) !== undefined ||
      (await readBootCheck(config.stateDir).catch(() => undefined)) !== undefined;
    await writeMetrics(
      config.metricsFile,
      renderMetrics(record, behind, manualRecoveryNeeded, rebootPending),
    ).catch((error: unknown) =>
      log.warn(
        `cannot write the metrics file ${config.metricsFile ?? ''}: ${describeError(error)}`,
      ),
    );
  }
  const heldBack = 'summary' in ended ? ended.report.output.heldBack : undefined;
  const reason = heldBack
    ? {
        state: 'pulling',
        message: `upstream is at commits that failed here on ${heldBack.at}: ${heldBack.reason}`,
      }
    : failure;
  await sendNotifications(
    config.notify,
    result === 'refused'
      ? ['rollback-failed', 'failure']
      : result === 'recovery-confirmed'
        ? []
        : eventsForResult(result),
    (event) =>
      buildPayload(event, {
        result,
        interrupted: record.interrupted,
        ...(reason ? { failure: reason } : {}),
        states: record.states.map((visit) => visit.state),
        commits: record.repos,
        config: config.file,
      }),
    { log, env: options.env, signal: new AbortController().signal },
  );
  const level = 'summary' in ended ? summary.level : resultLevel('aborted', ended.exitCode);
  for (const line of summary.lines) log.report(level, line);
}
