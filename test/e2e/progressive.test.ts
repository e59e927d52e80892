// Progressive delivery on a real 3-member etcd 3.4 cluster, with sandbox hosts on real git (run
// in-process, as `xs-upgrade run` does) and the operator's commands through the built CLI: a set
// spreading through three waves in its hash order, never past a wave's share, each wave waiting
// out the soak; a Prometheus gate served by a real HTTP server that holds, then passes; a gate
// that errors holds; pause and resume; an abort that holds the set back everywhere in the
// operator's name; and `fleet status` as text, JSON and a page saying all of it.
import { execa } from 'execa';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nixAvailable } from '../../demo/nixSystem.js';
import type { Sandbox } from '../../demo/sandbox.js';
import type { FleetView } from '../../src/fleet/admin.js';
import { waveOrder } from '../../src/fleet/waves.js';
import { cliPath, runCli } from '../support/cli.js';
import { sandboxGitEnv } from '../../demo/sandbox.js';
import { fleetHost, pushToFleet, type Fleet } from '../support/fleetHosts.js';
import { runInProcess, summaryOf } from '../support/inProcessRun.js';
import { startPrometheus, type Measure } from '../support/prometheus.js';
import { useSandboxes } from '../support/sandboxes.js';
import { useEtcdCluster } from '../support/etcd.js';

const sandboxes = useSandboxes();
const cluster = useEtcdCluster('progressive');
const newPrefix = () => cluster.newPrefix();

/** The canaries' soak, and each wave's: long enough for a round of runs on a loaded machine. */
const canarySoakMs = 1500;
const waveSoakMs = 10_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function view(sandbox: Sandbox): Promise<FleetView> {
  const status = await runCli(['fleet', 'status', '--json', '--config', sandbox.configFile]);
  expect(status.exitCode, status.stderr).toBe(0);
  return JSON.parse(status.stdout) as FleetView;
}

const operator = (args: string[], sandbox: Sandbox) =>
  runCli(['fleet', ...args, '--config', sandbox.configFile], { env: { SUDO_USER: 'alice' } });

/** A canary and `count` followers of group web with these waves and gates; all reported in. */
async function fleetOf(count: number, follow: Record<string, unknown>) {
  const fleet: Fleet = { prefix: newPrefix() };
  const canary = await fleetHost(sandboxes, cluster, fleet, 'canary-1', { group: 'canary' });
  const web: Sandbox[] = [];
  const ids: string[] = [];
  for (let index = 1; index <= count; index += 1) {
    const id = `web-${index}`;
    ids.push(id);
    web.push(
      await fleetHost(sandboxes, cluster, fleet, id, {
        group: 'web',
        follow: { group: 'canary', hosts: 1, soak: `${canarySoakMs}ms`, ...follow },
      }),
    );
  }
  const byId = new Map(ids.map((id, index) => [id, web[index] as Sandbox]));
  // Every follower reports in once, so the group's size is known before anything spreads.
  for (const host of web) expect((await runInProcess(host)).exitCode).toBe(0);
  return { fleet, canary, web, ids, byId };
}

/** Each follower once, in id order; the ids that upgraded. */
async function round(hosts: Map<string, Sandbox>): Promise<{ took: string[]; texts: string[] }> {
  const took: string[] = [];
  const texts: string[] = [];
  for (const [id, host] of hosts) {
    const run = await runInProcess(host);
    expect(run.exitCode, run.text).toBe(0);
    texts.push(run.text);
    if (summaryOf(run.lines)[0]?.startsWith('result: upgraded')) took.push(id);
  }
  return { took, texts };
}

/** The canary proves a new set; every follower has seen the proof soak. Returns the set's id. */
async function proveNewSet(
  fleet: Fleet,
  canary: Sandbox,
  hosts: Map<string, Sandbox>,
  label: string,
) {
  await pushToFleet(fleet, label);
  const proved = await runInProcess(canary);
  expect(proved.exitCode, proved.text).toBe(0);
  // Each follower's soak counts from its own first sighting of the canary's proof: this round.
  const first = await round(hosts);
  expect(first.took).toEqual([]);
  await sleep(canarySoakMs + 300);
  const status = await view(canary);
  const set = status.sets.find((entry) =>
    entry.proven.some((proof) => proof.host === 'canary-1' && !proof.until),
  );
  return set?.id ?? '';
}

