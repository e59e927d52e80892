// The closing summary: what happened, where every repo is, and what to do next. Plain text that
// reads the same in a terminal and in the journal.
import type { ResolvedConfig } from '../config/resolve.js';
import { join } from 'node:path';
import { savedCommitsFile } from '../actors/snapshotRepos.js';
import type { RunReport } from './runUpgrade.js';

const short = (commit: string | undefined) => (commit ? commit.slice(0, 12) : '(none)');

export function formatSummary(report: RunReport, config: ResolvedConfig): string[] {
  const { output } = report;
  const lines: string[] = [];
  const failure = output.failure;
  switch (output.result) {
    case 'upgraded':
      lines.push('result: upgraded: the new configuration is built, checked and switched');
      break;
    case 'nothing-new':
      lines.push(
        'result: nothing new upstream: nothing was built or switched (use --force to rebuild anyway)',
      );
      break;
    case 'aborted':
      lines.push(
        `result: aborted in ${failure?.state ?? '?'} before any change: the host is untouched`,
      );
      lines.push(`cause: ${failure?.message ?? 'unknown'}`);
      lines.push(
        output.interrupted
          ? 'next: nothing to fix; the next run will try again'
          : 'next: fix the cause above; the next run will try again',
      );
      break;
    case 'rolled-back':
      lines.push(
        `result: failed in ${failure?.state ?? '?'} and rolled back: every repo is back at its saved commit`,
      );
      lines.push(`cause: ${failure?.message ?? 'unknown'}`);
      lines.push(
        output.interrupted
          ? 'next: nothing to fix; the next run will try again'
          : 'next: fix the cause upstream; the next run will try the new commits again',
      );
      break;
    case 'rollback-failed':
      lines.push('result: ROLLBACK FAILED: manual recovery needed');
      if (failure) lines.push(`cause: ${failure.state}: ${failure.message}`);
      lines.push(`rollback: ${output.rollbackFailure?.message ?? 'unknown'}`);
      lines.push(
        `next: put each repo back at the saved commit below (also in ${join(config.stateDir, savedCommitsFile)}), then run the rollback switch; see docs/recovery.md`,
      );
      break;
  }
  if (output.validationFailure) {
    lines.push(
      `warning: validation failed and was ${config.onValidationFailure === 'notify' ? 'notified' : 'ignored'}: ${output.validationFailure.message}`,
    );
  }
  const tail = failure?.outputTail;
  if (tail && output.result !== 'upgraded' && output.result !== 'nothing-new') {
    lines.push(`last ${tail.length} lines of ${failure.state} output:`);
    lines.push(...tail.map((line) => `  | ${line}`));
  }
  for (const repo of config.repos) {
    const saved = output.savedCommits.find((entry) => entry.repo === repo.name)?.commit;
    const final = report.finalCommits.find((entry) => entry.repo === repo.name)?.commit;
    const moved = saved && final && saved !== final ? '  (moved)' : '';
    lines.push(`repo ${repo.name}: saved ${short(saved)} -> now ${short(final)}${moved}`);
  }
  lines.push(`states: ${report.states.map((visit) => visit.state).join(' -> ')}`);
  return lines;
}
