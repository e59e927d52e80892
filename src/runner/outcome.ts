// How a run ended, as one immutable value: what the command did (its draft) together with the host
// as measured at the end. Every reporter reads this and nothing else of the run.
import type { SlotDecision } from '../fleet/hostSlot.js';
import type {
  Failure,
  HeldBack,
  SavedCommit,
  SavedGeneration,
  UpgradeOutput,
} from '../machine/types.js';
import type { RejectedCommitSet } from '../state/rejectedCommits.js';
import type { RecordResult, RunCommand, RunRecord } from '../state/runRecords.js';
import type { HostState } from './hostState.js';
import type { StateVisit } from './runUpgrade.js';
import type { Summary } from './summary.js';

/** What a command's work says of its run; the lifecycle adds the measured host and the summary. */
export interface RunDraft {
  result: RecordResult;
  exitCode: number;
  failure?: Failure;
  validationFailure?: Failure;
  rollbackFailure?: Failure;
  heldBack?: HeldBack;
  skipReason?: string;
  reboot?: RunRecord['reboot'];
  /** Stopped by SIGTERM or SIGINT (not killed). */
  interrupted?: boolean;
  /** Where the host was before this run moved anything (each repo's commit, the generation). */
  saved?: { repos: SavedCommit[] | { repo: string; commit: string }[]; system?: SavedGeneration };
  /** The commits this run proved bad: not tried again here, and reported to the fleet. */
  rejected?: RejectedCommitSet;
  /** A run of the upgrade machine: its output and states (the slot and the reboot follow them). */
  machine?: { output: UpgradeOutput; states: StateVisit[] };
  /** Not a machine run: what becomes of the fleet slot, and why. */
  slot?: { decision: SlotDecision; reason: string };
  /** Not a machine run: the closure CI built that the host now runs (a boot check's proof). */
  closure?: string;
  /** The run's own summary, told the host as it is now. */
  describe: (final: HostState) => Summary;
  /** After every reporter (the inspector relay held open for a person watching). */
  afterReport?: () => Promise<void>;
}

export interface RunOutcome extends Readonly<Omit<RunDraft, 'describe' | 'afterReport'>> {
  readonly command: RunCommand;
  readonly runId: string;
  readonly startedAt: string;
  readonly endedAt: string;
  /** Every state the run went through, with how long it stayed. */
  readonly states: readonly { state: string; ms?: number }[];
  /** A killed run finished by this recovery: where it died and when it was last heard of. */
  readonly killed?: { state: string; lastSeen: string };
  readonly interrupted: boolean;
  /** Read from the host once the work was over. */
  readonly final: HostState;
  readonly summary: Summary;
}

export function outcomeOf(
  draft: RunDraft,
  facts: Pick<
    RunOutcome,
    'command' | 'runId' | 'startedAt' | 'endedAt' | 'states' | 'killed' | 'final'
  >,
): RunOutcome {
  // The summary is told once, here; what runs after the reporters is the lifecycle's to call.
  const { describe, afterReport, ...rest } = draft;
  void afterReport;
  return Object.freeze({
    ...rest,
    ...facts,
    interrupted: draft.interrupted ?? false,
    summary: describe(facts.final),
  });
}

/** Each configured repo's commit before the run and as measured at its end: records and webhooks. */
export function repoCommits(
  outcome: RunOutcome,
  repos: readonly { name: string }[],
): { repo: string; saved?: string; final?: string }[] {
  return repos.map((repo) => {
    const saved = outcome.saved?.repos.find((entry) => entry.repo === repo.name)?.commit;
    const final = outcome.final.repos.find((entry) => entry.repo === repo.name)?.commit;
    return { repo: repo.name, ...(saved ? { saved } : {}), ...(final ? { final } : {}) };
  });
}
