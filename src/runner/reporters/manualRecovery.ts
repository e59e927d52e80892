// A failed rollback leaves the host in a state nobody knows: runs are refused until an operator
// says it was put back (`recover --confirm-manual-fix`).
import { markManualRecoveryNeeded } from '../../state/manualRecovery.js';
import type { Reporter } from './reporter.js';

export const manualRecovery: Reporter = {
  what: 'record that manual recovery is needed',
  async report(outcome, { options, recorder }) {
    if (!recorder || outcome.result !== 'rollback-failed') return;
    await markManualRecoveryNeeded(options.config.stateDir, {
      since: outcome.endedAt,
      runId: outcome.runId,
      reason: outcome.rollbackFailure?.message ?? 'unknown',
    });
  },
};
