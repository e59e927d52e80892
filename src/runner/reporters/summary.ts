// The closing summary in the log, at the outcome's priority: the run's own lines, with what
// earlier reporters added (the fleet's) before the repos.
import type { Reporter } from './reporter.js';

/** `notes` go before the first repo line, or before the states line, or at the end. */
export function withNotes(lines: readonly string[], notes: readonly string[]): string[] {
  const at = lines.findIndex((line) => line.startsWith('repo ') || line.startsWith('states: '));
  return at === -1 ? [...lines, ...notes] : [...lines.slice(0, at), ...notes, ...lines.slice(at)];
}

export const summary: Reporter = {
  what: 'print the summary',
  report(outcome, { options, notes }) {
    for (const line of withNotes(outcome.summary.lines, notes)) {
      options.log.report(outcome.summary.level, line);
    }
    return Promise.resolve();
  },
};
