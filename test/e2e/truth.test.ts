// A host in trouble never looks healthy: what the exit code, status, history, metrics,
// notifications and the journal say after each kind of trouble is the truth. Each test reproduces
// one report that was wrong, with the real CLI on a sandbox host, real git and HTTP on 127.0.0.1.
import { execa } from 'execa';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../demo/sandbox.js';
import { packageRoot } from '../../src/packageFiles.js';
import type { RunRecord } from '../../src/state/runRecords.js';
import { runCli, runCliAsNobody, removeCliForNobody } from '../support/cli.js';
import { startHttpServer } from '../support/httpServer.js';
import { sample } from '../support/metrics.js';
import { useSandboxes } from '../support/sandboxes.js';

const use = useSandboxes();
afterAll(removeCliForNobody);

/** A webhook on 127.0.0.1 that hears every event; the payloads it got, parsed. */
async function webhook() {
  const server = await startHttpServer();
  use.cleanup(server.close);
  return {
    notify: [
      {
        webhook: { url: `${server.url}/hook`, retries: 0 },
        on: [
          'success',
          'nothing-new',
          'held-back',
          'fetch-failed',
          'failure',
          'rolled-back',
          'rollback-failed',
        ],
      },
    ],
    events: () =>
      server.requests.map((request) => JSON.parse(request.body) as Record<string, unknown>),
  };
}

async function host(config: Record<string, unknown> = {}, news = true): Promise<Sandbox> {
  const sandbox = await use.sandbox({ metricsFile: 'metrics.prom', ...config });
  if (news) await sandbox.pushUpstream('nix-config', 'configuration.nix', '# new\n', 'new config');
  return sandbox;
}

const run = (sandbox: Sandbox, ...extra: string[]) =>
  runCli(['run', '--config', sandbox.configFile, ...extra]);
const metrics = (sandbox: Sandbox) => readFile(join(sandbox.dir, 'metrics.prom'), 'utf8');
const history = async (sandbox: Sandbox) =>
  JSON.parse(
    (await runCli(['history', '--config', sandbox.configFile, '--json'])).stdout,
  ) as RunRecord[];
const status = (sandbox: Sandbox) => runCli(['status', '--config', sandbox.configFile]);

describe('1. a failed rollback is not forgotten', () => {
  it('every later run refuses with exit 5 until an operator confirms the manual fix', async () => {
    const hook = await webhook();
    // The build fails and leaves a git lock: the rollback cannot reset nix-config.
    const sandbox = await host({
      build: 'touch repos/nix-config/.git/index.lock; exit 1',
      notify: hook.notify,
    });
    expect((await run(sandbox)).exitCode).toBe(5);

    // By hand, the operator removes the lock... but has not said so yet.
    await rm(join(sandbox.repoPath('nix-config'), '.git', 'index.lock'));
    await sandbox.pushUpstream('nix-config', 'configuration.nix', '# newer\n', 'newer');
    await sandbox.writeConfig({ metricsFile: 'metrics.prom', notify: hook.notify });
    const refused = await run(sandbox);
    expect(refused.exitCode).toBe(5);
    expect(refused.states).toEqual([]);
    expect(refused.stdout).toMatch(
      /cause: a rollback failed on \S+ \(.*\) and the host still needs manual recovery: .*`xs-upgrade recover --confirm-manual-fix`/,
    );
    expect(await sandbox.head('nix-config')).not.toBe(await sandbox.remoteHead('nix-config'));

    const shown = await status(sandbox);
    expect(shown.stdout).toMatch(/^MANUAL RECOVERY NEEDED: a rollback failed on /);
    expect(shown.stdout).toMatch(/last run: .*: refused \(exit 5\)/);
    expect(sample(await metrics(sandbox), 'xs_upgrade_manual_recovery_needed')).toBe(1);
    expect(sample(await metrics(sandbox), 'xs_upgrade_last_run_success')).toBe(0);
    // The rollback-failed notification is repeated for the refused run.
    expect(hook.events().filter((event) => event.event === 'rollback-failed')).toHaveLength(2);
    expect((await runCli(['recover', '--config', sandbox.configFile])).exitCode).toBe(5);
    expect((await runCli(['rollback', '--config', sandbox.configFile])).exitCode).toBe(5);

    const confirmed = await runCli([
      'recover',
      '--config',
      sandbox.configFile,
      '--confirm-manual-fix',
    ]);
    expect(confirmed.exitCode).toBe(0);
    expect(confirmed.stdout).toContain('manual recovery confirmed by an operator');
    expect((await history(sandbox))[0]?.result).toBe('recovery-confirmed');

    const after = await run(sandbox);
    expect(after.exitCode).toBe(0);
    expect(await sandbox.head('nix-config')).toBe(await sandbox.remoteHead('nix-config'));
    expect(sample(await metrics(sandbox), 'xs_upgrade_manual_recovery_needed')).toBe(0);
    expect((await status(sandbox)).stdout).not.toContain('MANUAL RECOVERY NEEDED');
  });
});

