// Small steps that write state or speak up, on real files, processes and servers: atomic state
// files, the "notify" of a failed validation, the pause between retries, and the reboot request
// (what the boot check after it needs is written first, and taken back if no reboot comes).
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { notifyValidationFailure } from '../../src/actors/notifyValidationFailure.js';
import { pause } from '../../src/actors/pause.js';
import { requestReboot } from '../../src/actors/requestReboot.js';
import { readJsonFile, writeFileAtomic } from '../../src/actors/stateFile.js';
import type { CommandSpec } from '../../src/config/resolve.js';
import { readBootCheck } from '../../src/state/rebootState.js';
import { startHttpServer } from '../support/httpServer.js';
import { memoryLog } from '../support/memoryLog.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xs-upgrade-state-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const deps = () => ({ log: memoryLog(), env: process.env, signal: new AbortController().signal });

describe('writeFileAtomic and readJsonFile', () => {
  it('creates the state dir private, replaces the file whole, and leaves no temp file', async () => {
    const file = join(dir, 'state', 'run.json');
    await writeFileAtomic(file, '{"a":1}\n');
    expect((await stat(join(dir, 'state'))).mode & 0o777).toBe(0o700);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    await writeFileAtomic(file, '{"a":2}\n', { durable: false, mode: 0o644 });
    expect(await readJsonFile(file)).toEqual({ a: 2 });
    await Promise.all([1, 2, 3].map((n) => writeFileAtomic(file, `{"a":${n}}`)));
    expect(await readdir(join(dir, 'state'))).toEqual(['run.json']);
  });

  it('leaves the old content and no temp file when the write fails', async () => {
    const file = join(dir, 'run.json');
    await writeFileAtomic(file, 'old');
    await mkdir(join(dir, 'blocker'));
    // Renaming a file over a folder fails: the write must not leave anything behind.
    await expect(writeFileAtomic(join(dir, 'blocker'), 'new')).rejects.toThrow(
      /EISDIR|ENOTEMPTY|EEXIST/,
    );
    expect((await readdir(dir)).sort()).toEqual(['blocker', 'run.json']);
    expect(await readFile(file, 'utf8')).toBe('old');
  });

  it('reads nothing from a missing file, and names a torn one with the fix', async () => {
    expect(await readJsonFile(join(dir, 'none.json'))).toBeUndefined();
    const torn = join(dir, 'torn.json');
    await writeFile(torn, '{"a":');
    await expect(readJsonFile(torn)).rejects.toThrow(
      new RegExp(`^${torn} cannot be read \\(SyntaxError: .*\\): move it away and run again$`),
    );
  });
});

describe('notifyValidationFailure', () => {
  it('says loudly that the switch goes on, and sends the validation-failed notifications', async () => {
    const hook = await startHttpServer();
    try {
      const run = deps();
      await notifyValidationFailure(
        {
          failure: { state: 'validating', message: 'check lint failed' },
          pulled: [{ repo: 'nix-config', from: 'a'.repeat(40), to: 'b'.repeat(40) }],
        },
        [
          {
            name: 'ops',
            on: ['validation-failed'],
            target: { webhook: { url: hook.url, headers: {}, timeoutMs: 2000, retries: 0 } },
          },
        ],
        { ...run, configFile: '/etc/xs-upgrade/host.json' },
      );
      expect(run.log.lines[0]).toBe(
        'warning: validation failed, switching anyway because onValidationFailure is "notify": check lint failed',
      );
      const body = JSON.parse(hook.requests[0]?.body ?? '{}') as Record<string, unknown>;
      expect(body).toMatchObject({
        event: 'validation-failed',
        error: 'check lint failed',
        failedState: 'validating',
        states: ['validating'],
        commits: [{ repo: 'nix-config', saved: 'a'.repeat(40), final: 'b'.repeat(40) }],
        config: '/etc/xs-upgrade/host.json',
      });
    } finally {
      await hook.close();
    }
  });

  it('fails, naming the notification, when one could not be sent', async () => {
    const gone = await startHttpServer();
    await gone.close();
    await expect(
      notifyValidationFailure(
        { failure: undefined, pulled: [] },
        [
          {
            name: 'ops',
            on: ['validation-failed'],
            target: { webhook: { url: gone.url, headers: {}, timeoutMs: 2000, retries: 0 } },
          },
        ],
        { ...deps(), configFile: 'host.json' },
      ),
    ).rejects.toThrow(/^notification ops failed: cannot reach /);
  });
});

