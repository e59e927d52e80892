// What an unattended run needs: one run at a time, clean stops, a record of every run, status and
// history, metrics and notifications. Real processes, real signals, real HTTP on 127.0.0.1.
import { execa } from 'execa';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../../demo/sandbox.js';
import type { RunRecord } from '../../src/state/runRecords.js';
import { useSandboxes } from '../support/sandboxes.js';
import { cliPath, runCli, runCliAndSignal } from '../support/cli.js';
import { startHttpServer } from '../support/httpServer.js';
import { processAlive } from '../support/processes.js';

const use = useSandboxes();

async function host(config: Record<string, unknown> = {}, news = true): Promise<Sandbox> {
  const sandbox = await use.sandbox(config);
  if (news) await sandbox.pushUpstream('nix-config', 'configuration.nix', '# new\n', 'new config');
  return sandbox;
}

const run = (sandbox: Sandbox, ...extra: string[]) =>
  runCli(['run', '--config', sandbox.configFile, ...extra]);

async function records(sandbox: Sandbox): Promise<RunRecord[]> {
  const folder = join(sandbox.dir, 'state', 'runs');
  const names = (await readdir(folder)).sort();
  return Promise.all(
    names.map(async (name) => JSON.parse(await readFile(join(folder, name), 'utf8')) as RunRecord),
  );
}

/** Every file xs-upgrade wrote in the sandbox's state dir, as text. */
async function stateFilesText(sandbox: Sandbox): Promise<string> {
  const texts: string[] = [];
  const walk = async (dir: string) => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else texts.push(await readFile(path, 'utf8'));
    }
  };
  await walk(join(sandbox.dir, 'state'));
  return texts.join('\n');
}

describe('one run at a time', () => {
  it('a second run exits 75 at once, naming the pid that holds the lock', async () => {
    const sandbox = await host({ preUpdateHooks: ['echo started; sleep 2'] });
    const first = execa('node', [cliPath, 'run', '--config', sandbox.configFile], {
      reject: false,
      env: { NO_COLOR: '1' },
    });
    await new Promise<void>((resolve) =>
      first.stdout?.on('data', (chunk: Buffer) => /started/.test(chunk.toString()) && resolve()),
    );
    const second = await run(sandbox);
    expect(second.exitCode).toBe(75);
    expect(second.stderr).toMatch(
      new RegExp(
        `another run \\(pid ${first.pid}, since \\d{4}-\\d\\d-\\d\\dT[^)]+\\) holds .*lock: wait for it to finish`,
      ),
    );
    expect(second.states).toEqual([]);
    expect((await first).exitCode).toBe(0);
  });

  it('takes over a lock left by a run that is gone, with a warning', async () => {
    const sandbox = await host();
    const gone = await execa('node', ['-e', 'process.stdout.write(String(process.pid))']);
    await run(sandbox, '--dry-run');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(sandbox.dir, 'state'), { recursive: true });
    await writeFile(
      join(sandbox.dir, 'state', 'lock'),
      JSON.stringify({ pid: Number(gone.stdout), since: '2026-01-01T04:00:00.000Z', host: 'h' }),
    );
    const result = await run(sandbox);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(
      new RegExp(`warning: taking over .*lock, left by pid ${gone.stdout} \\(no longer running\\)`),
    );
    // Released at the end.
    await expect(stat(join(sandbox.dir, 'state', 'lock'))).rejects.toThrow();
  });
});

describe('stopping a run', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    '%s during the build stops it, rolls back, exits 4 and records "interrupted"',
    async (signal) => {
      const sandbox = await host({ build: 'sleep 30 & echo "started $!"; wait' });
      const saved = await sandbox.head('nix-config');
      const result = await runCliAndSignal(['run', '--config', sandbox.configFile], {
        when: /\] started \d+/,
        signal,
      });
      expect(result.exitCode).toBe(4);
      expect(result.states).toEqual([
        'hooksRunning',
        'snapshotting',
        'pulling',
        'building',
        'rollingBack.resettingRepos',
        'rolledBack',
      ]);
      expect(await sandbox.head('nix-config')).toBe(saved);
      const child = Number(/\] started (\d+)/.exec(result.stdout)?.[1]);
      expect(await processAlive(child)).toBe(false);
      const [record] = await records(sandbox);
      expect(record).toMatchObject({
        interrupted: true,
        result: 'rolled-back',
        exitCode: 4,
        running: false,
      });
      const status = await runCli(['status', '--config', sandbox.configFile]);
      expect(status.stdout).toContain('interrupted, rolled-back (exit 4)');
    },
  );

  it('a second signal does not stop a rollback in progress', async () => {
    const sandbox = await host({
      switch: 'sleep 30 & echo "started $!"; wait',
      rollbackSwitch: 'echo rolling back the system; sleep 1; sh bin/switch.sh',
    });
    const child = execa('node', [cliPath, 'run', '--config', sandbox.configFile], {
      reject: false,
      env: { NO_COLOR: '1' },
    });
    let output = '';
    let sent = 0;
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (sent === 0 && /\] started \d+/.test(output)) {
        child.kill('SIGTERM');
        sent = 1;
      }
      if (sent === 1 && /rolling back the system/.test(output)) {
        child.kill('SIGTERM');
        sent = 2;
      }
    });
    const result = await child;
    expect(sent).toBe(2);
    expect(result.exitCode).toBe(4);
    expect(output).toContain(
      'SIGTERM received again: the run is finishing its rollback, please wait',
    );
    expect(output).toMatch(/state rolledBack/);
  });
});

