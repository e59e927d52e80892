// The one way the actors talk to git: simple-git on a repo, with the environment we mean to give
// it. simple-git refuses to pass GIT_* and a few other variables (EDITOR, PAGER, SSH_ASKPASS...)
// unless each is allowed. We pass on the few an operator sets on purpose (how to reach the remote,
// which CA or config to use) and drop the rest, above all those that would point git at another
// repository (GIT_DIR, GIT_WORK_TREE) or start a program (GIT_EDITOR, GIT_PAGER).
import { resolve } from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';

/** Variables passed to git, with the simple-git safety switch each one needs, if any. */
const passedGitEnvironment: Record<
  string,
  'allowUnsafeSshCommand' | 'allowUnsafeConfigPaths' | null
> = {
  GIT_TERMINAL_PROMPT: null,
  GIT_SSH: 'allowUnsafeSshCommand',
  GIT_SSH_COMMAND: 'allowUnsafeSshCommand',
  GIT_CONFIG_GLOBAL: 'allowUnsafeConfigPaths',
  GIT_CONFIG_NOSYSTEM: null,
  GIT_SSL_CAINFO: null,
  GIT_SSL_CAPATH: null,
  GIT_HTTP_PROXY: null,
  GIT_AUTHOR_NAME: null,
  GIT_AUTHOR_EMAIL: null,
  GIT_COMMITTER_NAME: null,
  GIT_COMMITTER_EMAIL: null,
};
/** Guarded by simple-git without a GIT_ prefix; meaningless to the non-interactive git we run. */
const droppedVariables = new Set(['EDITOR', 'VISUAL', 'PAGER', 'PREFIX', 'SSH_ASKPASS']);

/**
 * simple-git waits 50 ms more after a git process that printed nothing (its completion plugin
 * cannot tell a quick silent exit from output still on its way). A run's quiet commands on a
 * healthy host (a clean `status`, a `fetch --quiet`, a `merge --quiet`) cost 150 ms of a 450 ms
 * run that way, so the commands a run depends on are asked to say something instead: `status
 * --branch` (its `##` line), `fetch --verbose`, `merge --no-stat`, `reset` and `checkout` without
 * `--quiet`. The callers ignore what they print.
 */
export const statusHeader = '## ';

/** No single git command may block a run forever (a hung remote, a stuck lock). */
const gitBlockTimeoutMs = 5 * 60_000;

export interface GitDeps {
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  /** How many repos' git steps run at once (`gitConcurrency`, default 8). */
  gitConcurrency?: number;
}

/** A host with hundreds of repos must not start hundreds of git processes at once. */
export const defaultGitConcurrency = 8;

/** The environment git gets: the run's, without what simple-git would refuse or we do not want. */
export function gitEnvironment(env: NodeJS.ProcessEnv): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) continue;
    const upper = key.toUpperCase();
    if (droppedVariables.has(upper)) continue;
    if (upper.startsWith('GIT_') && !(upper in passedGitEnvironment && upper === key)) continue;
    kept[key] = value;
  }
  // Nobody is at the terminal at 4 a.m.: a remote asking for a password must fail, not wait.
  kept.GIT_TERMINAL_PROMPT = '0';
  // Likewise ssh: no password or host-key prompt, unless the operator chose their own ssh command.
  if (kept.GIT_SSH_COMMAND === undefined && kept.GIT_SSH === undefined) {
    kept.GIT_SSH_COMMAND = 'ssh -o BatchMode=yes';
  }
  return kept;
}

export function gitAt(path: string, deps: GitDeps): SimpleGit {
  const env = gitEnvironment(deps.env);
  const passed = Object.keys(env).filter((key) => key in passedGitEnvironment);
  const unsafe = Object.fromEntries(
    passed.flatMap((key) => {
      const flag = passedGitEnvironment[key];
      return flag ? [[flag, true]] : [];
    }),
  );
  return simpleGit({
    baseDir: path,
    abort: deps.signal,
    allowEnvironment: passed,
    // Set on the command line, so no config file can say otherwise: no fsmonitor program ever
    // runs, and hooks run only from the repo's own .git/hooks, which checkOwnership checks.
    unsafe: { ...unsafe, allowUnsafeFsMonitor: true, allowUnsafeHooksPath: true },
    config: ['core.fsmonitor=false', `core.hooksPath=${resolve(path, '.git', 'hooks')}`],
    timeout: { block: gitBlockTimeoutMs },
  }).env(env);
}

/** The first line git printed for a failure, without simple-git's wrapping. */
export function gitMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  return lines.find((line) => /^(fatal|error):/.test(line)) ?? lines[0] ?? 'git failed';
}

/** A git step failed for one or more repos; the message names each repo and what to do. */
export class GitStepError extends Error {
  constructor(
    message: string,
    /** What to do, when the failed steps said (see toFailure). */
    readonly next?: string,
    /** Every failure was a passing one (the network): nothing to fix, try later. */
    readonly temporary = false,
  ) {
    super(message);
    this.name = 'GitStepError';
  }
}

/**
 * Runs `step` for every repo (up to `limit` at once) and waits for all of them, so one repo's
 * failure never leaves another's step half-done; then throws one error naming every repo that
 * failed.
 */
export async function forEachRepo<Repo extends { name: string }, Result>(
  repos: Repo[],
  step: (repo: Repo) => Promise<Result>,
  limit = defaultGitConcurrency,
): Promise<Result[]> {
  // At most `limit` steps at once, each started as soon as one ends. `async`: a step that throws
  // before its first await is one repo's failure like any other, not an exception that skips the
  // other repos' steps and loses the repo's name.
  const settled: PromiseSettledResult<Result>[] = [];
  let next = 0;
  const worker = async () => {
    while (next < repos.length) {
      const index = next;
      next += 1;
      const repo = repos[index] as Repo;
      settled[index] = await (async () => step(repo))().then(
        (value): PromiseFulfilledResult<Result> => ({ status: 'fulfilled', value }),
        (reason: unknown): PromiseRejectedResult => ({ status: 'rejected', reason }),
      );
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, repos.length)) }, worker));
  const reasons = settled.flatMap((outcome, index) =>
    outcome.status === 'rejected'
      ? [{ repo: repos[index]?.name ?? '?', reason: outcome.reason as unknown }]
      : [],
  );
  if (reasons.length > 0) {
    const carried = reasons.map(
      ({ reason }) => (reason ?? {}) as { next?: unknown; temporary?: unknown },
    );
    const nexts = [
      ...new Set(
        carried.flatMap((reason) => (typeof reason.next === 'string' ? [reason.next] : [])),
      ),
    ];
    throw new GitStepError(
      reasons
        .map(
          ({ repo, reason }) =>
            `repo "${repo}": ${reason instanceof Error ? reason.message : String(reason)}`,
        )
        .join('; '),
      nexts.length > 0 ? nexts.join('; ') : undefined,
      carried.every((reason) => reason.temporary === true),
    );
  }
  return settled.map((outcome) => (outcome as PromiseFulfilledResult<Result>).value);
}
