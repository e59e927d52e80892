// Run as root (as these tests are), a config must not run what another user could change. Real
// files in a folder only root can enter; each test opens one hole and expects it named, alone.
import { execa } from 'execa';
import { chmod, chown, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkOwnership } from '../../src/config/checkOwnership.js';
import { resolveConfig, type ResolvedConfig } from '../../src/config/resolve.js';
import { validateConfig } from '../../src/config/validate.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xs-upgrade-ownership-'));
  await execa('git', ['init', '--quiet', join(dir, 'repo')]);
  await mkdir(join(dir, 'bin'));
  for (const script of ['build.sh', 'switch.sh', 'hook.sh'])
    await writeFile(join(dir, 'bin', script), '#!/bin/sh\n', { mode: 0o755 });
  await writeFile(join(dir, 'host.json'), '{}');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

function config(document: Record<string, unknown> = {}): ResolvedConfig {
  const { config: valid, errors } = validateConfig({
    repos: [{ name: 'repo', path: 'repo' }],
    build: './bin/build.sh',
    switch: ['sh', 'bin/switch.sh'],
    ...document,
  });
  expect(errors).toEqual([]);
  return resolveConfig(valid!, join(dir, 'host.json'), dir);
}

const problem = (where: string, path: string, reason: string) =>
  `${where}: ${path} can be changed by other users (${reason}), and the config runs as root: \`chown root ${path} && chmod go-w ${path}\``;