describe('waves through a group', () => {
  it('a set spreads through 25% / 50% / 100% in its own hash order, never past a share, each wave after its soak', async () => {
    const { fleet, canary, web, ids, byId } = await fleetOf(8, {
      waves: [
        { share: '25%', soak: `${waveSoakMs}ms` },
        { share: '50%', soak: `${waveSoakMs}ms` },
        { share: '100%' },
      ],
    });
    const set = await proveNewSet(fleet, canary, byId, 'v2');
    const order = waveOrder(ids, set);

    const wave1 = await round(byId);
    expect(wave1.took.sort()).toEqual(order.slice(0, 2).sort());
    const waiting = wave1.texts.find((text) => text.includes('waiting for its wave')) ?? '';
    expect(waiting).toMatch(
      new RegExp(
        `set ${set} is in wave 1 of 3 \\(25%: 2 of 8 hosts\\), this host is number \\d; the next wave opens when 2 hosts ran it healthy for 10\\.0s`,
      ),
    );
    // Right away (well inside the soak by any clock), `fleet status` says the same.
    let status = await view(web[0] as Sandbox);
    expect(status.rollout?.find((entry) => entry.set === set)).toMatchObject({
      wave: 1,
      waves: 3,
      open: 2,
      hosts: 8,
      running: 2,
    });
    // At once again: the first wave has not soaked, so nobody else takes it.
    expect((await round(byId)).took).toEqual([]);

    await sleep(waveSoakMs + 300);
    const wave2 = await round(byId);
    expect(wave2.took.sort()).toEqual(order.slice(2, 4).sort());
    status = await view(web[0] as Sandbox);
    expect(status.rollout?.find((entry) => entry.set === set)).toMatchObject({
      wave: 2,
      open: 4,
      running: 4,
    });
    expect((await round(byId)).took).toEqual([]);

    await sleep(waveSoakMs + 300);
    const wave3 = await round(byId);
    expect(wave3.took.sort()).toEqual(order.slice(4).sort());
    status = await view(web[0] as Sandbox);
    expect(status.rollout?.find((entry) => entry.set === set)).toMatchObject({
      wave: 3,
      open: 8,
      running: 8,
    });
    const text = await runCli(['fleet', 'status', '--config', (web[0] as Sandbox).configFile]);
    expect(text.stdout).toContain('wave 3 of 3 in web: 100%, open to 8 of 8 hosts, 8 on it');

    // The next set starts on other hosts: its own order.
    const next = await proveNewSet(fleet, canary, byId, 'v3');
    const nextWave1 = await round(byId);
    expect(nextWave1.took.sort()).toEqual(waveOrder(ids, next).slice(0, 2).sort());
  }, 240_000);
});

