// What a pull may take by the fleet's records (src/fleet/rolloutGate.ts), on real git repos and
// records written here: which set a follower takes, what it says while it waits, the fleet-wide
// quarantine, and what happens when the records cannot be read. The in-process fleet runs
// (rolloutHosts.test.ts) go through the same gate on a real etcd; these pin the choices one by one.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxGitEnv } from '../../demo/sandbox.js';
import type { GitDeps } from '../../src/actors/git.js';
import type { ResolvedFleet } from '../../src/config/resolve.js';
import { CoordinatorUnavailable } from '../../src/fleet/coordinator.js';
import {
  rolloutGate,
  type FetchedRepo,
  type GateOptions,
  type PullDecision,
} from '../../src/fleet/rolloutGate.js';
import { setId, type CommitSet, type SetRecord } from '../../src/fleet/rollout.js';
import { waveOrder } from '../../src/fleet/waves.js';
import { memoryLog } from '../support/memoryLog.js';
import { rejectionOf } from '../support/rejection.js';

const hour = 3_600_000;
const now = Date.parse('2026-11-27T12:00:00.000Z');
const hoursAgo = (hours: number) => new Date(now - hours * hour).toISOString();
const rule = {
  group: 'canary',
  hosts: 2,
  soakMs: 2 * hour,
  waves: [{ share: 1, soakMs: 0 }],
  gates: [],
};
const env = { ...process.env, ...sandboxGitEnv };
const deps: GitDeps = { env, signal: new AbortController().signal };

/** Two repos, each a line of five commits (0 to 4) and one commit off the line ('side'). */
interface Repo {
  name: string;
  path: string;
  line: string[];
  side: string;
}
let root = '';
let repos: Repo[] = [];

async function makeRepo(name: string): Promise<Repo> {
  const path = join(root, name);
  const git = async (...args: string[]) =>
    (await execa('git', args, { cwd: path, env, extendEnv: false })).stdout.trim();
  await execa('git', ['init', '-q', '-b', 'main', path], { env, extendEnv: false });
  const line: string[] = [];
  for (let index = 0; index < 5; index += 1) {
    await writeFile(join(path, 'file'), `${name} ${index}\n`);
    await git('add', 'file');
    await git('commit', '-q', '-m', `${name} ${index}`);
    line.push(await git('rev-parse', 'HEAD'));
  }
  await git('checkout', '-q', '-b', 'side', line[1] ?? '');
  await writeFile(join(path, 'file'), `${name} side\n`);
  await git('commit', '-q', '-am', `${name} side`);
  const side = await git('rev-parse', 'HEAD');
  await git('checkout', '-q', 'main');
  return { name, path, line, side };
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'xs-gate-'));
  repos = [await makeRepo('nix-config'), await makeRepo('nix-secrets')];
});
afterAll(() => rm(root, { recursive: true, force: true }));

const at = (index: number) => (repo: Repo) => repo.line[index] ?? '';
/** Both repos at commit `config` and `secrets` of their lines (or any commit a function picks). */
function commits(config: number | ((repo: Repo) => string), secrets = config): CommitSet {
  const pick = (which: number | ((repo: Repo) => string), repo: Repo) =>
    typeof which === 'number' ? at(which)(repo) : which(repo);
  const [first, second] = repos as [Repo, Repo];
  return { [first.name]: pick(config, first), [second.name]: pick(secrets, second) };
}
/** Here at `saved`, the remote at `upstream` (indexes on each repo's line). */
function fetched(saved: number, upstream = 4): FetchedRepo[] {
  return repos.map((repo) => ({
    name: repo.name,
    path: repo.path,
    saved: at(saved)(repo),
    upstream: at(upstream)(repo),
  }));
}

