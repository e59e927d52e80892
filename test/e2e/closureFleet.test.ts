// Closures in a fleet, on a real etcd 3.4 and real Nix: a canary's proof carries the closure it
// ran, and a follower takes exactly that closure (its own source is never asked); a closure a host
// rejected is held back wherever it turns up, under other commits too (the same closure built from
// commits that changed nothing it is made of).
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  announce,
  ciBuildSystem,
  closureSourceScript,
  createBinaryCache,
  forget,
  publishClosure,
  type BinaryCache,
} from '../../demo/binaryCache.js';
import type { Sandbox } from '../../demo/sandbox.js';
import { fleetHost, pushToFleet, type Fleet } from '../support/fleetHosts.js';
import { runCli } from '../support/cli.js';
import { useEtcd } from '../support/etcd.js';
import { useSandboxes } from '../support/sandboxes.js';

const use = useSandboxes();
const cluster = useEtcd();

const run = (sandbox: Sandbox) =>
  runCli(['run', '--config', sandbox.configFile], { env: sandbox.env });

/** The host takes closures from `cache`, by what its own closures/ folder announces. */
async function takesClosures(
  sandbox: Sandbox,
  cache: BinaryCache,
  extra: Record<string, unknown> = {},
) {
  await writeFile(join(sandbox.dir, 'bin', 'closure-source.sh'), closureSourceScript, {
    mode: 0o755,
  });
  const config = JSON.parse(await readFile(sandbox.configFile, 'utf8')) as Record<string, unknown>;
  await writeFile(
    sandbox.configFile,
    JSON.stringify({
      ...config,
      build: undefined,
      buildBeforeSwitch: false,
      system: {
        profile: sandbox.profile,
        closure: {
          command: ['sh', 'bin/closure-source.sh'],
          substituters: [cache.url],
          publicKeys: [cache.publicKey],
        },
      },
      ...extra,
    }),
  );
}

/** CI: builds upstream's commits, signs and uploads the closure, and the host forgets it. */
async function ciPublishes(canary: Sandbox, cache: BinaryCache): Promise<string> {
  const system = await ciBuildSystem(canary);
  await publishClosure(cache, system);
  await forget(system).catch(() => undefined);
  return system;
}

describe('closures in a fleet', () => {
  it('a follower takes exactly the closure the canary proved, without asking its own source', async () => {
    const fleet: Fleet = { prefix: cluster.newPrefix() };
    const canary = await fleetHost(use, cluster, fleet, 'canary-1', { group: 'canary', nix: true });
    const follower = await fleetHost(use, cluster, fleet, 'web-1', {
      group: 'web',
      follow: { group: 'canary', hosts: 1, soak: '1s' },
      nix: true,
    });
    const cache = await createBinaryCache(join(canary.dir, 'cache'));
    await takesClosures(canary, cache);
    await takesClosures(follower, cache);
    const v2 = await pushToFleet(fleet, 'v2');
    const system = await ciPublishes(canary, cache);
    // Only the canary's source knows the closure: the follower's says nothing is published.
    await announce(canary, v2, system);

    const proved = await run(canary);
    expect(proved.exitCode, proved.stdout).toBe(0);
    expect(proved.stdout).toContain('fleet: reported healthy on these commits');
    // The soak counts from the follower's first sighting of the proof.
    const early = await run(follower);
    expect(early.stdout).toContain('waiting for canaries');
    await new Promise((resolve) => setTimeout(resolve, 1200));

    const followed = await run(follower);
    expect(followed.exitCode, followed.stdout).toBe(0);
    expect(followed.stdout).toMatch(
      new RegExp(
        `following canaries: taking commit set [0-9a-f]{12}, proven on canary-1 as ${system.replace(/[.+]/g, '\\$&')}`,
      ),
    );
    expect(followed.states).toContain('fetchingClosure');
    expect(await follower.head('nix-config')).toBe(v2);
    const current = (await follower.generations()).find((entry) => entry.current);
    expect(current).toEqual({ generation: 2, storePath: system, current: true });
  });

  it('a closure a host rejected is held back under other commits, naming the host', async () => {
    const fleet: Fleet = { prefix: cluster.newPrefix() };
    const canary = await fleetHost(use, cluster, fleet, 'canary-1', { group: 'canary', nix: true });
    const cache = await createBinaryCache(join(canary.dir, 'cache'));
    // Its health check fails: the closure is rolled back and rejected fleet-wide.
    await takesClosures(canary, cache, { healthChecks: [{ command: 'false', retries: 0 }] });
    const v2 = await pushToFleet(fleet, 'v2');
    const bad = await ciPublishes(canary, cache);
    await announce(canary, v2, bad);
    const failed = await run(canary);
    expect(failed.exitCode, failed.stdout).toBe(4);
    expect(failed.stdout).toContain(
      'fleet: reported; these commits are now quarantined fleet-wide',
    );

    // New commits that change nothing the system is made of: CI builds the very same closure.
    const v3 = await canary.pushUpstream('nix-config', 'README', 'notes\n', 'v3');
    expect(await ciPublishes(canary, cache)).toBe(bad);
    await announce(canary, v3, bad);
    await takesClosures(canary, cache);
    const held = await run(canary);
    expect(held.exitCode, held.stdout).toBe(3);
    expect(held.states.at(-1)).toBe('heldBack');
    expect(held.stdout).toContain(
      `quarantined: canary-1 (group canary) rejected the closure ${bad}`,
    );
    expect(await canary.head('nix-config')).not.toBe(v3);
    expect((await canary.generations()).find((entry) => entry.current)?.generation).toBe(1);
  });
});
