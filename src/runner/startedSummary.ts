// The drafts of runs that end before any work moved the host: stopped at the start, refused while
// manual recovery is needed, or an operator confirming a manual fix.
import { ExitCode } from '../errors.js';
import type { Failure } from '../machine/types.js';
import type { RunDraft } from './outcome.js';

const sameHost = () => ({ level: 'error' as const });

export const startedSummary = {
  /** Stopped before anything moved (a repo that is not there, a state dir that cannot be used). */
  aborted(exitCode: number, failure: Failure): RunDraft {
    return {
      result: 'aborted',
      exitCode,
      failure,
      describe: () => ({
        ...sameHost(),
        lines: [
          'result: aborted before any change: the host is untouched',
          `cause: ${failure.message}`,
          ...(failure.next ? [`next: ${failure.next}`] : []),
        ],
      }),
    };
  },

  refused(marker: string): RunDraft {
    return {
      result: 'refused',
      exitCode: ExitCode.rollbackFailed,
      failure: { state: 'starting', message: marker },
      describe: () => ({
        ...sameHost(),
        lines: [
          'result: REFUSED: a failed rollback still waits for manual recovery: nothing was run',
          `cause: ${marker}`,
        ],
      }),
    };
  },

  confirmed(): RunDraft {
    return {
      result: 'recovery-confirmed',
      exitCode: ExitCode.done,
      describe: () => ({
        level: 'info',
        lines: [
          'result: manual recovery confirmed by an operator (--confirm-manual-fix): runs go ahead again',
        ],
      }),
    };
  },
};