interface Proof {
  host: string;
  group?: string;
  /** Hours ago it came up healthy. */
  since: number;
  /** Hours ago it moved on. */
  until?: number;
}
function record(set: CommitSet, proofs: Proof[], rejectedBy?: string): SetRecord {
  return {
    id: setId(set),
    commits: set,
    proven: proofs.map((proof) => ({
      host: proof.host,
      group: proof.group ?? 'canary',
      since: hoursAgo(proof.since),
      ...(proof.until === undefined ? {} : { until: hoursAgo(proof.until) }),
    })),
    rejected: rejectedBy
      ? [{ host: rejectedBy, group: 'canary', at: hoursAgo(1), reason: 'healthChecking: down' }]
      : [],
  };
}
/** Two canaries ran it for three hours: soaked. */
const soaked = (set: CommitSet, rejectedBy?: string) =>
  record(
    set,
    [
      { host: 'c1', since: 3 },
      { host: 'c2', since: 3 },
    ],
    rejectedBy,
  );

function fleet(overrides: Partial<ResolvedFleet> = {}): ResolvedFleet {
  return {
    group: 'web',
    slotTimeoutMs: 60_000,
    keepProofsMs: 30 * 86_400_000,
    onFailure: 'hold',
    requireReport: true,
    backend: { etcd: { endpoints: ['http://127.0.0.1:1'], prefix: '/xs/' } } as never,
    ...overrides,
  };
}

async function decide(
  sets: SetRecord[] | (() => Promise<SetRecord[]>),
  from: FetchedRepo[],
  options: Partial<GateOptions> = {},
): Promise<{ decision: PullDecision; lines: string[] }> {
  const log = memoryLog();
  const gate = rolloutGate({
    fleet: fleet({ follow: rule }),
    sets: typeof sets === 'function' ? sets : () => Promise.resolve(sets),
    force: false,
    log,
    now: () => now,
    ...options,
  });
  return { decision: await gate(from, deps), lines: log.lines };
}

describe('a follower takes the newest set proven on enough canaries for long enough', () => {
  it('takes the set furthest ahead, naming the canaries once each and how far behind it is', async () => {
    const ahead = soaked(commits(3));
    // c1 proved it twice (it moved off and back): named once.
    ahead.proven.push({ host: 'c1', group: 'canary', since: hoursAgo(2.5) });
    const { decision, lines } = await decide(
      [soaked(commits(2)), ahead, soaked(commits(1))],
      fetched(0),
    );
    expect(decision).toEqual({ targets: commits(3) });
    expect(lines).toEqual([
      `following canaries: taking commit set ${setId(commits(3))}, proven on c1, c2 (2 commits behind upstream)`,
    ]);
  });

  it('whichever order the store lists the sets in', async () => {
    const { decision } = await decide([soaked(commits(3)), soaked(commits(2))], fetched(0));
    expect(decision.targets).toEqual(commits(3));
  });

  it('counts the commits ahead over every repo', async () => {
    // One repo three ahead beats each repo one ahead (2 in all), listed first.
    const { decision, lines } = await decide(
      [soaked(commits(1, 1)), soaked(commits(3, 0))],
      fetched(0),
    );
    expect(decision.targets).toEqual(commits(3, 0));
    // Behind upstream: one commit in the first repo, four in the second.
    expect(lines[0]).toMatch(/ \(5 commits behind upstream\)$/);
  });

  it('says nothing of upstream when the set is the tips, and "1 commit" for one', async () => {
    const atTips = await decide([soaked(commits(4))], fetched(0));
    expect(atTips.lines).toEqual([
      `following canaries: taking commit set ${setId(commits(4))}, proven on c1, c2`,
    ]);
    const oneBehind = await decide([soaked(commits(4, 3))], fetched(0));
    expect(oneBehind.lines[0]).toMatch(/, proven on c1, c2 \(1 commit behind upstream\)$/);
  });

  it('skips a set missing a repo or naming another, a rejected one, and one not between here and the tips', async () => {
    const [first] = repos as [Repo];
    const missing = soaked({ [first.name]: at(3)(first) });
    const another = soaked({ ...commits(3), 'old-repo': 'f'.repeat(40) });
    const rejected = soaked(commits(3), 'c3');
    const offTheLine = soaked(commits((repo) => repo.side, 2));
    const behindHere = soaked(commits(1));
    const here = soaked(commits(2));
    const { decision, lines } = await decide(
      [missing, another, rejected, offTheLine, behindHere, here],
      fetched(2),
    );
    const why = 'waiting for canaries: 4 commits ahead, proven on 0 of 2';
    expect(decision).toEqual({ targets: commits(2), waiting: why });
    expect(lines).toEqual([why]);
  });

  it('counts only soaked proofs of the canary group, from as many hosts as the rule asks', async () => {
    const sets = [
      // Another group's hosts (two soaked, one soaking), a canary that moved off after half an
      // hour beside one soaked, and one soaked canary alone: none is enough, and none is soaking.
      record(commits(2), [
        { host: 'w1', group: 'web', since: 5 },
        { host: 'w2', group: 'web', since: 5 },
        { host: 'w3', group: 'web', since: 0.5 },
      ]),
      record(commits(3), [
        { host: 'c1', since: 1.5, until: 1 },
        { host: 'c2', since: 5 },
      ]),
      record(commits(1), [{ host: 'c1', since: 5 }]),
    ];
    const { decision } = await decide(sets, fetched(0));
    expect(decision).toEqual({
      targets: commits(0),
      waiting: 'waiting for canaries: 8 commits ahead, proven on 0 of 2',
    });
  });
});