describe('3. held back at commits that failed is not "nothing new"', () => {
  it('has its own result, exit code, metric, notification and a true next line', async () => {
    const hook = await webhook();
    const sandbox = await host({
      build: 'echo "error: broken module" >&2; exit 1',
      notify: hook.notify,
    });
    const failed = await run(sandbox);
    expect(failed.exitCode).toBe(4);
    // The commits are remembered as bad: the summary must not promise they are tried again.
    expect(failed.stdout).not.toContain('will try the new commits again');
    expect(failed.stdout).toContain('next: fix the cause upstream and push a new commit');

    const held = await run(sandbox);
    expect(held.exitCode).toBe(3);
    expect(held.states.at(-1)).toBe('heldBack');
    expect(held.stdout).toMatch(
      /result: held back: upstream is at commits that failed here on \S+: nothing was built or switched/,
    );
    expect(held.stdout).toMatch(/cause: building: build failed with exit code 1/);
    expect(held.stdout).toContain('or run `xs-upgrade run --force` to try these commits again');
    expect((await history(sandbox))[0]).toMatchObject({ result: 'held-back', exitCode: 3 });
    const text = await metrics(sandbox);
    expect(sample(text, 'xs_upgrade_last_run_success')).toBe(0);
    expect(sample(text, 'xs_upgrade_held_back')).toBe(1);
    expect(sample(text, 'xs_upgrade_last_run_result{result="held-back"}')).toBe(1);
    expect(hook.events().at(-1)).toMatchObject({ event: 'held-back', result: 'held-back' });
    expect((await status(sandbox)).stdout).toMatch(/last run: .*: held-back \(exit 3\)/);
  });
});

describe('4. a world that does not match the config is a failed run', () => {
  it('a repo folder that vanished: exit 3, recorded, notified, in the metrics', async () => {
    const hook = await webhook();
    const sandbox = await host({ notify: hook.notify });
    await rm(sandbox.repoPath('nix-secrets'), { recursive: true });
    const vanished = await run(sandbox);
    expect(vanished.exitCode).toBe(3);
    expect(vanished.stdout).toMatch(
      /cause: \/repos\/1\/path: .*nix-secrets does not exist: clone repo "nix-secrets" there/,
    );
    expect((await history(sandbox))[0]).toMatchObject({ result: 'aborted', exitCode: 3 });
    expect(sample(await metrics(sandbox), 'xs_upgrade_last_run_result{result="aborted"}')).toBe(1);
    expect(hook.events().at(-1)).toMatchObject({ event: 'failure', result: 'aborted' });
    // Invalid as written is still 78; so is `validate` for the vanished repo.
    const validate = await runCli(['validate', '--config', sandbox.configFile]);
    expect(validate.exitCode).toBe(78);
  });
});

describe('4b. validate says every problem at once', () => {
  it('a missing repo hides neither a bad schedule, a wrong branch nor a missing program', async () => {
    const sandbox = await host({
      schedule: 'every night',
      validationChecks: [{ name: 'lint', run: ['nixfmt-nonexistent', '--check', '.'] }],
    });
    await rm(sandbox.repoPath('nix-secrets'), { recursive: true });
    const nixConfig = sandbox.repoPath('nix-config');
    await sandbox.git(['checkout', '--quiet', '-b', 'local'], nixConfig);
    const validate = await runCli(['validate', '--config', sandbox.configFile]);
    expect(validate.exitCode).toBe(78);
    const lines = validate.stderr.trim().split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /warning: .*: \/validationChecks\/0: program "nixfmt-nonexistent" is not on PATH/,
        ) as string,
        expect.stringMatching(
          /: \/schedule: "every night" is not a systemd calendar expression/,
        ) as string,
        expect.stringMatching(
          /: \/repos\/0\/branch: .* is on branch "local", the config says "main"/,
        ) as string,
        expect.stringMatching(
          /: \/repos\/1\/path: .*nix-secrets does not exist: clone repo "nix-secrets" there/,
        ) as string,
      ]),
    );
  });
});

