// The repo steps (snapshot, pull, reset) on real git repos with bare remotes, called directly: the
// end-to-end suite runs them through the built CLI, which mutation testing cannot reach, so these
// pin what each step does and says (docs/testing.md).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sandboxGitEnv, type Sandbox } from '../../demo/sandbox.js';
import {
  forEachRepo,
  gitEnvironment,
  gitMessage,
  GitStepError,
  type GitDeps,
} from '../../src/actors/git.js';
import { pullRepos, PullError, type PullDeps } from '../../src/actors/pullRepos.js';
import { resetRepos } from '../../src/actors/resetRepos.js';
import { savedCommitsFile, snapshotRepo, snapshotRepos } from '../../src/actors/snapshotRepos.js';
import type { RepoSpec } from '../../src/config/resolve.js';
import type { SavedCommit } from '../../src/machine/types.js';
import { startHttpServer } from '../support/httpServer.js';
import { memoryLog } from '../support/memoryLog.js';
import { rejectionOf } from '../support/rejection.js';
import { useSandboxes } from '../support/sandboxes.js';
import { pushSigned, signingKeys, type SigningKey } from '../support/signedCommits.js';

const sandboxes = useSandboxes();
const sandbox = (...args: Parameters<typeof sandboxes.sandbox>) => sandboxes.sandbox(...args);

const deps = (): GitDeps => ({
  env: { ...process.env, ...sandboxGitEnv },
  signal: new AbortController().signal,
});

/** The step's failure: one error naming every repo that failed (the test fails if it succeeds). */
const failureOf = (step: Promise<unknown>) => rejectionOf(step, GitStepError);

function specs(host: Sandbox): RepoSpec[] {
  return host.repoNames.map((name) => ({
    name,
    path: host.repoPath(name),
    remote: 'origin',
    branch: 'main',
  }));
}

function specOf(host: Sandbox, name = 'nix-config'): RepoSpec {
  return { name, path: host.repoPath(name), remote: 'origin', branch: 'main' };
}

async function saved(host: Sandbox): Promise<SavedCommit[]> {
  return Promise.all(
    host.repoNames.map(async (name) => ({
      repo: name,
      branch: 'main',
      commit: await host.head(name),
    })),
  );
}