describe('a follower with nothing to take yet says why', () => {
  it('nothing new upstream: stays, without a word', async () => {
    const { decision, lines } = await decide([], fetched(4));
    expect(decision).toEqual({ targets: commits(4) });
    expect(lines).toEqual([]);
  });

  it('names when the soonest soaking set may be taken, and the proofs on the tips', async () => {
    const tips = record(commits(4), [
      { host: 'c1', since: 1.5 },
      // c2 ran the tips long enough twice (it moved off and came back): one host soaked, not two.
      { host: 'c2', since: 5, until: 2.5 },
      { host: 'c2', since: 2.25 },
    ]);
    const sooner = record(commits(3), [
      { host: 'c1', since: 1 },
      { host: 'c2', since: 0.5 },
    ]);
    const later = record(commits(2), [{ host: 'c1', since: 0.25 }]);
    const { decision, lines } = await decide([later, sooner, tips], fetched(0));
    const why = `waiting for canaries: 8 commits ahead, proven on 1 of 2 (2 soaking); set ${tips.id} soaks until ${hoursAgo(-0.5)}`;
    expect(decision).toEqual({ targets: commits(0), waiting: why });
    expect(lines).toEqual([why]);
  });

  it('the soonest of several soaking sets, whichever is listed first', async () => {
    // Its first canary is done soaking soonest, its second last of all.
    const early = record(commits(2), [
      { host: 'c1', since: 1.5 },
      { host: 'c2', since: 0.25 },
    ]);
    const late = record(commits(3), [{ host: 'c1', since: 0.5 }]);
    for (const sets of [
      [early, late],
      [late, early],
    ]) {
      const { decision } = await decide(sets, fetched(0));
      expect(decision.waiting).toBe(
        `waiting for canaries: 8 commits ahead, proven on 0 of 2; set ${early.id} soaks until ${hoursAgo(-0.5)}`,
      );
    }
  });

  it('one commit ahead, and tips a canary rejected, named', async () => {
    // The second repo is at its tip already.
    const from = fetched(3).map((repo, index) =>
      index === 1 ? { ...repo, upstream: repo.saved } : repo,
    );
    const { decision } = await decide([soaked(commits(4, 3), 'c3')], from);
    expect(decision.waiting).toBe(
      `waiting for canaries: 1 commit ahead, proven on 2 of 2; set ${setId(commits(4, 3))} quarantined: rejected by c3 at ${hoursAgo(1)}: healthChecking: down`,
    );
  });
});

