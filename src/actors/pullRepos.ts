// `pulling`: fetches each repo's remote branch, then fast-forwards to it. Never merges, never
// forces: a remote that diverged (force-pushed, or local commits) is an error that names the repo.
// Upstream at exactly a commit set that failed before is not pulled again (unless --force).
import type { RepoSpec } from '../config/resolve.js';
import type { PullOutcome, PulledRepo, SavedCommit } from '../machine/types.js';
import type { Log } from '../log.js';
import { findRejected, type RejectedCommitSet } from '../state/rejectedCommits.js';
import { formatDuration } from '../config/duration.js';
import { forEachRepo, gitAt, gitMessage, type GitDeps } from './git.js';
import { pause } from './pause.js';
import type { PullGate } from '../fleet/rolloutGate.js';
import type { ClosureDecision, FleetWord } from '../closure/choose.js';

export interface PullDeps extends GitDeps {
  log: Log;
  /** One fetch may take this long (default 2 minutes). */
  fetchTimeoutMs?: number;
  /** Further attempts after a transient network error (default 2). */
  fetchRetries?: number;
  /** First pause between fetch attempts; doubles each time (default 2 s). */
  fetchRetryBaseMs?: number;
  /** Commit sets that failed before; skipped unless `force`. */
  rejected?: RejectedCommitSet[];
  force?: boolean;
  /** With fleet.etcd: what the fleet allows (src/fleet/rolloutGate.ts). */
  gate?: PullGate;
  /** With system.closure: the closure for the commits to move to, checked before any repo moves. */
  closure?: (commits: Record<string, string>, fleet: FleetWord) => Promise<ClosureDecision>;
  /** Decide only (a prefetch outside the window): fetch and choose, but move no repo. */
  moveNothing?: boolean;
}

interface Fetched {
  repo: RepoSpec;
  saved: string;
  upstream: string;
}

/**
 * A pull that failed with an explanation the summary shows as its `next:` line; `temporary` when
 * only the network failed (every fetch happens before any repo moves, so nothing has moved).
 */
export class PullError extends Error {
  constructor(
    message: string,
    readonly next: string,
    readonly temporary = false,
  ) {
    super(message);
    this.name = 'PullError';
  }
}

export async function pullRepos(
  repos: RepoSpec[],
  savedCommits: SavedCommit[],
  deps: PullDeps,
): Promise<PullOutcome> {
  const fetched = await forEachRepo(
    repos,
    (repo) => {
      const saved = savedCommits.find((entry) => entry.repo === repo.name);
      if (!saved) throw new Error('has no saved commit: the snapshot is missing it');
      return fetchRepo(repo, saved.commit, deps);
    },
    deps.gitConcurrency,
  );
  // The fleet may allow less than the tips: a follower takes what the canaries proved.
  const decision = deps.gate
    ? await deps.gate(
        fetched.map((entry) => ({ ...entry, name: entry.repo.name, path: entry.repo.path })),
        deps,
      )
    : undefined;
  const targets = decision
    ? fetched.map((entry) => ({ ...entry, upstream: decision.targets[entry.name] ?? entry.saved }))
    : fetched;
  const unmoved = () =>
    targets.map((entry) => ({ repo: entry.repo.name, from: entry.saved, to: entry.saved }));
  const anythingNew = targets.some((entry) => entry.upstream !== entry.saved);
  // The set this host runs was rejected fleet-wide: the recall moves it, not the pull.
  if (decision?.recall) return { repos: unmoved(), recall: decision.recall };
  if (decision?.heldBack && anythingNew) return { repos: unmoved(), heldBack: decision.heldBack };
  const upstream = Object.fromEntries(targets.map((entry) => [entry.repo.name, entry.upstream]));
  const rejected = findRejected(deps.rejected ?? [], upstream);
  if (rejected && anythingNew && !deps.force) {
    deps.log.warn(
      `upstream is at the commits that failed here on ${rejected.at} (${rejected.reason}): not trying them again until upstream moves on (--force to try anyway)`,
    );
    return {
      repos: unmoved(),
      heldBack: { commits: rejected.commits, at: rejected.at, reason: rejected.reason },
    };
  }
  // The closure CI built for these commits (or the fallback's word), before anything moves.
  const closure =
    deps.closure && (anythingNew || deps.force)
      ? await deps.closure(upstream, {
          ...(decision?.closure ? { proven: decision.closure } : {}),
          ...(decision?.rejectedClosure ? { rejected: decision.rejectedClosure } : {}),
        })
      : undefined;
  if (closure && 'heldBack' in closure) return { repos: unmoved(), heldBack: closure.heldBack };
  if (closure && 'waiting' in closure) return { repos: unmoved(), waiting: closure.waiting };
  if (closure && 'build' in closure) deps.log.warn(closure.build);
  if (deps.moveNothing) {
    return {
      repos: unmoved(),
      ...(closure && 'closure' in closure ? { closure: closure.closure } : {}),
    };
  }
  return {
    repos: await forEachRepo(targets, (entry) => fastForward(entry, deps), deps.gitConcurrency),
    ...(decision?.waiting ? { waiting: decision.waiting } : {}),
    ...(closure && 'closure' in closure ? { closure: closure.closure } : {}),
  };
}