describe('snapshotRepos', () => {
  it('saves every repo on its branch, on disk before it answers', async () => {
    const host = await sandbox();
    const stateDir = join(host.dir, 'state');
    await mkdir(stateDir);
    const snapshot = await snapshotRepos(specs(host), stateDir, {
      ...deps(),
      configFile: host.configFile,
    });
    expect(snapshot).toEqual({ commits: await saved(host) });
    const record = JSON.parse(await readFile(join(stateDir, savedCommitsFile), 'utf8')) as {
      config: string;
      repos: SavedCommit[];
      savedAt: string;
    };
    expect(record.config).toBe(host.configFile);
    expect(record.repos).toEqual(await saved(host));
    expect(Date.now() - Date.parse(record.savedAt)).toBeLessThan(60_000);
  });

  it('says which state dir it could not write, and why', async () => {
    const host = await sandbox();
    const notAFolder = join(host.dir, 'host.json', 'state');
    await expect(
      snapshotRepos(specs(host), notAFolder, { ...deps(), configFile: host.configFile }),
    ).rejects.toThrow(
      `cannot write the state dir ${notAFolder}: a part of the path is not a folder: fix it, or set "stateDir" to a writable folder`,
    );
  });

  it('refuses tracked changes, untracked files, or both, naming the fix for each', async () => {
    const host = await sandbox();
    const repo = specOf(host);
    await writeFile(join(repo.path, 'configuration.nix'), 'edited\n');
    await expect(snapshotRepo(repo, deps())).rejects.toThrow(
      `${repo.path} has uncommitted changes (M configuration.nix): commit or stash them; nothing was changed`,
    );
    await writeFile(join(repo.path, 'new.txt'), 'new\n');
    await expect(snapshotRepo(repo, deps())).rejects.toThrow(
      `${repo.path} has uncommitted changes and untracked files (M configuration.nix, ?? new.txt): commit them, or stash them with \`git -C ${repo.path} stash --include-untracked\`; nothing was changed`,
    );
    await host.git(['checkout', '--', 'configuration.nix'], repo.path);
    await expect(snapshotRepo(repo, deps())).rejects.toThrow(
      `${repo.path} has untracked files (?? new.txt): commit them, delete them, or list them in .gitignore; nothing was changed`,
    );
  });

  it('lists ten dirty files and counts the rest', async () => {
    const host = await sandbox();
    const repo = specOf(host);
    const names = Array.from({ length: 12 }, (_, index) => `f${String(index).padStart(2, '0')}`);
    await Promise.all(names.map((name) => writeFile(join(repo.path, name), name)));
    const listed = names
      .slice(0, 10)
      .map((name) => `?? ${name}`)
      .join(', ');
    await expect(snapshotRepo(repo, deps())).rejects.toThrow(`(${listed} and 2 more)`);
  });

  it('refuses a detached HEAD, another branch, a lock file and a shallow clone', async () => {
    const host = await sandbox();
    const repo = specOf(host);
    const head = await host.head('nix-config');
    await host.git(['checkout', '--quiet', '--detach'], repo.path);
    await expect(snapshotRepo(repo, deps())).rejects.toThrow(
      `HEAD is detached at ${head.slice(0, 12)} in ${repo.path}: run \`git -C ${repo.path} switch main\``,
    );
    await host.git(['checkout', '--quiet', '-b', 'local'], repo.path);
    await expect(snapshotRepo(repo, deps())).rejects.toThrow(
      `${repo.path} is on branch "local", the config says "main": run \`git -C ${repo.path} switch main\` or set "branch"`,
    );
    await host.git(['checkout', '--quiet', 'main'], repo.path);
    const lock = join(repo.path, '.git', 'index.lock');
    await writeFile(lock, '');
    await expect(snapshotRepo(repo, deps())).rejects.toThrow(
      `a git lock file is left at ${lock} (a git command crashed, or one is running): if no git command runs there, delete it`,
    );
    const shallow = join(host.dir, 'shallow');
    await host.git(
      ['clone', '--quiet', '--depth', '1', `file://${host.remotePath('nix-config')}`, shallow],
      host.dir,
    );
    await expect(snapshotRepo({ ...repo, path: shallow }, deps())).rejects.toThrow(
      `${shallow} is a shallow clone: run \`git -C ${shallow} fetch --unshallow\``,
    );
  });

  it('refuses a repo without a commit, and names every repo that failed', async () => {
    const host = await sandbox();
    const empty = join(host.dir, 'empty');
    await host.git(['init', '--quiet', '--initial-branch=main', empty], host.dir);
    await expect(snapshotRepo({ ...specOf(host), path: empty }, deps())).rejects.toThrow(
      `${empty} has no commit checked out: commit or check out branch "main"`,
    );
    const [config, secrets] = specs(host);
    const failing = [
      { ...config!, path: empty },
      { ...secrets!, branch: 'other' },
    ];
    const error = await failureOf(
      snapshotRepos(failing, host.dir, {
        ...deps(),
        configFile: host.configFile,
      }),
    );
    expect(error).toBeInstanceOf(GitStepError);
    expect((error as Error).message).toMatch(
      /^repo "nix-config": .* has no commit checked out.*; repo "nix-secrets": .* is on branch "main", the config says "other"/,
    );
  });
});

