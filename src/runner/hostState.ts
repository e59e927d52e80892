// The host as it is: each repo's checked-out commit (and how far behind its remote branch), and
// the system profile's current generation. Read from the host at the end of every run, so that
// every report says where the host is, never where a step meant to put it.
import { gitAt } from '../actors/git.js';
import { currentGeneration } from '../actors/systemProfile.js';
import type { RepoSpec, ResolvedConfig } from '../config/resolve.js';
import type { SavedGeneration } from '../machine/types.js';

export interface RepoHead {
  repo: string;
  /** '' when HEAD cannot be read (the repo is gone). */
  commit: string;
  /** Commits on the remote branch that HEAD does not have, when that can be told. */
  behind?: number;
}

export interface HostState {
  repos: RepoHead[];
  /** With `system.profile`: the generation the profile points at (undefined if unreadable). */
  system?: SavedGeneration;
}

export async function measureHost(
  config: Pick<ResolvedConfig, 'repos' | 'system'>,
  env: NodeJS.ProcessEnv,
): Promise<HostState> {
  const [repos, system] = await Promise.all([
    Promise.all(config.repos.map((repo) => repoHead(repo, env))),
    config.system ? currentGeneration(config.system.profile).catch(() => undefined) : undefined,
  ]);
  return { repos, ...(system ? { system } : {}) };
}

/**
 * Where a repo is, and how far behind its remote branch: read-only git. One `rev-parse` answers
 * both commits; only when they differ is the distance counted.
 */
async function repoHead(repo: RepoSpec, env: NodeJS.ProcessEnv): Promise<RepoHead> {
  let git: ReturnType<typeof gitAt>;
  try {
    git = gitAt(repo.path, { env, signal: new AbortController().signal });
  } catch {
    // The folder is gone: nothing to read, and the run's own failure says so.
    return { repo: repo.name, commit: '' };
  }
  const tracking = `refs/remotes/${repo.remote}/${repo.branch}`;
  const [commit = '', upstream = ''] = (
    await git.raw(['rev-parse', 'HEAD', tracking]).catch(async () =>
      // No remote branch yet (never fetched): HEAD alone, and no distance to tell.
      git.raw(['rev-parse', 'HEAD']).catch(() => ''),
    )
  )
    .trim()
    .split('\n');
  if (!/^[0-9a-f]{40,64}$/.test(upstream)) return { repo: repo.name, commit };
  if (upstream === commit) return { repo: repo.name, commit, behind: 0 };
  const count = (
    await git.raw(['rev-list', '--count', `HEAD..${tracking}`]).catch(() => '')
  ).trim();
  return { repo: repo.name, commit, ...(/^\d+$/.test(count) ? { behind: Number(count) } : {}) };
}