describe('pause', () => {
  it('waits, and ends at once when the run is stopped', async () => {
    const started = Date.now();
    await pause(30, new AbortController().signal);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    const stop = new AbortController();
    const stopped = Date.now();
    const waiting = pause(60_000, stop.signal);
    stop.abort();
    await waiting;
    expect(Date.now() - stopped).toBeLessThan(5_000);
  });
});

describe('requestReboot', () => {
  const saved = (profile: string, generation: number) => ({
    profile,
    generation,
    storePath: join(dir, `system-${generation}`),
  });

  async function host(rebootCommand: string[]) {
    const profile = join(dir, 'profiles', 'system');
    await mkdir(join(dir, 'profiles'));
    for (const generation of [41, 42]) {
      await mkdir(join(dir, `system-${generation}`));
      await symlink(join(dir, `system-${generation}`), `${profile}-${generation}-link`);
    }
    await symlink('system-42-link', profile);
    const command: CommandSpec = {
      name: 'reboot',
      run: { argv: rebootCommand },
      env: {},
      cwd: dir,
    };
    return {
      profile,
      config: {
        reboot: { when: 'needed' as const, command, bootedSystem: join(dir, 'booted') },
        system: { profile },
        stateDir: join(dir, 'state'),
      },
    };
  }

  it('writes what the boot check needs, then asks for the reboot', async () => {
    const { profile, config } = await host(['sh', '-c', `echo asked >> ${join(dir, 'reboots')}`]);
    const commits = [{ repo: 'nix-config', branch: 'main', commit: 'a'.repeat(40) }];
    await requestReboot(
      config,
      { savedSystem: saved(profile, 41), savedCommits: commits },
      { ...deps(), runId: 'run-1' },
    );
    expect(await readFile(join(dir, 'reboots'), 'utf8')).toBe('asked\n');
    const check = await readBootCheck(config.stateDir);
    expect(check).toMatchObject({
      previous: saved(profile, 41),
      previousCommits: commits,
      runId: 'run-1',
      expected: saved(profile, 42),
      rollbackReboots: 0,
    });
    expect(check?.bootId).toMatch(/^[0-9a-f-]{36}$/);

    // Resumed after a crash in the same boot: the reboot was asked for but has not happened.
    await requestReboot(
      config,
      { savedSystem: saved(profile, 41), savedCommits: commits },
      {
        ...deps(),
        runId: 'run-1',
      },
    );
    expect(await readFile(join(dir, 'reboots'), 'utf8')).toBe('asked\nasked\n');
  });

  it('takes the boot check back when the reboot command fails, and refuses without a profile', async () => {
    const { profile, config } = await host(['false']);
    await expect(
      requestReboot(
        config,
        { savedSystem: saved(profile, 41), savedCommits: [] },
        { ...deps(), runId: 'r' },
      ),
    ).rejects.toThrow(/^reboot failed with exit code 1/);
    expect(await readBootCheck(config.stateDir)).toBeUndefined();
    await expect(
      requestReboot(
        { ...config, system: undefined },
        { savedSystem: undefined, savedCommits: [] },
        { ...deps(), runId: 'r' },
      ),
    ).rejects.toThrow('reboot needs "system.profile": nothing to check the boot against');
    await expect(
      requestReboot(
        config,
        { savedSystem: undefined, savedCommits: [] },
        { ...deps(), runId: 'r' },
      ),
    ).rejects.toThrow('no saved generation to return to after a failed boot');
  });
});
