// What a pull may take, by the fleet's records (rollout.ts): after the fetch, before any repo
// moves. A host that follows canaries fast-forwards to the newest commit set proven on them for
// long enough that is an ancestor of its remote branches, not to the tips; any host skips a set
// some host rejected, naming that host, until `fleet forgive` (or --force). Without the store,
// a follower takes nothing (exit 75); a canary too, unless `requireReport` is false.
import type { FollowSpec, ResolvedFleet } from '../config/resolve.js';
import type { Log } from '../log.js';
import type { HeldBack, Recall } from '../machine/types.js';
import { gitAt, type GitDeps } from '../actors/git.js';
import { CoordinatorUnavailable } from './coordinator.js';
import type { GateResult } from './gates.js';
import { pauseOf, pauseText, type Pause } from './store/fleetRecords.js';
import { formatDuration } from '../config/duration.js';
import { formatShare } from '../config/share.js';
import { inWaves, placeIn, waveProgress, type WaveProgress } from './waves.js';
import {
  followable,
  proofHosts,
  provenClosure,
  quarantinedBy,
  rejectedByText,
  rejectedClosures,
  sameCommits,
  setId,
  soakedProofs,
  type CommitSet,
  type SetRecord,
  type SoakStart,
} from './rollout.js';

export interface FetchedRepo {
  name: string;
  path: string;
  /** Where the repo is now. */
  saved: string;
  /** Its remote branch's tip, just fetched. */
  upstream: string;
}

export interface PullDecision {
  /** Repo name to the commit to fast-forward to. */
  targets: CommitSet;
  /** The target set was rejected by a host of the fleet: nothing moves. */
  heldBack?: HeldBack;
  /** Nothing proven is newer than what runs here: why, for the summary. */
  waiting?: string;
  /** With system.closure, following canaries: the closure they proved the targets as. */
  closure?: string;
  /** With system.closure: closures some host rejected, held back under any commits. */
  rejectedClosure?: (storePath: string) => HeldBack | undefined;
  /** The set this host runs was rejected fleet-wide since: where to go back to (recall.ts). */
  recall?: Recall;
}

export type PullGate = (fetched: FetchedRepo[], deps: GitDeps) => Promise<PullDecision>;

export interface GateOptions {
  fleet: ResolvedFleet;
  /** The fleet's commit sets; throws CoordinatorUnavailable when the store cannot be reached. */
  sets: () => Promise<SetRecord[]>;
  force: boolean;
  log: Log;
  now?: () => number;
  /**
   * When this host first saw each open proof (its own clock), so a soak never trusts a canary's
   * clock; without it, the canary's `since`.
   */
  soakStart?: (sets: SetRecord[], now: number) => Promise<SoakStart>;
  /** Operators' pauses; unset: nothing is paused. */
  pauses?: () => Promise<Pause[]>;
  /** With fleet.follow.waves: this host's id and its group's reported hosts. */
  waves?: { self: string; groupHosts: () => Promise<string[]> };
  /** With fleet.follow.gates: runs them for a set about to be taken (wave 1-based). */
  gates?: (set: SetRecord, wave: number) => Promise<GateResult[]>;
  /**
   * The newest set this host ran healthy before `running`, not quarantined: where a recall goes.
   * Unset: no recall (a host without run records).
   */
  recallTarget?: (
    running: string,
    quarantined: (commits: CommitSet) => boolean,
  ) => Promise<Recall['to'] | undefined>;
}