async function fetchRepo(
  repo: RepoSpec,
  saved: string,
  deps: PullDeps,
): Promise<Fetched & { name: string }> {
  const tracking = `refs/remotes/${repo.remote}/${repo.branch}`;
  await fetchWithRetries(repo, tracking, deps);
  const git = gitAt(repo.path, deps);
  const upstream = (
    await git.raw(['rev-parse', '--verify', '--quiet', `${tracking}^{commit}`])
  ).trim();
  if (!/^[0-9a-f]{40,64}$/.test(upstream)) {
    throw new PullError(
      `${repo.remote}/${repo.branch} was fetched but cannot be read`,
      `check that branch "${repo.branch}" exists on ${repo.remote} (\`git -C ${repo.path} ls-remote --heads ${repo.remote}\`), or fix "branch" in the config`,
    );
  }
  if (repo.allowedSignersFile && upstream !== saved) await verifySignature(repo, upstream, deps);
  return { name: repo.name, repo, saved, upstream };
}

/** requireSignedCommits: the new tip must carry an SSH signature by an allowed key, or nothing moves. */
async function verifySignature(repo: RepoSpec, upstream: string, deps: PullDeps): Promise<void> {
  const signers = repo.allowedSignersFile ?? '';
  // `verify-commit` answers an unsigned commit with exit 1 and no output, which simple-git reports
  // as success; `%G?` prints the verdict itself: G is a good signature by an allowed key.
  const verdict = await gitAt(repo.path, deps)
    .raw([
      '-c',
      'gpg.format=ssh',
      '-c',
      `gpg.ssh.allowedSignersFile=${signers}`,
      'log',
      '-1',
      '--format=%G?',
      upstream,
    ])
    .then((output) => output.trim())
    .catch((error: unknown) => `error (${gitMessage(error)})`);
  if (verdict !== 'G') {
    const meaning: Record<string, string> = {
      N: 'not signed',
      U: 'signed by a key that is not in the file',
      B: 'signed, but the signature is bad',
      E: 'signed, but the signature cannot be checked',
    };
    throw new Error(
      `commit ${upstream.slice(0, 12)} on ${repo.remote}/${repo.branch} is ${meaning[verdict] ?? verdict} (allowed signers: ${signers}): nothing was pulled; sign it with an allowed key, or add the key to the file`,
    );
  }
}

/** Errors worth another try: the network, not the remote's answer (auth, missing repo or branch). */
const transientError =
  /timed out|no answer from|could not resolve host|connection (refused|reset|timed out)|couldn't connect to server|failed to connect|unable to connect|network is unreachable|no route to host|early EOF|hung up unexpectedly|returned error: 5\d\d|temporary failure/i;
const permanentError =
  /terminal prompts disabled|authentication failed|could not read (username|password)|permission denied|returned error: 4\d\d/i;

