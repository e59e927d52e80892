// `xs-upgrade run` end to end: the built CLI as a subprocess, on sandbox hosts with real git repos,
// bare remotes and real build/switch scripts. Each test asserts the exit code, the states the run
// logged, and the exact commit every repo ends on.
import { access, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../../demo/sandbox.js';
import { runCli } from '../support/cli.js';
import { startHttpServer } from '../support/httpServer.js';

const sandboxes: Sandbox[] = [];
afterEach(async () => {
  await Promise.all(
    sandboxes.splice(0).map((sandbox) => rm(sandbox.dir, { recursive: true, force: true })),
  );
});

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

interface Host {
  sandbox: Sandbox;
  saved: Record<string, string>;
  upstream: Record<string, string>;
  run(...extra: string[]): ReturnType<typeof runCli>;
  heads(): Promise<Record<string, string>>;
}

/** A sandbox host whose remotes have one new commit per repo (unless `upstream` says otherwise). */
async function host(
  config: Record<string, unknown> = {},
  upstream: string[] = ['nix-config', 'nix-secrets'],
): Promise<Host> {
  const sandbox = await createSandbox();
  sandboxes.push(sandbox);
  await sandbox.writeConfig(config);
  const heads = async (): Promise<Record<string, string>> =>
    Object.fromEntries(
      await Promise.all(
        sandbox.repoNames.map(async (name) => [name, await sandbox.head(name)] as const),
      ),
    );
  const saved = await heads();
  const newHeads: Record<string, string> = { ...saved };
  for (const name of upstream) {
    const file = name === 'nix-config' ? 'configuration.nix' : 'secrets.yaml';
    newHeads[name] = await sandbox.pushUpstream(name, file, `# new ${name}\n`, `update ${name}`);
  }
  return {
    sandbox,
    saved,
    upstream: newHeads,
    heads,
    run: (...extra) => runCli(['run', '--config', sandbox.configFile, ...extra]),
  };
}

const upTo = (...states: string[]) => ['hooksRunning', 'snapshotting', 'pulling', ...states];
const rolledBackAfter = (...states: string[]) =>
  upTo(...states, 'rollingBack.resettingRepos', 'rolledBack');

describe('xs-upgrade run', () => {
  it('upgrades two repos: pulls, builds, checks and switches', async () => {
    const h = await host();
    const run = await h.run();
    expect(run.exitCode).toBe(0);
    expect(run.states).toEqual(upTo('building', 'validating', 'switching', 'done'));
    expect(await h.heads()).toEqual(h.upstream);
    const built = `results/${h.upstream['nix-config']?.slice(0, 12)}-${h.upstream['nix-secrets']?.slice(0, 12)}`;
    expect(await h.sandbox.currentSystem()).toBe(built);
    expect(run.stdout).toContain('result: upgraded');
    expect(run.stdout).toMatch(/\[capture-dotfiles\] no local dotfile edits to capture/);
    // The saved commits were persisted before anything moved.
    const saved = JSON.parse(
      await readFile(join(h.sandbox.dir, 'state', 'saved-commits.json'), 'utf8'),
    ) as {
      repos: { repo: string; commit: string }[];
    };
    expect(saved.repos.map((entry) => entry.commit)).toEqual([
      h.saved['nix-config'],
      h.saved['nix-secrets'],
    ]);
  });

  it('stops at "nothing new" without building or switching', async () => {
    const h = await host({}, []);
    const run = await h.run();
    expect(run.exitCode).toBe(0);
    expect(run.states).toEqual(upTo('done'));
    expect(run.stdout).toContain('result: nothing new upstream');
    expect(await exists(join(h.sandbox.dir, 'results'))).toBe(false);
    expect(await h.heads()).toEqual(h.saved);
  });

  it('builds and switches with nothing new when --force is given', async () => {
    const h = await host({}, []);
    const run = await h.run('--force');
    expect(run.exitCode).toBe(0);
    expect(run.states).toEqual(upTo('building', 'validating', 'switching', 'done'));
    expect(await h.sandbox.currentSystem()).toMatch(/^results\//);
  });

  it('aborts with exit 3 when a hook fails, before anything changes', async () => {
    const h = await host({ preUpdateHooks: ['echo capturing; exit 7'] });
    const run = await h.run();
    expect(run.exitCode).toBe(3);
    expect(run.states).toEqual(['hooksRunning', 'aborted']);
    expect(run.stdout).toContain(
      'result: aborted in hooksRunning before any change: the host is untouched',
    );
    expect(run.stdout).toContain('cause: hook failed with exit code 7');
    expect(await h.heads()).toEqual(h.saved);
    expect(await exists(join(h.sandbox.dir, 'state', 'saved-commits.json'))).toBe(false);
  });

  it('aborts with exit 3 on a dirty repo, lists the file and touches nothing', async () => {
    const h = await host();
    const secrets = join(h.sandbox.repoPath('nix-secrets'), 'secrets.yaml');
    await writeFile(secrets, 'local edit\n');
    const run = await h.run();
    expect(run.exitCode).toBe(3);
    expect(run.states).toEqual(['hooksRunning', 'snapshotting', 'aborted']);
    expect(run.stdout).toMatch(
      /repo "nix-secrets": .* has uncommitted changes \(M secrets\.yaml\)/,
    );
    expect(await h.heads()).toEqual(h.saved);
    expect(await readFile(secrets, 'utf8')).toBe('local edit\n');
  });

  it('aborts with exit 3 on a detached HEAD', async () => {
    const h = await host();
    await h.sandbox.git(['checkout', '--quiet', '--detach'], h.sandbox.repoPath('nix-config'));
    const run = await h.run();
    expect(run.exitCode).toBe(3);
    expect(run.stdout).toMatch(/HEAD is detached at [0-9a-f]{12} .*git -C .* switch main/);
  });

  it('rolls back with exit 4 when a remote is gone, including the repo that pulled', async () => {
    const h = await host();
    await rm(h.sandbox.remotePath('nix-secrets'), { recursive: true });
    const run = await h.run();
    expect(run.exitCode).toBe(4);
    expect(run.states).toEqual(rolledBackAfter());
    expect(run.stdout).toMatch(
      /cause: repo "nix-secrets": cannot fetch origin\/main: .*does not appear to be a git repository/,
    );
    expect(run.stdout).toMatch(
      /next: check that origin is the right remote and that branch "main"/,
    );
    expect(await h.heads()).toEqual(h.saved);
  });

  it('refuses a diverged remote with exit 4, merging nothing', async () => {
    const h = await host({}, []);
    // Rewrite upstream history: the host's commit is no longer an ancestor of origin/main.
    const upstreamClone = join(h.sandbox.dir, 'upstream', 'nix-config');
    await writeFile(join(upstreamClone, 'configuration.nix'), '# rewritten\n');
    await h.sandbox.git(
      ['commit', '--quiet', '--no-gpg-sign', '--amend', '-am', 'rewritten'],
      upstreamClone,
    );
    await h.sandbox.git(['push', '--quiet', '--force', 'origin', 'main'], upstreamClone);
    const run = await h.run();
    expect(run.exitCode).toBe(4);
    expect(run.stdout).toMatch(
      /repo "nix-config": main and origin\/main have diverged .*nothing was merged/,
    );
    expect(await h.heads()).toEqual(h.saved);
  });

  it('rolls every repo back with exit 4 when the build fails, and shows its last output', async () => {
    const h = await host({ build: 'echo compiling; echo "error: attribute missing" >&2; exit 1' });
    const run = await h.run();
    expect(run.exitCode).toBe(4);
    expect(run.states).toEqual(rolledBackAfter('building'));
    expect(run.stdout).toContain('result: failed in building and rolled back');
    expect(run.stdout).toMatch(/\| error: attribute missing/);
    expect(await h.heads()).toEqual(h.saved);
    expect(await h.sandbox.currentSystem()).toBeUndefined();
  });

  it('rolls back a repo that had not moved too', async () => {
    // Only nix-config has news; the build commits to nix-secrets, which must also go back.
    const h = await host(
      {
        build:
          'git -C repos/nix-secrets -c user.name=x -c user.email=x@x commit -q --allow-empty -m local && exit 1',
      },
      ['nix-config'],
    );
    const run = await h.run();
    expect(run.exitCode).toBe(4);
    expect(await h.heads()).toEqual(h.saved);
  });

  describe('when the switch fails', () => {
    it('resets the repos and runs rollbackSwitch: exit 4, old system back', async () => {
      const h = await host({}, []);
      expect((await h.run('--force')).exitCode).toBe(0);
      const before = await h.sandbox.currentSystem();
      const saved = await h.heads();
      await h.sandbox.pushUpstream('nix-config', 'configuration.nix', '# next\n', 'next');
      // The switch activates the new system, then fails; the rollback switch re-activates the old.
      await h.sandbox.writeConfig({
        switch: 'sh bin/switch.sh && exit 1',
        rollbackSwitch: ['sh', 'bin/switch.sh'],
      });
      const run = await h.run();
      expect(run.exitCode).toBe(4);
      expect(run.states).toEqual(
        upTo(
          'building',
          'validating',
          'switching',
          'rollingBack.resettingRepos',
          'rollingBack.revertingSystem',
          'rolledBack',
        ),
      );
      expect(await h.heads()).toEqual(saved);
      expect(await h.sandbox.currentSystem()).toBe(before);
    });

    it('says "manual recovery" with exit 5 when the system rollback fails too', async () => {
      const h = await host({ switch: 'exit 1', rollbackSwitch: 'echo cannot roll back; exit 2' });
      const run = await h.run();
      expect(run.exitCode).toBe(5);
      expect(run.states.at(-1)).toBe('rollbackFailed');
      expect(run.stdout).toContain('result: ROLLBACK FAILED: manual recovery needed');
      expect(run.stdout).toContain('rollback: rollback-switch failed with exit code 2');
      expect(run.stdout).toMatch(/saved-commits\.json.*docs\/recovery\.md/);
      // The repos were still reset before the system rollback failed.
      expect(await h.heads()).toEqual(h.saved);
    });
  });

  it('says "manual recovery" with exit 5 when a repo cannot be reset', async () => {
    const h = await host({ build: 'touch repos/nix-config/.git/index.lock; exit 1' });
    const run = await h.run();
    expect(run.exitCode).toBe(5);
    expect(run.states).toEqual(upTo('building', 'rollingBack.resettingRepos', 'rollbackFailed'));
    expect(run.stdout).toMatch(
      /rollback: repo "nix-config": could not return to [0-9a-f]{12} .*reset --hard/,
    );
    // The repo that could be reset was reset.
    expect(await h.sandbox.head('nix-secrets')).toBe(h.saved['nix-secrets']);
  });

  describe('when a validation check fails', () => {
    const failingCheck = {
      validationChecks: ['true', { name: 'sshd enabled', run: 'echo sshd disabled; exit 1' }],
    };

    it('rolls back under onValidationFailure "rollback": exit 4', async () => {
      const h = await host({ ...failingCheck, onValidationFailure: 'rollback' });
      const run = await h.run();
      expect(run.exitCode).toBe(4);
      expect(run.states).toEqual(rolledBackAfter('building', 'validating'));
      expect(run.stdout).toContain('cause: sshd enabled failed with exit code 1');
      expect(await h.heads()).toEqual(h.saved);
      expect(await h.sandbox.currentSystem()).toBeUndefined();
    });

    it('warns and switches under "notify": exit 0', async () => {
      const h = await host({ ...failingCheck, onValidationFailure: 'notify' });
      const run = await h.run();
      expect(run.exitCode).toBe(0);
      expect(run.states).toEqual(upTo('building', 'validating', 'notifying', 'switching', 'done'));
      expect(run.stdout).toMatch(
        /warning: validation failed, switching anyway because onValidationFailure is "notify"/,
      );
      expect(await h.heads()).toEqual(h.upstream);
      expect(await h.sandbox.currentSystem()).toMatch(/^results\//);
    });

    it('switches without notifying under "ignore": exit 0', async () => {
      const h = await host({ ...failingCheck, onValidationFailure: 'ignore' });
      const run = await h.run();
      expect(run.exitCode).toBe(0);
      expect(run.states).toEqual(upTo('building', 'validating', 'switching', 'done'));
      expect(run.stdout).toContain(
        'result: upgraded: the new configuration is built and switched although check "sshd enabled" failed (onValidationFailure: ignore)',
      );
      expect(await h.heads()).toEqual(h.upstream);
    });
  });

  it('goes from pulling straight to validating when buildBeforeSwitch is false', async () => {
    const h = await host({ buildBeforeSwitch: false, build: undefined });
    const run = await h.run();
    expect(run.exitCode).toBe(0);
    expect(run.states).toEqual(upTo('validating', 'switching', 'done'));
    expect(run.stdout).not.toContain('[build]');
    expect(await h.heads()).toEqual(h.upstream);
  });

  it('--dry-run prints the plan and changes nothing', async () => {
    const h = await host();
    const refs = async () =>
      Promise.all(
        h.sandbox.repoNames.map((name) =>
          h.sandbox.git(['for-each-ref'], h.sandbox.repoPath(name)),
        ),
      );
    const refsBefore = await refs();
    const run = await h.run('--dry-run');
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('would run build: sh bin/build.sh');
    expect(run.stdout).toContain('would run switch: sh bin/switch.sh');
    expect(run.stdout).toMatch(
      /repo nix-config: [0-9a-f]{12} on main, clean; origin\/main: new: [0-9a-f]{12}/,
    );
    expect(await refs()).toEqual(refsBefore);
    expect(await h.heads()).toEqual(h.saved);
    expect(await exists(join(h.sandbox.dir, 'state'))).toBe(false);
    expect(await exists(join(h.sandbox.dir, 'results'))).toBe(false);
  });

  it('--dry-run says the run would abort on a dirty repo: exit 3', async () => {
    const h = await host();
    await writeFile(join(h.sandbox.repoPath('nix-config'), 'configuration.nix'), 'edit\n');
    const run = await h.run('--dry-run');
    expect(run.exitCode).toBe(3);
    expect(run.stdout).toMatch(/repo nix-config: would abort \(exit 3\): .*uncommitted changes/);
    // It stops where the run would: nothing after the snapshot is planned.
    expect(run.stdout).not.toContain('building:');
  });
});

describe('health checks after the switch', () => {
  it('retries an HTTP check until it answers as expected, then ends upgraded', async () => {
    let calls = 0;
    const server = await startHttpServer((_request, response) => {
      calls += 1;
      response.statusCode = calls < 3 ? 503 : 204;
      response.end();
    });
    try {
      const h = await host({
        healthChecks: [
          {
            name: 'web',
            http: { url: `${server.url}/health`, expectStatus: 204 },
            retries: 3,
            interval: '100ms',
          },
        ],
      });
      const run = await h.run();
      expect(run.exitCode).toBe(0);
      expect(run.states).toEqual(
        upTo('building', 'validating', 'switching', 'healthChecking', 'done'),
      );
      expect(run.stdout).toContain(
        `warning: web: ${server.url}/health answered 503, expected 204; trying again in 100ms`,
      );
      expect(calls).toBe(3);
      expect(await h.heads()).toEqual(h.upstream);
    } finally {
      await server.close();
    }
  });

  it('rolls back the repos and the system when a check keeps failing: exit 4', async () => {
    const h = await host({}, []);
    expect((await h.run('--force')).exitCode).toBe(0);
    const before = await h.sandbox.currentSystem();
    const saved = await h.heads();
    await h.sandbox.pushUpstream('nix-config', 'configuration.nix', '# next\n', 'next');
    await h.sandbox.writeConfig({
      rollbackSwitch: ['sh', 'bin/switch.sh'],
      healthChecks: [
        { name: 'sshd answers', command: 'echo refused; exit 1', retries: 1, interval: '10ms' },
      ],
    });
    const run = await h.run();
    expect(run.exitCode).toBe(4);
    expect(run.states).toEqual(
      upTo(
        'building',
        'validating',
        'switching',
        'healthChecking',
        'rollingBack.resettingRepos',
        'rollingBack.revertingSystem',
        'rolledBack',
      ),
    );
    expect(run.stdout).toContain(
      'cause: health check sshd answers failed after 2 attempts: sshd answers failed with exit code 1',
    );
    expect(await h.heads()).toEqual(saved);
    expect(await h.sandbox.currentSystem()).toBe(before);
  });
});

describe('a commit set that failed', () => {
  it('is not tried again until upstream moves on, unless --force', async () => {
    const h = await host({ build: 'echo "error: broken module" >&2; exit 1' }, ['nix-config']);
    expect((await h.run()).exitCode).toBe(4);

    const again = await h.run();
    expect(again.exitCode).toBe(3);
    expect(again.states).toEqual(upTo('heldBack'));
    expect(again.stdout).toMatch(
      /warning: upstream is at the commits that failed here on \S+ \(building: build failed with exit code 1: .*\): not trying them again until upstream moves on \(--force to try anyway\)/,
    );
    expect(await h.heads()).toEqual(h.saved);

    const forced = await h.run('--force');
    expect(forced.exitCode).toBe(4);
    expect(forced.states).toContain('building');

    // Upstream moves on (the fix), and the build works again: the next run upgrades.
    const fixed = await h.sandbox.pushUpstream(
      'nix-config',
      'configuration.nix',
      '# fixed\n',
      'fix',
    );
    await h.sandbox.writeConfig({});
    const upgraded = await h.run();
    expect(upgraded.exitCode).toBe(0);
    expect(await h.sandbox.head('nix-config')).toBe(fixed);
  });

  it('is not remembered when only the network failed', async () => {
    const h = await host();
    await rm(h.sandbox.remotePath('nix-secrets'), { recursive: true });
    expect((await h.run()).exitCode).toBe(4);
    expect(await exists(join(h.sandbox.dir, 'state', 'rejected-commits.json'))).toBe(false);
  });
});

describe('--skip-validation', () => {
  it('switches without running the checks, says so loudly and records it', async () => {
    const h = await host({ validationChecks: ['echo checked > check-ran; exit 1'] });
    const run = await h.run('--skip-validation');
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain(
      'VALIDATION SKIPPED (--skip-validation): no check was run before the switch',
    );
    expect(await exists(join(h.sandbox.dir, 'check-ran'))).toBe(false);
    expect(await h.heads()).toEqual(h.upstream);
    const history = await runCli(['history', '--config', h.sandbox.configFile, '--json']);
    expect(
      (JSON.parse(history.stdout) as { skippedValidation?: boolean }[])[0]?.skippedValidation,
    ).toBe(true);
  });
});

describe('xs-upgrade rollback', () => {
  it('undoes the last upgrade, system included, and the next run does not pull it again', async () => {
    const h = await host({ rollbackSwitch: ['sh', 'bin/switch.sh'] }, []);
    expect((await h.run('--force')).exitCode).toBe(0);
    const before = { heads: await h.heads(), system: await h.sandbox.currentSystem() };
    await h.sandbox.pushUpstream('nix-config', 'configuration.nix', '# new\n', 'new');
    expect((await h.run()).exitCode).toBe(0);
    expect(await h.heads()).not.toEqual(before.heads);

    const rollback = await runCli(['rollback', '--config', h.sandbox.configFile]);
    expect(rollback.exitCode).toBe(0);
    expect(rollback.stdout).toMatch(
      /result: rolled back by hand: the upgrade of \S+ is undone, every repo is at the commits it had before it, the system too/,
    );
    expect(await h.heads()).toEqual(before.heads);
    expect(await h.sandbox.currentSystem()).toBe(before.system);

    const next = await h.run();
    expect(next.states).toEqual(upTo('heldBack'));
    expect(next.stdout).toContain('rolled back by hand (xs-upgrade rollback)');
    expect(await h.heads()).toEqual(before.heads);
  });

  it('exits 3 and changes nothing when no upgrade is on record', async () => {
    const h = await host();
    const rollback = await runCli(['rollback', '--config', h.sandbox.configFile]);
    expect(rollback.exitCode).toBe(3);
    expect(rollback.stdout).toContain('no upgrade on record');
    expect(await h.heads()).toEqual(h.saved);
  });
});
