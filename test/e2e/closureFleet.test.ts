// Closures in a fleet, on a real etcd 3.4 and real Nix: a canary's proof carries the closure it
// ran, and a follower takes exactly that closure (its own source is never asked); a closure a host
// rejected is held back wherever it turns up, under other commits too (the same closure built from
// commits that changed nothing it is made of).
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ciPublish,
  createBinaryCache,
  takeClosures,
  type BinaryCache,
} from '../../demo/binaryCache.js';
import type { Sandbox } from '../../demo/sandbox.js';
import { fleetHost, pushToFleet, type Fleet } from '../support/fleetHosts.js';
import { runCli } from '../support/cli.js';
import { bootedSystem } from '../support/nix.js';
import { useEtcd } from '../support/etcd.js';
import { useSandboxes } from '../support/sandboxes.js';

const use = useSandboxes();
const cluster = useEtcd();

const run = (sandbox: Sandbox) =>
  runCli(['run', '--config', sandbox.configFile], { env: sandbox.env });

/** The host takes closures from `cache` (its fleet config kept), with `extra` config on top. */
async function takesClosures(
  sandbox: Sandbox,
  cache: BinaryCache,
  extra: Record<string, unknown> = {},
) {
  const config = JSON.parse(await readFile(sandbox.configFile, 'utf8')) as Record<string, unknown>;
  await writeFile(
    sandbox.configFile,
    JSON.stringify({ ...config, ...(await takeClosures(sandbox, cache)), ...extra }),
  );
}

/** A canary and a follower of it (one canary, a 1 s soak) on real Nix, and CI's cache. */
async function canaryAndFollower() {
  const fleet: Fleet = { prefix: cluster.newPrefix() };
  const canary = await fleetHost(use, cluster, fleet, 'canary-1', { group: 'canary', nix: true });
  const follower = await fleetHost(use, cluster, fleet, 'web-1', {
    group: 'web',
    follow: { group: 'canary', hosts: 1, soak: '1s' },
    nix: true,
  });
  const cache = await createBinaryCache(join(canary.dir, 'cache'));
  return { fleet, canary, follower, cache };
}

describe('closures in a fleet', () => {
  it('a follower takes exactly the closure the canary proved, without asking its own source', async () => {
    const { fleet, canary, follower, cache } = await canaryAndFollower();
    await takesClosures(canary, cache);
    await takesClosures(follower, cache);
    const v2 = await pushToFleet(fleet, 'v2');
    // Only the canary's source knows the closure: the follower's says nothing is published.
    const system = await ciPublish(canary, cache, v2);

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

  it('a closure that needs a reboot is proven by the boot check, with its store path', async () => {
    const { fleet, canary, follower, cache } = await canaryAndFollower();
    const { path: booted, boot } = bootedSystem(canary);
    await boot(1);
    await takesClosures(canary, cache, {
      reboot: {
        when: 'always',
        bootedSystem: booted,
        command: 'echo "reboot requested" >> reboot.log',
      },
    });
    await takesClosures(follower, cache);
    const v2 = await pushToFleet(fleet, 'v2');
    const system = await ciPublish(canary, cache, v2);
    const upgraded = await run(canary);
    expect(upgraded.exitCode, upgraded.stdout).toBe(0);
    expect(upgraded.states.at(-1)).toBe('rebootRequested');
    // No proof before the boot is checked.
    expect((await run(follower)).stdout).not.toContain('following canaries: taking');

    await boot(2);
    const checked = await runCli(['boot-check', '--config', canary.configFile], {
      env: canary.env,
    });
    expect(checked.exitCode, checked.stdout).toBe(0);
    expect(checked.stdout).toContain('fleet: reported healthy on these commits');
    const early = await run(follower);
    expect(early.stdout).toContain('waiting for canaries');
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const followed = await run(follower);
    expect(followed.stdout).toContain(`proven on canary-1 as ${system}`);
    expect((await follower.generations()).find((entry) => entry.current)?.storePath).toBe(system);
  });

  it('a closure a host rejected is held back under other commits, naming the host', async () => {
    const fleet: Fleet = { prefix: cluster.newPrefix() };
    const canary = await fleetHost(use, cluster, fleet, 'canary-1', { group: 'canary', nix: true });
    const cache = await createBinaryCache(join(canary.dir, 'cache'));
    // Its health check fails: the closure is rolled back and rejected fleet-wide.
    await takesClosures(canary, cache, { healthChecks: [{ command: 'false', retries: 0 }] });
    const v2 = await pushToFleet(fleet, 'v2');
    const bad = await ciPublish(canary, cache, v2);
    const failed = await run(canary);
    expect(failed.exitCode, failed.stdout).toBe(4);
    expect(failed.stdout).toContain(
      'fleet: reported; these commits are now quarantined fleet-wide',
    );

    // New commits that change nothing the system is made of: CI builds the very same closure.
    const v3 = await canary.pushUpstream('nix-config', 'README', 'notes\n', 'v3');
    expect(await ciPublish(canary, cache, v3)).toBe(bad);
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
