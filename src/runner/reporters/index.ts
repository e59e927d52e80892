// Everything that reports a finished run, in order: the fleet first (its lines join the summary),
// then the record, the state files later runs read, the metrics (which read those files), the
// notifications, and the summary last. A new report is a new file here and one line in this list.
import { describeError } from '../../errors.js';
import type { RunOutcome } from '../outcome.js';
import { fleetReport } from './fleetReport.js';
import { manualRecovery } from './manualRecovery.js';
import { metrics } from './metrics.js';
import { notifications } from './notifications.js';
import { pendingReboot } from './pendingReboot.js';
import { rejectedCommits } from './rejectedCommits.js';
import type { ReportContext, Reporter } from './reporter.js';
import { runRecord } from './runRecord.js';
import { summary } from './summary.js';

export const reporters: readonly Reporter[] = [
  fleetReport,
  runRecord,
  rejectedCommits,
  manualRecovery,
  pendingReboot,
  metrics,
  notifications,
  summary,
];

/** Hands the outcome to every reporter; one that fails is said and the others still run. */
export async function report(
  outcome: RunOutcome,
  context: Omit<ReportContext, 'notes'>,
): Promise<void> {
  const notes: string[] = [];
  for (const reporter of reporters) {
    try {
      const lines = await reporter.report(outcome, { ...context, notes });
      if (lines) notes.push(...lines);
    } catch (error) {
      context.options.log.warn(`cannot ${reporter.what}: ${describeError(error)}`);
    }
  }
}