export function rolloutGate(options: GateOptions): PullGate {
  return async (fetched, deps) => {
    const tips = Object.fromEntries(fetched.map((repo) => [repo.name, repo.upstream]));
    let sets: SetRecord[];
    let pause: Pause | undefined;
    try {
      [sets, pause] = await Promise.all([
        options.sets(),
        options.pauses?.().then((pauses) => pauseOf(pauses, options.fleet.group)),
      ]);
    } catch (error) {
      if (!(error instanceof CoordinatorUnavailable)) throw error;
      if (!options.fleet.follow && !options.fleet.requireReport) {
        options.log.warn(
          `the fleet's records cannot be read (${error.message}): going on without the fleet-wide quarantine, unreported (requireReport false)`,
        );
        return { targets: tips };
      }
      throw new CoordinatorUnavailable(
        options.fleet.follow
          ? `cannot read which commits the canaries proved: ${error.message}; nothing was moved (a follower never takes commits no canary proved)`
          : `cannot read the fleet's quarantine: ${error.message}; nothing was moved (set fleet.requireReport to false to upgrade without it)`,
      );
    }
    if (pause) {
      if (!options.force) {
        // Proofs seen while paused still count their soak from now: a pause holds, it does not
        // restart every soak.
        if (options.fleet.follow) await options.soakStart?.(sets, (options.now ?? Date.now)());
        const why = `${pauseText(pause)} (\`xs-upgrade fleet resume\`)`;
        options.log.info(`taking nothing new: ${why}`);
        return {
          targets: Object.fromEntries(fetched.map((repo) => [repo.name, repo.saved])),
          waiting: why,
        };
      }
      options.log.warn(`${pauseText(pause)}; going on anyway (--force)`);
    }
    const recall = options.force ? undefined : await recallOf(fetched, sets, options);
    if (recall) {
      return {
        targets: Object.fromEntries(fetched.map((repo) => [repo.name, repo.saved])),
        recall,
      };
    }
    const byClosure = options.force ? undefined : closureQuarantine(sets, options);
    const decision = options.fleet.follow
      ? await follow(fetched, sets, options, deps)
      : { targets: tips, ...quarantine(tips, sets, options) };
    return { ...decision, ...(byClosure ? { rejectedClosure: byClosure } : {}) };
  };
}

/**
 * The set this host runs, if it was rejected fleet-wide after the host took it: where it goes
 * back to. A host that cannot go back says so and stays where it is.
 */
async function recallOf(
  fetched: FetchedRepo[],
  sets: SetRecord[],
  options: GateOptions,
): Promise<Recall | undefined> {
  if (!options.recallTarget) return undefined;
  const running = setId(Object.fromEntries(fetched.map((repo) => [repo.name, repo.saved])));
  const record = sets.find((set) => set.id === running);
  const rejection = record && quarantinedBy(record);
  if (!rejection) return undefined;
  const quarantined = (commits: CommitSet) => {
    const found = sets.find((set) => sameCommits(set.commits, commits));
    return found !== undefined && quarantinedBy(found) !== undefined;
  };
  const to = await options.recallTarget(running, quarantined);
  const what = rejectedByText(rejection, `set ${running}, which this host runs,`);
  if (!to) {
    options.log.warn(
      `${what}; this host cannot go back: no earlier set it ran healthy is in its run records (with a system generation, where system.profile is set): it stays where it is`,
    );
    return undefined;
  }
  options.log.warn(
    `recall: ${what}; going back to set ${to.set}, the newest it ran healthy before`,
  );
  return {
    from: {
      set: running,
      by: rejection.host,
      at: rejection.at,
      reason: rejection.reason,
      ...(rejection.aborted ? { aborted: true as const } : {}),
    },
    to,
  };
}

/** A closure rejected anywhere: held back wherever it turns up, under any commits, saying by whom. */
function closureQuarantine(
  sets: SetRecord[],
  options: GateOptions,
): ((storePath: string) => HeldBack | undefined) | undefined {
  const rejected = rejectedClosures(sets);
  if (rejected.size === 0) return undefined;
  return (storePath) => {
    const found = rejected.get(storePath);
    if (!found) return undefined;
    options.log.warn(
      `quarantined: ${rejectedByText(found.by, `the closure ${storePath}`)}; not taking it (\`xs-upgrade fleet forgive ${found.set.id}\`, or --force)`,
    );
    return {
      commits: found.set.commits,
      at: found.by.at,
      reason: found.by.reason,
      by: found.by.host,
      set: found.set.id,
      ...(found.by.aborted ? { aborted: true as const } : {}),
    };
  };
}