describe('pullRepos', () => {
  const pullDeps = (overrides: Partial<PullDeps> = {}) => {
    const log = memoryLog();
    return { log, deps: { ...deps(), log, fetchRetries: 0, ...overrides } satisfies PullDeps };
  };

  it('fast-forwards a repo that is behind and leaves one with nothing new as it is', async () => {
    const host = await sandbox();
    const before = await saved(host);
    const next = await host.pushUpstream('nix-config', 'configuration.nix', 'new\n', 'new');
    const { log, deps: pull } = pullDeps();
    const outcome = await pullRepos(specs(host), before, pull);
    expect(outcome).toEqual({
      repos: [
        { repo: 'nix-config', from: before[0]?.commit, to: next },
        { repo: 'nix-secrets', from: before[1]?.commit, to: before[1]?.commit },
      ],
    });
    expect(await host.head('nix-config')).toBe(next);
    expect(log.lines).toEqual([
      `repo "nix-config": ${before[0]?.commit.slice(0, 12)} -> ${next.slice(0, 12)}`,
    ]);
  });

  it('keeps a local branch that is ahead, and refuses one that diverged', async () => {
    const host = await sandbox();
    const repo = specOf(host);
    await writeFile(join(repo.path, 'local.txt'), 'local\n');
    await host.git(['add', '.'], repo.path);
    await host.git(['commit', '--quiet', '--no-gpg-sign', '-m', 'local'], repo.path);
    const ahead = await host.head('nix-config');
    const { log, deps: pull } = pullDeps();
    const commits = [{ repo: 'nix-config', branch: 'main', commit: ahead }];
    expect(await pullRepos([repo], commits, pull)).toEqual({
      repos: [{ repo: 'nix-config', from: ahead, to: ahead }],
    });
    expect(log.lines).toEqual([
      'warning: repo "nix-config": local main is ahead of origin/main; keeping it as it is',
    ]);

    await host.pushUpstream('nix-config', 'configuration.nix', 'upstream\n', 'upstream');
    const error = await failureOf(pullRepos([repo], commits, pull));
    expect((error as Error).message).toBe(
      'repo "nix-config": main and origin/main have diverged (a force-push, or local commits): nothing was merged',
    );
    expect(error.next).toBe(
      `reconcile repo "nix-config" by hand (\`git -C ${repo.path} log --oneline --left-right main...origin/main\`); the next run fails the same way until then`,
    );
    expect(error.temporary).toBe(false);
    expect(await host.head('nix-config')).toBe(ahead);
  });

  it('names a branch the remote does not have, without trying again', async () => {
    const host = await sandbox();
    const repo = { ...specOf(host), branch: 'nope' };
    const { log, deps: pull } = pullDeps({ fetchRetries: 2, fetchRetryBaseMs: 1 });
    const error = await failureOf(pullRepos([repo], await saved(host), pull));
    expect((error as Error).message).toMatch(
      /^repo "nix-config": cannot fetch origin\/nope: fatal: couldn't find remote ref/,
    );
    expect(error.next).toBe(
      `check that origin is the right remote and that branch "nope" exists there (\`git -C ${repo.path} ls-remote --heads origin\`)`,
    );
    expect(error.temporary).toBe(false);
    expect(log.lines).toEqual([]);
  });

  it('tries an unreachable remote again with a growing pause, then says it was the network', async () => {
    const host = await sandbox();
    const repo = { ...specOf(host), remote: 'unreachable' };
    // Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    await host.git(
      ['remote', 'add', 'unreachable', 'http://127.0.0.1:9/nix-config.git'],
      repo.path,
    );
    const { log, deps: pull } = pullDeps({ fetchRetries: 2, fetchRetryBaseMs: 5 });
    const before = await saved(host);
    const error = await failureOf(pullRepos([repo], before, pull));
    expect(error).toBeInstanceOf(GitStepError);
    expect((error as Error).message).toMatch(
      /^repo "nix-config": cannot fetch unreachable\/main: .*(connect|refused).* \(tried 3 times\); nothing was moved$/i,
    );
    expect(error.temporary).toBe(true);
    expect(error.next).toMatch(/^nothing to fix on this host/);
    expect(log.lines).toHaveLength(2);
    expect(log.lines[0]).toMatch(/^warning: repo "nix-config": .*; fetching again in 5ms$/);
    expect(log.lines[1]).toMatch(/; fetching again in 10ms$/);
    expect(await host.head('nix-config')).toBe(before[0]?.commit);
  });

  it('says the remote wants credentials, without trying again, when it answers 401', async () => {
    const host = await sandbox();
    const server = await startHttpServer((_request, response) => {
      response.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"' });
      response.end();
    });
    sandboxes.cleanup(() => server.close());
    const repo = { ...specOf(host), remote: 'private' };
    await host.git(['remote', 'add', 'private', `${server.url}/private.git`], repo.path);
    const { log, deps: pull } = pullDeps({ fetchRetries: 2, fetchRetryBaseMs: 1 });
    const error = await failureOf(pullRepos([repo], await saved(host), pull));
    expect(error.message).toMatch(/terminal prompts disabled|authentication failed/i);
    expect(error.next).toBe(
      'the remote asks for credentials: give this host a key or token it can use without a prompt',
    );
    expect(error.temporary).toBe(false);
    expect(log.lines).toEqual([]);
    expect(server.requests).toHaveLength(1);
  });

  it('holds back upstream at a commit set that failed before, unless forced', async () => {
    const host = await sandbox();
    const before = await saved(host);
    const next = await host.pushUpstream('nix-config', 'configuration.nix', 'bad\n', 'bad');
    const rejected = [
      {
        commits: { 'nix-config': next, 'nix-secrets': before[1]?.commit ?? '' },
        at: '2026-11-26T04:00:00.000Z',
        reason: 'build failed',
      },
    ];
    const { log, deps: pull } = pullDeps({ rejected });
    const outcome = await pullRepos(specs(host), before, pull);
    expect(outcome.heldBack).toEqual({
      commits: rejected[0]?.commits,
      at: rejected[0]?.at,
      reason: 'build failed',
    });
    expect(outcome.repos.map((entry) => entry.to)).toEqual(before.map((entry) => entry.commit));
    expect(log.lines).toEqual([
      'warning: upstream is at the commits that failed here on 2026-11-26T04:00:00.000Z (build failed): not trying them again until upstream moves on (--force to try anyway)',
    ]);
    expect(await host.head('nix-config')).toBe(before[0]?.commit);

    const forced = await pullRepos(specs(host), before, { ...pull, force: true });
    expect(forced.heldBack).toBeUndefined();
    expect(await host.head('nix-config')).toBe(next);
  });

  it('refuses a repo the snapshot did not save, and stops when the run is interrupted', async () => {
    const host = await sandbox();
    const { deps: pull } = pullDeps();
    await expect(pullRepos(specs(host), [], pull)).rejects.toThrow(
      'repo "nix-config": has no saved commit: the snapshot is missing it',
    );
    const stop = new AbortController();
    stop.abort();
    await expect(
      pullRepos(specs(host), await saved(host), { ...pull, signal: stop.signal }),
    ).rejects.toThrow('repo "nix-config": fetch stopped: the run was interrupted');
  });

  it('takes what the fleet allows, and holds back when it says so', async () => {
    const host = await sandbox();
    const before = await saved(host);
    const first = await host.pushUpstream('nix-config', 'configuration.nix', 'one\n', 'one');
    await host.pushUpstream('nix-config', 'configuration.nix', 'two\n', 'two');
    const { deps: pull } = pullDeps({
      gate: () => Promise.resolve({ targets: { 'nix-config': first } }),
    });
    const outcome = await pullRepos(specs(host), before, pull);
    expect(outcome.repos[0]).toEqual({ repo: 'nix-config', from: before[0]?.commit, to: first });
    expect(outcome.repos[1]?.to).toBe(before[1]?.commit);
    expect(await host.head('nix-config')).toBe(first);
  });
});