describe('5. a network outage is temporary, not a failure', () => {
  it('exit 75, result fetch-failed, nothing moved, its own label and event', async () => {
    const hook = await webhook();
    const sandbox = await host({ notify: hook.notify, fetchRetries: 0 });
    await sandbox.git(
      ['remote', 'set-url', 'origin', 'http://127.0.0.1:1/nix-secrets.git'],
      sandbox.repoPath('nix-secrets'),
    );
    const saved = await sandbox.head('nix-config');
    const outage = await run(sandbox);
    expect(outage.exitCode).toBe(75);
    expect(outage.states.at(-1)).toBe('fetchFailed');
    expect(outage.stdout).toContain(
      'result: fetch failed (temporary): nothing was moved, the host is untouched',
    );
    expect(outage.stdout).toContain('next: nothing to fix on this host if the network');
    expect(await sandbox.head('nix-config')).toBe(saved);
    expect(
      sample(await metrics(sandbox), 'xs_upgrade_last_run_result{result="fetch-failed"}'),
    ).toBe(1);
    expect(hook.events().at(-1)).toMatchObject({ event: 'fetch-failed' });
    expect(hook.events().some((event) => event.event === 'failure')).toBe(false);
    // Not a content failure: nothing is remembered as bad.
    await expect(stat(join(sandbox.dir, 'state', 'rejected-commits.json'))).rejects.toThrow();
  });
});

describe('6. the result line says what happened', () => {
  it('--skip-validation: "switched WITHOUT checks", in the summary, status and history', async () => {
    const sandbox = await host();
    const skipped = await run(sandbox, '--skip-validation');
    expect(skipped.exitCode).toBe(0);
    expect(skipped.stdout).toContain(
      'result: upgraded: the new configuration is built and switched WITHOUT checks (--skip-validation)',
    );
    expect((await status(sandbox)).stdout).toContain('switched WITHOUT checks');
    const table = await runCli(['history', '--config', sandbox.configFile]);
    expect(table.stdout).toContain('upgraded, NO checks');
  });

  it('notify after a failed check: "switched although check X failed"', async () => {
    const sandbox = await host({
      onValidationFailure: 'notify',
      validationChecks: [{ name: 'smoke', run: 'exit 1' }],
    });
    const notified = await run(sandbox);
    expect(notified.exitCode).toBe(0);
    expect(notified.stdout).toContain(
      'result: upgraded: the new configuration is built and switched although check "smoke" failed (onValidationFailure: notify)',
    );
    expect(notified.stdout).not.toContain('built, checked and switched');
    expect((await status(sandbox)).stdout).toContain('although check "smoke" failed');
    const table = await runCli(['history', '--config', sandbox.configFile]);
    expect(table.stdout).toContain('upgraded, check failed');
  });
});

describe('7. under journald, a failure is explained at its priority', () => {
  it('every line of the summary of a failed run is priority err, without "error: result:"', async () => {
    const sandbox = await host({ build: 'echo "error: broken module"; exit 1' });
    const failed = await runCli(['run', '--config', sandbox.configFile], {
      env: { JOURNAL_STREAM: '8:12345' },
    });
    expect(failed.exitCode).toBe(4);
    const lines = failed.stdout.split('\n');
    const from = lines.findIndex((line) => line.includes('result: failed in building'));
    expect(from).toBeGreaterThan(-1);
    const summary = lines.slice(from).filter((line) => line !== '');
    expect(summary.map((line) => line.slice(0, 3))).toEqual(summary.map(() => '<3>'));
    expect(summary.join('\n')).toMatch(/<3>cause: build failed/);
    expect(summary.join('\n')).toMatch(/<3>next: /);
    expect(summary.join('\n')).toMatch(/<3>last line of building output:\n<3> {2}\| error: broken/);
    expect(failed.stdout).not.toContain('error: result:');
  });
});

