// `rollingBack`: puts every repo back on its saved commit, all of them, not only those that moved.
// Edits made to tracked files during the run are stashed first, so a rollback never loses work.
import type { RepoSpec } from '../config/resolve.js';
import type { SavedCommit } from '../machine/types.js';
import type { Log } from '../log.js';
import { forEachRepo, gitAt, gitMessage, statusHeader, type GitDeps } from './git.js';

export async function resetRepos(
  repos: RepoSpec[],
  savedCommits: SavedCommit[],
  deps: GitDeps & { log: Log },
): Promise<void> {
  const saved = savedCommits.flatMap((entry) => {
    const repo = repos.find((candidate) => candidate.name === entry.repo);
    return repo ? [{ ...entry, name: repo.name, path: repo.path }] : [];
  });
  await forEachRepo(saved, (entry) => resetRepo(entry, deps), deps.gitConcurrency);
}

async function resetRepo(
  entry: SavedCommit & { name: string; path: string },
  deps: GitDeps & { log: Log },
): Promise<void> {
  const git = gitAt(entry.path, deps);
  const fix = `run \`git -C ${entry.path} checkout ${entry.branch} && git -C ${entry.path} reset --hard ${entry.commit}\``;
  try {
    const status = await git.raw(['status', '--porcelain=v1', '--branch', '--untracked-files=no']);
    if (status.split('\n').some((line) => line.trim() !== '' && !line.startsWith(statusHeader))) {
      await git.raw([
        'stash',
        'push',
        '--quiet',
        '--message',
        `xs-upgrade rollback ${new Date().toISOString()}`,
      ]);
      deps.log.warn(
        `repo "${entry.name}": files changed during the run were stashed (\`git -C ${entry.path} stash list\`)`,
      );
    }
    const branch = (
      await git.raw(['symbolic-ref', '--quiet', '--short', 'HEAD']).catch(() => '')
    ).trim();
    if (branch !== entry.branch) await git.raw(['checkout', entry.branch]);
    await git.raw(['reset', '--hard', entry.commit]);
  } catch (error) {
    throw new Error(
      `could not return to ${entry.commit.slice(0, 12)} (${gitMessage(error)}): ${fix}`,
    );
  }
  const head = (await git.raw(['rev-parse', 'HEAD']).catch(() => '')).trim();
  if (head !== entry.commit) {
    throw new Error(
      `is at ${head.slice(0, 12) || 'an unknown commit'} after the reset, not ${entry.commit.slice(0, 12)}: ${fix}`,
    );
  }
}