describe('pullRepos: only signed commits, when asked', () => {
  /** A host whose nix-config must be signed by the "release" key (real ssh-keygen keys). */
  async function signingHost() {
    const host = await sandbox();
    const { keys, allowedSigners: signers } = await signingKeys(host.dir);
    const repo: RepoSpec = { ...specOf(host), allowedSignersFile: signers };
    const push = (key: SigningKey | undefined, content: string) =>
      pushSigned(host, keys, key, content);
    const log = memoryLog();
    const pull = { ...deps(), log, fetchRetries: 0 } satisfies PullDeps;
    return { host, repo, signers, push, pull, before: await saved(host) };
  }

  it.each([
    [undefined, 'not signed'],
    ['stranger', 'signed by a key that is not in the file'],
  ] as const)(
    'refuses a new commit signed by %s (none: unsigned), and moves nothing',
    async (key, says) => {
      const { host, repo, signers, push, pull, before } = await signingHost();
      const tip = await push(key, '# tampered\n');
      const error = await failureOf(pullRepos([repo], before.slice(0, 1), pull));
      expect(error.message).toBe(
        `repo "nix-config": commit ${tip.slice(0, 12)} on origin/main is ${says} (allowed signers: ${signers}): nothing was pulled; sign it with an allowed key, or add the key to the file`,
      );
      expect(await host.head('nix-config')).toBe(before[0]?.commit);
    },
  );

  it('pulls a commit signed by an allowed key; nothing new needs no signature', async () => {
    const { host, repo, push, pull, before } = await signingHost();
    // Upstream unchanged: no commit to check, nothing to refuse.
    expect(await pullRepos([repo], before.slice(0, 1), pull)).toEqual({
      repos: [{ repo: 'nix-config', from: before[0]?.commit, to: before[0]?.commit }],
    });
    const tip = await push('release', '# release\n');
    expect(await pullRepos([repo], before.slice(0, 1), pull)).toEqual({
      repos: [{ repo: 'nix-config', from: before[0]?.commit, to: tip }],
    });
    expect(await host.head('nix-config')).toBe(tip);
  });
});

