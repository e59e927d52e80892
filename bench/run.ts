// `npm run bench`: what the runner costs beyond the commands it runs, measured against bash and
// against Node's own start-up, in the same run. Each benchmark builds its own sandbox host (real
// repos with bare remotes), warms up, then alternates the commands it compares. Prints a Markdown
// report (the table in docs/performance.md). BENCH_QUICK=1 runs fewer repetitions; BENCH_ONLY=NAME
// runs one section.
import { execa, type Options } from 'execa';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEtcd } from '../demo/etcdServer.js';
import { overlapOf } from '../demo/overlap.js';
import { createSandbox } from '../demo/sandbox.js';
import { node22 } from '../demo/node22.js';
import { openEtcd } from '../src/fleet/etcd.js';
import { fleetAtScale } from './fleetScale.js';
import { buildOrFetch } from './closure.js';
import { simulateWaves } from './waves.js';
import { generateAllPaths, policyCombinations } from '../src/machine/paths.js';
import { packageRoot } from '../src/packageFiles.js';
import { nodeFlags } from '../src/cli/systemdUnits.js';

const cli = join(packageRoot, 'bin', 'xs-upgrade.js');
/** xs-upgrade as its systemd unit starts it (the Node flags included). */
const xsUpgrade = [...nodeFlags, cli];
const baseline = join(packageRoot, 'bench', 'baseline.sh');
const nothingNewBaseline = join(packageRoot, 'bench', 'baseline-nothing-new.sh');
const quick = process.env.BENCH_QUICK === '1';
/** BENCH_ONLY=fleet (or overhead, nothing-new, startup, output, scale, graph, fleet-scale, closure, waves; or several, comma-separated). */
const wanted = (section: string) =>
  !process.env.BENCH_ONLY || process.env.BENCH_ONLY.split(',').includes(section);
const reps = quick ? 3 : 10;
const lines: string[] = [];
/** Every measure of this run, also written to bench/results.json to compare two runs. */
const results: Record<string, Record<string, number>> = {};
const record = (name: string, values: Record<string, number>) => {
  results[name] = values;
};
const say = (text = '') => {
  lines.push(text);
  process.stderr.write(`${text}\n`);
};

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};
const spread = (values: number[]) =>
  `${Math.round(Math.min(...values))}–${Math.round(Math.max(...values))}`;
const ms = (value: number) => `${Math.round(value)} ms`;

/** One row per command: its median time and spread. */
function sayTimes(samples: Record<string, number[]>): void {
  say('| command | median | spread |');
  say('| --- | --- | --- |');
  for (const [name, values] of Object.entries(samples))
    say(`| ${name} | ${ms(median(values))} | ${spread(values)} ms |`);
}

async function timed(file: string, args: string[], options: Options = {}): Promise<number> {
  const started = performance.now();
  const result = await execa(file, args, {
    reject: false,
    stdout: 'ignore',
    stderr: 'ignore',
    ...options,
  });
  const elapsed = performance.now() - started;
  if (result.exitCode !== 0)
    throw new Error(`${file} ${args.join(' ')} exited ${result.exitCode ?? '?'}`);
  return elapsed;
}

/** Runs each measurement `reps` times after one warm-up, alternating them; returns the samples. */
async function alternate(
  measurements: Record<string, () => Promise<number>>,
): Promise<Record<string, number[]>> {
  const samples: Record<string, number[]> = Object.fromEntries(
    Object.keys(measurements).map((name) => [name, []]),
  );
  for (let round = -1; round < reps; round += 1) {
    for (const [name, measure] of Object.entries(measurements)) {
      const value = await measure();
      if (round >= 0) samples[name]?.push(value);
    }
  }
  return samples;
}

/** A host whose repos each get one new upstream commit; `reset()` puts the host repos back. */
async function upgradeableHost(repoCount: number, config: Record<string, unknown>) {
  const names = Array.from({ length: repoCount }, (_, index) =>
    index === 0 ? 'nix-config' : `repo-${index}`,
  );
  const sandbox = await createSandbox({ repos: names });
  await sandbox.writeConfig({
    repos: names.map((name) => ({ name, path: `repos/${name}` })),
    ...config,
  });
  const before = Object.fromEntries(
    await Promise.all(names.map(async (name) => [name, await sandbox.head(name)] as const)),
  );
  for (const name of names) await sandbox.pushUpstream(name, 'bench.txt', 'new\n', 'new');
  const reset = () =>
    Promise.all(
      names.map((name) =>
        sandbox.git(['reset', '--quiet', '--hard', before[name] ?? ''], sandbox.repoPath(name)),
      ),
    );
  return { sandbox, reset };
}

