// Build here or fetch what CI built: the time from new commits upstream to the switched system,
// for a run that builds the system on the host (nix-build, as `nh os build` would) and for one that
// fetches the closure CI built from a binary cache (system.closure), on the same sandbox system,
// alternated in one run. CI's build, signing and upload happen before the timed run, as in life.
import { execa } from 'execa';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ciPublish, createBinaryCache, takeClosures } from '../demo/binaryCache.js';
import { configurationNix } from '../demo/nixSystem.js';
import { createSandbox } from '../demo/sandbox.js';
import { packageRoot } from '../src/packageFiles.js';

const cli = join(packageRoot, 'bin', 'xs-upgrade.js');

export interface ClosureTimes {
  buildMs: number[];
  fetchMs: number[];
  /** What the fetched closures weighed (NAR bytes of the system itself). */
  fetchedBytes: number;
}

async function oneRun(kind: 'build' | 'fetch', round: number): Promise<number> {
  const sandbox = await createSandbox({ nix: true });
  try {
    const commit = await sandbox.pushUpstream(
      'nix-config',
      'configuration.nix',
      configurationNix(`  networking.hostName = "bench-${kind}-${round}-${Date.now()}";\n`),
      'new',
    );
    if (kind === 'fetch') {
      const cache = await createBinaryCache(join(sandbox.dir, 'cache'));
      const config = await takeClosures(sandbox, cache);
      await ciPublish(sandbox, cache, commit);
      await sandbox.writeConfig(config);
    }
    const started = performance.now();
    const run = await execa('node', [cli, 'run', '--config', sandbox.configFile], {
      env: { ...process.env, ...sandbox.env },
      reject: false,
    });
    const elapsed = performance.now() - started;
    if (run.exitCode !== 0) throw new Error(`the ${kind} run exited ${run.exitCode ?? '?'}`);
    return elapsed;
  } finally {
    await rm(sandbox.dir, { recursive: true, force: true });
  }
}

export async function buildOrFetch(reps: number): Promise<ClosureTimes> {
  const times: ClosureTimes = { buildMs: [], fetchMs: [], fetchedBytes: 0 };
  for (let round = -1; round < reps; round += 1) {
    const build = await oneRun('build', round);
    const fetch = await oneRun('fetch', round);
    // The first round warms Nix and the disk cache.
    if (round < 0) continue;
    times.buildMs.push(build);
    times.fetchMs.push(fetch);
  }
  return times;
}
