// `xs-upgrade fleet watch`: a small long-running process (xs-upgrade-watch.service) that watches
// the fleet's store and starts the upgrade unit when something concerns this host, so a recall
// does not wait for the timer:
//  - the set this host runs was rejected by a host, or aborted by an operator (a recall);
//  - following canaries, a set is proven, soaked by this host's own clock and open to this host
//    (its wave), and this host has not run it yet.
// It decides nothing itself: the run it starts reads the store again and decides as always.
// Each reason starts the unit once; the store is re-read on every change under the keys that
// matter (debounced) and on a timer, since a soak ends without any write.
import { execa } from 'execa';
import type { ResolvedConfig } from '../config/resolve.js';
import { describeError } from '../errors.js';
import type { Log } from '../log.js';
import { gitAt } from '../actors/git.js';
import { readRunRecords } from '../state/runRecords.js';
import { HostRollout } from './hostRollout.js';
import { finalCommits, recallRecords } from './recall.js';
import { fleetHostId } from './hostId.js';
import {
  followable,
  quarantinedBy,
  rejectedByText,
  setId,
  type SetRecord,
  type SoakStart,
} from './rollout.js';
import { openRolloutStore } from './rolloutStore.js';
import { openEtcdStore } from './store/etcdStore.js';
import { fleetKeys } from './store/keys.js';
import { inWaves, placeIn, waveProgress } from './waves.js';

/** Why the upgrade unit should run now; `key` says whether it was already started for it. */
export interface WatchReason {
  key: string;
  line: string;
}

export interface ReasonInput {
  sets: SetRecord[];
  /** The set this host runs (its repos' heads), if every repo has one. */
  running?: string;
  /** Sets this host ran, by its run records: not news. */
  ran: Set<string>;
  fleet: NonNullable<ResolvedConfig['fleet']>;
  self: string;
  /** With waves: the ids of this host's group that reported in. */
  groupHosts: string[];
  now: number;
  started: SoakStart;
}

/** What concerns this host in the fleet's records now. Pure. */
export function watchReasons(input: ReasonInput): WatchReason[] {
  const reasons: WatchReason[] = [];
  const running = input.sets.find((set) => set.id === input.running);
  const rejection = running && quarantinedBy(running);
  if (running && rejection) {
    reasons.push({
      key: `recall ${running.id} ${rejection.at}`,
      line: `recall: ${rejectedByText(rejection, `set ${running.id}, which this host runs,`)}`,
    });
  }
  const follow = input.fleet.follow;
  if (!follow) return reasons;
  for (const set of input.sets) {
    if (set.id === input.running || input.ran.has(set.id) || quarantinedBy(set)) continue;
    if (!followable(set, follow, input.now, input.started)) continue;
    let wave = '';
    if (inWaves(follow)) {
      const progress = waveProgress(
        set,
        input.fleet.group,
        follow.waves,
        [...input.groupHosts, input.self],
        input.now,
        input.started,
      );
      if (!placeIn(progress, input.self).inside) continue;
      wave = ` (wave ${progress.wave + 1} of ${progress.waves} reached this host)`;
    }
    reasons.push({
      key: `proven ${set.id}${wave}`,
      line: `set ${set.id} is proven on the canaries${wave}`,
    });
  }
  return reasons;
}

export interface WatchOptions {
  config: ResolvedConfig;
  env: NodeJS.ProcessEnv;
  log: Log;
  /** Starts the upgrade unit (`systemctl start --no-block xs-upgrade.service`). */
  start: (reasons: WatchReason[]) => Promise<void>;
  /** How often the store is read again without any change (a soak ends on its own). */
  intervalMs: number;
  /** Stops the watch (SIGTERM, SIGINT). */
  signal: AbortSignal;
  now?: () => number;
}

/** The wait before a rejection, an abort or a forgiveness is acted on (one run writes a burst). */
const debounceMs = 1000;
/**
 * The wait before a new proof is acted on: during a rollout of a thousand hosts proofs come
 * every second, and each look reads the records again; a set proven is not urgent to the second.
 */
const proofDebounceMs = 10_000;
/** The wait before a lost watch is made again. */
const rewatchMs = 5000;

