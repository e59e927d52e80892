// `xs-upgrade status` and `xs-upgrade history`: what the last runs did, from the run records.
// Plain text that fits an 80-column terminal, or JSON for scripts.
import type { HeldSlot } from '../state/fleetSlot.js';
import { formatDuration } from '../config/duration.js';
import { manualRecoveryLine, type ManualRecovery } from '../state/manualRecovery.js';
import type { BootCheck, RebootPending } from '../state/rebootState.js';
import type { RunRecord } from '../state/runRecords.js';
import { describeGenerations } from '../runner/generations.js';

const short = (commit: string | undefined) => (commit ? commit.slice(0, 12) : '-');
const when = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
const took = (record: RunRecord) =>
  record.endedAt ? formatDuration(Date.parse(record.endedAt) - Date.parse(record.startedAt)) : '-';

/**
 * One word or three for how a run ended: "rolled-back", "interrupted, rolled-back", "killed,
 * rolled-back", "upgraded, NO checks", "upgraded, check failed", "rolled back by hand",
 * "running", "crashed".
 */
export function outcome(record: RunRecord, holderPid?: number): string {
  if (record.running) return record.pid === holderPid ? 'running' : 'crashed';
  if (record.rolledBackByHand !== undefined)
    return record.result === 'rolled-back'
      ? 'rolled back by hand'
      : `${record.result ?? '?'} (by hand)`;
  let result: string = record.result ?? '?';
  if (result === 'upgraded' && record.skippedValidation) result = 'upgraded, NO checks';
  else if (result === 'upgraded' && record.validationFailure) result = 'upgraded, check failed';
  if (record.killed) return `killed, ${result}`;
  return record.interrupted ? `interrupted, ${result}` : result;
}

export function formatStatus(
  lastRun: RunRecord | undefined,
  holder: { pid: number; since: string } | undefined,
  manualRecovery?: ManualRecovery,
  reboot: { pending: RebootPending | null; bootCheck: BootCheck | null } = {
    pending: null,
    bootCheck: null,
  },
  fleetSlot: HeldSlot | null = null,
  /** The commits the newest run saved before anything moved (saved-commits.json). */
  savedCommits?: { repo: string; commit: string }[],
): string[] {
  const lines = [
    ...(manualRecovery ? [`MANUAL RECOVERY NEEDED: ${manualRecoveryLine(manualRecovery)}`] : []),
    ...(fleetSlot ? [heldSlotLine(fleetSlot)] : []),
    ...(reboot.bootCheck
      ? [
          `boot check pending: rebooting into generation ${reboot.bootCheck.expected.generation} (asked for at ${reboot.bootCheck.requestedAt}${reboot.bootCheck.rollbackReboots > 0 ? ', after one rollback reboot' : ''})`,
        ]
      : []),
    ...(reboot.pending?.uncertain
      ? [
          `reboot may be needed (since ${reboot.pending.since}): ${reboot.pending.reason}: reboot by hand if the kernel changed`,
        ]
      : reboot.pending
        ? [`reboot pending since ${reboot.pending.since}: ${reboot.pending.reason}`]
        : []),
    holder ? `running now: pid ${holder.pid}, since ${holder.since}` : 'running now: no',
  ];
  if (!lastRun) return [...lines, 'last run: none recorded'];
  lines.push(
    `last run: ${when(lastRun.startedAt)} UTC, took ${took(lastRun)}: ${outcome(lastRun, holder?.pid)}${lastRun.exitCode === undefined ? '' : ` (exit ${lastRun.exitCode})`}`,
  );
  if (lastRun.summary) lines.push(`  ${lastRun.summary}`);
  const crashed = lastRun.running && lastRun.pid !== holder?.pid;
  if (lastRun.killed)
    lines.push(`  killed in ${lastRun.killed.state}, last heard of at ${lastRun.killed.lastSeen}`);
  // A rollback by hand is not a failure of anything: its summary says what it did.
  if (
    lastRun.failure &&
    lastRun.rolledBackByHand === undefined &&
    !lastRun.summary?.includes(lastRun.failure.message)
  )
    lines.push(`  failed in ${lastRun.failure.state}: ${lastRun.failure.message}`);
  if (lastRun.rollbackFailure) lines.push(`  rollback: ${lastRun.rollbackFailure.message}`);
  if (lastRun.validationFailure)
    lines.push(`  validation failed (went on): ${lastRun.validationFailure.message}`);
  const system = describeGenerations(
    lastRun.system?.saved,
    lastRun.system?.final,
    lastRun.states.some((visit) => visit.state === 'rollingBack.revertingSystem') ||
      lastRun.rolledBackByHand !== undefined,
  );
  if (system) lines.push(`  system ${system}`);
  // A crashed run's record has no repos yet: the commits it saved are what recovery returns to.
  const repos =
    crashed && lastRun.repos.length === 0
      ? (savedCommits ?? []).map((saved) => ({ repo: saved.repo, saved: saved.commit }))
      : lastRun.repos;
  for (const repo of repos) lines.push(`  ${repo.repo.padEnd(16)} ${repoLine(repo)}`);
  if (lastRun.states.length > 0)
    lines.push(`  states: ${lastRun.states.map((visit) => visit.state).join(' > ')}`);
  if (crashed)
    lines.push(
      '  next: `xs-upgrade recover` puts back what it moved now (the next run does it first anyway)',
    );
  return lines;
}

