// What git reads and runs for a repo, beyond its .git/config and .git/hooks: every config file
// its effective config comes from (include.path and includeIf pull in more), the folder
// core.hooksPath names, the programs config values start (ssh, credential helpers, filters,
// signature checkers), and the git dir a `.git` file points at. checkOwnership holds each of them
// to the same rule as the config itself (issue 27, item 2).
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

/** Keys whose value starts a program during a run's git commands (fetch, merge, reset, log). */
const programKeys = [
  /^core\.sshcommand$/,
  /^core\.askpass$/,
  /^credential\.(?:.+\.)?helper$/,
  /^filter\..+\.(?:clean|smudge|process)$/,
  /^gpg\.(?:ssh\.|x509\.)?program$/,
];

export interface GitFile {
  /** What it is, for the message: "its git config (include.path)", "core.hooksPath"... */
  what: string;
  path: string;
}

/** The files and folders git reads or runs for the repo at `repoPath`. */
export async function gitConfigFiles(repoPath: string): Promise<GitFile[]> {
  const files: GitFile[] = [];
  const dotGit = join(repoPath, '.git');
  const info = await stat(dotGit).catch(() => undefined);
  if (info?.isFile()) {
    // A linked worktree or a submodule: the real git dir is elsewhere, and is checked as such.
    const pointer = /^gitdir:\s*(.+)$/m.exec(await readFile(dotGit, 'utf8').catch(() => ''));
    if (pointer?.[1])
      files.push({
        what: 'the git dir its .git file points at',
        path: resolve(repoPath, pointer[1].trim()),
      });
  }
  for (const { origin, key, value } of await effectiveConfig(repoPath)) {
    if (origin) files.push({ what: 'a git config file it reads', path: origin });
    if (key === 'core.hookspath') {
      files.push({ what: 'core.hooksPath', path: resolve(repoPath, value) });
    } else if (programKeys.some((pattern) => pattern.test(key))) {
      const program = await programOf(value);
      if (program) files.push({ what: `the program ${key} runs`, path: program });
    }
  }
  // Each file once, named by the first reason found.
  return files.filter(
    (file, index) => files.findIndex((other) => other.path === file.path) === index,
  );
}

/** `git config --list --show-origin --includes`, read safely (-z): origin file, key, value. */
function effectiveConfig(
  repoPath: string,
): Promise<{ origin: string | undefined; key: string; value: string }[]> {
  return new Promise((done) => {
    execFile(
      'git',
      ['-C', repoPath, 'config', '--list', '--show-origin', '--includes', '--null'],
      { env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' }, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout) => {
        if (error) return done([]);
        const parts = String(stdout).split('\0');
        const entries = [];
        for (let index = 0; index + 1 < parts.length; index += 2) {
          const origin = parts[index] ?? '';
          const [key = '', ...rest] = (parts[index + 1] ?? '').split('\n');
          entries.push({
            origin: origin.startsWith('file:') ? origin.slice('file:'.length) : undefined,
            key: key.toLowerCase(),
            value: rest.join('\n'),
          });
        }
        done(entries);
      },
    );
  });
}

/**
 * The file a command value starts: its first word, as a path or found on PATH. Undefined for a
 * shell snippet (`!f() { ... }` helpers) or a program not found: the config file that says it is
 * checked, and a missing program runs nothing.
 */
async function programOf(value: string): Promise<string | undefined> {
  const first = value.trim().split(/\s+/)[0] ?? '';
  if (first === '' || first.startsWith('!') || /[^\w@%+=:,./-]/.test(first)) return undefined;
  if (first.includes('/')) return isAbsolute(first) ? first : undefined;
  // git runs a credential helper "foo" as git-credential-foo; either may be the file.
  for (const name of [first, `git-credential-${first}`]) {
    for (const folder of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
      const path = join(folder, name);
      if (
        await access(path, constants.X_OK).then(
          () => true,
          () => false,
        )
      )
        return path;
    }
  }
  return undefined;
}