async function fetchWithRetries(repo: RepoSpec, tracking: string, deps: PullDeps): Promise<void> {
  const timeoutMs = deps.fetchTimeoutMs ?? 120_000;
  const retries = deps.fetchRetries ?? 2;
  let problem = '';
  for (let attempt = 0; attempt <= retries; attempt += 1) {
    if (attempt > 0) {
      const waitMs = (deps.fetchRetryBaseMs ?? 2000) * 2 ** (attempt - 1);
      deps.log.warn(`repo "${repo.name}": ${problem}; fetching again in ${formatDuration(waitMs)}`);
      await pause(waitMs, deps.signal);
    }
    if (deps.signal.aborted) throw new Error('fetch stopped: the run was interrupted');
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      // Two arguments on purpose: simple-git's fetch('name') alone silently drops the remote.
      await gitAt(repo.path, { ...deps, signal: AbortSignal.any([deps.signal, timeout]) }).fetch(
        repo.remote,
        `+refs/heads/${repo.branch}:${tracking}`,
        // --verbose: one line even when nothing is new (see statusHeader in git.ts).
        { '--no-tags': null, '--verbose': null },
      );
      return;
    } catch (error) {
      if (deps.signal.aborted) throw new Error('fetch stopped: the run was interrupted');
      problem = timeout.aborted
        ? `no answer from ${repo.remote} within ${formatDuration(timeoutMs)}`
        : gitMessage(error);
      if (permanentError.test(problem) || !transientError.test(problem)) break;
    }
  }
  const temporary = !permanentError.test(problem) && transientError.test(problem);
  const tries = retries > 0 && temporary ? ` (tried ${retries + 1} times)` : '';
  if (temporary) {
    throw new PullError(
      `cannot fetch ${repo.remote}/${repo.branch}: ${problem}${tries}; nothing was moved`,
      'nothing to fix on this host if the network or the remote was down for a while: the next run tries again',
      true,
    );
  }
  const hint = permanentError.test(problem)
    ? 'the remote asks for credentials: give this host a key or token it can use without a prompt'
    : `check that ${repo.remote} is the right remote and that branch "${repo.branch}" exists there (\`git -C ${repo.path} ls-remote --heads ${repo.remote}\`)`;
  throw new PullError(`cannot fetch ${repo.remote}/${repo.branch}: ${problem}`, hint);
}

async function fastForward(
  { repo, saved, upstream }: Fetched,
  deps: PullDeps,
): Promise<PulledRepo> {
  if (upstream === saved) return { repo: repo.name, from: saved, to: saved };
  const git = gitAt(repo.path, deps);
  // `merge-base --is-ancestor` answers by exit code alone, which simple-git can hide; compare the
  // merge base itself instead.
  const base = (await git.raw(['merge-base', saved, upstream])).trim();
  if (base === upstream) {
    deps.log.warn(
      `repo "${repo.name}": local ${repo.branch} is ahead of ${repo.remote}/${repo.branch}; keeping it as it is`,
    );
    return { repo: repo.name, from: saved, to: saved };
  }
  if (base !== saved) {
    throw new PullError(
      `${repo.branch} and ${repo.remote}/${repo.branch} have diverged (a force-push, or local commits): nothing was merged`,
      `reconcile repo "${repo.name}" by hand (\`git -C ${repo.path} log --oneline --left-right ${repo.branch}...${repo.remote}/${repo.branch}\`); the next run fails the same way until then`,
    );
  }
  await git.raw(['merge', '--ff-only', '--no-stat', upstream]).catch((error: unknown) => {
    throw new Error(`cannot fast-forward to ${upstream.slice(0, 12)}: ${gitMessage(error)}`);
  });
  const head = (await git.raw(['rev-parse', 'HEAD'])).trim();
  if (head !== upstream) {
    throw new Error(`fast-forward to ${upstream.slice(0, 12)} left HEAD at ${head.slice(0, 12)}`);
  }
  deps.log.info(`repo "${repo.name}": ${saved.slice(0, 12)} -> ${upstream.slice(0, 12)}`);
  return { repo: repo.name, from: saved, to: upstream };
}
