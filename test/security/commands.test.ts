// Issue 27, item 7, as the reviewer did it: commands that run another user's (`nobody`'s) file in
// ways the ownership check did not follow (`bash -e X`, `/usr/bin/env X`), one run in their
// folder, and inline code whose files cannot be told; and a host with many repos, whose git
// processes must not all start at once.
import { chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultGitConcurrency, forEachRepo } from '../../src/actors/git.js';
import { checkHost } from '../../src/config/checkHost.js';
import { checkOwnership } from '../../src/config/checkOwnership.js';
import { resolveConfig } from '../../src/config/resolve.js';
import { validateConfig } from '../../src/config/validate.js';

const nobody = 65534;
let dir: string;
let theirs: string;
let script: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xs-upgrade-commands-'));
  await execa('git', ['init', '--quiet', '-b', 'main', join(dir, 'repo')]);
  theirs = join(dir, 'home');
  await mkdir(theirs);
  await chown(theirs, nobody, nobody);
  script = join(theirs, 'x.sh');
  await writeFile(script, '#!/bin/sh\n', { mode: 0o755 });
  await chown(script, nobody, nobody);
  await writeFile(join(dir, 'host.json'), '{}');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

function config(document: Record<string, unknown>) {
  const { config: valid, errors } = validateConfig({
    repos: [{ name: 'repo', path: 'repo' }],
    build: 'true',
    switch: 'true',
    ...document,
  });
  expect(errors).toEqual([]);
  if (!valid) throw new Error('invalid');
  return resolveConfig(valid, join(dir, 'host.json'), dir);
}

const named = (where: string) =>
  expect.stringMatching(new RegExp(`^${where.replace(/[()/]/g, '\\$&')}: ${theirs}`)) as string;

describe('what a command runs, as another user set it up', () => {
  it('bash with options before the script, and env before the program: both followed', async () => {
    expect(await checkOwnership(config({ build: ['bash', '-e', script] }))).toEqual([
      named('/build'),
    ]);
    expect(
      await checkOwnership(config({ build: `/usr/bin/env -i FOO=1 ${script} --fast` })),
    ).toEqual([named('/build')]);
  });

  it('a command run in their folder', async () => {
    expect(
      await checkOwnership(config({ build: { name: 'build', run: 'make', cwd: theirs } })),
    ).toEqual([named('/build (cwd)')]);
  });

  it('inline code: validate says its files cannot be checked', async () => {
    const { warnings } = await checkHost(
      config({ build: ['sh', '-c', `. ${script}`] }),
      process.env,
    );
    expect(warnings).toContain(
      '/build: runs code given inline (`-c`), so which files it runs cannot be checked for ownership: put it in a root-owned script and name that',
    );
  });
});

describe('many repos', () => {
  it('start at most gitConcurrency git processes at once, every repo still done', async () => {
    const repos = Array.from({ length: 30 }, (_, index) => ({ name: `repo-${index}` }));
    let running = 0;
    let most = 0;
    const step = async (repo: { name: string }) => {
      running += 1;
      most = Math.max(most, running);
      await execa('git', ['--version']);
      running -= 1;
      return repo.name;
    };
    expect(await forEachRepo(repos, step)).toEqual(repos.map((repo) => repo.name));
    expect(most).toBe(defaultGitConcurrency);
    most = 0;
    await forEachRepo(repos, step, 3);
    expect(most).toBe(3);
    expect(config({}).gitConcurrency).toBe(8);
    expect(config({ gitConcurrency: 2 }).gitConcurrency).toBe(2);
  });

  it('one repo failing still waits for the others and names it', async () => {
    const repos = Array.from({ length: 12 }, (_, index) => ({ name: `repo-${index}` }));
    const done: string[] = [];
    const failing = forEachRepo(repos, async (repo) => {
      await execa('git', ['--version']);
      if (repo.name === 'repo-1') throw new Error('fetch failed');
      done.push(repo.name);
    });
    await expect(failing).rejects.toThrow('repo "repo-1": fetch failed');
    expect(done).toHaveLength(11);
  });
});