/** The tips were rejected somewhere in the fleet (and not forgiven): held back, saying by whom. */
function quarantine(
  commits: CommitSet,
  sets: SetRecord[],
  options: GateOptions,
): { heldBack?: HeldBack } {
  if (options.force) return {};
  const record = sets.find((set) => sameCommits(set.commits, commits));
  const rejection = record && quarantinedBy(record);
  if (!record || !rejection) return {};
  options.log.warn(
    `quarantined: ${rejectedByText(rejection, 'these commits')}; not trying them (\`xs-upgrade fleet forgive ${record.id}\`, or --force)`,
  );
  return {
    heldBack: {
      commits,
      at: rejection.at,
      reason: rejection.reason,
      by: rejection.host,
      set: record.id,
      ...(rejection.aborted ? { aborted: true as const } : {}),
    },
  };
}

async function follow(
  fetched: FetchedRepo[],
  sets: SetRecord[],
  options: GateOptions,
  deps: GitDeps,
): Promise<PullDecision> {
  const rule = options.fleet.follow;
  if (!rule) throw new Error('follow without fleet.follow');
  const now = (options.now ?? Date.now)();
  const started = options.soakStart ? await options.soakStart(sets, now) : undefined;
  const saved = Object.fromEntries(fetched.map((repo) => [repo.name, repo.saved]));
  const names = fetched.map((repo) => repo.name).sort();
  const covers = (set: SetRecord) =>
    Object.keys(set.commits).sort().join('\n') === names.join('\n');
  // How far each candidate is ahead of what runs here, if it is between here and the tips.
  let best: { set: SetRecord; ahead: number; progress?: WaveProgress } | undefined;
  /** The newest proven set whose wave has not reached this host yet. */
  let notYet: { set: SetRecord; ahead: number; progress: WaveProgress } | undefined;
  let groupHosts: Promise<string[]> | undefined;
  const progressOf = async (set: SetRecord) => {
    const waves = options.waves;
    if (!waves || !inWaves(rule)) return undefined;
    groupHosts ??= waves.groupHosts();
    const hosts = [...(await groupHosts), waves.self];
    return waveProgress(set, options.fleet.group, rule.waves, hosts, now, started);
  };
  /** The soonest a set between here and the tips, proven but not yet soaked, may be taken. */
  let soonest: { set: SetRecord; at: number } | undefined;
  for (const set of sets) {
    if (!covers(set) || quarantinedBy(set)) continue;
    const ready = followable(set, rule, now, started);
    const open = set.proven.filter((proof) => proof.group === rule.group && !proof.until);
    if (!ready && open.length === 0) continue;
    const ahead = await aheadWithinTips(fetched, set.commits, deps);
    if (ahead === undefined || ahead === 0) continue;
    if (ready) {
      const progress = await progressOf(set);
      if (progress && options.waves && !placeIn(progress, options.waves.self).inside) {
        if (!notYet || ahead > notYet.ahead) notYet = { set, ahead, progress };
      } else if (!best || ahead > best.ahead) {
        best = { set, ahead, ...(progress ? { progress } : {}) };
      }
      continue;
    }
    // Only a canary still soaking says when: one that soaked long ago while the set waits for
    // more canaries would name a time already past.
    const soaking = open
      .map(
        (proof) => (started?.({ ...proof, set: set.id }) ?? Date.parse(proof.since)) + rule.soakMs,
      )
      .filter((end) => end > now);
    if (soaking.length === 0) continue;
    const at = Math.min(...soaking);
    if (!soonest || at < soonest.at) soonest = { set, at };
  }
  if (best) {
    const behind = await sum(fetched, (repo) =>
      count(repo.path, best.set.commits[repo.name] ?? repo.upstream, repo.upstream, deps),
    );
    const proofs = soakedProofs(best.set, rule.group, rule.soakMs, now, started).map(
      (proof) => proof.host,
    );
    const closure = provenClosure(best.set, rule, now, started);
    if (options.gates && rule.gates.length > 0) {
      const wave = (best.progress?.wave ?? 0) + 1;
      const results = await options.gates(best.set, wave);
      const failed = results.filter((result) => !result.passed);
      for (const result of results) {
        options.log.info(
          `gate ${result.name} ${result.passed ? 'passed' : 'holds'} set ${best.set.id}: ${result.measured}`,
        );
      }
      if (failed.length > 0) {
        const why = `set ${best.set.id} held by ${failed
          .map((result) => `gate ${result.name} (${result.measured})`)
          .join(', ')}`;
        return { targets: saved, waiting: why };
      }
    }
    const wave = best.progress ? ` in wave ${describeWave(best.progress)}` : '';
    options.log.info(
      `following canaries: taking commit set ${best.set.id}, proven on ${[...new Set(proofs)].join(', ')}${closure ? ` as ${closure}` : ''}${wave}${behind > 0 ? ` (${behind} commit${behind === 1 ? '' : 's'} behind upstream)` : ''}`,
    );
    return { targets: best.set.commits, ...(closure ? { closure } : {}) };
  }
  const ahead = await sum(fetched, (repo) => count(repo.path, repo.saved, repo.upstream, deps));
  if (ahead === 0) return { targets: saved };
  const tips = Object.fromEntries(fetched.map((repo) => [repo.name, repo.upstream]));
  const tipSet = sets.find((set) => sameCommits(set.commits, tips));
  const rejection = tipSet && quarantinedBy(tipSet);
  const soaked = tipSet
    ? new Set(
        soakedProofs(tipSet, rule.group, rule.soakMs, now, started).map((proof) => proof.host),
      ).size
    : 0;
  const proven = tipSet ? proofHosts(tipSet, rule.group).length : 0;
  const why = [
    // A set the canaries proved, whose wave has not reached this host, says so first.
    ...(notYet && options.waves
      ? [
          `waiting for its wave: ${notReached(notYet.set, notYet.progress, options.waves.self, rule)}`,
        ]
      : [
          `waiting for canaries: ${ahead} commit${ahead === 1 ? '' : 's'} ahead, proven on ${soaked} of ${rule.hosts}${proven > soaked ? ` (${proven} soaking)` : ''}`,
        ]),
    ...(soonest ? [`set ${soonest.set.id} soaks until ${new Date(soonest.at).toISOString()}`] : []),
    ...(rejection
      ? [
          `set ${tipSet?.id ?? setId(tips)} quarantined: rejected by ${rejection.host} at ${rejection.at}: ${rejection.reason}`,
        ]
      : []),
  ].join('; ');
  options.log.info(why);
  return { targets: saved, waiting: why };
}

