// Issue 27, item 2, as the reviewer did it: a root-owned repo whose git config reaches files
// another user (`nobody`) owns: an include.path that sets core.fsmonitor, a core.hooksPath with a
// post-merge hook, a `.git` file pointing at their git dir. Each must be named by the ownership
// check, and the git xs-upgrade runs must not run the fsmonitor or the hook even so.
import { chmod, chown, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gitAt } from '../../src/actors/git.js';
import { checkOwnership } from '../../src/config/checkOwnership.js';
import { resolveConfig } from '../../src/config/resolve.js';
import { validateConfig } from '../../src/config/validate.js';

const nobody = 65534;
let dir: string;
let repo: string;
let theirs: string;
let marker: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xs-upgrade-gitconfig-'));
  repo = join(dir, 'repo');
  await execa('git', ['init', '--quiet', '-b', 'main', repo]);
  await execa('git', ['-C', repo, 'commit', '--quiet', '--allow-empty', '-m', 'one'], {
    env: {
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@t',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@t',
    },
  });
  // Their folder, as a home folder is: everything in it theirs.
  theirs = join(dir, 'home');
  await mkdir(theirs);
  await chown(theirs, nobody, nobody);
  marker = join(dir, 'ran-as-root');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** A file of theirs, executable when it is a script. */
async function theirFile(name: string, content: string, mode = 0o644): Promise<string> {
  const path = join(theirs, name);
  await writeFile(path, content, { mode });
  await chown(path, nobody, nobody);
  return path;
}

const script = () => `#!/bin/sh\necho ran > ${marker}\n`;

async function problems(): Promise<string[]> {
  const { config } = validateConfig({
    repos: [{ name: 'repo', path: 'repo' }],
    build: 'true',
    switch: 'true',
  });
  if (!config) throw new Error('invalid');
  await writeFile(join(dir, 'host.json'), '{}');
  return checkOwnership(resolveConfig(config, join(dir, 'host.json'), dir));
}

const ran = () =>
  stat(marker).then(
    () => true,
    () => false,
  );
const git = () => gitAt(repo, { env: process.env, signal: new AbortController().signal });

describe("git's config indirection, as another user sets it up", () => {
  it('an include.path to their file setting core.fsmonitor: named, and never run', async () => {
    const monitor = await theirFile('monitor.sh', script(), 0o755);
    const included = await theirFile('included.config', `[core]\n\tfsmonitor = ${monitor}\n`);
    await execa('git', ['-C', repo, 'config', 'include.path', included]);
    expect(await problems()).toEqual([
      expect.stringMatching(
        new RegExp(
          `^/repos/0/path \\(a git config file it reads\\): ${theirs}.* can be changed by other users \\(owned by uid ${nobody}\\)`,
        ),
      ) as string,
    ]);
    await git().status();
    await git().raw(['rev-parse', 'HEAD']);
    expect(await ran()).toBe(false);
  });

  it('a core.hooksPath to their folder: named, and its post-merge never run', async () => {
    const hooks = join(theirs, 'hooks');
    await mkdir(hooks);
    await chown(hooks, nobody, nobody);
    await writeFile(join(hooks, 'post-merge'), script(), { mode: 0o755 });
    await chown(join(hooks, 'post-merge'), nobody, nobody);
    await execa('git', ['-C', repo, 'config', 'core.hooksPath', hooks]);
    expect((await problems()).join('\n')).toMatch(
      new RegExp(`/repos/0/path \\(core.hooksPath\\): ${theirs}\\S* can be changed by other users`),
    );
    // A merge that would run post-merge: a fast-forward from a branch.
    await execa('git', ['-C', repo, 'branch', 'ahead']);
    await git().raw(['merge', '--ff-only', 'ahead']);
    expect(await ran()).toBe(false);
  });

  it('a .git file pointing at their git dir: named', async () => {
    const gitDir = join(theirs, 'gitdir');
    await execa('git', ['clone', '--quiet', '--bare', repo, gitDir]);
    await execa('chown', ['-R', `${nobody}:${nobody}`, gitDir]);
    const linked = join(dir, 'repo');
    await rm(join(linked, '.git'), { recursive: true, force: true });
    await writeFile(join(linked, '.git'), `gitdir: ${gitDir}\n`);
    await chmod(join(linked, '.git'), 0o644);
    expect((await problems()).join('\n')).toMatch(
      new RegExp(
        `/repos/0/path \\(the git dir its .git file points at\\): ${theirs}\\S* can be changed by other users`,
      ),
    );
  });
});