const quietCommands = {
  preUpdateHooks: ['true'],
  build: 'true',
  validationChecks: ['true', 'true', 'true'],
  switch: 'true',
};

async function overhead(): Promise<void> {
  const { sandbox, reset } = await upgradeableHost(2, quietCommands);
  const samples = await alternate({
    'node -e 0': () => timed('node', ['-e', '0']),
    'bench/baseline.sh': async () => (await reset(), timed(baseline, [sandbox.dir, '3'])),
    'xs-upgrade run': async () => (
      await reset(),
      timed('node', [...xsUpgrade, 'run', '--config', sandbox.configFile])
    ),
  });
  const node = median(samples['node -e 0'] ?? []);
  const bash = median(samples['bench/baseline.sh'] ?? []);
  const tool = median(samples['xs-upgrade run'] ?? []);
  const ratio = (tool - bash) / node;
  say(
    '## 1. Overhead: a whole upgrade (2 repos with a new commit, 1 hook, no-op build and switch, 3 checks)',
  );
  say();
  sayTimes(samples);
  say();
  say(
    `Extra time over the bash script / Node start-up: (${ms(tool)} − ${ms(bash)}) / ${ms(node)} = **${ratio.toFixed(2)}x** (target ≤ 1.5x: ${ratio <= 1.5 ? 'met' : 'not met'}).`,
  );
  record('run overhead in node start-ups', {
    ratio,
    target: 1.5,
    runMs: tool,
    bashMs: bash,
    nodeMs: node,
  });
  say();
  await rm(sandbox.dir, { recursive: true, force: true });
}

/** The case a frequent timer hits: nothing upstream. Against a script that fetches and compares. */
async function nothingNew(): Promise<void> {
  const sandbox = await createSandbox();
  await sandbox.writeConfig(quietCommands);
  // One run first, so the state dir exists as it would on a host the timer has run on.
  await timed('node', [...xsUpgrade, 'run', '--config', sandbox.configFile]);
  const samples = await alternate({
    'node -e 0': () => timed('node', ['-e', '0']),
    'bench/baseline-nothing-new.sh': () => timed(nothingNewBaseline, [sandbox.dir]),
    'xs-upgrade run (nothing new)': () =>
      timed('node', [...xsUpgrade, 'run', '--config', sandbox.configFile]),
  });
  const node = median(samples['node -e 0'] ?? []);
  const bash = median(samples['bench/baseline-nothing-new.sh'] ?? []);
  const tool = median(samples['xs-upgrade run (nothing new)'] ?? []);
  const ratio = (tool - bash) / node;
  say('## 1b. Nothing new: a run that finds nothing upstream (2 repos)');
  say();
  sayTimes(samples);
  say();
  say(
    `Extra time over the fetch-and-compare script / Node start-up: (${ms(tool)} − ${ms(bash)}) / ${ms(node)} = **${ratio.toFixed(2)}x** (target ≤ 1.0x: ${ratio <= 1 ? 'met' : 'not met'}).`,
  );
  say();
  record('nothing-new overhead in node start-ups', {
    ratio,
    target: 1,
    runMs: tool,
    bashMs: bash,
    nodeMs: node,
  });
  await rm(sandbox.dir, { recursive: true, force: true });
}

/** Node 22 (NixOS's default), when scripts/install-system-deps.sh fetched one. */
function findNode22(): string | undefined {
  try {
    return node22();
  } catch {
    return undefined;
  }
}

