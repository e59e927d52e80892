// Commit sets that failed and were rolled back. The next run does not try the same set again:
// it waits until upstream moves on (or --force), instead of breaking and rolling back every night.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../actors/stateFile.js';

export const rejectedCommitsFile = 'rejected-commits.json';
const kept = 50;

export interface RejectedCommitSet {
  /** Repo name to the upstream commit that was tried. */
  commits: Record<string, string>;
  at: string;
  reason: string;
}

export async function readRejectedCommitSets(stateDir: string): Promise<RejectedCommitSet[]> {
  try {
    const parsed = JSON.parse(await readFile(join(stateDir, rejectedCommitsFile), 'utf8')) as {
      sets?: RejectedCommitSet[];
    };
    return Array.isArray(parsed.sets) ? parsed.sets : [];
  } catch {
    return [];
  }
}

export async function rejectCommitSet(stateDir: string, set: RejectedCommitSet): Promise<void> {
  // The same commits rejected again replace their older entry: one set, one line.
  const same = (other: RejectedCommitSet) =>
    JSON.stringify(Object.entries(other.commits).sort()) ===
    JSON.stringify(Object.entries(set.commits).sort());
  const sets = [
    ...(await readRejectedCommitSets(stateDir)).filter((other) => !same(other)),
    set,
  ].slice(-kept);
  await writeFileAtomic(
    join(stateDir, rejectedCommitsFile),
    `${JSON.stringify({ sets }, null, 2)}\n`,
  );
}

/** The rejected set that `upstream` is exactly (every repo it names at the same commit), if any. */
export function findRejected(
  sets: RejectedCommitSet[],
  upstream: Record<string, string>,
): RejectedCommitSet | undefined {
  return sets.findLast((set) => {
    const repos = Object.keys(set.commits);
    return repos.length > 0 && repos.every((repo) => upstream[repo] === set.commits[repo]);
  });
}