describe('resetRepos', () => {
  it('puts every repo back on its saved commit and branch, stashing edits made during the run', async () => {
    const host = await sandbox();
    const before = await saved(host);
    const repo = specOf(host);
    await host.pushUpstream('nix-config', 'configuration.nix', 'new\n', 'new');
    await host.git(['pull', '--quiet', '--ff-only'], repo.path);
    await host.git(['checkout', '--quiet', '-b', 'elsewhere'], repo.path);
    await writeFile(join(repo.path, 'configuration.nix'), 'edited during the run\n');
    const log = memoryLog();
    await resetRepos(specs(host), [...before, { repo: 'unknown', branch: 'main', commit: 'c' }], {
      ...deps(),
      log,
    });
    expect(await host.head('nix-config')).toBe(before[0]?.commit);
    expect(await host.git(['symbolic-ref', '--short', 'HEAD'], repo.path)).toBe('main');
    expect(log.lines).toEqual([
      `warning: repo "nix-config": files changed during the run were stashed (\`git -C ${repo.path} stash list\`)`,
    ]);
    const stash = await host.git(['stash', 'show', '-p', 'stash@{0}'], repo.path);
    expect(stash).toContain('+edited during the run');
    expect(await host.git(['stash', 'list'], repo.path)).toMatch(/xs-upgrade rollback \d{4}-/);
  });

  it('says which commit it could not return to, and the commands that would', async () => {
    const host = await sandbox();
    const repo = specOf(host);
    const missing = 'f'.repeat(40);
    await expect(
      resetRepos([repo], [{ repo: 'nix-config', branch: 'main', commit: missing }], {
        ...deps(),
        log: memoryLog(),
      }),
    ).rejects.toThrow(
      new RegExp(
        `^repo "nix-config": could not return to ffffffffffff \\(fatal: .*\\): run \`git -C ${repo.path} checkout main && git -C ${repo.path} reset --hard ${missing}\`$`,
      ),
    );
  });
});

describe('git', () => {
  it('passes the variables an operator sets on purpose and drops the rest', () => {
    const env = gitEnvironment({
      PATH: '/bin',
      GIT_DIR: '/elsewhere',
      GIT_SSL_CAINFO: '/ca.pem',
      git_ssl_cainfo: '/lower.pem',
      EDITOR: 'vi',
      GIT_TERMINAL_PROMPT: '1',
      UNSET: undefined,
    });
    expect(env).toEqual({
      PATH: '/bin',
      GIT_SSL_CAINFO: '/ca.pem',
      GIT_TERMINAL_PROMPT: '0',
      GIT_SSH_COMMAND: 'ssh -o BatchMode=yes',
    });
    expect(gitEnvironment({ GIT_SSH: '/my-ssh' })).toEqual({
      GIT_SSH: '/my-ssh',
      GIT_TERMINAL_PROMPT: '0',
    });
    expect(gitEnvironment({ GIT_SSH_COMMAND: 'ssh -i key' }).GIT_SSH_COMMAND).toBe('ssh -i key');
  });

  it("shows git's own fatal or error line, else the first line", () => {
    expect(gitMessage(new Error('Cloning...\n  fatal: no such remote\nmore'))).toBe(
      'fatal: no such remote',
    );
    expect(gitMessage(new Error('\n error: cannot lock ref\n'))).toBe('error: cannot lock ref');
    expect(gitMessage('  first\nsecond')).toBe('first');
    expect(gitMessage(new Error('\n\n'))).toBe('git failed');
  });

  it('waits for every repo and carries what to do, temporary only when every failure is', async () => {
    const finished: string[] = [];
    const repos = [{ name: 'a' }, { name: 'b' }, { name: 'c' }];
    const error = await failureOf(
      forEachRepo(repos, async (repo) => {
        await new Promise((resolve) => setTimeout(resolve, repo.name === 'c' ? 20 : 0));
        finished.push(repo.name);
        if (repo.name === 'a') throw new PullError('down', 'try later', true);
        if (repo.name === 'b') throw new PullError('gone', 'fix it', false);
        return repo.name;
      }),
    );
    expect(finished.sort()).toEqual(['a', 'b', 'c']);
    expect(error.message).toBe('repo "a": down; repo "b": gone');
    expect(error.next).toBe('try later; fix it');
    expect(error.temporary).toBe(false);
    const temporary = await failureOf(
      forEachRepo(repos.slice(0, 1), () => Promise.reject(new PullError('down', 'later', true))),
    );
    expect(temporary.temporary).toBe(true);
    const plain = await failureOf(
      forEachRepo(repos.slice(0, 1), () => Promise.reject(new Error('x'))),
    );
    expect(plain.next).toBeUndefined();
    expect(await forEachRepo(repos, (repo) => Promise.resolve(repo.name))).toEqual(['a', 'b', 'c']);
  });
});