async function startup(): Promise<void> {
  const sandbox = await createSandbox();
  const validate = ['validate', '--config', sandbox.configFile];
  const nothingNewRun = ['run', '--config', sandbox.configFile];
  const node22Path = findNode22();
  await sandbox.writeConfig(quietCommands);
  // bin/xs-upgrade.js keeps Node 22's compile cache in systemd's CacheDirectory: a private folder
  // stands in for it; the warm-up round fills it.
  const cacheDirectory = await mkdtemp(join(tmpdir(), 'xs-bench-cache-'));
  const onNode22: Record<string, () => Promise<number>> = node22Path
    ? {
        'node -e 0 (Node 22)': () => timed(node22Path, ['-e', '0']),
        'xs-upgrade validate (Node 22, no compile cache)': () =>
          timed(node22Path, [...xsUpgrade, ...validate]),
        'xs-upgrade validate (Node 22, compile cache)': () =>
          timed(node22Path, [...xsUpgrade, ...validate], {
            env: { CACHE_DIRECTORY: cacheDirectory },
          }),
        // What the timer starts: a whole run, the runner loaded, with nothing upstream.
        'xs-upgrade run, nothing new (Node 22, no compile cache)': () =>
          timed(node22Path, [...xsUpgrade, ...nothingNewRun]),
        'xs-upgrade run, nothing new (Node 22, compile cache)': () =>
          timed(node22Path, [...xsUpgrade, ...nothingNewRun], {
            env: { CACHE_DIRECTORY: cacheDirectory },
          }),
      }
    : {};
  const samples = await alternate({
    'node -e 0': () => timed('node', ['-e', '0']),
    'xs-upgrade --version': () => timed('node', [...xsUpgrade, '--version']),
    'xs-upgrade validate': () => timed('node', [...xsUpgrade, ...validate]),
    ...onNode22,
  });
  await rm(cacheDirectory, { recursive: true, force: true });
  const node = median(samples['node -e 0'] ?? []);
  const version = median(samples['xs-upgrade --version'] ?? []) / node;
  const validateRatio = median(samples['xs-upgrade validate'] ?? []) / node;
  say('## 2. Start-up');
  say();
  say('| command | median | spread | / node -e 0 | target |');
  say('| --- | --- | --- | --- | --- |');
  const target: Record<string, string> = {
    'xs-upgrade --version': '≤ 1.15x',
    'xs-upgrade validate': '≤ 1.4x',
  };
  record('--version / node -e 0', { ratio: version, target: 1.15 });
  record('validate / node -e 0', { ratio: validateRatio, target: 1.4 });
  for (const [name, values] of Object.entries(samples)) {
    say(
      `| ${name} | ${ms(median(values))} | ${spread(values)} ms | ${(median(values) / node).toFixed(2)}x | ${target[name] ?? ''} |`,
    );
  }
  say();
  say(
    `--version: ${version <= 1.15 ? 'met' : 'not met'}; validate: ${validateRatio <= 1.4 ? 'met' : 'not met'}.`,
  );
  if (node22Path) {
    const saved = (command: string) => {
      const without = median(samples[`${command} (Node 22, no compile cache)`] ?? []);
      const withCache = median(samples[`${command} (Node 22, compile cache)`] ?? []);
      record(`Node 22 compile cache: ${command}`, { withoutMs: without, withMs: withCache });
      return `${ms(without - withCache)} of ${ms(without)} (${(((without - withCache) / without) * 100).toFixed(1)} %) on ${command}`;
    };
    say(
      `Node 22's compile cache saves ${saved('xs-upgrade validate')}, ${saved('xs-upgrade run, nothing new')}.`,
    );
  } else {
    say('No Node 22 here (scripts/install-system-deps.sh fetches one): measured on Node 20 only.');
  }
  say();
  await rm(sandbox.dir, { recursive: true, force: true });
}

