// The command line itself: help, version, bad arguments, bad configs, log format.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../../demo/sandbox.js';
import { main } from '../../src/cli/main.js';
import { readPackageJson } from '../../src/packageFiles.js';
import { runCli } from '../support/cli.js';

let dir: string;
let sandbox: Sandbox;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xs-upgrade-cli-'));
  sandbox = await createSandbox();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(sandbox.dir, { recursive: true, force: true });
});

describe('xs-upgrade', () => {
  it('--version prints the package version, exactly as the argument parser would', async () => {
    const version = (readPackageJson('package.json') as { version: string }).version;
    for (const flag of ['--version', '-V']) {
      const run = await runCli([flag]);
      expect(run.exitCode).toBe(0);
      expect(run.stdout).toBe(version);
      // The bin answers this flag alone itself; commander answers it everywhere else.
      let parsed = '';
      const code = await main({
        argv: [flag],
        cwd: dir,
        env: {},
        stdout: { write: (text: string) => (parsed += text) },
        stderr: { write: () => true },
      });
      expect(code).toBe(0);
      expect(`${run.stdout}\n`).toBe(parsed);
    }
  });

  it('reads a YAML config; as root, does not take one from the folder it is started in', async () => {
    const folder = await mkdtemp(join(dir, 'yaml-'));
    await writeFile(
      join(folder, 'xs-upgrade.config.yaml'),
      'mode: remote\nbuildBeforeSwitch: false\nswitch: "true"\n',
    );
    const named = await runCli(['validate', '--config', join(folder, 'xs-upgrade.config.yaml')]);
    expect(named.stderr).toBe('');
    expect(named.stdout).toContain('valid (remote mode, 0 repos)');
    // Anyone may have put a config in the current folder: as root it is never searched.
    const found = await runCli(['validate'], {
      cwd: folder,
      env: { XS_UPGRADE_CONFIG: join(folder, 'gone.json') },
    });
    expect(found.exitCode).toBe(78);
    expect(found.stderr).toMatch(
      /as root the current folder is not searched for a config \(another user could have put one there\): pass --config FILE/,
    );
  });

  it('--help lists the commands and the exit codes', async () => {
    const run = await runCli(['--help']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/run \[options\]/);
    expect(run.stdout).toMatch(/validate \[options\]/);
    expect(run.stdout).toContain('78 invalid config');
  });

  it.each([[['frobnicate']], [['run', '--no-such-flag']], [['run', '--config']]])(
    'exits 64 on a bad command line: %j',
    async (args) => {
      const run = await runCli(args);
      expect(run.exitCode).toBe(64);
      // One prefix for every error, whoever found it (commander or xs-upgrade).
      expect(run.stderr).toMatch(/^xs-upgrade: /m);
      expect(run.stderr).not.toMatch(/^error: /m);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    },
  );

  it('graph --config draws a host config without needing its repos on this machine', async () => {
    const run = await runCli(['graph', '--config', 'configs/example-nixos.json']);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^stateDiagram-v2/);
  });

  it('validate: exits 0 on a good config', async () => {
    const run = await runCli(['validate', '--config', sandbox.configFile]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('valid (local mode, 2 repos)');
  });

  const badConfigs: [string, string, RegExp][] = [
    [
      'wrong-type.json',
      '{"switch": 1, "repos": [{"name": "a", "path": "."}], "build": "b"}',
      /\/switch: must be a string, an array or an object/,
    ],
    [
      'unknown.json',
      '{"switch": "s", "build": "b", "repos": [{"name": "a", "path": "."}], "frobnicate": true}',
      /\/: unknown option "frobnicate"/,
    ],
    [
      'remote-hooks.yaml',
      'mode: remote\npreUpdateHooks: [x]\nswitch: s\nbuildBeforeSwitch: false\n',
      /\/preUpdateHooks: preUpdateHooks are only valid in local mode/,
    ],
    ['malformed.json', '{"switch": "s",,}', /malformed\.json: line 1, column 16: invalid JSON/],
    [
      'malformed.yaml',
      'switch: "s\n',
      /malformed\.yaml: line 2, column 1: invalid YAML: Missing closing "quote/,
    ],
  ];

  it.each(badConfigs)(
    'run and validate exit 78 on %s, naming the place',
    async (file, content, expected) => {
      await writeFile(join(dir, file), content);
      for (const command of ['run', 'validate']) {
        const run = await runCli([command, '--config', join(dir, file)]);
        expect(run.exitCode).toBe(78);
        expect(run.stderr).toMatch(expected);
        expect(run.stderr).toContain(join(dir, file));
        expect(run.stdout).not.toMatch(/state /);
        expect(run.stderr).not.toMatch(/\n\s+at /);
      }
    },
  );

  it('exits 78 naming the folder and the fix when no config is found', async () => {
    const run = await runCli(['run'], { cwd: dir });
    expect(run.exitCode).toBe(78);
    // As root (as the tests run), the folder is not searched at all: --config is the fix.
    expect(run.stderr).toBe(
      `xs-upgrade: ${dir}: as root the current folder is not searched for a config (another user could have put one there): pass --config FILE`,
    );
  });

  it('writes syslog priorities and no timestamps under systemd (JOURNAL_STREAM)', async () => {
    const run = await runCli(['run', '--config', sandbox.configFile], {
      env: { JOURNAL_STREAM: '8:1234' },
    });
    expect(run.exitCode).toBe(0);
    const lines = run.stdout.trim().split('\n');
    for (const line of lines) expect(line).toMatch(/^<[36]>/);
    expect(lines).toContain('<6>state hooksRunning');
  });

  it('writes no colour codes when stdout is not a terminal', async () => {
    const run = await runCli(['run', '--config', sandbox.configFile], {
      env: { NO_COLOR: undefined },
    });
    expect(run.stdout).not.toContain('\u001b[');
  });
});

describe('fuzzed configs through the real CLI', () => {
  it('exit 78 with one-line problems and no stack trace (30 cases)', async () => {
    const { default: fc } = await import('fast-check');
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value) ?? 'null'),
          fc.string({ maxLength: 200, unit: 'binary' }),
        ),
        fc.constantFrom('json', 'yaml'),
        async (content, extension) => {
          const file = join(dir, `fuzz.${extension}`);
          await writeFile(file, content);
          const run = await runCli(['validate', '--config', file]);
          expect(run.exitCode).toBe(78);
          expect(run.stderr).not.toMatch(/\n\s+at /);
          for (const line of run.stderr.trim().split('\n'))
            expect(line.startsWith(`xs-upgrade: ${file}: `)).toBe(true);
        },
      ),
      { numRuns: 30 },
    );
  });
});
