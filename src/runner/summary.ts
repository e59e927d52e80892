// The closing summary: what happened, where every repo is, and what to do next. Plain text that
// reads the same in a terminal and in the journal, where every line of a failure's explanation
// carries the failure's priority (so `journalctl -p err` shows the cause with the result).
import { commandText, type ResolvedConfig } from '../config/resolve.js';
import { join } from 'node:path';
import { savedCommitsFile } from '../actors/snapshotRepos.js';
import type { LogLevel } from '../log.js';
import type { ClosureChoice, Failure, UpgradeOutput } from '../machine/types.js';
import { formatSize } from '../config/size.js';
import { describeGenerations } from './generations.js';
import type { RunReport } from './runUpgrade.js';

const short = (commit: string | undefined) => (commit ? commit.slice(0, 12) : '(none)');

/** What the summary needs to know besides the machine's report. */
export interface SummaryFacts {
  report: RunReport;
  config: ResolvedConfig;
  /** --skip-validation: no check ran. */
  skippedValidation: boolean;
  /** --ignore-conditions with conditions configured: the window, power and network were not asked. */
  ignoredConditions?: boolean;
  /** The commits this run tried are remembered as bad: the next run will not try them again. */
  rejected: boolean;
  /** This run was killed (SIGKILL, power loss) and finished by a later run's recovery. */
  killed?: { state: string; lastSeen: string };
  /** What became of the fleet slot (released, held, kept for the boot check), and the report. */
  fleetLines?: string[];
  /** Lines of what the run did besides the machine (a closure prefetched outside the window). */
  notes?: string[];
}

export interface Summary {
  /** The priority of every line that explains the outcome. */
  level: LogLevel;
  lines: string[];
}

/** The priority a result is reported at: a temporary trouble warns, anything else not done errs. */
export function resultLevel(result: UpgradeOutput['result'], exitCode: number): LogLevel {
  if (exitCode === 0) return 'info';
  return result === 'fetch-failed' || result === 'no-slot' || result === 'fleet-unavailable'
    ? 'warn'
    : 'error';
}

/**
 * What an upgrade did, said exactly: "built, checked and switched", "switched WITHOUT checks
 * (--skip-validation)", "switched although check "smoke" failed". Also used by status.
 */
export function upgradeDone(facts: {
  states: string[];
  skippedValidation: boolean;
  validationFailure?: Failure;
  checksConfigured: boolean;
  onValidationFailure: string;
}): string {
  // What made the new system: a build here, or the closure CI built, fetched.
  const built = facts.states.includes('building') || facts.states.includes('fetchingClosure');
  const made = facts.states.includes('fetchingClosure') ? 'fetched' : 'built';
  const healthy = facts.states.includes('healthChecking') ? ' and found healthy' : '';
  if (facts.skippedValidation) {
    return `${built ? `${made} and ` : ''}switched WITHOUT checks (--skip-validation)${healthy}`;
  }
  if (facts.validationFailure) {
    const which = facts.validationFailure.command
      ? `check "${facts.validationFailure.command}"`
      : 'a validation check';
    return `${built ? `${made} and ` : ''}switched although ${which} failed (onValidationFailure: ${facts.onValidationFailure})${healthy}`;
  }
  if (!facts.checksConfigured) {
    return `${built ? `${made} and ` : ''}switched${healthy} (no validation checks configured)`;
  }
  return `${built ? `${made}, checked and switched` : 'checked and switched'}${healthy}`;
}