describe('every host skips commits the fleet rejected', () => {
  const plain = { fleet: fleet() };

  it('holds back the tips a host rejected, naming it, and says how to forgive', async () => {
    const rejected = soaked(commits(4), 'c3');
    const { decision, lines } = await decide([soaked(commits(3)), rejected], fetched(0), plain);
    expect(decision).toEqual({
      targets: commits(4),
      heldBack: {
        commits: commits(4),
        at: hoursAgo(1),
        reason: 'healthChecking: down',
        by: 'c3',
        set: rejected.id,
      },
    });
    expect(lines).toEqual([
      `warning: quarantined: c3 (group canary) rejected these commits at ${hoursAgo(1)}, as that host reported it: healthChecking: down; not trying them (\`xs-upgrade fleet forgive ${rejected.id}\`, or --force)`,
    ]);
  });

  it('takes the tips when nobody rejected them, or with --force', async () => {
    const proven = await decide([soaked(commits(4))], fetched(0), plain);
    expect(proven).toEqual({ decision: { targets: commits(4) }, lines: [] });
    const forced = await decide([soaked(commits(4), 'c3')], fetched(0), { ...plain, force: true });
    expect(forced).toEqual({ decision: { targets: commits(4) }, lines: [] });
  });
});

describe('records that cannot be read', () => {
  const unreachable = () => Promise.reject(new CoordinatorUnavailable('etcd: connection refused'));

  it('a canary that may go unreported takes the tips, with a warning', async () => {
    const { decision, lines } = await decide(unreachable, fetched(0), {
      fleet: fleet({ requireReport: false }),
    });
    expect(decision).toEqual({ targets: commits(4) });
    expect(lines).toEqual([
      "warning: the fleet's records cannot be read (etcd: connection refused): going on without the fleet-wide quarantine, unreported (requireReport false)",
    ]);
  });

  it('a canary that must report, and any follower, move nothing', async () => {
    const canary = await rejectionOf(
      decide(unreachable, fetched(0), { fleet: fleet() }),
      CoordinatorUnavailable,
    );
    expect(canary.message).toBe(
      "cannot read the fleet's quarantine: etcd: connection refused; nothing was moved (set fleet.requireReport to false to upgrade without it)",
    );
    const follower = await rejectionOf(
      decide(unreachable, fetched(0), { fleet: fleet({ follow: rule, requireReport: false }) }),
      CoordinatorUnavailable,
    );
    expect(follower.message).toBe(
      'cannot read which commits the canaries proved: etcd: connection refused; nothing was moved (a follower never takes commits no canary proved)',
    );
  });

  it('any other failure is passed on as it is', async () => {
    const broken = new Error('a record is not JSON');
    await expect(decide(() => Promise.reject(broken), fetched(0), { fleet: fleet() })).rejects.toBe(
      broken,
    );
  });
});