describe('gates before a follower takes a set', () => {
  let failedUnits: Measure = { vector: [2] };
  let prometheus: Awaited<ReturnType<typeof startPrometheus>>;
  beforeAll(async () => {
    prometheus = await startPrometheus(() => failedUnits);
  });
  afterAll(() => prometheus.close());

  it('a Prometheus gate holds while failed units are above its max, says so in fleet status, then passes', async () => {
    const { fleet, canary, web, byId } = await fleetOf(2, {
      gates: [
        {
          name: 'failed-units',
          prometheus: {
            url: prometheus.url,
            query: 'sum(node_systemd_unit_state{state="failed",group="{group}"}) or vector(0)',
            max: 0,
          },
        },
      ],
    });
    const set = await proveNewSet(fleet, canary, byId, 'v2');
    failedUnits = { vector: [2] };
    const held = await runInProcess(web[0] as Sandbox);
    expect(held.exitCode, held.text).toBe(0);
    expect(summaryOf(held.lines)[0]).toBe(
      `result: nothing new (set ${set} held by gate failed-units (2 outside max 0)): nothing was built or switched`,
    );
    expect(prometheus.queries.at(-1)).toBe(
      'sum(node_systemd_unit_state{state="failed",group="web"}) or vector(0)',
    );
    const status = await view(web[0] as Sandbox);
    expect(status.rollout?.find((entry) => entry.set === set)?.gates?.results).toEqual([
      { name: 'failed-units', passed: false, measured: '2 outside max 0' },
    ]);
    const page = join((web[0] as Sandbox).dir, 'fleet.html');
    expect(
      (
        await runCli([
          'fleet',
          'status',
          '--html',
          page,
          '--config',
          (web[0] as Sandbox).configFile,
        ])
      ).exitCode,
    ).toBe(0);
    expect(await readFile(page, 'utf8')).toContain('gate failed-units: HOLDS, 2 outside max 0');

    failedUnits = { vector: [0] };
    const passed = await runInProcess(web[0] as Sandbox);
    expect(summaryOf(passed.lines)[0], passed.text).toMatch(/^result: upgraded/);
    expect(passed.text).toContain(`gate failed-units passed set ${set}: 0 (max 0)`);
  }, 120_000);

  it('a gate that cannot be evaluated holds: an error from Prometheus, then nobody listening', async () => {
    const { fleet, canary, web, byId } = await fleetOf(1, {
      gates: [{ name: 'errors', prometheus: { url: prometheus.url, query: 'rate(', max: 0.01 } }],
    });
    const set = await proveNewSet(fleet, canary, byId, 'v2');
    const before = await (web[0] as Sandbox).head('nix-config');
    failedUnits = { error: 'parse error: unexpected end of input' };
    const held = await runInProcess(web[0] as Sandbox);
    expect(summaryOf(held.lines)[0]).toContain(
      `set ${set} held by gate errors (cannot be evaluated: ${prometheus.url} answered HTTP 400 (parse error: unexpected end of input))`,
    );
    const down = await startPrometheus(() => ({ vector: [0] }));
    await down.close();
    const config = JSON.parse(await readFile((web[0] as Sandbox).configFile, 'utf8')) as {
      fleet: { follow: { gates: { prometheus: { url: string } }[] } };
    };
    (config.fleet.follow.gates[0] as { prometheus: { url: string } }).prometheus.url = down.url;
    await (web[0] as Sandbox).writeConfig(config);
    const unreachable = await runInProcess(web[0] as Sandbox);
    expect(summaryOf(unreachable.lines)[0]).toMatch(
      /held by gate errors \(cannot be evaluated: .* cannot be reached: ECONNREFUSED\)/,
    );
    expect(await (web[0] as Sandbox).head('nix-config')).toBe(before);
  }, 120_000);
});

