// The Prometheus text file: the last run, and the host's state after it (manual recovery, a
// reboot waiting, the generation, commits behind), all as measured at the end of the run.
import { describeError } from '../../errors.js';
import { readManualRecovery } from '../../state/manualRecovery.js';
import { renderMetrics, writeMetrics } from '../../state/metrics.js';
import { readBootCheck, readRebootPendingNow } from '../../state/rebootState.js';
import { readRunRecords } from '../../state/runRecords.js';
import type { Reporter } from './reporter.js';

export const metrics: Reporter = {
  what: 'write the metrics file',
  async report(outcome, { options }) {
    const { config, log } = options;
    const file = config.metricsFile;
    if (!file) return;
    const { stateDir } = config;
    const manualRecoveryNeeded =
      outcome.result === 'refused' ||
      outcome.result === 'rollback-failed' ||
      (await readManualRecovery(stateDir).catch(() => undefined)) !== undefined;
    // A reboot, or the boot check after it, waits: from either marker.
    const rebootPending =
      (await readRebootPendingNow(stateDir).catch(() => undefined)) !== undefined ||
      (await readBootCheck(stateDir).catch(() => undefined)) !== undefined;
    const lastAttempt =
      outcome.result === 'skipped'
        ? (await readRunRecords(stateDir, 50).catch(() => [])).find(
            (record) => record.result !== undefined && record.result !== 'skipped',
          )?.result
        : outcome.result;
    const text = renderMetrics({
      record: {
        startedAt: outcome.startedAt,
        endedAt: outcome.endedAt,
        result: outcome.result,
        interrupted: outcome.interrupted && !outcome.killed,
        ...(outcome.killed ? { killed: outcome.killed } : {}),
        states: [...outcome.states],
        ...(outcome.saved?.system || outcome.final.system
          ? {
              system: {
                ...(outcome.saved?.system ? { saved: outcome.saved.system } : {}),
                ...(outcome.final.system ? { final: outcome.final.system } : {}),
              },
            }
          : {}),
      },
      behind: outcome.final.repos,
      manualRecoveryNeeded,
      rebootPending,
      ...(lastAttempt ? { lastAttempt } : {}),
    });
    await writeMetrics(file, text).catch((error: unknown) =>
      log.warn(`cannot write the metrics file ${file}: ${describeError(error)}`),
    );
  },
};