describe('waves: a proven set opens to a growing share of the group, in its own order', () => {
  const group = Array.from({ length: 20 }, (_, index) => `web-${index + 1}`);
  const waveRule = {
    ...rule,
    waves: [
      { share: 0.1, soakMs: 2 * hour },
      { share: 1, soakMs: 0 },
    ],
  };
  const withWaves = (self: string, extra: Partial<GateOptions> = {}): Partial<GateOptions> => ({
    fleet: fleet({ follow: waveRule }),
    waves: { self, groupHosts: () => Promise.resolve(group) },
    ...extra,
  });

  it('a host inside the first share takes it; the one after waits, saying its place and what opens the next wave', async () => {
    const set = soaked(commits(3));
    const order = waveOrder(group, set.id);
    const first = await decide([set], fetched(0), withWaves(order[0] ?? ''));
    expect(first.decision.targets).toEqual(commits(3));
    expect(first.lines[0]).toContain('in wave 1 of 2 (10%: 2 of 20 hosts)');
    const third = await decide([set], fetched(0), withWaves(order[2] ?? ''));
    expect(third.decision.targets).toEqual(commits(0));
    expect(third.decision.waiting).toBe(
      `waiting for its wave: set ${set.id} is in wave 1 of 2 (10%: 2 of 20 hosts), this host is number 3; the next wave opens when 2 hosts ran it healthy for 120m00s (0 so far)`,
    );
  });

  it('opens to everyone once the first share ran it healthy for its soak, and not before', async () => {
    const set = soaked(commits(3));
    const [a, b] = waveOrder(group, set.id);
    const lastHost = waveOrder(group, set.id).at(-1) ?? '';
    set.proven.push({ host: a ?? '', group: 'web', since: hoursAgo(3) });
    set.proven.push({ host: b ?? '', group: 'web', since: hoursAgo(1) });
    const early = await decide([set], fetched(0), withWaves(lastHost));
    expect(early.decision.targets).toEqual(commits(0));
    expect(early.decision.waiting).toContain('(1 so far)');
    set.proven.push({ host: b ?? '', group: 'web', since: hoursAgo(2.5) });
    const open = await decide([set], fetched(0), withWaves(lastHost));
    expect(open.decision.targets).toEqual(commits(3));
    expect(open.lines[0]).toContain('in wave 2 of 2 (100%: 20 of 20 hosts)');
  });

  it('an older set already open to this host is taken while a newer one has not reached it', async () => {
    const older = soaked(commits(2));
    const newer = soaked(commits(3));
    // Everyone in the group soaked the older set: it is in its last wave.
    for (const host of group.slice(0, 2)) {
      older.proven.push({ host, group: 'web', since: hoursAgo(3) });
    }
    const outside = waveOrder(group, newer.id)[5] ?? '';
    const { decision } = await decide([older, newer], fetched(0), withWaves(outside));
    expect(decision.targets).toEqual(commits(2));
  });
});

describe('gates: every gate must pass before a follower takes a set', () => {
  const gated = { ...rule, gates: [{ name: 'errors', timeoutMs: 1000, check: { command: {} } }] };
  it('takes it when they pass, asking with the set and the wave', async () => {
    const asked: [string, number][] = [];
    const set = soaked(commits(3));
    const { decision, lines } = await decide([set], fetched(0), {
      fleet: fleet({ follow: gated as never }),
      gates: (record, wave) => {
        asked.push([record.id, wave]);
        return Promise.resolve([{ name: 'errors', passed: true, measured: '0 (max 0)' }]);
      },
    });
    expect(decision.targets).toEqual(commits(3));
    expect(asked).toEqual([[set.id, 1]]);
    expect(lines[0]).toBe(`gate errors passed set ${set.id}: 0 (max 0)`);
  });

  it('holds the rollout when one fails or cannot be evaluated, naming it and what it measured', async () => {
    const set = soaked(commits(3));
    const { decision } = await decide([set], fetched(0), {
      fleet: fleet({ follow: gated as never }),
      gates: () =>
        Promise.resolve([
          { name: 'errors', passed: true, measured: '0 (max 0)' },
          { name: 'latency', passed: false, measured: 'cannot be evaluated: down' },
        ]),
    });
    expect(decision).toEqual({
      targets: commits(0),
      waiting: `set ${set.id} held by gate latency (cannot be evaluated: down)`,
    });
  });

  it('are not asked while nothing proven is ahead', async () => {
    let asked = 0;
    await decide([], fetched(0), {
      fleet: fleet({ follow: gated as never }),
      gates: () => {
        asked += 1;
        return Promise.resolve([]);
      },
    });
    expect(asked).toBe(0);
  });
});

