// Repos in the states that go wrong on real hosts, each made for real: a shallow clone, a lock
// left by a crashed git, a remote that asks for credentials, a remote that hangs, a repo this
// user cannot read. Each gets a clear error, and nothing is lost.
import { execa } from 'execa';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sandboxGitEnv } from '../../demo/sandbox.js';
import { useSandboxes } from '../support/sandboxes.js';
import { runCli, runCliAsNobody, removeCliForNobody } from '../support/cli.js';
import { startHttpServer } from '../support/httpServer.js';

const use = useSandboxes();
afterAll(removeCliForNobody);

async function host(config: Record<string, unknown> = {}) {
  const sandbox = await use.sandbox(config);
  await sandbox.pushUpstream('nix-config', 'configuration.nix', '# new\n', 'new');
  const saved = {
    config: await sandbox.head('nix-config'),
    secrets: await sandbox.head('nix-secrets'),
  };
  const heads = async () => ({
    config: await sandbox.head('nix-config'),
    secrets: await sandbox.head('nix-secrets'),
  });
  return { sandbox, saved, heads, run: () => runCli(['run', '--config', sandbox.configFile]) };
}

describe('repos in trouble', () => {
  it('a shallow clone: exit 3, says how to unshallow it', async () => {
    const h = await host();
    const secrets = h.sandbox.repoPath('nix-secrets');
    await rm(secrets, { recursive: true });
    await execa(
      'git',
      [
        'clone',
        '--quiet',
        '--depth',
        '1',
        `file://${h.sandbox.remotePath('nix-secrets')}`,
        secrets,
      ],
      { env: sandboxGitEnv },
    );
    const run = await h.run();
    expect(run.exitCode).toBe(3);
    expect(run.stdout).toContain(
      `${secrets} is a shallow clone: run \`git -C ${secrets} fetch --unshallow\``,
    );
    expect(await h.sandbox.head('nix-config')).toBe(h.saved.config);
  });

  it('a lock file left by a crashed git: exit 3 before anything moves', async () => {
    const h = await host();
    const lock = join(h.sandbox.repoPath('nix-config'), '.git', 'index.lock');
    await writeFile(lock, '');
    const run = await h.run();
    expect(run.exitCode).toBe(3);
    expect(run.stdout).toContain(
      `a git lock file is left at ${lock} (a git command crashed, or one is running)`,
    );
    expect(await h.heads()).toEqual(h.saved);
  });

  it('a remote that asks for credentials fails at once, without a prompt or retries', async () => {
    const server = await startHttpServer((_request, response) => {
      response.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"' });
      response.end();
    });
    use.cleanup(server.close);
    const h = await host();
    await h.sandbox.git(
      ['remote', 'set-url', 'origin', `${server.url}/nix-secrets.git`],
      h.sandbox.repoPath('nix-secrets'),
    );
    const run = await h.run();
    expect(run.exitCode).toBe(4);
    expect(run.stdout).toMatch(/cause: .*cannot fetch origin\/main: .*terminal prompts disabled/);
    expect(run.stdout).toContain(
      'next: the remote asks for credentials: give this host a key or token it can use without a prompt',
    );
    expect(run.stdout).not.toContain('fetching again');
    expect(await h.heads()).toEqual(h.saved);
  });

  it('a remote that hangs is stopped after fetchTimeout and retried, then fails for now (75)', async () => {
    const server = await startHttpServer(() => undefined);
    use.cleanup(server.close);
    const h = await host({ fetchTimeout: '1s', fetchRetries: 1 });
    await h.sandbox.git(
      ['remote', 'set-url', 'origin', `${server.url}/nix-secrets.git`],
      h.sandbox.repoPath('nix-secrets'),
    );
    const started = performance.now();
    const run = await h.run();
    // The network, not the commits: temporary, nothing moved, no rollback needed.
    expect(run.exitCode).toBe(75);
    expect(run.states.at(-1)).toBe('fetchFailed');
    expect(run.stdout).toContain(
      'warning: repo "nix-secrets": no answer from origin within 1.0s; fetching again in 2.0s',
    );
    expect(run.stdout).toContain(
      'cannot fetch origin/main: no answer from origin within 1.0s (tried 2 times)',
    );
    expect(run.stdout).toContain('result: fetch failed (temporary): nothing was moved');
    expect(server.requests.length).toBe(2);
    expect(performance.now() - started).toBeLessThan(20_000);
    expect(await h.heads()).toEqual(h.saved);
  });

  it('a repo this user cannot read: exit 78 naming it (run as nobody)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'xs-upgrade-perm-'));
    use.cleanup(() => rm(dir, { recursive: true, force: true }));
    await chmod(dir, 0o755);
    const repo = join(dir, 'nix-config');
    await mkdir(join(repo, '.git'), { recursive: true });
    await chmod(repo, 0o700);
    const config = join(dir, 'host.json');
    await writeFile(
      config,
      JSON.stringify({
        repos: [{ name: 'nix-config', path: repo }],
        build: 'true',
        switch: 'true',
      }),
    );
    await chmod(config, 0o644);
    const run = await runCliAsNobody(['validate', '--config', config]);
    expect(run.exitCode).toBe(78);
    expect(run.stderr).toContain(`/repos/0/path: ${repo} cannot be read by this user (EACCES)`);
  });
});