describe('checkOwnership', () => {
  it('finds nothing when root owns everything and nobody else may write', async () => {
    expect(await checkOwnership(config())).toEqual([]);
  });

  it('names a state dir another user owns, or a folder where another user could make it first', async () => {
    const state = join(dir, 'state');
    await mkdir(state, { mode: 0o777 });
    await chown(state, 65534, 65534);
    expect(await checkOwnership(config({ stateDir: 'state' }))).toEqual([
      problem('the state dir (stateDir)', state, 'owned by uid 65534'),
    ]);
    const theirs = join(dir, 'theirs');
    await mkdir(theirs);
    await chown(theirs, 65534, 65534);
    expect(await checkOwnership(config({ stateDir: 'theirs/xs-upgrade' }))).toEqual([
      problem('the state dir (stateDir)', theirs, 'owned by uid 65534'),
    ]);
  });

  it('names the config file, writable by everyone', async () => {
    await chmod(join(dir, 'host.json'), 0o666);
    expect(await checkOwnership(config())).toEqual([
      problem('the config file', join(dir, 'host.json'), 'writable by everyone'),
    ]);
  });

  it('names a file another user owns, and one a group other than root may write', async () => {
    const build = join(dir, 'bin', 'build.sh');
    await chown(build, 65534, 0);
    expect(await checkOwnership(config())).toEqual([
      problem('/build', build, 'owned by uid 65534'),
    ]);
    await chown(build, 0, 100);
    await chmod(build, 0o775);
    expect(await checkOwnership(config())).toEqual([
      problem('/build', build, 'writable by group 100'),
    ]);
    // Group root writing is root writing.
    await chown(build, 0, 0);
    expect(await checkOwnership(config())).toEqual([]);
  });

  it("names the script an interpreter runs, resolved from the command's folder", async () => {
    const script = join(dir, 'bin', 'switch.sh');
    await chmod(script, 0o777);
    expect(await checkOwnership(config())).toEqual([
      problem('/switch', script, 'writable by everyone'),
    ]);
    // An option is not a script; a bare program name is found on PATH, not here.
    expect(
      await checkOwnership(config({ switch: 'sh -c bin/switch.sh', build: 'switch.sh' })),
    ).toEqual([]);
  });

  it('names each kind of command where the config has it', async () => {
    const hook = join(dir, 'bin', 'hook.sh');
    await chmod(hook, 0o777);
    const run = `${hook} now`;
    const whereFor = async (document: Record<string, unknown>) =>
      (await checkOwnership(config(document))).map((line) => line.split(':')[0]);
    expect(await whereFor({ preUpdateHooks: ['true', run] })).toEqual(['/preUpdateHooks/1']);
    expect(await whereFor({ validationChecks: [run] })).toEqual(['/validationChecks/0']);
    expect(await whereFor({ rollbackSwitch: run })).toEqual(['/rollbackSwitch']);
    expect(
      await whereFor({ healthChecks: [{ http: { url: 'http://h/' } }, { command: run }] }),
    ).toEqual(['/healthChecks/1/command']);
    expect(
      await whereFor({ notify: [{ webhook: { url: 'http://h/' } }, { command: run }] }),
    ).toEqual(['/notify/1/command']);
    // A gate and a closure's commands run as root too.
    const etcd = { endpoints: ['http://127.0.0.1:2379'] };
    expect(
      await whereFor({
        fleet: {
          etcd,
          follow: {
            group: 'canary',
            gates: [
              { name: 'p', prometheus: { url: 'http://p', query: 'up', max: 1 } },
              { name: 'c', command: run },
            ],
          },
        },
      }),
    ).toEqual(['/fleet/follow/gates/1/command']);
    const closure = {
      substituters: ['https://cache.example'],
      publicKeys: [`ci-1:${'A'.repeat(43)}=`],
    };
    expect(
      await whereFor({
        system: { profile: '/nix/var/nix/profiles/system', closure: { ...closure, command: run } },
      }),
    ).toEqual(['/system/closure/command']);
    expect(
      await whereFor({
        system: {
          profile: '/nix/var/nix/profiles/system',
          closure: { ...closure, url: 'http://ci/{host}', gcCommand: run },
        },
      }),
    ).toEqual(['/system/closure/gcCommand']);
  });

  it('names the folder above a file, not the file, for each option that runs from it', async () => {
    await chmod(join(dir, 'bin'), 0o777);
    expect(await checkOwnership(config())).toEqual([
      problem('/build', join(dir, 'bin'), 'writable by everyone'),
      problem('/switch', join(dir, 'bin'), 'writable by everyone'),
    ]);
  });

  it('trusts a sticky folder above a root-owned file, not the sticky folder as the file', async () => {
    await chmod(join(dir, 'bin'), 0o1777);
    expect(await checkOwnership(config())).toEqual([]);
    await chmod(join(dir, 'repo'), 0o1777);
    expect(await checkOwnership(config())).toEqual([
      problem('/repos/0/path', join(dir, 'repo'), 'writable by everyone'),
    ]);
  });

  it("checks a repo's git folder, its config and the hooks git would run, not samples", async () => {
    const git = join(dir, 'repo', '.git');
    await chmod(join(git, 'config'), 0o666);
    expect(await checkOwnership(config())).toEqual([
      problem('/repos/0/path', join(git, 'config'), 'writable by everyone'),
    ]);
    await chmod(join(git, 'config'), 0o644);
    await writeFile(join(git, 'hooks', 'post-merge.sample'), '', { mode: 0o777 });
    await chmod(join(git, 'hooks', 'post-merge.sample'), 0o777);
    expect(await checkOwnership(config())).toEqual([]);
    await writeFile(join(git, 'hooks', 'post-merge'), '');
    await chmod(join(git, 'hooks', 'post-merge'), 0o777);
    expect(await checkOwnership(config())).toEqual([
      problem('/repos/0/path', join(git, 'hooks', 'post-merge'), 'writable by everyone'),
    ]);
    await rm(join(git, 'hooks', 'post-merge'));
    await chown(join(git, 'hooks'), 65534, 65534);
    expect(await checkOwnership(config())).toEqual([
      problem('/repos/0/path', join(git, 'hooks'), 'owned by uid 65534'),
    ]);
  });

  it('follows a link to the folders of what it leads to', async () => {
    // A root-owned script in a folder everyone may write: anyone can swap it for another.
    const open = join(dir, 'open');
    await mkdir(open, { mode: 0o777 });
    await chmod(open, 0o777);
    await writeFile(join(open, 'real-build.sh'), '#!/bin/sh\n', { mode: 0o755 });
    await rm(join(dir, 'bin', 'build.sh'));
    await symlink(join(open, 'real-build.sh'), join(dir, 'bin', 'build.sh'));
    expect(await checkOwnership(config())).toEqual([
      problem('/build', open, 'writable by everyone'),
    ]);
  });

  it('checks the folders a link sits in: whoever may write them may replace it', async () => {
    const open = join(dir, 'open');
    await mkdir(open);
    await chmod(open, 0o777);
    await symlink(join(dir, 'bin', 'build.sh'), join(open, 'build.sh'));
    expect(await checkOwnership(config({ build: join(open, 'build.sh') }))).toEqual([
      problem('/build', open, 'writable by everyone'),
    ]);
  });

  it('trusts a link to a safe file in safe folders, and a sticky folder reached through a link', async () => {
    await symlink(join(dir, 'bin'), join(dir, 'tools'));
    expect(await checkOwnership(config({ build: join(dir, 'tools', 'build.sh') }))).toEqual([]);
    await chmod(join(dir, 'bin'), 0o1777);
    expect(await checkOwnership(config({ build: join(dir, 'tools', 'build.sh') }))).toEqual([]);
  });

  it('leaves a missing file to the checks that name it', async () => {
    expect(await checkOwnership(config({ build: join(dir, 'bin', 'gone.sh') }))).toEqual([]);
  });
});
