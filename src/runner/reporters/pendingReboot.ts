// A reboot that was wanted but not done (outside the window, or its command failed) waits for a
// later run, which must still know the last good generation and commits; a reboot asked for, or
// found not needed, clears it. "Cannot tell" is kept too, for status and the metric only.
import {
  clearRebootPending,
  readRebootPendingNow,
  writeRebootPending,
} from '../../state/rebootState.js';
import { bootId } from '../../state/stepProcesses.js';
import type { Reporter } from './reporter.js';

export const pendingReboot: Reporter = {
  what: 'record the pending reboot',
  async report(outcome, { options, recorder }) {
    const output = outcome.machine?.output;
    const reboot = output?.reboot;
    if (!recorder || !output || !reboot) return;
    const { stateDir } = options.config;
    if (reboot.requested || reboot.pending === undefined) {
      await clearRebootPending(stateDir);
      return;
    }
    if (reboot.pending === undefined || !output.savedSystem) return;
    const earlier = await readRebootPendingNow(stateDir);
    const uncertain = reboot.uncertain === true;
    // A reboot known to be wanted is not demoted by a later run that cannot tell.
    if (uncertain && earlier && !earlier.uncertain) return;
    // The earliest state is kept: the last generation the host booted, and its commits.
    await writeRebootPending(stateDir, {
      previous: earlier?.previous ?? output.savedSystem,
      previousCommits: earlier?.previousCommits ?? output.savedCommits,
      runId: earlier?.runId ?? outcome.runId,
      since: earlier?.since ?? outcome.endedAt,
      reason: reboot.pending,
      ...(uncertain ? { uncertain: true, bootId: bootId() } : {}),
    });
  },
};
