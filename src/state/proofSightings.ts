// When this host first saw each open proof of a set (`fleet-proof-sightings.json` in the state
// dir): a follower measures a canary's soak from here, on its own clock, never on the canary's.
// Only proofs still open are kept, so the file stays as small as the canary group.
import { join } from 'node:path';
import { readJsonFile, writeFileAtomic } from '../actors/stateFile.js';

export const sightingsFile = 'fleet-proof-sightings.json';

/** "host/set/since" to the time (ms) this host first saw that proof open. */
export type Sightings = Record<string, number>;

export const sightingKey = (proof: { host: string; set: string; since: string }) =>
  `${proof.host}/${proof.set}/${proof.since}`;

/**
 * Adds the proofs seen for the first time at `now`, forgets those no longer open, and saves
 * the result; returns it. A file that cannot be read counts as empty: the soak starts again,
 * which is late, never early.
 */
export async function recordSightings(
  stateDir: string,
  open: string[],
  now: number,
): Promise<Sightings> {
  const path = join(stateDir, sightingsFile);
  const known = (await readJsonFile<Sightings>(path).catch(() => undefined)) ?? {};
  const next: Sightings = {};
  for (const key of open) {
    const seen = known[key];
    next[key] = typeof seen === 'number' && Number.isFinite(seen) && seen <= now ? seen : now;
  }
  const changed =
    Object.keys(next).length !== Object.keys(known).length ||
    Object.entries(next).some(([key, seen]) => known[key] !== seen);
  if (changed) await writeFileAtomic(path, `${JSON.stringify(next, null, 2)}\n`);
  return next;
}