/** Peak RSS of a process, from the kernel's high-water mark, read until it exits. */
async function peakRss(pid: number, done: Promise<unknown>): Promise<number> {
  let peak = 0;
  let finished = false;
  void done.finally(() => (finished = true));
  while (!finished) {
    const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
    const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
    peak = Math.max(peak, kb);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return peak / 1024;
}

async function outputVolume(): Promise<void> {
  say('## 3. Output volume: a build that prints lines of 80 characters');
  say();
  say(
    '| output | where the log goes | xs-upgrade run | peak RSS | throughput | the command to /dev/null | ratio | target |',
  );
  say('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const mib of quick ? [100] : [100, 1024]) {
    const printer = `yes "building /nix/store/abcdefghijklmnopqrstuvwxyz012345-some-package-1.2.3.drv" | head -c ${mib * 1024 * 1024}`;
    const { sandbox, reset } = await upgradeableHost(1, { ...quietCommands, build: printer });
    const direct = await timed('sh', ['-c', `${printer} > /dev/null`]);
    // The journal stamps each line itself (only the step prefix is written); a plain pipe gets
    // timestamps and prefixes. Either way the log goes into a pipe that is read to the end.
    for (const [where, env, target] of [
      ['journald (JOURNAL_STREAM)', { JOURNAL_STREAM: '8:12345' }, 0.5],
      ['a plain pipe', {}, 0.25],
    ] as const) {
      await reset();
      const started = performance.now();
      const child = execa('node', [...xsUpgrade, 'run', '--config', sandbox.configFile], {
        stdout: 'pipe',
        stderr: 'ignore',
        buffer: false,
        reject: false,
        env,
      });
      child.stdout?.resume();
      const rss = await peakRss(child.pid ?? 0, child);
      const run = performance.now() - started;
      const rate = (value: number) => `${Math.round((mib / value) * 1000)} MiB/s`;
      const ratio = direct / run;
      record(`output ${mib} MiB, ${where}`, { ms: run, rssMb: rss, ratio, target });
      say(
        `| ${mib} MiB | ${where} | ${ms(run)} | ${Math.round(rss)} MB | ${rate(run)} | ${ms(direct)} (${rate(direct)}) | ${ratio.toFixed(3)} | >= ${target}: ${ratio >= target ? 'met' : 'NOT MET'} |`,
      );
    }
    await rm(sandbox.dir, { recursive: true, force: true });
  }
  say();
  say('Targets: throughput ratios as in the table; peak RSS under 80 MB and flat in output size.');
  say();
}

async function scale(): Promise<void> {
  say('## 4. Scale');
  say();
  say('| repos (one new commit each) | median run | spread |');
  say('| --- | --- | --- |');
  for (const count of [1, 8, 32]) {
    const { sandbox, reset } = await upgradeableHost(count, quietCommands);
    const samples = await alternate({
      run: async () => (
        await reset(),
        timed('node', [...xsUpgrade, 'run', '--config', sandbox.configFile])
      ),
    });
    say(`| ${count} | ${ms(median(samples.run ?? []))} | ${spread(samples.run ?? [])} ms |`);
    await rm(sandbox.dir, { recursive: true, force: true });
  }
  say();
  say('| checks (each `sleep 0.1`) | validationConcurrency 1 | validationConcurrency 8 |');
  say('| --- | --- | --- |');
  for (const count of [1, 16, 64]) {
    const checks = Array.from({ length: count }, () => 'sleep 0.1');
    const times: string[] = [];
    for (const concurrency of [1, 8]) {
      const { sandbox, reset } = await upgradeableHost(1, {
        ...quietCommands,
        validationChecks: checks,
        validationConcurrency: concurrency,
      });
      const values: number[] = [];
      for (let index = 0; index < (quick ? 1 : 3); index += 1) {
        await reset();
        values.push(await timed('node', [...xsUpgrade, 'run', '--config', sandbox.configFile]));
      }
      times.push(ms(median(values)));
      await rm(sandbox.dir, { recursive: true, force: true });
    }
    say(`| ${count} | ${times[0] ?? ''} | ${times[1] ?? ''} |`);
  }
  say();
}

/** Slots on a local etcd: take and release latency, then 30 hosts contending for 3 slots. */
async function fleet(): Promise<void> {
  const etcd = await startEtcd();
  try {
    say('## 6. Fleet slots (etcd 3.4 on 127.0.0.1)');
    say();
    const coordinator = await openEtcd(
      { endpoints: [etcd.endpoint], prefix: '/bench', timeoutMs: 5000 },
      {},
    );
    const takes: number[] = [];
    const releases: number[] = [];
    for (let index = 0; index < (quick ? 20 : 100); index += 1) {
      let started = performance.now();
      await coordinator.tryTake({ id: 'bench', group: 'latency' });
      takes.push(performance.now() - started);
      started = performance.now();
      await coordinator.release('bench', 'latency');
      releases.push(performance.now() - started);
    }
    await coordinator.setSlots?.('contended', 3);
    await coordinator.close();
    const p95 = (values: number[]) =>
      [...values].sort((a, b) => a - b)[Math.floor(values.length * 0.95)] ?? 0;
    say('| call | median | p95 |');
    say('|---|---|---|');
    say(
      `| take a slot (read + compare-and-swap) | ${median(takes).toFixed(1)} ms | ${p95(takes).toFixed(1)} ms |`,
    );
    say(`| release it | ${median(releases).toFixed(1)} ms | ${p95(releases).toFixed(1)} ms |`);
    say();

    const hostCount = quick ? 9 : 30;
    const shared = await mkdtemp(join(tmpdir(), 'xs-upgrade-bench-fleet-'));
    const timeLog = join(shared, 'times.log');
    await writeFile(timeLog, '');
    const hosts = [];
    for (let index = 0; index < hostCount; index += 1) {
      const sandbox = await createSandbox();
      const id = `host-${index + 1}`;
      await sandbox.writeConfig({
        ...quietCommands,
        switch: `echo "start ${id} $(date +%s%N)" >> ${timeLog}; sleep 1; echo "end ${id} $(date +%s%N)" >> ${timeLog}`,
        fleet: { id, group: 'contended', etcd: { endpoints: [etcd.endpoint], prefix: '/bench' } },
      });
      await sandbox.pushUpstream('nix-config', 'bench.txt', 'new\n', 'new');
      hosts.push(sandbox);
    }
    const started = performance.now();
    const runs = await Promise.all(
      hosts.map((sandbox) =>
        execa('node', [...xsUpgrade, 'run', '--config', sandbox.configFile], { reject: false }),
      ),
    );
    const wall = performance.now() - started;
    const overlap = overlapOf((await readFile(timeLog, 'utf8')).split('\n'));
    const upgraded = runs.filter((run) => run.exitCode === 0).length;
    say(
      `${hostCount} host processes, 3 slots, a 1 s switch: ${upgraded} of ${hostCount} upgraded; at most ${overlap.most} switching at once (${overlap.most <= 3 ? 'never over-subscribed' : 'OVER-SUBSCRIBED'}); first switch to last: ${(overlap.spanMs / 1000).toFixed(1)} s for ${Math.ceil(hostCount / 3)} waves (${(overlap.spanMs / 1000 / Math.ceil(hostCount / 3)).toFixed(2)} s a wave); whole run, start-ups and builds included: ${(wall / 1000).toFixed(1)} s.`,
    );
    say();
    await Promise.all(
      [shared, ...hosts.map((host) => host.dir)].map((dir) =>
        rm(dir, { recursive: true, force: true }),
      ),
    );
  } finally {
    await etcd.dispose();
  }
}

/** 100 and 1,000 simulated hosts, 50 slots, a 1 s switch, on a 3-member etcd. */
async function fleetScale(): Promise<void> {
  const counts = quick ? [100, 300] : [100, 1000];
  const results = await fleetAtScale(counts, 50, 1000);
  say('## 7. The fleet store at scale (3-member etcd 3.4 on 127.0.0.1, in-process hosts)');
  say();
  say(
    '| hosts | slots | wall time | ideal | most at once | etcd calls per host-run (median, p99) | lost races | failed runs | largest key | `fleet status` |',
  );
  say('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const result of results) {
    record(`fleet-scale-${result.hosts}`, {
      wallMs: Math.round(result.wallMs),
      idealMs: result.idealMs,
      mostAtOnce: result.mostAtOnce,
      requestsMedian: result.requests.median,
      requestsP99: result.requests.p99,
      lostRaces: result.lostRaces,
      failures: result.failures,
      largestKeyBytes: result.largestKey.bytes,
      statusMs: Math.round(result.statusMs),
    });
    say(
      `| ${result.hosts} | ${result.slots} | ${(result.wallMs / 1000).toFixed(1)} s | ${(result.idealMs / 1000).toFixed(0)} s | ${result.mostAtOnce} | ${result.requests.median}, ${result.requests.p99} | ${result.lostRaces} | ${result.failures} | ${result.largestKey.bytes} B (${result.largestKey.key}) | ${ms(result.statusMs)} |`,
    );
  }
  for (const result of results) {
    for (const reason of result.reasons) say(`- ${result.hosts} hosts, a failed run: ${reason}`);
  }
  say();
}

async function closure(): Promise<void> {
  const times = await buildOrFetch(quick ? 2 : 5);
  const build = median(times.buildMs);
  const fetch = median(times.fetchMs);
  record('closure: new commits to switched', {
    buildMs: Math.round(build),
    fetchMs: Math.round(fetch),
  });
  say('## 8. Build here or fetch the closure CI built (real Nix, the sandbox system)');
  say();
  say('From new commits upstream to the switched system, one `xs-upgrade run` each, alternated:');
  say();
  say('| the system comes from | median | spread |');
  say('| --- | --- | --- |');
  say(`| a build on the host (nix-build) | ${ms(build)} | ${spread(times.buildMs)} ms |`);
  say(
    `| the closure CI built, from a file:// binary cache | ${ms(fetch)} | ${spread(times.fetchMs)} ms |`,
  );
  say();
  say(
    'The sandbox system is a few KiB built from builtins alone; a real host evaluates nixpkgs (minutes, gigabytes) before it builds anything, which a fetch skips, and a real closure downloads hundreds of MiB, which a build may also need.',
  );
  say();
}

/** 1,000 followers through 5% / 25% / 100% waves, simulated: time per wave against the ideal. */
function waves(): void {
  const hours = (value: number) => `${(value / 3_600_000).toFixed(1)} h`;
  const result = simulateWaves({ hosts: quick ? 300 : 1000 });
  say('## 9. Waves through a group (simulated clock, the real decisions)');
  say();
  say(
    `${result.hosts} followers on an hourly timer (random offsets); the canary proves the set at 0 h (follow.soak 2 h); waves 5% (soak 2 h), 25% (soak 6 h), 100%. The ideal: every soak exactly, every host of a wave at the moment it opens.`,
  );
  say();
  say('| wave | hosts | filled after | ideal | behind the ideal |');
  say('| --- | --- | --- | --- | --- |');
  result.waves.forEach((wave, index) => {
    record(`waves-${Math.round(wave.share * 100)}`, {
      hosts: wave.hosts,
      filledMs: wave.filledMs,
      idealMs: wave.idealMs,
    });
    say(
      `| ${index + 1} (${Math.round(wave.share * 100)}%) | ${wave.hosts} | ${hours(wave.filledMs)} | ${hours(wave.idealMs)} | ${hours(wave.filledMs - wave.idealMs)} |`,
    );
  });
  record('waves', {
    overShare: result.overShare,
    decisions: result.decisions,
    decisionMicros: result.decisionMicros,
  });
  say();
  say(
    `Hosts on the set beyond the share open at that moment: ${result.overShare}. ${result.decisions} decisions; one decision with ${result.hosts} hosts in the records: ${result.decisionMicros} µs CPU (median).`,
  );
  say();
}

async function graph(): Promise<void> {
  const started = performance.now();
  const paths = generateAllPaths();
  const generation = performance.now() - started;
  const suite = await execa('npx', ['vitest', 'run', 'test/machine/paths.test.ts'], {
    cwd: packageRoot,
    reject: false,
  });
  const duration =
    /Duration\s+([\d.]+m?s)/.exec(suite.stdout.replace(/\u001b\[[0-9;]*m/g, ''))?.[1] ?? '?';
  say('## 5. Graph');
  say();
  say(
    `Generating all ${paths.length} paths (${policyCombinations.length} policy combinations): ${ms(generation)}. The generated suite (\`test/machine/paths.test.ts\`, vitest, whole file): ${duration}.`,
  );
  say();
}

const { stdout: nodeVersion } = await execa('node', ['--version']);
say(`# xs-upgrade benchmarks`);
say();
say(
  `Machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}; Node ${nodeVersion}; ${reps} repetitions after a warm-up (medians; spread = min–max).`,
);
say();
if (wanted('overhead')) await overhead();
if (wanted('nothing-new')) await nothingNew();
if (wanted('startup')) await startup();
if (wanted('output')) await outputVolume();
if (wanted('scale')) await scale();
if (wanted('graph')) await graph();
if (wanted('fleet')) await fleet();
if (wanted('fleet-scale')) await fleetScale();
if (wanted('closure')) await closure();
if (wanted('waves')) waves();
const report = `${lines.join('\n')}\n`;
await writeFile(
  join(packageRoot, 'bench', 'results.json'),
  `${JSON.stringify({ at: new Date().toISOString(), node: nodeVersion, results }, null, 2)}\n`,
);
if (process.env.BENCH_REPORT) await writeFile(process.env.BENCH_REPORT, report);
process.stdout.write(report);