/** "1 of 3 (5%: 2 of 40 hosts)". */
function describeWave(progress: WaveProgress): string {
  return `${progress.wave + 1} of ${progress.waves} (${formatShare(progress.share)}: ${progress.open} of ${progress.order.length} hosts)`;
}

/** Why a proven set is not this host's yet: its wave, its place, what opens the next wave. */
function notReached(
  set: SetRecord,
  progress: WaveProgress,
  self: string,
  rule: FollowSpec,
): string {
  const { place } = placeIn(progress, self);
  const soak = rule.waves[progress.wave]?.soakMs ?? 0;
  const next =
    progress.needed === undefined
      ? ''
      : `; the next wave opens when ${progress.needed} host${progress.needed === 1 ? '' : 's'} ran it healthy for ${formatDuration(soak)} (${progress.soaked} so far)`;
  return `set ${set.id} is in wave ${describeWave(progress)}, this host is number ${place}${next}`;
}

/** Commits from here to `set`, if every repo's commit lies between here and its tip. */
async function aheadWithinTips(
  fetched: FetchedRepo[],
  commits: CommitSet,
  deps: GitDeps,
): Promise<number | undefined> {
  let total = 0;
  for (const repo of fetched) {
    const target = commits[repo.name];
    if (!target) return undefined;
    const git = gitAt(repo.path, deps);
    const isAncestor = async (a: string, b: string) =>
      (await git.raw(['merge-base', a, b]).catch(() => '')).trim() === a;
    if (!(await isAncestor(repo.saved, target)) || !(await isAncestor(target, repo.upstream))) {
      return undefined;
    }
    total += await count(repo.path, repo.saved, target, deps);
  }
  return total;
}

async function count(path: string, from: string, to: string, deps: GitDeps): Promise<number> {
  if (from === to) return 0;
  const text = await gitAt(path, deps).raw(['rev-list', '--count', `${from}..${to}`]);
  return Number(text.trim()) || 0;
}

async function sum<T>(items: T[], each: (item: T) => Promise<number>): Promise<number> {
  let total = 0;
  for (const item of items) total += await each(item);
  return total;
}