describe('what happened, afterwards', () => {
  it('writes a record of every run, mode 0600, and keeps the newest keepRuns', async () => {
    const sandbox = await host({
      keepRuns: 2,
      build: 'echo compiling; echo "error: boom" >&2; exit 1',
    });
    // --force: a rolled-back commit set is otherwise not tried again (see run.test.ts).
    for (let index = 0; index < 3; index += 1) await run(sandbox, '--force');
    const kept = await records(sandbox);
    expect(kept).toHaveLength(2);
    const [record] = kept;
    expect(record).toMatchObject({
      running: false,
      result: 'rolled-back',
      exitCode: 4,
      interrupted: false,
      failure: {
        state: 'building',
        message: expect.stringContaining('build failed with exit code 1') as string,
        outputTail: ['compiling', 'error: boom'],
      },
    });
    expect(record?.states.map((visit) => visit.state)).toEqual([
      'hooksRunning',
      'snapshotting',
      'pulling',
      'building',
      'rollingBack.resettingRepos',
      'rolledBack',
    ]);
    expect(record?.states.every((visit) => typeof visit.ms === 'number')).toBe(true);
    expect(record?.repos.map((repo) => repo.repo)).toEqual(['nix-config', 'nix-secrets']);
    expect(record?.repos.every((repo) => repo.saved === repo.final)).toBe(true);
    const folder = join(sandbox.dir, 'state', 'runs');
    for (const name of await readdir(folder))
      expect((await stat(join(folder, name))).mode & 0o777).toBe(0o600);
    expect((await stat(join(sandbox.dir, 'state'))).mode & 0o777).toBe(0o700);
  });

  it('status and history show the runs, as text within 80 columns and as JSON', async () => {
    const sandbox = await host();
    await run(sandbox);
    await run(sandbox);
    const status = await runCli(['status', '--config', sandbox.configFile]);
    expect(status.exitCode).toBe(0);
    expect(status.stdout).toMatch(
      /^running now: no\nlast run: \d{4}-\d\d-\d\d \d\d:\d\d UTC, took \S+: nothing-new \(exit 0\)/,
    );
    const history = await runCli(['history', '--config', sandbox.configFile, '-n', '5']);
    const lines = history.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/nothing-new\s+0$/);
    expect(lines[2]).toMatch(/upgraded\s+0$/);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    const json = JSON.parse(
      (await runCli(['history', '--config', sandbox.configFile, '--json'])).stdout,
    ) as RunRecord[];
    expect(json.map((record) => record.result)).toEqual(['nothing-new', 'upgraded']);
    const statusJson = JSON.parse(
      (await runCli(['status', '--config', sandbox.configFile, '--json'])).stdout,
    ) as { running: null; lastRun: RunRecord };
    expect(statusJson.running).toBeNull();
    expect(statusJson.lastRun.result).toBe('nothing-new');
    expect((await runCli(['history', '--config', sandbox.configFile, '-n', '0'])).exitCode).toBe(
      64,
    );
  });

  it('writes Prometheus metrics: result, durations, commits behind', async () => {
    const sandbox = await host({
      metricsFile: 'metrics/xs-upgrade.prom',
      validationChecks: ['exit 1'],
    });
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(sandbox.dir, 'metrics'));
    expect((await run(sandbox)).exitCode).toBe(4);
    const text = await readFile(join(sandbox.dir, 'metrics', 'xs-upgrade.prom'), 'utf8');
    expect(text).toContain(
      '# TYPE xs_upgrade_last_run_success gauge\nxs_upgrade_last_run_success 0\n',
    );
    expect(text).toContain('xs_upgrade_last_run_result{result="rolled-back"} 1\n');
    expect(text).toContain('xs_upgrade_last_run_result{result="upgraded"} 0\n');
    expect(text).toMatch(/xs_upgrade_state_duration_seconds\{state="building"\} \d+(\.\d+)?\n/);
    // Rolled back: nix-config is one commit behind its remote, nix-secrets is not.
    expect(text).toContain('xs_upgrade_commits_behind{repo="nix-config"} 1\n');
    expect(text).toContain('xs_upgrade_commits_behind{repo="nix-secrets"} 0\n');
    for (const line of text.trim().split('\n'))
      expect(line).toMatch(/^(# (HELP|TYPE) \w+ .+|\w+(\{[^}]*\})? -?\d+(\.\d+)?(e[-+]?\d+)?)$/);
  });
});

