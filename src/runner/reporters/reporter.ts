// One interface for everything that reports a finished run (as vitest's reporters): each gets the
// same immutable outcome, reads nothing else of the run, and calls nothing back in the runner.
import type { RunRecorder } from '../../state/runRecords.js';
import type { FleetParts } from '../fleetParts.js';
import type { UpgradeHostOptions } from '../hostOptions.js';
import type { RunOutcome } from '../outcome.js';

export interface ReportContext {
  options: UpgradeHostOptions;
  /** The run's record; undefined when the state dir cannot be used (the lock could not be made). */
  recorder?: RunRecorder;
  /** This host's fleet parts, opened once for the run (undefined without `fleet`). */
  fleet: () => Promise<FleetParts | undefined>;
  /** Lines earlier reporters added to the summary (the fleet slot's, the rollout report's). */
  notes: readonly string[];
}

export interface Reporter {
  /** What it does, for the warning when it cannot: "cannot <what>: <why>". */
  what: string;
  /** Returns lines for the summary, if it has any to add. */
  report(outcome: RunOutcome, context: ReportContext): Promise<string[] | void>;
}