describe('8. a user who cannot read the state dir is told so', () => {
  it('status, history and run as nobody: one line, exit 77', async () => {
    const sandbox = await host({}, false);
    expect((await run(sandbox)).exitCode).toBe(0);
    await chmod(join(sandbox.dir, 'state'), 0o700);
    // nobody must reach the config and the repos: the sandbox is private to root otherwise.
    await chmod(sandbox.dir, 0o755);
    await chmod(sandbox.configFile, 0o644);
    for (const command of ['status', 'history', 'run']) {
      const asNobody = await runCliAsNobody([command, '--config', sandbox.configFile]);
      expect(asNobody.exitCode, `${command}: ${asNobody.stderr}`).toBe(77);
      expect(asNobody.stderr).toMatch(
        /^xs-upgrade: cannot (read|write) the state dir .*\/state as nobody: run as root/,
      );
      expect(asNobody.stderr).not.toContain('internal error');
      expect(asNobody.stdout).not.toContain('no runs recorded');
    }
  });
});

describe('9. validate finds what run and systemd would reject', () => {
  it('a schedule systemd cannot parse, a repo on the wrong branch: exit 78', async () => {
    const sandbox = await host({ schedule: 'every night at four' }, false);
    await sandbox.git(['switch', '--quiet', '-c', 'feature'], sandbox.repoPath('nix-config'));
    const checked = await runCli(['validate', '--config', sandbox.configFile]);
    expect(checked.exitCode).toBe(78);
    expect(checked.stderr).toMatch(/\/schedule: "every night at four" is not a systemd calendar/);
    expect(checked.stderr).toMatch(
      /\/repos\/0\/branch: .*nix-config is on branch "feature", the config says "main"/,
    );
  });

  it('a program not on PATH is a warning; systemd time spans are accepted', async () => {
    const sandbox = await host(
      { build: 'nh-not-installed os build .', randomizedDelaySec: '1h 30m' },
      false,
    );
    const checked = await runCli(['validate', '--config', sandbox.configFile]);
    expect(checked.exitCode).toBe(0);
    expect(checked.stderr).toMatch(
      /warning: .*: \/build: program "nh-not-installed" is not on PATH here: the run would fail with exit code 127/,
    );
    expect(checked.stdout).toContain('valid (local mode, 2 repos, 1 warning)');
    const out = await mkdtemp(join(tmpdir(), 'xs-upgrade-units-'));
    use.cleanup(() => rm(out, { recursive: true, force: true }));
    const units = await runCli(['systemd', '--config', sandbox.configFile, '--out', out]);
    expect(units.exitCode).toBe(0);
    expect(await readFile(join(out, 'xs-upgrade.timer'), 'utf8')).toContain(
      'RandomizedDelaySec=5400',
    );
  });
});

