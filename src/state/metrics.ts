// The Prometheus text file node_exporter's textfile collector reads: last run time, result,
// duration per state, commits behind. Written atomically, since the collector may read it any time.
import { writeFileAtomic } from '../actors/stateFile.js';
import { upgradeResults } from '../machine/types.js';
import type { RecordResult, RunRecord } from './runRecords.js';

const results: RecordResult[] = [
  ...upgradeResults,
  'refused',
  'recovery-confirmed',
  'rollback-booted',
];

/** What the metrics say of the last run and of the host. */
export interface MetricsFacts {
  record: Pick<
    RunRecord,
    'startedAt' | 'endedAt' | 'result' | 'interrupted' | 'killed' | 'system'
  > & {
    states: { state: string; ms?: number }[];
  };
  behind: { repo: string; behind?: number }[];
  /** A failed rollback still waits for an operator. */
  manualRecoveryNeeded?: boolean;
  /** A reboot is pending (or may be: "cannot tell"), or its boot check is. */
  rebootPending?: boolean;
  /**
   * The result of the newest run that was not skipped: a skip (window, battery, metered) says
   * nothing of whether upgrades work, so it neither raises nor clears the failure alert.
   */
  lastAttempt?: RecordResult;
}

/** Results that leave the host on the configuration upstream meant. */
const successes = new Set<RecordResult | undefined>(['upgraded', 'nothing-new']);

const escapeLabel = (value: string) =>
  value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

export function renderMetrics(facts: MetricsFacts): string {
  const { record, behind, manualRecoveryNeeded = false, rebootPending = false } = facts;
  const attempt = record.result === 'skipped' ? facts.lastAttempt : record.result;
  const lines: string[] = [];
  const metric = (name: string, help: string, samples: [string, number][]) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
    for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
  };
  const ended = Date.parse(record.endedAt ?? record.startedAt);
  metric('xs_upgrade_last_run_timestamp_seconds', 'When the last run ended (Unix time).', [
    ['', ended / 1000],
  ]);
  metric(
    'xs_upgrade_last_run_success',
    '1 if the last run that was not skipped upgraded or found nothing new, else 0 (held back, fetch failed, failed).',
    [['', attempt === undefined || successes.has(attempt) ? 1 : 0]],
  );
  metric(
    'xs_upgrade_last_run_skipped',
    '1 if the last run was skipped (maintenance window, battery, metered network).',
    [['', record.result === 'skipped' ? 1 : 0]],
  );
  metric(
    'xs_upgrade_held_back',
    '1 if upstream is at commits that failed on this host before, so the host stays behind.',
    [['', record.result === 'held-back' ? 1 : 0]],
  );
  metric(
    'xs_upgrade_reboot_pending',
    '1 while a reboot into the new system, or the boot check after it, is pending (or may be: "cannot tell").',
    [['', rebootPending ? 1 : 0]],
  );
  metric(
    'xs_upgrade_manual_recovery_needed',
    '1 while a failed rollback waits for an operator (runs are refused until cleared).',
    [['', manualRecoveryNeeded ? 1 : 0]],
  );
  metric(
    'xs_upgrade_last_run_result',
    'The result of the last run: 1 for the one it had, 0 for the others.',
    results.map((result) => [`{result="${result}"}`, record.result === result ? 1 : 0]),
  );
  metric('xs_upgrade_last_run_interrupted', '1 if the last run was stopped by a signal.', [
    ['', record.interrupted ? 1 : 0],
  ]);
  metric(
    'xs_upgrade_last_run_killed',
    '1 if the last run was killed (SIGKILL, OOM, power loss) and finished by a recovery.',
    [['', record.killed ? 1 : 0]],
  );
  metric('xs_upgrade_last_run_duration_seconds', 'How long the last run took.', [
    ['', (ended - Date.parse(record.startedAt)) / 1000],
  ]);
  metric(
    'xs_upgrade_state_duration_seconds',
    'How long the last run spent in each state.',
    record.states.map((visit) => [`{state="${escapeLabel(visit.state)}"}`, (visit.ms ?? 0) / 1000]),
  );
  const system = record.system;
  if (system?.final || system?.saved) {
    const profile = `{profile="${escapeLabel((system.final ?? system.saved)?.profile ?? '')}"}`;
    metric(
      'xs_upgrade_system_generation',
      'The Nix system profile generation the host is on after the last run.',
      system.final ? [[profile, system.final.generation]] : [],
    );
    metric(
      'xs_upgrade_system_generation_saved',
      'The generation the last run saved before anything moved (where a rollback returns).',
      system.saved ? [[profile, system.saved.generation]] : [],
    );
  }
  metric(
    'xs_upgrade_commits_behind',
    "Commits on the remote branch that the repo's checked-out commit does not have.",
    behind.flatMap((repo) =>
      repo.behind === undefined ? [] : [[`{repo="${escapeLabel(repo.repo)}"}`, repo.behind]],
    ),
  );
  return `${lines.join('\n')}\n`;
}

export async function writeMetrics(file: string, text: string): Promise<void> {
  // Not durable: the next run writes them again, and a scrape needs them only while up.
  await writeFileAtomic(file, text, { durable: false });
}
