// Hardening, done for real: files other users could change (as root), commits that must be signed
// (real SSH signatures), and secrets that must never be written anywhere.
import { chmod, chown, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useSandboxes } from '../support/sandboxes.js';
import { runCli } from '../support/cli.js';
import { startHttpServer } from '../support/httpServer.js';
import { pushSigned, signingKeys, type SigningKey } from '../support/signedCommits.js';

const use = useSandboxes();

const sandboxHost = (config: Record<string, unknown> = {}) => use.sandbox(config);

async function allText(dir: string): Promise<string> {
  const texts: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) texts.push(await readFile(join(entry.parentPath, entry.name), 'utf8'));
  }
  return texts.join('\n');
}

describe('as root, a config others could change is refused (exit 78)', () => {
  it('the config file itself', async () => {
    const sandbox = await sandboxHost();
    await chmod(sandbox.configFile, 0o666);
    const run = await runCli(['run', '--config', sandbox.configFile]);
    expect(run.exitCode).toBe(78);
    expect(run.stderr).toContain(
      `the config file: ${sandbox.configFile} can be changed by other users (writable by everyone), and the config runs as root: \`chown root ${sandbox.configFile} && chmod go-w ${sandbox.configFile}\``,
    );
    expect(run.states).toEqual([]);
  });

  it('a script a command runs', async () => {
    const sandbox = await sandboxHost();
    const script = join(sandbox.dir, 'bin', 'build.sh');
    await chown(script, 0, 100);
    await chmod(script, 0o775);
    const run = await runCli(['validate', '--config', sandbox.configFile]);
    expect(run.exitCode).toBe(78);
    expect(run.stderr).toContain(
      `/build: ${script} can be changed by other users (writable by group 100)`,
    );
  });

  it("a repo's hooks folder, whose hooks git runs as root", async () => {
    const sandbox = await sandboxHost();
    const hooks = join(sandbox.repoPath('nix-secrets'), '.git', 'hooks');
    await chown(hooks, 65534, 65534);
    const run = await runCli(['validate', '--config', sandbox.configFile]);
    expect(run.exitCode).toBe(78);
    expect(run.stderr).toContain(
      `/repos/1/path: ${hooks} can be changed by other users (owned by uid 65534)`,
    );
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a hook git would run, but not a sample it never runs', async () => {
    const sandbox = await sandboxHost();
    const hooks = join(sandbox.repoPath('nix-config'), '.git', 'hooks');
    const sample = join(hooks, 'pre-merge-commit.sample');
    await writeFile(sample, '#!/bin/sh\n');
    await chmod(sample, 0o777);
    expect((await runCli(['validate', '--config', sandbox.configFile])).exitCode).toBe(0);
    const hook = join(hooks, 'post-merge');
    await writeFile(hook, '#!/bin/sh\n');
    await chmod(hook, 0o777);
    const run = await runCli(['validate', '--config', sandbox.configFile]);
    expect(run.exitCode).toBe(78);
    expect(run.stderr).toContain(
      `/repos/0/path: ${hook} can be changed by other users (writable by everyone)`,
    );
  });
});

describe('requireSignedCommits', () => {
  async function signingHost() {
    const sandbox = await sandboxHost();
    const { keys } = await signingKeys(sandbox.dir);
    const base = JSON.parse(await readFile(sandbox.configFile, 'utf8')) as {
      repos: Record<string, unknown>[];
    };
    const repos = base.repos.map((repo) =>
      repo.name === 'nix-config'
        ? { ...repo, requireSignedCommits: true, allowedSignersFile: 'allowed_signers' }
        : repo,
    );
    await sandbox.writeConfig({ repos });
    const saved = {
      config: await sandbox.head('nix-config'),
      secrets: await sandbox.head('nix-secrets'),
    };
    const push = (key: SigningKey | undefined, content: string) =>
      pushSigned(sandbox, keys, key, content);
    await sandbox.pushUpstream('nix-secrets', 'secrets.yaml', 'new: secret\n', 'new secret');
    return { sandbox, saved, pushSigned: push };
  }

  it.each([
    [undefined, 'not signed'],
    ['stranger', 'signed by a key that is not in the file'],
  ] as const)('refuses a new commit signed by %s: exit 4, nothing pulled', async (key, says) => {
    const { sandbox, saved, pushSigned } = await signingHost();
    await pushSigned(key, '# tampered\n');
    const run = await runCli(['run', '--config', sandbox.configFile]);
    expect(run.exitCode).toBe(4);
    expect(run.stdout).toMatch(
      new RegExp(
        `commit [0-9a-f]{12} on origin/main is ${says} \\(allowed signers: .*allowed_signers\\): nothing was pulled`,
      ),
    );
    expect(run.states).not.toContain('building');
    // Not even the repo that needs no signature moved.
    expect({
      config: await sandbox.head('nix-config'),
      secrets: await sandbox.head('nix-secrets'),
    }).toEqual(saved);
  });

  it('pulls a commit signed by an allowed key', async () => {
    const { sandbox, pushSigned } = await signingHost();
    await pushSigned('release', '# release\n');
    const run = await runCli(['run', '--config', sandbox.configFile]);
    expect(run.exitCode).toBe(0);
    expect(await sandbox.head('nix-config')).toBe(await sandbox.remoteHead('nix-config'));
  });
});

describe('secrets the config marks', () => {
  it('never appear in the log, run records, --dry-run or --inspect output', async () => {
    const server = await startHttpServer();
    use.cleanup(server.close);
    const envSecret = 'tok-env-7f3a9c';
    const headerSecret = 'hdr-b81e44d0';
    const urlSecret = 'url-5c2d9e1f';
    const sandbox = await sandboxHost({
      build: {
        run: `echo "using token $API_TOKEN"; echo "header ${'$'}HDR"; exit 1`,
        env: { HDR: headerSecret },
        secretEnv: { API_TOKEN: envSecret },
      },
      notify: [
        {
          webhook: {
            url: `${server.url}/hook/${urlSecret}?key=${urlSecret}`,
            headers: { 'X-Token': headerSecret },
          },
          on: ['failure'],
        },
      ],
    });
    await sandbox.pushUpstream('nix-config', 'configuration.nix', '# new\n', 'new');
    const inspectLog = join(sandbox.dir, 'inspect.jsonl');
    const run = await runCli(['run', '--config', sandbox.configFile, '--inspect-log', inspectLog]);
    expect(run.exitCode).toBe(4);
    expect(run.stdout).toContain('[build] using token ***');
    expect(server.requests[0]?.headers['x-token']).toBe(headerSecret);
    const dryRun = await runCli(['run', '--config', sandbox.configFile, '--dry-run']);
    const written = [
      run.stdout,
      run.stderr,
      dryRun.stdout,
      await allText(join(sandbox.dir, 'state')),
      await readFile(inspectLog, 'utf8'),
    ].join('\n');
    expect(written).toContain('***');
    for (const secret of [envSecret, headerSecret, urlSecret])
      expect(written).not.toContain(secret);
  });
});