describe('10. --dry-run exits with the code the run would have', () => {
  it('exit 75 and says so when another run holds the lock', async () => {
    const sandbox = await host({ preUpdateHooks: ['echo started; sleep 3'] });
    const first = execa(
      'node',
      [join(packageRoot, 'bin', 'xs-upgrade.js'), 'run', '--config', sandbox.configFile],
      {
        reject: false,
        env: { NO_COLOR: '1' },
      },
    );
    await new Promise<void>((resolve) =>
      first.stdout?.on('data', (chunk: Buffer) => /started/.test(chunk.toString()) && resolve()),
    );
    const dry = await run(sandbox, '--dry-run');
    expect(dry.exitCode).toBe(75);
    expect(dry.stdout).toMatch(/would stop at once \(exit 75\): another run \(pid \d+, since/);
    await first;
  });

  it('exit 3 when upstream is held back', async () => {
    const sandbox = await host({ build: 'exit 1' });
    expect((await run(sandbox)).exitCode).toBe(4);
    const dry = await run(sandbox, '--dry-run');
    expect(dry.exitCode).toBe(3);
    expect(dry.stdout).toMatch(/held back \(exit 3\): upstream is at commits that failed here/);
  });
});

describe('11. the smaller ones', () => {
  it('rollback by hand: said once, shown as such, not repeated, recorded once', async () => {
    const sandbox = await host({ rollbackSwitch: ['sh', 'bin/switch.sh'] });
    expect((await run(sandbox)).exitCode).toBe(0);
    await writeFile(join(sandbox.repoPath('nix-config'), 'configuration.nix'), '# edit\n');
    const dirty = await runCli(['rollback', '--config', sandbox.configFile]);
    expect(dirty.exitCode).toBe(3);
    expect(dirty.stdout.match(/nothing was changed/g)).toHaveLength(1);
    await sandbox.git(['checkout', '--', 'configuration.nix'], sandbox.repoPath('nix-config'));

    expect((await runCli(['rollback', '--config', sandbox.configFile])).exitCode).toBe(0);
    const shown = (await status(sandbox)).stdout;
    expect(shown).toMatch(/last run: .*: rolled back by hand \(exit 0\)/);
    expect(shown).not.toContain('failed in rollback');
    expect(shown).not.toMatch(/-> now -/);
    expect(shown).toContain(`now ${(await sandbox.head('nix-config')).slice(0, 12)}`);

    const again = await runCli(['rollback', '--config', sandbox.configFile]);
    expect(again.exitCode).toBe(3);
    expect(again.stdout).toContain('the last upgrade was already rolled back by hand');
    const rejected = JSON.parse(
      await readFile(join(sandbox.dir, 'state', 'rejected-commits.json'), 'utf8'),
    ) as { sets: unknown[] };
    expect(rejected.sets).toHaveLength(1);
  });

  it('an HTTP health check that fails names the path and the error', async () => {
    // A port nobody listens on any more.
    const gone = await startHttpServer();
    await gone.close();
    const sandbox = await host({
      healthChecks: [{ name: 'web', http: { url: `${gone.url}/healthz?token=abc` }, retries: 0 }],
    });
    const failed = await run(sandbox);
    expect(failed.exitCode).toBe(4);
    expect(failed.stdout).toMatch(
      new RegExp(
        `cause: health check web failed after 1 attempt: cannot reach ${gone.url}/healthz\\?… \\(ECONNREFUSED`,
      ),
    );
    expect(failed.stdout).not.toContain('token=abc');
  });

  it('untracked files are called untracked, with a fix that clears them', async () => {
    const sandbox = await host();
    await writeFile(join(sandbox.repoPath('nix-config'), 'scratch.nix'), '# scratch\n');
    const refused = await run(sandbox);
    expect(refused.exitCode).toBe(3);
    expect(refused.stdout).toMatch(
      /has untracked files \(\?\? scratch\.nix\): commit them, delete them, or list them in \.gitignore/,
    );
  });

  it('systemd --out NEWDIR: a folder others can read, and a hint for NixOS', async () => {
    const sandbox = await host({}, false);
    const parent = await mkdtemp(join(tmpdir(), 'xs-upgrade-units-'));
    use.cleanup(() => rm(parent, { recursive: true, force: true }));
    const out = join(parent, 'new', 'units');
    const units = await runCli(['systemd', '--config', sandbox.configFile, '--out', out]);
    expect(units.exitCode).toBe(0);
    expect((await stat(out)).mode & 0o777).toBe(0o755);
    expect(units.stdout).toContain('on NixOS: do not copy units; enable services.xs-upgrade');
  });

  it('status and history without --config read $XS_UPGRADE_CONFIG (default /etc/xs-upgrade/host.json)', async () => {
    const sandbox = await host({}, false);
    expect((await run(sandbox)).exitCode).toBe(0);
    const elsewhere = await mkdtemp(join(tmpdir(), 'xs-upgrade-cwd-'));
    use.cleanup(() => rm(elsewhere, { recursive: true, force: true }));
    const env = { XS_UPGRADE_CONFIG: sandbox.configFile };
    const shown = await runCli(['status'], { cwd: elsewhere, env });
    expect(shown.exitCode).toBe(0);
    expect(shown.stdout).toMatch(/last run: .*: nothing-new \(exit 0\)/);
    expect((await runCli(['history'], { cwd: elsewhere, env })).stdout).toContain('nothing-new');
    // `run` never falls back: it needs the config named or found where it is started.
    expect((await runCli(['run'], { cwd: elsewhere, env })).exitCode).toBe(78);
  });

  it('npm run demo leaves no sandbox behind', async () => {
    const temp = await mkdtemp(join(tmpdir(), 'xs-upgrade-demo-tmp-'));
    use.cleanup(() => rm(temp, { recursive: true, force: true }));
    await mkdir(temp, { recursive: true });
    const demo = await execa('node', [join(packageRoot, 'dist', 'demo', 'main.js')], {
      reject: false,
      env: { TMPDIR: temp, NO_COLOR: '1' },
    });
    expect(demo.exitCode, demo.stdout).toBe(0);
    expect(await readdir(temp)).toEqual([]);
  }, 60_000);
});