export function formatHistory(records: RunRecord[], holderPid?: number): string[] {
  if (records.length === 0) return ['no runs recorded'];
  // The system generation column only for hosts with a profile: "41>42", "41".
  const generations = records.map((record) => {
    const { saved, final } = record.system ?? {};
    if (!saved && !final) return '';
    if (saved && final && saved.generation !== final.generation)
      return `${saved.generation}>${final.generation}`;
    return String((final ?? saved)?.generation ?? '');
  });
  const withSystem = generations.some((text) => text !== '');
  const header = `${'started (UTC)'.padEnd(16)}  ${'took'.padStart(7)}  ${'result'.padEnd(24)}  exit  ${withSystem ? 'system  ' : ''}failed in`;
  const rows = records.map((record, index) => {
    const exit = record.exitCode === undefined ? '-' : String(record.exitCode);
    const failedIn = record.rolledBackByHand === undefined ? (record.failure?.state ?? '') : '';
    const system = withSystem ? `${(generations[index] ?? '').padEnd(6)}  ` : '';
    return `${when(record.startedAt)}  ${took(record).padStart(7)}  ${outcome(record, holderPid).padEnd(24)}  ${exit.padStart(4)}  ${system}${failedIn}`.trimEnd();
  });
  return [header, ...rows];
}

/** "saved A -> now B"; "at B" for a run that saved nothing (skipped, refused); "saved A" while crashed. */
function repoLine(repo: { saved?: string; final?: string }): string {
  if (repo.saved === undefined) return `at ${short(repo.final)}`;
  if (repo.final === undefined) return `saved ${short(repo.saved)}`;
  return `saved ${short(repo.saved)} -> now ${short(repo.final)}`;
}

/** What this host's own record says of its fleet slot (the coordinator stays the truth). */
function heldSlotLine(slot: HeldSlot): string {
  const group = `group ${slot.group} (${slot.where})`;
  switch (slot.state) {
    case 'held-after-failure':
      return `FLEET SLOT HELD in ${group} since ${slot.since}, after: ${slot.reason ?? 'a failed upgrade'}; the rollout waits for an operator: look at this host, then \`xs-upgrade fleet release --id ${slot.id}\``;
    case 'held-for-boot-check':
      return `fleet slot held in ${group} since ${slot.since}, until the boot check after the reboot passes`;
    case 'release-pending':
      return `fleet slot in ${group} not released yet (${slot.reason ?? 'the coordinator was unreachable'}): the next run releases it`;
  }
}
