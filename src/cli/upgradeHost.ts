// `xs-upgrade run` and `xs-upgrade recover`: one upgrade with everything an unattended run needs
// around the machine: the lock, crash recovery, the run record, SIGTERM/SIGINT, the inspector,
// notifications, metrics and the summary.
import { ExitCode } from '../errors.js';
import { createRedactor } from '../redact.js';
import type { ResolvedConfig } from '../config/resolve.js';
import { buildPayload, eventsForResult, sendNotifications } from '../actors/sendNotifications.js';
import type { Log } from '../log.js';
import type { UpgradeOutput } from '../machine/types.js';
import {
  readRejectedCommitSets,
  rejectCommitSet,
  type RejectedCommitSet,
} from '../state/rejectedCommits.js';
import { acquireLock } from '../state/lock.js';
import { renderMetrics, writeMetrics } from '../state/metrics.js';
import {
  newRunRecord,
  pruneRunRecords,
  readUnfinishedRun,
  RunRecorder,
  type RunRecord,
} from '../state/runRecords.js';
import { runUpgrade } from './runUpgrade.js';
import { formatSummary } from './summary.js';

export interface UpgradeHostOptions {
  config: ResolvedConfig;
  log: Log;
  env: NodeJS.ProcessEnv;
  version: string;
  force: boolean;
  skipValidation?: boolean;
  inspect?: string | boolean;
  inspectLog?: string;
  /** Whether a person is watching (keeps the inspector relay up after the run). */
  isTTY: boolean;
  killGraceMs?: number;
}

/** `run`: finish the recovery of a crashed run if there is one, then upgrade. */
export async function upgradeHost(options: UpgradeHostOptions): Promise<number> {
  return withRunLock(options, async (stop) => {
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
    const record = newRunRecord({
      config: options.config.file,
      xsUpgradeVersion: options.version,
      forced: options.force,
    });
    if (options.skipValidation) record.skippedValidation = true;
    return executeRun(options, record, stop);
  });
}

/** `recover`: only the recovery of a crashed run; exit 0 when there is none. */
export async function recoverHost(options: UpgradeHostOptions): Promise<number> {
  return withRunLock(options, async (stop) => {
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
  const lock = await acquireLock(options.config.stateDir, (message) => log.warn(message));
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

/**
 * A run that was killed (SIGKILL, power loss) left its machine snapshot behind. Resume it and stop
 * it at once: from `pulling` on it rolls back (the system too if the switch had started); before,
 * it ends aborted; a finished machine needs nothing. Returns the exit code, or undefined if there
 * was nothing to recover.
 */
async function recoverUnfinishedRun(
  options: UpgradeHostOptions,
  stop: AbortSignal,
): Promise<number | undefined> {
  const unfinished = await readUnfinishedRun(options.config.stateDir);
  if (!unfinished) return undefined;
  const { current, record: found } = unfinished;
  options.log.warn(
    `found a run that did not finish (pid ${current.pid}, last in ${current.state}): recovering it first`,
  );
  const record =
    found ??
    newRunRecord({ config: options.config.file, xsUpgradeVersion: options.version, forced: false });
  record.recovered = true;
  return executeRun({ ...options, inspect: false }, record, stop, current.snapshot);
}

/** States whose failure says the new commits themselves are bad (not the network, not a signal). */
const contentFailures = new Set(['building', 'validating', 'switching', 'healthChecking']);

/** The commit set to skip from now on, when this run proved it bad. */
function rejectedSet(output: UpgradeOutput): RejectedCommitSet | undefined {
  const { failure } = output;
  if (output.interrupted || !failure || !contentFailures.has(failure.state)) return undefined;
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
  restore?: unknown,
): Promise<number> {
  const { config, log } = options;
  const recorder = new RunRecorder(
    config.stateDir,
    record,
    (message) => log.warn(message),
    createRedactor(config.secrets),
  );
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
    interrupt: stop,
    onState: (state, at, persisted) => recorder.stateEntered(state, at, persisted),
    beforeStep: () => recorder.flushed(),
    rejected: await readRejectedCommitSets(config.stateDir),
    ...(restore === undefined ? {} : { restore }),
    ...(options.killGraceMs === undefined ? {} : { killGraceMs: options.killGraceMs }),
    ...(inspection ? { inspect: inspection.observer } : {}),
  });
  const { output } = report;

  record.endedAt = new Date().toISOString();
  const last = record.states.at(-1);
  if (last) last.ms = Date.parse(record.endedAt) - Date.parse(last.enteredAt);
  record.running = false;
  record.result = output.result;
  record.interrupted = output.interrupted;
  record.exitCode = report.exitCode;
  record.repos = config.repos.map((repo) => {
    const saved = output.savedCommits.find((entry) => entry.repo === repo.name)?.commit;
    const final = report.finalCommits.find((entry) => entry.repo === repo.name)?.commit;
    return { repo: repo.name, ...(saved ? { saved } : {}), ...(final ? { final } : {}) };
  });
  if (output.failure) record.failure = output.failure;
  if (output.validationFailure) record.validationFailure = output.validationFailure;
  if (output.rollbackFailure) record.rollbackFailure = output.rollbackFailure;
  await recorder.finish();
  const rejected = rejectedSet(output);
  if (rejected) {
    await rejectCommitSet(config.stateDir, rejected).catch((error: unknown) =>
      log.warn(`cannot record the failed commits: ${String(error)}`),
    );
  }
  await pruneRunRecords(config.stateDir, config.keepRuns).catch(() => undefined);

  if (config.metricsFile) {
    await writeMetrics(config.metricsFile, renderMetrics(record, report.finalCommits)).catch(
      (error: unknown) =>
        log.warn(`cannot write the metrics file ${config.metricsFile ?? ''}: ${String(error)}`),
    );
  }

  await sendNotifications(
    config.notify,
    eventsForResult(output.result),
    (event) =>
      buildPayload(event, {
        result: output.result,
        interrupted: output.interrupted,
        ...(output.failure ? { failure: output.failure } : {}),
        states: record.states.map((visit) => visit.state),
        commits: record.repos,
        config: config.file,
      }),
    { log, env: options.env, signal: new AbortController().signal },
  );

  const failed = report.exitCode !== ExitCode.done;
  for (const line of formatSummary(report, config)) {
    if (failed && line.startsWith('result:')) log.error(line);
    else log.info(line);
  }
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
