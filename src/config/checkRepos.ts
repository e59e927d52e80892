// Checks the schema cannot make: each repo path exists and is a git work tree. Only `stat`s,
// so a config check stays cheap; git itself is asked later, when the run snapshots the repos.
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { RepoSpec } from './resolve.js';

export async function checkRepos(repos: RepoSpec[]): Promise<string[]> {
  const problems = await Promise.all(repos.map((repo, index) => repoPathProblem(repo, index)));
  return problems.filter((problem): problem is string => problem !== undefined);
}

/** What is wrong with repo number `index`'s path, if anything. */
export async function repoPathProblem(repo: RepoSpec, index: number): Promise<string | undefined> {
  const pointer = `/repos/${index}/path`;
  const folder = await stat(repo.path).catch((error: NodeJS.ErrnoException) => error);
  if (folder instanceof Error) {
    return folder.code === 'ENOENT'
      ? `${pointer}: ${repo.path} does not exist: clone repo "${repo.name}" there or fix the path`
      : `${pointer}: ${repo.path} cannot be read (${folder.code ?? folder.message}): fix the path or its permissions`;
  }
  if (!folder.isDirectory())
    return `${pointer}: ${repo.path} is not a folder: point it at the repo's work tree`;
  const readable = await access(repo.path, constants.R_OK | constants.X_OK).then(
    () => true,
    () => false,
  );
  if (!readable)
    return `${pointer}: ${repo.path} cannot be read by this user (EACCES): fix its permissions or run as its owner`;
  // `.git` is a folder in a clone and a file in a linked worktree or submodule; both are fine.
  const dotGit = await stat(join(repo.path, '.git')).catch(() => undefined);
  if (!dotGit) {
    return `${pointer}: ${repo.path} is not a git work tree (no .git): clone repo "${repo.name}" there or fix the path`;
  }
  return undefined;
}
