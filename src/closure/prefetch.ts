// A run outside the maintenance window (with system.closure.prefetch) fetches the closure for the
// commits upstream, so that the run inside the window only switches. Nothing else moves: the repos
// are fetched, not fast-forwarded, and the switch never starts outside the window. Never on
// battery or on a metered connection; a failure is said and left for the run inside the window.
import type { ResolvedConfig } from '../config/resolve.js';
import type { Log } from '../log.js';
import type { PullGate } from '../fleet/rolloutGate.js';
import type { RejectedCommitSet } from '../state/rejectedCommits.js';
import type { SavedCommit } from '../machine/types.js';
import { gitAt } from '../actors/git.js';
import { meteredConnection, onAcPower } from '../actors/checkConditions.js';
import { pullRepos } from '../actors/pullRepos.js';
import { fetchClosure, fetchedClosureRoot } from './binaryCache.js';
import { chooseClosure } from './choose.js';
import { formatSize } from '../config/size.js';
import { hostname } from 'node:os';

export interface PrefetchDeps {
  log: Log;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  rejected?: RejectedCommitSet[];
  gate?: PullGate;
}

/** One line for the summary: what was fetched, or why nothing was. */
export async function prefetchClosure(config: ResolvedConfig, deps: PrefetchDeps): Promise<string> {
  const spec = config.system?.closure;
  if (!spec) return 'prefetch: no system.closure';
  if (!(await onAcPower(config.conditions.sysfsRoot))) return 'prefetch: none on battery';
  if (await meteredConnection(deps)) return 'prefetch: none on a metered connection';
  const withGit = { ...deps, gitConcurrency: config.gitConcurrency };
  try {
    const saved: SavedCommit[] = await Promise.all(
      config.repos.map(async (repo) => ({
        repo: repo.name,
        branch: repo.branch,
        commit: (await gitAt(repo.path, withGit).raw(['rev-parse', '--verify', 'HEAD'])).trim(),
      })),
    );
    const outcome = await pullRepos(config.repos, saved, {
      ...withGit,
      fetchTimeoutMs: config.fetchTimeoutMs,
      fetchRetries: config.fetchRetries,
      ...(deps.rejected ? { rejected: deps.rejected } : {}),
      ...(deps.gate ? { gate: deps.gate } : {}),
      closure: (commits, fleet) =>
        chooseClosure(spec, commits, { ...withGit, host: hostname() }, fleet),
      moveNothing: true,
    });
    if (outcome.heldBack)
      return `prefetch: nothing: upstream is held back (${outcome.heldBack.reason})`;
    if (outcome.waiting) return `prefetch: nothing yet: ${outcome.waiting}`;
    const closure = outcome.closure;
    if (!closure)
      return 'prefetch: no closure to fetch (nothing new upstream, or fallback "build")';
    await fetchClosure(closure.storePath, spec, withGit, fetchedClosureRoot(config.stateDir));
    return `prefetch: fetched ${closure.storePath} (${formatSize(closure.fetchBytes)} of ${formatSize(closure.closureBytes)}, signed by ${closure.signedBy.join(', ')}) for the run inside the window, which only switches`;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return `prefetch: failed (${message}); the run inside the window tries again`;
  }
}