export async function watchFleet(options: WatchOptions): Promise<void> {
  const { config, log } = options;
  const fleet = config.fleet;
  if (!fleet || !('etcd' in fleet.backend)) {
    throw new Error('fleet watch needs fleet.etcd');
  }
  const spec = fleet.backend.etcd;
  const now = options.now ?? Date.now;
  const self = await fleetHostId(fleet.id);
  const store = await openEtcdStore(spec, options.env);
  const rollout = await openRolloutStore(spec, options.env, {
    store,
    warn: (line) => log.warn(`fleet store: ${line}`),
  });
  const host = new HostRollout(fleet, self, {
    env: options.env,
    log,
    stateDir: config.stateDir,
  });
  const keys = fleetKeys(spec.prefix);
  const prefixes = [
    keys.rejections,
    keys.abortedAll,
    keys.forgivenAll,
    ...(fleet.follow ? [keys.proofs] : []),
  ];
  const done = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let again = false;

  // As the run reads them (HostRollout.gate): a follower without waves needs only its canaries'
  // proofs, one small read per enrolled canary, not every host's.
  const waves = inWaves(fleet.follow);
  const evaluate = async () => {
    const sets = await rollout.sets(fleet.follow && !waves ? { proofsOf: fleet.follow.group } : {});
    const at = now();
    const [heads, records, hosts, started] = await Promise.all([
      headsOf(config, options.env),
      readRunRecords(config.stateDir, recallRecords),
      waves ? rollout.hosts() : Promise.resolve([]),
      host.soakStart(sets, at),
    ]);
    const names = config.repos.map((repo) => repo.name);
    const ran = new Set(
      records.flatMap((record) => {
        const commits = finalCommits(record, names);
        return commits ? [setId(commits)] : [];
      }),
    );
    const reasons = watchReasons({
      sets,
      ...(heads ? { running: setId(heads) } : {}),
      ran,
      fleet,
      self,
      groupHosts: hosts.filter((entry) => entry.group === fleet.group).map((entry) => entry.id),
      now: at,
      started,
    }).filter((reason) => !done.has(reason.key));
    if (reasons.length === 0) return;
    for (const reason of reasons) log.info(`starting the upgrade: ${reason.line}`);
    try {
      await options.start(reasons);
      for (const reason of reasons) done.add(reason.key);
    } catch (error) {
      log.warn(
        `cannot start the upgrade (${describeError(error)}): trying again on the next change`,
      );
    }
  };
  /**
   * One evaluation at a time; a change during one asks for another after it. A look already due
   * sooner is kept, so a stream of changes cannot put it off for ever.
   */
  let due = Number.POSITIVE_INFINITY;
  const schedule = (delay: number) => {
    if (options.signal.aborted) return;
    const at = Date.now() + delay;
    if (due <= at) return;
    due = at;
    clearTimeout(timer);
    timer = setTimeout(() => {
      due = Number.POSITIVE_INFINITY;
      running = running.then(async () => {
        again = false;
        await evaluate().catch((error: unknown) =>
          log.warn(`cannot read the fleet's records: ${describeError(error)}`),
        );
        if (again) schedule(debounceMs);
      });
    }, delay);
  };

  const watches: { cancel(): Promise<void> }[] = [];
  const watchAll = async () => {
    const { revision } = await store.get(keys.prefix);
    for (const prefix of prefixes) {
      watches.push(
        await store.watch(prefix, revision, (event) => {
          if (event === 'lost') {
            log.warn(`the watch of ${prefix} was lost: watching again in ${rewatchMs / 1000} s`);
            void rewatch();
            return;
          }
          again = true;
          schedule(prefix === keys.proofs ? proofDebounceMs : debounceMs);
        }),
      );
    }
  };
  let rewatching = false;
  const rewatch = async () => {
    if (rewatching || options.signal.aborted) return;
    rewatching = true;
    await Promise.all(watches.splice(0).map((watch) => watch.cancel()));
    while (!options.signal.aborted) {
      await sleep(rewatchMs, options.signal);
      try {
        await watchAll();
        schedule(0);
        break;
      } catch (error) {
        log.warn(`cannot watch the fleet's store: ${describeError(error)}`);
      }
    }
    rewatching = false;
  };

  try {
    await watchAll().catch((error: unknown) => {
      log.warn(
        `cannot watch the fleet's store: ${describeError(error)}; reading it every ${options.intervalMs / 1000} s`,
      );
      void rewatch();
    });
    log.info(
      `watching ${store.where} for host ${self}: a recall${fleet.follow ? ', or a set proven for this host,' : ''} starts the upgrade`,
    );
    schedule(0);
    const interval = setInterval(() => schedule(0), options.intervalMs);
    await new Promise<void>((resolve) =>
      options.signal.addEventListener('abort', () => resolve(), { once: true }),
    );
    clearInterval(interval);
  } finally {
    clearTimeout(timer);
    await running.catch(() => undefined);
    await Promise.all(watches.splice(0).map((watch) => watch.cancel()));
    await rollout.close();
    await store.close();
    await host.close();
  }
}

/** Each configured repo's HEAD commit; undefined when one cannot be read. */
async function headsOf(
  config: ResolvedConfig,
  env: NodeJS.ProcessEnv,
): Promise<Record<string, string> | undefined> {
  if (config.mode !== 'local' || config.repos.length === 0) return undefined;
  const signal = new AbortController().signal;
  try {
    const heads = await Promise.all(
      config.repos.map(
        async (repo) =>
          [repo.name, (await gitAt(repo.path, { env, signal }).revparse(['HEAD'])).trim()] as const,
      ),
    );
    return Object.fromEntries(heads);
  } catch {
    return undefined;
  }
}

/**
 * `--start`: the shell command that starts the upgrade (`systemctl start --no-block ...` returns
 * at once); a non-zero exit is an error naming its last line, so the reason is tried again.
 */
export async function runStartCommand(command: string, env: NodeJS.ProcessEnv): Promise<void> {
  const result = await execa('/bin/sh', ['-c', command], {
    env,
    extendEnv: false,
    stdin: 'ignore',
    all: true,
    reject: false,
    timeout: 60 * 60_000,
  });
  if (result.exitCode === 0) return;
  const said =
    String(result.all ?? '')
      .trim()
      .split('\n')
      .at(-1) ?? '';
  throw new Error(`\`${command}\` exited ${result.exitCode ?? '?'}${said ? `: ${said}` : ''}`);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
