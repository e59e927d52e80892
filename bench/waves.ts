// Waves at scale (`BENCH_ONLY=waves`): a simulation of 1,000 followers taking one proven set
// through 5% / 25% / 100% waves, on a simulated clock. Every decision is the real one
// (src/fleet/rollout.ts `followable`, src/fleet/waves.ts `waveProgress` and `placeIn`, as
// rolloutGate.ts calls them), each host with its own sightings of proofs, as HostRollout keeps
// them. Hosts run on a timer every `intervalMs` from a random offset (OnCalendar plus
// RandomizedDelaySec); the canary proves the set at 0. Reported per wave: when it filled, against
// the ideal (every soak exactly, every host at once), and what one decision costs in CPU.
import { followable, setId, type SetRecord, type SoakStart } from '../src/fleet/rollout.js';
import { hostsInShare, placeIn, waveProgress } from '../src/fleet/waves.js';
import type { WaveSpec } from '../src/config/resolve.js';

export interface WaveResult {
  share: number;
  hosts: number;
  /** Simulated ms from the canary's proof until the wave's last host took the set. */
  filledMs: number;
  idealMs: number;
}

export interface WavesResult {
  hosts: number;
  intervalMs: number;
  waves: WaveResult[];
  /** The most hosts on the set beyond what the share open at that moment allowed (must be 0). */
  overShare: number;
  decisions: number;
  /** Real CPU time of one decision (median, µs) with every host and proof in the records. */
  decisionMicros: number;
}

const hour = 3_600_000;

/** A small deterministic generator: the same offsets every run, so two runs compare. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

export function simulateWaves(
  options: {
    hosts?: number;
    intervalMs?: number;
    canarySoakMs?: number;
    waves?: WaveSpec[];
  } = {},
): WavesResult {
  const count = options.hosts ?? 1000;
  const intervalMs = options.intervalMs ?? hour;
  const canarySoakMs = options.canarySoakMs ?? 2 * hour;
  const waves = options.waves ?? [
    { share: 0.05, soakMs: 2 * hour },
    { share: 0.25, soakMs: 6 * hour },
    { share: 1, soakMs: 0 },
  ];
  const rule = { group: 'canary', hosts: 1, soakMs: canarySoakMs };
  const hosts = Array.from(
    { length: count },
    (_, index) => `web-${String(index + 1).padStart(4, '0')}`,
  );
  const commits = { 'nix-config': 'c'.repeat(40) };
  const set: SetRecord = {
    id: setId(commits),
    commits,
    proven: [{ host: 'canary-1', group: 'canary', since: new Date(0).toISOString() }],
    rejected: [],
  };
  const next = random(20261206);
  const runs = hosts.map((host) => ({ host, at: Math.floor(next() * intervalMs) }));
  const sightings = new Map<string, Map<string, number>>(hosts.map((host) => [host, new Map()]));
  const took = new Map<string, number>();
  let overShare = 0;
  let decisions = 0;
  const cpu: number[] = [];
  const limit = 21 * 24 * hour;
  while (took.size < count) {
    runs.sort((a, b) => a.at - b.at);
    const run = runs[0];
    if (!run || run.at > limit) break;
    const now = run.at;
    run.at += intervalMs;
    if (took.has(run.host)) continue;
    const seen = sightings.get(run.host) as Map<string, number>;
    const started = performance.now();
    // As HostRollout does: every open proof it sees now is sighted, and its soak counts from
    // the first sighting.
    for (const proof of set.proven) {
      const key = `${proof.host} ${proof.since}`;
      if (!seen.has(key)) seen.set(key, now);
    }
    const start: SoakStart = (proof) => seen.get(`${proof.host} ${proof.since}`) ?? now;
    let takes = false;
    let open = 0;
    if (followable(set, rule, now, start)) {
      const progress = waveProgress(set, 'web', waves, hosts, now, start);
      open = progress.open;
      takes = placeIn(progress, run.host).inside;
    }
    cpu.push(performance.now() - started);
    decisions += 1;
    if (!takes) continue;
    took.set(run.host, now);
    set.proven.push({ host: run.host, group: 'web', since: new Date(now).toISOString() });
    overShare = Math.max(overShare, took.size - open);
  }
  const times = [...took.values()].sort((a, b) => a - b);
  let ideal = canarySoakMs;
  const results = waves.map((wave, index) => {
    const filledBy = hostsInShare(wave.share, count);
    const result = {
      share: wave.share,
      hosts: filledBy,
      filledMs: times[filledBy - 1] ?? Number.NaN,
      idealMs: ideal,
    };
    if (index < waves.length - 1) ideal += wave.soakMs;
    return result;
  });
  cpu.sort((a, b) => a - b);
  return {
    hosts: count,
    intervalMs,
    waves: results,
    overShare,
    decisions,
    decisionMicros: Math.round((cpu[cpu.length >> 1] ?? 0) * 1000),
  };
}