describe("an operator's pause, resume and abort", () => {
  it('a paused group takes nothing, saying who paused it and why, until resumed; pausing every group holds canaries too', async () => {
    const { fleet, canary, web, byId } = await fleetOf(1, {});
    const follower = web[0] as Sandbox;
    const paused = await operator(['pause', '--group', 'web', '--reason', 'incident 42'], follower);
    expect(paused.exitCode, paused.stderr).toBe(0);
    expect(paused.stdout).toMatch(
      /^group web paused by alice at \S+: incident 42: it takes nothing new until `xs-upgrade fleet resume --group web`/,
    );
    await proveNewSet(fleet, canary, byId, 'v2');
    const held = await runInProcess(follower);
    expect(summaryOf(held.lines)[0]).toMatch(
      /^result: nothing new \(group web paused by alice at \S+: incident 42 \(`xs-upgrade fleet resume`\)\): nothing was built or switched$/,
    );
    const status = await runCli(['fleet', 'status', '--config', follower.configFile]);
    expect(status.stdout).toMatch(/^PAUSED: group web paused by alice at \S+: incident 42/m);
    const own = await runCli(['status', '--config', follower.configFile]);
    expect(own.stdout).toContain('group web paused by alice');

    expect((await operator(['resume', '--group', 'web'], follower)).stdout.trim()).toBe(
      'resumed group web',
    );
    expect((await operator(['resume', '--group', 'web'], follower)).stdout.trim()).toBe(
      'group web was not paused: nothing to resume',
    );
    const resumed = await runInProcess(follower);
    expect(summaryOf(resumed.lines)[0], resumed.text).toMatch(/^result: upgraded/);

    expect((await operator(['pause', '--all', '--reason', 'freeze'], canary)).exitCode).toBe(0);
    await pushToFleet(fleet, 'v3');
    const canaryHeld = await runInProcess(canary);
    expect(summaryOf(canaryHeld.lines)[0]).toMatch(
      /^result: nothing new \(every group paused by alice/,
    );
    expect((await operator(['resume', '--all'], canary)).stdout.trim()).toBe('resumed every group');
    expect(summaryOf((await runInProcess(canary)).lines)[0]).toMatch(/^result: upgraded/);
  }, 120_000);

  it('`fleet abort` holds the set back on every host in the operator’s name, until forgiven', async () => {
    const { fleet, canary, web, byId } = await fleetOf(1, {});
    // A second canary that has not tried the next set yet.
    const second = await fleetHost(sandboxes, cluster, fleet, 'canary-2', { group: 'canary' });
    const set = await proveNewSet(fleet, canary, byId, 'v2');
    const aborted = await operator(['abort', set, '--reason', 'kernel panics on rack 7'], canary);
    expect(aborted.exitCode, aborted.stderr).toBe(0);
    expect(aborted.stdout).toContain(
      `aborted ${set}: no host takes it until \`xs-upgrade fleet forgive ${set}\``,
    );
    expect(aborted.stdout).toMatch(/ABORTED by alice at \S+: kernel panics on rack 7/);
    const follower = web[0] as Sandbox;
    const before = await follower.head('nix-config');
    const run = await runInProcess(follower);
    expect(run.exitCode, run.text).toBe(0);
    expect(await follower.head('nix-config')).toBe(before);
    // A host that has not tried it yet (the second canary) is held back, exit 3, naming the operator.
    const heldBack = await runInProcess(second);
    expect(heldBack.exitCode, heldBack.text).toBe(3);
    expect(summaryOf(heldBack.lines)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^result: held back: upstream is at commits alice aborted fleet-wide on \S+: nothing was built or switched$/,
        ),
        'cause, as operator "alice" gave it: kernel panics on rack 7',
      ]),
    );
    const unknown = await operator(['abort', 'ffffffffffff'], canary);
    expect(unknown.exitCode).toBe(64);
    expect(unknown.stderr).toContain("no commit set ffffffffffff in the fleet's records");
    expect((await operator(['forgive', set], canary)).exitCode).toBe(0);
    expect(summaryOf((await runInProcess(second)).lines)[0]).toMatch(/^result: upgraded/);
  }, 120_000);

  it('refuses a bad command line with exit 64 and one line', async () => {
    const { web } = await fleetOf(1, {});
    const both = await operator(['pause', '--group', 'web', '--all'], web[0] as Sandbox);
    expect([both.exitCode, both.stderr.trim().split('\n').length]).toEqual([64, 1]);
    expect(both.stderr).toContain('give --group or --all, not both');
    const badSet = await operator(['abort', 'nope'], web[0] as Sandbox);
    expect(badSet.exitCode).toBe(64);
  }, 60_000);
});