describe('an operator’s pause and abort', () => {
  const pause = { at: hoursAgo(1), by: 'alice', reason: 'incident 42' };

  it('a paused group takes nothing, canary or follower, saying who paused it and why', async () => {
    for (const follow of [undefined, rule]) {
      const { decision } = await decide([soaked(commits(3))], fetched(1), {
        fleet: fleet(follow ? { follow } : {}),
        pauses: () => Promise.resolve([{ group: 'web', ...pause }]),
      });
      expect(decision).toEqual({
        targets: commits(1),
        waiting: `group web paused by alice at ${pause.at}: incident 42 (\`xs-upgrade fleet resume\`)`,
      });
    }
  });

  it('a pause of every group holds too; another group’s does not; --force goes on, warning', async () => {
    const all = await decide([soaked(commits(3))], fetched(0), {
      pauses: () => Promise.resolve([{ group: 'db', ...pause }, pause]),
    });
    expect(all.decision.waiting).toMatch(/^every group paused by alice/);
    const other = await decide([soaked(commits(3))], fetched(0), {
      pauses: () => Promise.resolve([{ group: 'db', ...pause }]),
    });
    expect(other.decision.targets).toEqual(commits(3));
    const forced = await decide([soaked(commits(3))], fetched(0), {
      force: true,
      pauses: () => Promise.resolve([pause]),
    });
    expect(forced.decision.targets).toEqual(commits(3));
    expect(forced.lines[0]).toMatch(
      /^warning: every group paused by alice .*going on anyway \(--force\)$/,
    );
  });

  it('an aborted set is held back in the operator’s name', async () => {
    const aborted = soaked(commits(4));
    aborted.rejected.push({
      host: 'alice',
      group: 'operator',
      at: hoursAgo(1),
      reason: 'bad kernel',
      aborted: true,
    });
    const { decision, lines } = await decide([aborted], fetched(0), { fleet: fleet() });
    expect(decision.heldBack).toMatchObject({ by: 'alice', aborted: true, set: aborted.id });
    expect(lines[0]).toBe(
      `warning: quarantined: alice aborted these commits (\`xs-upgrade fleet abort\`) at ${hoursAgo(1)}: bad kernel; not trying them (\`xs-upgrade fleet forgive ${aborted.id}\`, or --force)`,
    );
  });
});

describe('recall: the set this host runs was rejected fleet-wide after it took it', () => {
  // Built in the tests: the repos are made in beforeAll.
  const target = () => ({ set: setId(commits(1)), commits: commits(1), since: hoursAgo(30) });

  it('goes back where its run records say, saying who rejected it; nothing moves in the pull', async () => {
    const to = target();
    const asked: string[] = [];
    const running = soaked(commits(2));
    running.rejected.push({
      host: 'alice',
      group: 'operator',
      at: hoursAgo(1),
      reason: 'panics',
      aborted: true,
    });
    const { decision, lines } = await decide([running, soaked(commits(3))], fetched(2), {
      fleet: fleet(),
      recallTarget: (id, quarantined) => {
        asked.push(id);
        expect(quarantined(commits(2))).toBe(true);
        expect(quarantined(commits(1))).toBe(false);
        return Promise.resolve(to);
      },
    });
    expect(asked).toEqual([running.id]);
    expect(decision).toEqual({
      targets: commits(2),
      recall: {
        from: { set: running.id, by: 'alice', at: hoursAgo(1), reason: 'panics', aborted: true },
        to,
      },
    });
    expect(lines).toEqual([
      `warning: recall: alice aborted set ${running.id}, which this host runs, (\`xs-upgrade fleet abort\`) at ${hoursAgo(1)}: panics; going back to set ${to.set}, the newest it ran healthy before`,
    ]);
  });

  it('a host that cannot go back says so and goes on as if no recall were asked', async () => {
    const { decision, lines } = await decide([soaked(commits(2), 'c3')], fetched(2), {
      fleet: fleet(),
      recallTarget: () => Promise.resolve(undefined),
    });
    expect(decision.recall).toBeUndefined();
    expect(decision.targets).toEqual(commits(4));
    expect(lines[0]).toMatch(/this host cannot go back: no earlier set it ran healthy/);
  });

  it('not for a set nobody rejected, nor with --force', async () => {
    const to = target();
    let asked = 0;
    const recallTarget = () => {
      asked += 1;
      return Promise.resolve(to);
    };
    await decide([soaked(commits(2))], fetched(2), { fleet: fleet(), recallTarget });
    await decide([soaked(commits(2), 'c3')], fetched(2), {
      fleet: fleet(),
      recallTarget,
      force: true,
    });
    expect(asked).toBe(0);
  });
});
