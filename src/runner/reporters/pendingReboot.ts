// A reboot that was wanted but not done (outside the window, or its command failed) waits for a
// later run, which must still know the last good generation and commits; a reboot asked for, or
// found not needed, clears it. "Cannot tell" is kept too, for status and the metric only.
import {
  clearRebootPending,
  readRebootPending,
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
    const earlier = await readRebootPending(stateDir);
    const uncertain = reboot.uncertain === true;
    // A reboot known to be wanted is not demoted by a later run that cannot tell.
    if (uncertain && earlier && !earlier.uncertain) return;
    const keep = earlier && !earlier.uncertain ? earlier : undefined;
    await writeRebootPending(stateDir, {
      previous: keep?.previous ?? output.savedSystem,
      previousCommits: keep?.previousCommits ?? output.savedCommits,
      runId: keep?.runId ?? outcome.runId,
      since: keep?.since ?? outcome.endedAt,
      reason: reboot.pending,
      ...(uncertain ? { uncertain: true, bootId: bootId() } : {}),
    });
  },
};