describe('recall: a set aborted after hosts took it', () => {
  it('three hosts on real Nix profiles go back to the exact generation they ran before; one whose generation is gone stays', async () => {
    // The Nix system profiles are the point here; CI installs Nix (scripts/install-system-deps.sh).
    expect(await nixAvailable()).toBe(true);
    const fleet: Fleet = { prefix: newPrefix() };
    const ids = ['web-1', 'web-2', 'web-3', 'web-4'];
    const hosts: Sandbox[] = [];
    for (const id of ids) {
      hosts.push(await fleetHost(sandboxes, cluster, fleet, id, { group: 'web', nix: true }));
    }
    const v2 = await pushToFleet(fleet, 'v2');
    for (const host of hosts) expect((await runInProcess(host)).exitCode).toBe(0);
    const before = await Promise.all(
      hosts.map(async (host) => (await host.generations()).find((entry) => entry.current)),
    );
    const v3 = await pushToFleet(fleet, 'v3');
    for (const host of hosts) {
      const run = await runInProcess(host);
      expect(run.exitCode, run.text).toBe(0);
      expect(await host.head('nix-config')).toBe(v3);
    }
    const status = await view(hosts[0] as Sandbox);
    const bad = status.sets.find((set) => set.commits['nix-config'] === v3)?.id ?? '';
    // The fourth host's earlier generation was garbage-collected meanwhile.
    const lost = hosts[3] as Sandbox;
    await execa(
      'nix-env',
      ['-p', lost.profile ?? '', '--delete-generations', String(before[3]?.generation)],
      {
        env: { ...process.env, ...lost.env },
      },
    );
    const aborted = await operator(['abort', bad, '--reason', 'kernel panics on rack 7'], lost);
    expect(aborted.exitCode, aborted.stderr).toBe(0);

    for (const [index, host] of hosts.slice(0, 3).entries()) {
      const run = await runInProcess(host);
      expect(run.exitCode, run.text).toBe(0);
      expect(summaryOf(run.lines).slice(0, 2)).toEqual([
        `result: recalled: set ${bad} was aborted fleet-wide; back on set ${run.text.match(/back on set ([0-9a-f]{12})/)?.[1] ?? '?'}, generation ${before[index]?.generation}, the newest this host ran healthy before`,
        'cause, as operator "alice" gave it at ' +
          (run.text.match(/gave it at (\S+):/)?.[1] ?? '?') +
          ': kernel panics on rack 7',
      ]);
      expect(run.lines).toEqual(expect.arrayContaining(['state recalling', 'fleet: reported']));
      // Exactly the generation it ran v2 as, and the repos at v2.
      const current = (await host.generations()).find((entry) => entry.current);
      expect(current).toEqual(before[index]);
      expect(await host.currentSystem()).toBe(before[index]?.storePath);
      expect(await host.head('nix-config')).toBe(v2);
      // Its next run does not take the aborted set again.
      const again = await runInProcess(host);
      expect(again.exitCode, again.text).toBe(3);
      expect(await host.head('nix-config')).toBe(v2);
    }
    const stays = await runInProcess(lost);
    expect(stays.exitCode, stays.text).toBe(3);
    expect(summaryOf(stays.lines)[0]).toBe(
      'result: aborted in recalling before any change: the host is untouched',
    );
    expect(stays.text).toMatch(
      /cannot go back to set [0-9a-f]{12}: generation \d+ of \S+ no longer exists \(garbage-collected\?\)/,
    );
    expect(await lost.head('nix-config')).toBe(v3);

    const after = await view(hosts[0] as Sandbox);
    // Their last runs (after the recall) held the aborted set back; the fourth stayed on it.
    expect(after.hosts.map((host) => [host.id, host.result])).toEqual([
      ['web-1', 'held-back'],
      ['web-2', 'held-back'],
      ['web-3', 'held-back'],
      ['web-4', 'aborted'],
    ]);
    // Each recalled host reported it; its proof of the aborted set is closed.
    const proofs = after.sets.find((set) => set.id === bad)?.proven ?? [];
    for (const id of ids.slice(0, 3)) {
      expect(proofs.find((proof) => proof.host === id)?.until, id).toBeDefined();
    }
  }, 240_000);
});

