// Recall: the set a host runs was rejected by a host of the fleet, or aborted by an operator,
// after this host took it. On its next run the host goes back to the newest set it ran healthy
// before (its own run records say which, and the generation it ran it as), unless that set was
// rejected too. Found in the run records, never in the fleet's store: no record someone else can
// write decides which commits or generation this host goes back to. Pure but for the records read.
import type { Recall, SavedGeneration } from '../machine/types.js';
import type { RunRecord } from '../state/runRecords.js';
import { setId, type CommitSet } from './rollout.js';

/** How many of its newest run records a host looks through for where it was. */
export const recallRecords = 200;

/** The commits a run left every configured repo at; undefined when it did not name them all. */
export function finalCommits(record: RunRecord, repos: string[]): CommitSet | undefined {
  const commits: CommitSet = {};
  for (const repo of repos) {
    const final = record.repos.find((entry) => entry.repo === repo)?.final;
    if (!final) return undefined;
    commits[repo] = final;
  }
  return commits;
}

/** The results after which a host ran its final commits healthy. */
const ranHealthy = new Set(['upgraded', 'recalled']);

/**
 * The newest set before `running` that this host ran healthy, by its run records (newest first),
 * with every configured repo's commit, not `quarantined`, and with the generation it ran it as
 * when `needsGeneration`.
 */
export function recallTarget(
  records: RunRecord[],
  repos: string[],
  running: string,
  quarantined: (commits: CommitSet) => boolean,
  needsGeneration: boolean,
): Recall['to'] | undefined {
  for (const record of records) {
    if (!record.result || !ranHealthy.has(record.result) || record.interrupted) continue;
    const commits = finalCommits(record, repos);
    if (!commits) continue;
    const set = setId(commits);
    if (set === running || quarantined(commits)) continue;
    const system: SavedGeneration | undefined = record.system?.final;
    if (needsGeneration && !system) continue;
    return {
      set,
      commits,
      ...(system ? { system } : {}),
      since: record.endedAt ?? record.startedAt,
    };
  }
  return undefined;
}