export function formatSummary(facts: SummaryFacts): Summary {
  const { report, config } = facts;
  const { output } = report;
  const lines: string[] = [];
  const failure = output.failure;
  const cause = () => lines.push(`cause: ${failure?.message ?? 'unknown'}`);
  const stopped = facts.killed
    ? `next: find out why the run was killed (\`journalctl -u xs-upgrade -b\`; \`dmesg\` for the OOM killer); the next run will try again`
    : 'next: nothing to fix; the next run will try again';
  const upgradeLine = () =>
    upgradeDone({
      states: report.states.map((visit) => visit.state),
      skippedValidation: facts.skippedValidation,
      ...(output.validationFailure ? { validationFailure: output.validationFailure } : {}),
      checksConfigured: config.validationChecks.length > 0,
      onValidationFailure: config.onValidationFailure,
    });
  switch (output.result) {
    case 'rebooting':
      lines.push(
        output.reboot?.inhibitedBy
          ? `result: installed for next boot: switch inhibited by ${output.reboot.inhibitedBy.join(', ')}; rebooting into it, the boot is checked by \`xs-upgrade boot-check\``
          : report.states.some((visit) => visit.state === 'switching')
            ? `result: upgraded, rebooting: the new configuration is ${upgradeLine()}; the boot into it is checked by \`xs-upgrade boot-check\``
            : 'result: rebooting into the system an earlier run upgraded to; the boot into it is checked by `xs-upgrade boot-check`',
      );
      break;
    case 'upgraded':
      lines.push(
        output.reboot?.inhibitedBy
          ? `result: installed for next boot: switch inhibited by ${output.reboot.inhibitedBy.join(', ')}; it runs after the reboot (the running system is unchanged)`
          : `result: upgraded: the new configuration is ${upgradeDone({
              states: report.states.map((visit) => visit.state),
              skippedValidation: facts.skippedValidation,
              ...(output.validationFailure ? { validationFailure: output.validationFailure } : {}),
              checksConfigured: config.validationChecks.length > 0,
              onValidationFailure: config.onValidationFailure,
            })}`,
      );
      break;
    case 'skipped':
      lines.push(
        report.states.some((visit) => visit.state.startsWith('rollingBack'))
          ? `result: skipped (${output.skipReason ?? '?'}): every repo is back at its saved commit, nothing was switched; the next run tries again`
          : `result: skipped (${output.skipReason ?? '?'}): nothing was done; the next run tries again`,
      );
      break;
    case 'nothing-new':
      lines.push(
        output.waiting
          ? `result: nothing new (${output.waiting}): nothing was built or switched`
          : 'result: nothing new upstream: nothing was built or switched (use --force to rebuild anyway)',
      );
      break;
    case 'held-back': {
      const held = output.heldBack;
      lines.push(
        held?.aborted
          ? `result: held back: upstream is at commits ${held.by ?? '?'} aborted fleet-wide on ${held.at}: nothing was built or switched`
          : held?.by
            ? `result: held back: upstream is at commits ${held.by} rejected on ${held.at} (fleet-wide quarantine): nothing was built or switched`
            : `result: held back: upstream is at commits that failed here on ${held?.at ?? '?'}: nothing was built or switched`,
      );
      // Another host's (or operator's) words, from the fleet store: said as theirs.
      lines.push(
        held?.by
          ? `cause, as ${held.aborted ? `operator "${held.by}" gave it` : `host "${held.by}" reported it`}: ${held.reason}`
          : `cause: ${held?.reason ?? 'unknown'}`,
      );
      lines.push(
        held?.set
          ? `next: fix the cause upstream and push a new commit, or after looking, \`xs-upgrade fleet forgive ${held.set}\` (or \`xs-upgrade run --force\`) to try these commits again`
          : 'next: fix the cause upstream and push a new commit (the next run takes it), or run `xs-upgrade run --force` to try these commits again',
      );
      break;
    }
    case 'fetch-failed':
      lines.push(
        failure?.state === 'fetchingClosure'
          ? 'result: fetch failed (temporary): the closure could not be fetched; every repo is back at its saved commit, nothing was switched'
          : 'result: fetch failed (temporary): nothing was moved, the host is untouched',
      );
      cause();
      lines.push(`next: ${failure?.next ?? 'the next run tries again'}`);
      break;
    case 'fleet-unavailable':
      lines.push(
        failure?.state === 'pulling'
          ? 'result: fleet store unavailable (temporary): nothing was moved, the host is untouched'
          : 'result: fleet store unavailable (temporary): every repo is back at its saved commit, nothing was switched',
      );
      cause();
      lines.push(`next: ${failure?.next ?? 'the next run tries again'}`);
      break;
    case 'no-slot':
      lines.push(
        'result: no fleet slot (temporary): every repo is back at its saved commit, nothing was switched',
      );
      cause();
      lines.push(
        output.interrupted ? stopped : `next: ${failure?.next ?? 'the next run tries again'}`,
      );
      break;
    case 'aborted':
      lines.push(
        `result: aborted in ${failure?.state ?? '?'} before any change: the host is untouched`,
      );
      cause();
      lines.push(
        output.interrupted
          ? stopped
          : `next: ${failure?.next ?? 'fix the cause above; the next run will try again'}`,
      );
      break;
    case 'rolled-back':
      lines.push(
        `result: failed in ${failure?.state ?? '?'} and rolled back: every repo is back at its saved commit${report.states.some((visit) => visit.state === 'rollingBack.revertingSystem') ? ', the system too' : ''}`,
      );
      cause();
      if (output.interrupted) lines.push(stopped);
      else if (failure?.next) lines.push(`next: ${failure.next}`);
      else if (facts.rejected)
        lines.push(
          'next: fix the cause upstream and push a new commit; these commits are not tried again here (`xs-upgrade run --force` tries them anyway)',
        );
      else lines.push('next: fix the cause above; the next run will try again');
      break;
    case 'recalled': {
      const recall = output.recall;
      const from = recall?.from;
      const generation = recall?.to.system ? `, generation ${recall.to.system.generation}` : '';
      lines.push(
        `result: recalled: set ${from?.set ?? '?'} was ${from?.aborted ? 'aborted' : 'rejected'} fleet-wide; back on set ${recall?.to.set ?? '?'}${generation}, the newest this host ran healthy before`,
      );
      // An operator's or another host's words, from the fleet store: said as theirs.
      lines.push(
        `cause, as ${from?.aborted ? 'operator' : 'host'} "${from?.by ?? '?'}" gave it at ${from?.at ?? '?'}: ${from?.reason ?? 'unknown'}`,
      );
      lines.push(
        'next: nothing to do here; the next run takes the newest set nobody rejected (`xs-upgrade fleet forgive SET` lets the recalled one be tried again)',
      );
      break;
    }
    case 'rollback-failed':
      lines.push('result: ROLLBACK FAILED: manual recovery needed');
      if (output.recall) {
        lines.push(
          `recall: from set ${output.recall.from.set} to set ${output.recall.to.set} stopped half-way`,
        );
      }
      if (failure) lines.push(`cause: ${failure.state}: ${failure.message}`);
      lines.push(`rollback: ${output.rollbackFailure?.message ?? 'unknown'}`);
      lines.push(
        `next: put each repo back at the saved commit below (also in ${join(config.stateDir, savedCommitsFile)}), then run the rollback switch; see docs/recovery.md. Runs are refused until then: afterwards, \`xs-upgrade recover --confirm-manual-fix\``,
      );
      break;
  }
  if (output.validationFailure && output.result !== 'upgraded') {
    lines.push(
      `warning: validation failed and was ${config.onValidationFailure === 'notify' ? 'notified' : 'ignored'}: ${output.validationFailure.message}`,
    );
  }
  const tail = failure?.outputTail;
  if (tail && output.result !== 'upgraded' && output.result !== 'nothing-new') {
    lines.push(
      tail.length === 1
        ? `last line of ${failure.state} output:`
        : `last ${tail.length} lines of ${failure.state} output:`,
    );
    lines.push(...tail.map((line) => `  | ${line}`));
  }
  const reboot = output.reboot;
  if (reboot?.requested)
    lines.push(
      `reboot: asked for (${commandText(config.reboot.command)}); a boot check is pending`,
    );
  else if (reboot?.inhibitedBy && config.reboot.when === 'never')
    lines.push('reboot: needed to run the new system (reboot.when is "never"): reboot by hand');
  else if (reboot?.pending && reboot.uncertain)
    lines.push(`reboot: ${reboot.pending}: reboot by hand if the kernel changed`);
  else if (reboot?.pending)
    lines.push(`reboot: pending (${reboot.pending}): a run inside the window will reboot`);
  else if (reboot?.kernelChanged === false)
    lines.push('reboot: not needed (the kernel, initrd and kernel modules are unchanged)');
  const system = describeGenerations(
    output.savedSystem,
    report.finalSystem,
    report.states.some((visit) => visit.state === 'rollingBack.revertingSystem'),
  );
  if (system) lines.push(`system: ${system}`);
  if (output.closure) lines.push(`closure: ${describeClosure(output.closure)}`);
  lines.push(...(facts.notes ?? []));
  lines.push(...(facts.fleetLines ?? []));
  for (const repo of config.repos) {
    const saved = output.savedCommits.find((entry) => entry.repo === repo.name)?.commit;
    const final = report.finalCommits.find((entry) => entry.repo === repo.name)?.commit;
    const moved = saved && final && saved !== final ? '  (moved)' : '';
    lines.push(`repo ${repo.name}: saved ${short(saved)} -> now ${short(final)}${moved}`);
  }
  lines.push(`states: ${report.states.map((visit) => visit.state).join(' -> ')}`);
  if (facts.ignoredConditions && lines[0] !== undefined)
    lines[0] = `${lines[0]} (conditions ignored: --ignore-conditions)`;
  return { level: resultLevel(output.result, report.exitCode), lines };
}

/** "/nix/store/…-nixos-system-web-1-26.05 (fetched 12 MiB of 1.2 GiB from https://cache, signed by ci-1)". */
export function describeClosure(closure: ClosureChoice): string {
  const fetched =
    closure.fetchBytes === 0
      ? `all ${formatSize(closure.closureBytes)} already in the store`
      : `fetched ${formatSize(closure.fetchBytes)} of ${formatSize(closure.closureBytes)} from ${closure.substituter}`;
  return `${closure.storePath} (${fetched}, signed by ${closure.signedBy.join(', ')})`;
}