describe('`xs-upgrade fleet watch`: sooner than the timer', () => {
  /** The watcher as its unit runs it, with a start command that runs the upgrade right here. */
  function startWatcher(host: Sandbox, extra: string[] = []) {
    const run = `node ${cliPath} run --config ${host.configFile} >> ${join(host.dir, 'watch-runs.log')} 2>&1`;
    const child = execa(
      'node',
      [cliPath, 'fleet', 'watch', '--config', host.configFile, '--start', run, ...extra],
      {
        env: { ...process.env, ...sandboxGitEnv, ...host.env, NO_COLOR: '1' },
        reject: false,
        all: true,
      },
    );
    let output = '';
    child.all?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const ready = new Promise<void>((resolve, reject) => {
      const check = setInterval(() => {
        if (output.includes('watching etcd')) {
          clearInterval(check);
          resolve();
        }
      }, 50);
      void child.then(() => {
        clearInterval(check);
        reject(new Error(`the watcher ended: ${output}`));
      });
    });
    return { child, ready, output: () => output };
  }

  const until = async (what: () => Promise<boolean>, withinMs: number) => {
    const started = Date.now();
    while (Date.now() - started < withinMs) {
      if (await what()) return Date.now() - started;
      await sleep(100);
    }
    throw new Error(`not within ${withinMs} ms`);
  };

  it('an abort of the set this host runs starts its recall within seconds; SIGTERM stops the watcher', async () => {
    const fleet: Fleet = { prefix: newPrefix() };
    const host = await fleetHost(sandboxes, cluster, fleet, 'web-1', { group: 'web' });
    const v2 = await pushToFleet(fleet, 'v2');
    expect((await runInProcess(host)).exitCode).toBe(0);
    await pushToFleet(fleet, 'v3');
    expect((await runInProcess(host)).exitCode).toBe(0);
    const watcher = startWatcher(host);
    sandboxes.cleanup(async () => {
      watcher.child.kill('SIGKILL');
      await watcher.child;
    });
    await watcher.ready;
    const set = (await view(host)).sets.find((entry) =>
      entry.proven.some((proof) => proof.host === 'web-1' && !proof.until),
    )?.id;
    const abortedAt = Date.now();
    expect((await operator(['abort', set ?? '', '--reason', 'bad'], host)).exitCode).toBe(0);
    const runs = () => readFile(join(host.dir, 'watch-runs.log'), 'utf8').catch(() => '');
    const tookMs = await until(async () => (await runs()).includes('result: recalled'), 30_000);
    expect(await host.head('nix-config')).toBe(v2);
    // Well within seconds of the abort (the timer would wait for its schedule).
    expect(Date.now() - abortedAt).toBeLessThan(20_000);
    expect(tookMs).toBeLessThan(20_000);
    expect(await runs()).toContain(`result: recalled: set ${set} was aborted fleet-wide`);
    expect(watcher.output()).toContain(`starting the upgrade: recall: alice aborted set ${set}`);

    watcher.child.kill('SIGTERM');
    const ended = await watcher.child;
    expect(ended.exitCode, ended.all).toBe(0);
    expect(watcher.output()).toContain('stopping the watch');
  }, 120_000);

  it('a follower starts as soon as a set is proven and soaked by its own clock', async () => {
    const { fleet, canary, web } = await fleetOf(1, { soak: '2s' });
    const follower = web[0] as Sandbox;
    const watcher = startWatcher(follower, ['--interval', '1s']);
    sandboxes.cleanup(async () => {
      watcher.child.kill('SIGKILL');
      await watcher.child;
    });
    await watcher.ready;
    const v2 = await pushToFleet(fleet, 'v2');
    const provedAt = Date.now();
    expect((await runInProcess(canary)).exitCode).toBe(0);
    const runs = () => readFile(join(follower.dir, 'watch-runs.log'), 'utf8').catch(() => '');
    await until(async () => (await runs()).includes('result: upgraded'), 30_000);
    expect(await follower.head('nix-config')).toBe(v2);
    // The soak (2 s from the watcher's first sighting), a second's interval, and the run.
    expect(Date.now() - provedAt).toBeLessThan(20_000);
    expect(watcher.output()).toMatch(
      /starting the upgrade: set [0-9a-f]{12} is proven on the canaries/,
    );
    watcher.child.kill('SIGTERM');
    await watcher.child;
  }, 120_000);
});
