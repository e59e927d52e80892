// What `validate` checks on the host beyond the schema, on sandbox hosts with real git repos and
// the real systemd-analyze: the schedule, each repo's branch, and the programs commands name.
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkHost, checkSchedule, programOf } from '../../src/config/checkHost.js';
import { loadConfig } from '../../src/config/load.js';
import type { CommandSpec } from '../../src/config/resolve.js';
import { useSandboxes } from '../support/sandboxes.js';

const sandboxes = useSandboxes();

async function configOf(overrides: Record<string, unknown> = {}) {
  const host = await sandboxes.sandbox(overrides);
  return { host, config: await loadConfig(host.configFile, host.dir, { checkRepos: false }) };
}

describe('checkHost', () => {
  it('finds nothing wrong with the demo host', async () => {
    const { config } = await configOf();
    expect(await checkHost(config, process.env)).toEqual({ problems: [], warnings: [] });
  });

  it('names a schedule systemd cannot read, and a repo that is detached or on another branch', async () => {
    const { host, config } = await configOf({ schedule: 'every night' });
    const secrets = host.repoPath('nix-secrets');
    const nixConfig = host.repoPath('nix-config');
    await host.git(['checkout', '--quiet', '-b', 'local'], secrets);
    await host.git(['checkout', '--quiet', '--detach'], nixConfig);
    const { problems } = await checkHost(config, process.env);
    expect(problems).toEqual([
      '/schedule: "every night" is not a systemd calendar expression (see `man systemd.time`, e.g. "04:00" or "Sun 03:00")',
      `/repos/0: ${nixConfig} has no branch checked out (HEAD is detached): run \`git -C ${nixConfig} switch main\``,
      `/repos/1/branch: ${secrets} is on branch "local", the config says "main": run \`git -C ${secrets} switch main\` or set "branch"`,
    ]);
    await expect(checkSchedule(config)).rejects.toThrow(/is not a systemd calendar expression/);
  });

  it('warns of a program that is not on PATH, or a path that cannot run', async () => {
    const { host, config } = await configOf({
      validationChecks: [
        { name: 'lint', run: ['nixfmt-nonexistent', '--check', '.'] },
        { name: 'local', run: ['./bin/missing.sh'] },
        { name: 'shell', run: 'FOO=1 nixfmt-nonexistent --check .' },
        { name: 'builtin', run: 'test -f flake.nix' },
      ],
    });
    const { warnings } = await checkHost(config, { ...process.env, PATH: '/usr/bin:/bin' });
    const missing =
      'program "nixfmt-nonexistent" is not on PATH here: the run would fail with exit code 127 (under systemd, PATH is the service\'s: add the program to it, or name it by its full path)';
    expect(warnings).toEqual([
      `/validationChecks/0: ${missing}`,
      `/validationChecks/1: ${join(host.dir, 'bin', 'missing.sh')} does not exist or is not executable: fix the command`,
      `/validationChecks/2: ${missing}`,
    ]);
    // Found on a PATH the command itself sets: no warning.
    const bin = join(host.dir, 'tools');
    await mkdir(bin);
    await writeFile(join(bin, 'nixfmt-nonexistent'), '#!/bin/sh\n');
    await chmod(join(bin, 'nixfmt-nonexistent'), 0o755);
    const found = await checkHost(config, { ...process.env, PATH: `${bin}:/usr/bin:/bin` });
    expect(found.warnings).toEqual([warnings[1]]);
  });
  it('names every kind of command by where it stands, and reads a PATH the command sets', async () => {
    const gone = 'xs-upgrade-no-such-program';
    const { host, config } = await configOf({
      preUpdateHooks: [],
      validationChecks: [],
      build: [gone],
      switch: { run: [gone], env: { PATH: '/nowhere' } },
      rollbackSwitch: `${gone} back`,
      healthChecks: [{ http: { url: 'http://127.0.0.1:1/' } }, { command: gone }],
      notify: [{ webhook: { url: 'http://127.0.0.1:1/' } }, { command: [gone], on: ['failure'] }],
    });
    const tools = join(host.dir, 'tools');
    await mkdir(tools);
    await writeFile(join(tools, gone), '#!/bin/sh\n', { mode: 0o755 });
    const { warnings } = await checkHost(config, { ...process.env, PATH: tools });
    // Found on the PATH validate runs with, except by the switch, whose own PATH lacks it.
    expect(warnings.map((line) => line.split(':')[0])).toEqual(['/switch']);
    const none = await checkHost(config, { ...process.env, PATH: '/usr/bin:/bin' });
    expect(none.warnings.map((line) => line.split(':')[0])).toEqual([
      '/build',
      '/switch',
      '/rollbackSwitch',
      '/healthChecks/1/command',
      '/notify/1/command',
    ]);
  });

  it("adds the fleet's problems, under /fleet", async () => {
    const { config } = await configOf({
      fleet: {
        id: 'host-1',
        etcd: {
          endpoints: ['http://127.0.0.1:1'],
          username: 'xs',
          password: 'XS_TEST_UNSET_PASSWORD',
        },
      },
    });
    const { problems } = await checkHost(config, {});
    expect(problems).toEqual([
      '/fleet: fleet.etcd.password names XS_TEST_UNSET_PASSWORD, which is not set in the environment: set it (systemd: EnvironmentFile=)',
    ]);
  });
});

describe('programOf', () => {
  const shell = (line: string): CommandSpec => ({
    name: 'x',
    run: { shell: line },
    env: {},
    cwd: '/',
  });
  it('reads the program a command starts, when that can be told without a shell', () => {
    expect(programOf({ name: 'x', run: { argv: ['nh', 'os', 'build'] }, env: {}, cwd: '/' })).toBe(
      'nh',
    );
    expect(programOf(shell('  nix flake check'))).toBe('nix');
    expect(programOf(shell('A=1 B=2 ./bin/build.sh --fast'))).toBe('./bin/build.sh');
    expect(programOf(shell('! grep -n broken file'))).toBeUndefined();
    expect(programOf(shell('test -f x'))).toBeUndefined();
    expect(programOf(shell('$(which nix) build'))).toBeUndefined();
    expect(programOf(shell('A=1'))).toBeUndefined();
    // Two spaces after an assignment; "=" inside a path is not an assignment.
    expect(programOf(shell('A=1  nix build'))).toBe('nix');
    expect(programOf(shell('./run=fast x'))).toBe('./run=fast');
  });
});
