// `xs-upgrade run`: one upgrade with everything an unattended run needs around the machine: the
// lock, the run record, SIGTERM/SIGINT, the inspector, notifications, metrics and the summary.
import { ExitCode } from '../errors.js';
import type { ResolvedConfig } from '../config/resolve.js';
import { buildPayload, eventsForResult, sendNotifications } from '../actors/sendNotifications.js';
import type { Log } from '../log.js';
import { acquireLock } from '../state/lock.js';
import { renderMetrics, writeMetrics } from '../state/metrics.js';
import { newRunRecord, pruneRunRecords, RunRecorder } from '../state/runRecords.js';
import { runUpgrade } from './runUpgrade.js';
import { formatSummary } from './summary.js';

export interface UpgradeHostOptions {
  config: ResolvedConfig;
  log: Log;
  env: NodeJS.ProcessEnv;
  version: string;
  force: boolean;
  inspect?: string | boolean;
  inspectLog?: string;
  /** Whether a person is watching (keeps the inspector relay up after the run). */
  isTTY: boolean;
  killGraceMs?: number;
}

export async function upgradeHost(options: UpgradeHostOptions): Promise<number> {
  const { config, log } = options;
  const lock = await acquireLock(config.stateDir, (message) => log.warn(message));
  const stop = new AbortController();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals === 1) {
      log.warn(`${signal} received: stopping the running step and rolling back what moved`);
      stop.abort();
    } else {
      log.warn(`${signal} received again: the run is finishing its rollback, please wait`);
    }
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    const recorder = new RunRecorder(
      config.stateDir,
      newRunRecord({
        config: config.file,
        xsUpgradeVersion: options.version,
        forced: options.force,
      }),
      (message) => log.warn(message),
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
          })
        : undefined;
    log.info(`xs-upgrade ${options.version}: upgrading with ${config.file}`);
    const report = await runUpgrade({
      config,
      log,
      env: options.env,
      force: options.force,
      interrupt: stop.signal,
      onState: (state, at) => recorder.stateEntered(state, at),
      ...(options.killGraceMs === undefined ? {} : { killGraceMs: options.killGraceMs }),
      ...(inspection ? { inspect: inspection.observer } : {}),
    });
    const { output } = report;

    const record = recorder.record;
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
    await recorder.save();
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
      process.off('SIGINT', onSignal);
      log.info(
        `the relay keeps this run for the inspector at ${inspection.relayUrl}; press Ctrl-C to stop it`,
      );
      await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
    }
    await inspection?.close();
    return report.exitCode;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    await lock.release();
  }
}