describe('notifications', () => {
  it('POSTs the run to a webhook with its headers, and never logs or records the secrets', async () => {
    const server = await startHttpServer();
    use.cleanup(server.close);
    const secret = 's3cr3t-t0ken';
    const sandbox = await host({
      notify: [
        {
          webhook: {
            url: `${server.url}/hooks/${secret}?key=${secret}`,
            headers: { Authorization: `Bearer ${secret}` },
          },
          on: ['success'],
        },
      ],
    });
    const result = await run(sandbox);
    expect(result.exitCode).toBe(0);
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request?.method).toBe('POST');
    expect(request?.headers.authorization).toBe(`Bearer ${secret}`);
    expect(request?.headers['content-type']).toBe('application/json');
    const payload = JSON.parse(request?.body ?? '{}') as Record<string, unknown>;
    expect(payload).toMatchObject({
      event: 'success',
      result: 'upgraded',
      states: expect.arrayContaining(['switching', 'done']) as unknown,
    });
    expect((payload.commits as { repo: string }[]).map((repo) => repo.repo)).toEqual([
      'nix-config',
      'nix-secrets',
    ]);
    expect(result.stdout).toContain('notification webhook 1: sent (success)');
    for (const text of [result.stdout, result.stderr, await stateFilesText(sandbox)])
      expect(text).not.toContain(secret);
  });

  it('reads a webhook URL and header the config only names (environment, systemd credential)', async () => {
    const server = await startHttpServer();
    use.cleanup(server.close);
    const secret = 'n4med-s3cret';
    const sandbox = await host({
      notify: [
        {
          webhook: {
            url: { env: 'XS_TEST_WEBHOOK_URL' },
            headers: {
              Authorization: { credential: 'webhook-token' },
              'X-Plain': 'plain value',
            },
          },
          on: ['success'],
        },
      ],
    });
    // What systemd's LoadCredential= makes: a folder of files, named by $CREDENTIALS_DIRECTORY.
    const credentials = join(sandbox.dir, 'credentials');
    await execa('mkdir', ['-p', credentials]);
    await writeFile(join(credentials, 'webhook-token'), `Bearer ${secret}\n`);
    const env = {
      XS_TEST_WEBHOOK_URL: `${server.url}/hooks/${secret}`,
      CREDENTIALS_DIRECTORY: credentials,
    };
    const config = await readFile(sandbox.configFile, 'utf8');
    expect(config).not.toContain(secret);

    const result = await runCli(['run', '--config', sandbox.configFile], { env });
    expect(result.exitCode, result.stdout).toBe(0);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.url).toBe(`/hooks/${secret}`);
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${secret}`);
    expect(server.requests[0]?.headers['x-plain']).toBe('plain value');
    for (const text of [result.stdout, result.stderr, await stateFilesText(sandbox)])
      expect(text).not.toContain(secret);

    // Not set: validate and run say which variable and how to set it, exit 78, nothing moves.
    for (const command of ['validate', 'run']) {
      const missing = await runCli([command, '--config', sandbox.configFile], {
        env: { CREDENTIALS_DIRECTORY: credentials },
      });
      expect(missing.exitCode).toBe(78);
      expect(missing.stderr).toContain(
        '/notify/0/webhook/url names XS_TEST_WEBHOOK_URL, which is not set in the environment: set it (systemd: EnvironmentFile=; NixOS: services.xs-upgrade.secretEnvFile)',
      );
      expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    }
    const noCredentials = await runCli(['validate', '--config', sandbox.configFile], {
      env: { XS_TEST_WEBHOOK_URL: `${server.url}/x` },
    });
    expect(noCredentials.exitCode).toBe(78);
    expect(noCredentials.stderr).toContain(
      '/notify/0/webhook/headers/Authorization names the credential webhook-token, but no credentials were passed ($CREDENTIALS_DIRECTORY is not set)',
    );
  });

  it('retries a webhook that answers 500, logs the failure (origin only), and keeps the result', async () => {
    const server = await startHttpServer((_request, response) => {
      response.statusCode = 500;
      response.end('down');
    });
    use.cleanup(server.close);
    const sandbox = await host({
      notify: [
        {
          name: 'ops',
          webhook: { url: `${server.url}/x/secret-path`, retries: 1 },
          on: ['success'],
        },
      ],
    });
    const result = await run(sandbox);
    expect(result.exitCode).toBe(0);
    expect(server.requests).toHaveLength(2);
    expect(result.stdout).toContain(
      `warning: notification ops failed: HTTP 500 from ${server.url}/…`,
    );
    expect(result.stdout).not.toContain('secret-path');
    expect(result.stdout).toContain('result: upgraded');
  });

  it('gives up on a webhook that hangs after its timeout, without holding up the run', async () => {
    const server = await startHttpServer(() => undefined);
    use.cleanup(server.close);
    const sandbox = await host({
      notify: [{ webhook: { url: server.url, timeout: '300ms', retries: 0 }, on: ['failure'] }],
      build: 'exit 1',
    });
    const started = performance.now();
    const result = await run(sandbox);
    expect(result.exitCode).toBe(4);
    expect(result.stdout).toMatch(
      /notification webhook 1 failed: no answer from http:\/\/127\.0\.0\.1:\d+\/… within 300ms/,
    );
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('runs a command with the result in its environment, only for the events it listens to', async () => {
    const sandbox = await host({
      build: 'echo broken >&2; exit 1',
      notify: [
        { command: 'env | grep ^XS_UPGRADE_ | sort > notified.env', on: ['rolled-back'] },
        { command: 'touch success-notified', on: ['success'] },
      ],
    });
    expect((await run(sandbox)).exitCode).toBe(4);
    const env = await readFile(join(sandbox.dir, 'notified.env'), 'utf8');
    expect(env).toContain('XS_UPGRADE_EVENT=rolled-back\n');
    expect(env).toContain('XS_UPGRADE_RESULT=rolled-back\n');
    expect(env).toContain(
      'XS_UPGRADE_ERROR=build failed with exit code 1: echo broken >&2; exit 1\n',
    );
    expect(env).toMatch(
      /XS_UPGRADE_SAVED_COMMITS=nix-config=[0-9a-f]{40} nix-secrets=[0-9a-f]{40}\n/,
    );
    await expect(stat(join(sandbox.dir, 'success-notified'))).rejects.toThrow();
  });

  it('sends "validation-failed" under onValidationFailure notify, then switches', async () => {
    const server = await startHttpServer();
    use.cleanup(server.close);
    const sandbox = await host({
      onValidationFailure: 'notify',
      validationChecks: [{ name: 'sshd', run: 'exit 1' }],
      notify: [{ webhook: { url: server.url }, on: ['validation-failed'] }],
    });
    const result = await run(sandbox);
    expect(result.exitCode).toBe(0);
    expect(result.states).toContain('notifying');
    const payload = JSON.parse(server.requests[0]?.body ?? '{}') as Record<string, unknown>;
    expect(payload).toMatchObject({
      event: 'validation-failed',
      result: 'switching-anyway',
      error: 'sshd failed with exit code 1: exit 1',
      failedState: 'validating',
    });
  });
});

describe('output that goes away', () => {
  it('a stdout closed mid-run (a pipe to `head`) does not stop the upgrade', async () => {
    const sandbox = await host({ build: 'for i in $(seq 2000); do echo "building $i"; done' });
    const child = execa('node', [cliPath, 'run', '--config', sandbox.configFile], {
      reject: false,
      env: { NO_COLOR: '1' },
    });
    child.stdout?.once('data', () => child.stdout?.destroy());
    const result = await child;
    expect(result.exitCode).toBe(0);
    expect(await sandbox.head('nix-config')).toBe(await sandbox.remoteHead('nix-config'));
    const status = await runCli(['status', '--config', sandbox.configFile]);
    expect(status.stdout).toContain('upgraded (exit 0)');
  });
});

describe('a terminal that goes away', () => {
  it('SIGHUP during the build: the run carries on and upgrades', async () => {
    const sandbox = await host({ build: 'sleep 1 & echo "started $!"; wait' });
    const result = await runCliAndSignal(['run', '--config', sandbox.configFile], {
      when: /\] started \d+/,
      signal: 'SIGHUP',
    });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(
      'SIGHUP received (the terminal went away): carrying on to the end',
    );
    expect(result.stdout).toContain('result: upgraded');
    expect(await sandbox.head('nix-config')).toBe(await sandbox.remoteHead('nix-config'));
  });
});
