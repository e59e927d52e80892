// The commit set this run proved bad is remembered: the next run waits for upstream to move on.
import { rejectCommitSet } from '../../state/rejectedCommits.js';
import type { Reporter } from './reporter.js';

export const rejectedCommits: Reporter = {
  what: 'record the failed commits',
  async report(outcome, { options, recorder }) {
    if (!recorder || !outcome.rejected) return;
    await rejectCommitSet(options.config.stateDir, outcome.rejected);
  },
};
