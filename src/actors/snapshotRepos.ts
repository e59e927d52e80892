// `snapshotting`: records the commit every repo is on, refusing a repo that is dirty, detached or
// on another branch, and persists the saved commits before anything moves, so a rollback (or a
// person, after a crash) always knows where every repo was.
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { RepoSpec } from '../config/resolve.js';
import type { SavedCommit, Snapshot } from '../machine/types.js';
import { forEachRepo, gitAt, gitMessage, statusHeader, type GitDeps } from './git.js';
import { stateDirError } from '../state/stateDirAccess.js';
import { readJsonFile, writeFileAtomic } from './stateFile.js';
import { readGeneration } from './systemProfile.js';

export const savedCommitsFile = 'saved-commits.json';

/** What the newest run saved before anything moved; undefined when none has (or unreadable). */
export async function readSavedCommits(
  stateDir: string,
): Promise<{ savedAt: string; repos: SavedCommit[] } | undefined> {
  return readJsonFile<{ savedAt: string; repos: SavedCommit[] }>(
    join(stateDir, savedCommitsFile),
  ).catch(() => undefined);
}

/** How many dirty files a refusal lists before it says "and N more". */
const listedFiles = 10;

/**
 * Saves every repo's commit and, with `system.profile`, the system's generation: on disk first,
 * then as the machine's context. A profile that is not one stops the run before anything moves.
 */
export async function snapshotRepos(
  repos: RepoSpec[],
  stateDir: string,
  deps: GitDeps & { configFile: string; systemProfile?: string },
): Promise<Snapshot> {
  const [savedCommits, system] = await Promise.all([
    forEachRepo(repos, (repo) => snapshotRepo(repo, deps), deps.gitConcurrency),
    deps.systemProfile === undefined ? undefined : readGeneration(deps.systemProfile),
  ]);
  const record = {
    savedAt: new Date().toISOString(),
    config: deps.configFile,
    repos: savedCommits,
    ...(system ? { system } : {}),
  };
  // Nothing moves unless the saved commits are on disk: a full disk ends the run here, saying so.
  await writeFileAtomic(
    join(stateDir, savedCommitsFile),
    `${JSON.stringify(record, null, 2)}\n`,
  ).catch((error: unknown) => {
    throw stateDirError(stateDir, error, 'write');
  });
  return { commits: savedCommits, ...(system ? { system } : {}) };
}

export async function snapshotRepo(repo: RepoSpec, deps: GitDeps): Promise<SavedCommit> {
  const git = gitAt(repo.path, deps);
  // One git process answers four questions (each process costs milliseconds): the commit, whether
  // the clone is shallow, where the index lock would be, and the branch ("HEAD" when detached).
  const answers = await git
    .raw([
      'rev-parse',
      'HEAD',
      '--is-shallow-repository',
      '--git-path',
      'index.lock',
      '--symbolic-full-name',
      'HEAD',
    ])
    .catch(() => '');
  const [commit = '', shallow, lockPath = '', fullBranch = ''] = answers.trim().split('\n');
  if (!/^[0-9a-f]{40,64}$/.test(commit)) {
    throw new Error(
      `${repo.path} has no commit checked out: commit or check out branch "${repo.branch}"`,
    );
  }
  if (!fullBranch.startsWith('refs/heads/')) {
    throw new Error(
      `HEAD is detached at ${commit.slice(0, 12)} in ${repo.path}: run \`git -C ${repo.path} switch ${repo.branch}\``,
    );
  }
  const branch = fullBranch.slice('refs/heads/'.length);
  if (branch !== repo.branch) {
    throw new Error(
      `${repo.path} is on branch "${branch}", the config says "${repo.branch}": run \`git -C ${repo.path} switch ${repo.branch}\` or set "branch"`,
    );
  }
  // A leftover lock means a git command crashed (or runs now): resetting this repo would fail.
  const lock = resolve(repo.path, lockPath);
  if (
    lockPath &&
    (await stat(lock).then(
      () => true,
      () => false,
    ))
  ) {
    throw new Error(
      `a git lock file is left at ${lock} (a git command crashed, or one is running): if no git command runs there, delete it`,
    );
  }
  // Fast-forward checks need the history: a shallow clone could look diverged when it is not.
  if (shallow === 'true') {
    throw new Error(
      `${repo.path} is a shallow clone: run \`git -C ${repo.path} fetch --unshallow\``,
    );
  }
  const status = await git
    .raw(['status', '--porcelain=v1', '--branch', '--untracked-files=normal'])
    .catch((error: unknown) => {
      throw new Error(`cannot read the status of ${repo.path}: ${gitMessage(error)}`);
    });
  const dirty = status
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith(statusHeader));
  if (dirty.length > 0) {
    const shown = dirty
      .slice(0, listedFiles)
      .map((line) => line.trim())
      .join(', ');
    const more = dirty.length > listedFiles ? ` and ${dirty.length - listedFiles} more` : '';
    // `git stash` alone leaves untracked files where they are: say what clears them.
    const untracked = dirty.filter((line) => line.startsWith('??')).length;
    const advice =
      untracked === dirty.length
        ? 'has untracked files'
        : untracked > 0
          ? 'has uncommitted changes and untracked files'
          : 'has uncommitted changes';
    const fix =
      untracked === dirty.length
        ? 'commit them, delete them, or list them in .gitignore'
        : untracked > 0
          ? `commit them, or stash them with \`git -C ${repo.path} stash --include-untracked\``
          : 'commit or stash them';
    throw new Error(`${repo.path} ${advice} (${shown}${more}): ${fix}; nothing was changed`);
  }
  return { repo: repo.name, branch, commit };
}
