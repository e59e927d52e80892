// What a repo path can be instead of a work tree, each on real files (as root, so "cannot be read
// by this user" is left to the e2e test that runs the CLI as nobody).
import { execa } from 'execa';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkRepos } from '../../src/config/checkRepos.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xs-upgrade-check-repos-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const repo = (name: string, path: string) => ({ name, path, remote: 'origin', branch: 'main' });

describe('checkRepos', () => {
  it('passes a clone and a linked worktree (whose .git is a file)', async () => {
    await execa('git', ['init', '--quiet', '-b', 'main', join(dir, 'clone')]);
    await execa(
      'git',
      ['-C', join(dir, 'clone'), 'commit', '--quiet', '--allow-empty', '-m', 'c'],
      {
        env: {
          GIT_AUTHOR_NAME: 't',
          GIT_AUTHOR_EMAIL: 't@t',
          GIT_COMMITTER_NAME: 't',
          GIT_COMMITTER_EMAIL: 't@t',
        },
      },
    );
    await execa('git', [
      '-C',
      join(dir, 'clone'),
      'worktree',
      'add',
      '--quiet',
      join(dir, 'linked'),
    ]);
    expect(
      await checkRepos([repo('a', join(dir, 'clone')), repo('b', join(dir, 'linked'))]),
    ).toEqual([]);
  });

  it('names each problem with its place in the list', async () => {
    await writeFile(join(dir, 'file'), '');
    await mkdir(join(dir, 'plain'));
    await symlink(join(dir, 'loop'), join(dir, 'loop'));
    expect(
      await checkRepos([
        repo('gone', join(dir, 'gone')),
        repo('file', join(dir, 'file')),
        repo('under-file', join(dir, 'file', 'sub')),
        repo('loop', join(dir, 'loop')),
        repo('plain', join(dir, 'plain')),
      ]),
    ).toEqual([
      `/repos/0/path: ${join(dir, 'gone')} does not exist: clone repo "gone" there or fix the path`,
      `/repos/1/path: ${join(dir, 'file')} is not a folder: point it at the repo's work tree`,
      `/repos/2/path: ${join(dir, 'file', 'sub')} cannot be read (ENOTDIR): fix the path or its permissions`,
      `/repos/3/path: ${join(dir, 'loop')} cannot be read (ELOOP): fix the path or its permissions`,
      `/repos/4/path: ${join(dir, 'plain')} is not a git work tree (no .git): clone repo "plain" there or fix the path`,
    ]);
  });
});
