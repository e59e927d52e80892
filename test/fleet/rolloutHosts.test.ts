// Canaries first, in-process, against a real etcd 3.4 (started for this file): hosts run as
// `xs-upgrade run` does (test/support/inProcessRun.ts), so that mutation testing sees the fleet
// code they go through; test/e2e/rollout.test.ts runs the same story through the built CLI.
// Hosts share one set of bare remotes, so their commits are the same commits.
import { describe, expect, it } from 'vitest';
import { fleetHost, pushToFleet, type Fleet } from '../support/fleetHosts.js';
import { fleetStatus, forgiveSet } from '../../src/fleet/admin.js';
import type { EtcdSpec } from '../../src/config/resolve.js';
import { rollbackLastUpgrade } from '../../src/runner/manualRollback.js';
import { useEtcd } from '../support/etcd.js';
import { hostOptions, runInProcess, summaryOf } from '../support/inProcessRun.js';
import { useSandboxes } from '../support/sandboxes.js';

const sandboxes = useSandboxes();
const cluster = useEtcd();

const host = (
  fleet: Fleet,
  id: string,
  options: { group: string; follow?: Record<string, unknown>; requireReport?: boolean },
) => fleetHost(sandboxes, cluster, fleet, id, options);
const push = pushToFleet;

// Long enough that the follower's first run falls inside it on a loaded machine (the canary's run,
// a push and the follower's run take a few seconds there); the test then waits out only the rest.
const soakMs = 4000;
/**
 * Until the soak of a proof the follower first saw no later than `seenBy` is over: a soak counts
 * from the follower's own first sighting of the proof, never from the canary's clock.
 */
const afterSoak = (seenBy: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.max(0, seenBy + soakMs + 200 - Date.now())));

describe('canaries first, in-process', () => {
  it('a follower waits for the soak, then takes exactly the set the canary proved', async () => {
    const fleet: Fleet = { prefix: cluster.newPrefix() };
    const canary = await host(fleet, 'canary-1', { group: 'canary' });
    const follower = await host(fleet, 'web-1', {
      group: 'web',
      follow: { group: 'canary', hosts: 1, soak: `${soakMs}ms` },
    });
    const v2 = await push(fleet, 'v2');
    const proved = await runInProcess(canary);
    expect(proved.exitCode, proved.text).toBe(0);
    expect(proved.lines).toContain('fleet: reported healthy on these commits');
    await push(fleet, 'v3');

    const early = await runInProcess(follower);
    const seenBy = Date.now();
    expect(early.exitCode, early.text).toBe(0);
    expect(summaryOf(early.lines)[0]).toMatch(
      /^result: nothing new \(waiting for canaries: 2 commits ahead, proven on 0 of 1; set [0-9a-f]{12} soaks until \S+\): nothing was built or switched$/,
    );

    await afterSoak(seenBy);
    const followed = await runInProcess(follower);
    expect(followed.exitCode, followed.text).toBe(0);
    expect(followed.text).toMatch(
      /following canaries: taking commit set [0-9a-f]{12}, proven on canary-1 \(1 commit behind upstream\)/,
    );
    expect(await follower.head('nix-config')).toBe(v2);

    const view = await fleetStatus((await hostOptions(canary)).config.fleet!, process.env);
    expect(
      view.hosts.map((entry) => [entry.id, entry.group, entry.result, entry.commits['nix-config']]),
    ).toEqual([
      ['canary-1', 'canary', 'upgraded', v2],
      ['web-1', 'web', 'upgraded', v2],
    ]);
    const proven = view.sets.find((set) => set.commits['nix-config'] === v2);
    expect(proven?.proven.map((proof) => proof.host).sort()).toEqual(['canary-1', 'web-1']);
  });

  it('a set a canary rejected is held back fleet-wide, naming the host, until forgiven', async () => {
    const fleet: Fleet = { prefix: cluster.newPrefix() };
    const canary = await host(fleet, 'canary-1', { group: 'canary' });
    const second = await host(fleet, 'canary-2', { group: 'canary' });
    const saved = await second.head('nix-config');
    const v2 = await push(fleet, 'v2', true);
    const failed = await runInProcess(canary);
    expect(failed.exitCode, failed.text).toBe(4);
    expect(failed.lines).toContain('fleet: reported; these commits are now quarantined fleet-wide');

    const skipped = await runInProcess(second);
    expect(skipped.exitCode, skipped.text).toBe(3);
    const set = /fleet forgive ([0-9a-f]{12})/.exec(skipped.text)?.[1] ?? '';
    const summary = summaryOf(skipped.lines);
    expect(summary[0]).toMatch(
      /^result: held back: upstream is at commits canary-1 rejected on \S+ \(fleet-wide quarantine\): nothing was built or switched$/,
    );
    expect(summary[1]).toMatch(
      /^cause, as host "canary-1" reported it: validating: .*no broken services/,
    );
    expect(summary[2]).toBe(
      `next: fix the cause upstream and push a new commit, or after looking, \`xs-upgrade fleet forgive ${set}\` (or \`xs-upgrade run --force\`) to try these commits again`,
    );
    expect(await second.head('nix-config')).toBe(saved);

    const fleetSpec = (await hostOptions(second)).config.fleet!;
    const view = await fleetStatus(fleetSpec, process.env);
    const rejected = view.sets.find((entry) => entry.id === set);
    expect(rejected?.commits['nix-config']).toBe(v2);
    expect(rejected?.rejected.map((entry) => [entry.host, entry.group])).toEqual([
      ['canary-1', 'canary'],
    ]);

    const forgiven = await forgiveSet(fleetSpec, process.env, set);
    expect(forgiven?.forgiven).toBe(true);
    const retried = await runInProcess(second);
    expect(retried.exitCode, retried.text).toBe(4);
    expect(retried.text).toContain('state validating');
  });

  it('`xs-upgrade rollback` on a canary ends its proof: a follower never takes the set it undid', async () => {
    const fleet: Fleet = { prefix: cluster.newPrefix() };
    const canary = await host(fleet, 'canary-1', { group: 'canary' });
    const follower = await host(fleet, 'web-1', {
      group: 'web',
      follow: { group: 'canary', hosts: 1, soak: '1s' },
    });
    const saved = await follower.head('nix-config');
    const v2 = await push(fleet, 'v2');
    expect((await runInProcess(canary)).exitCode).toBe(0);
    // The follower sees the open proof, so its soak has started.
    expect((await runInProcess(follower)).text).toContain('waiting for canaries');
    const log = (await hostOptions(canary)).log;
    expect(await rollbackLastUpgrade({ ...(await hostOptions(canary)), log })).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 1500));

    const view = await fleetStatus((await hostOptions(canary)).config.fleet!, process.env);
    const proof = view.sets.find((set) => set.commits['nix-config'] === v2)?.proven;
    expect(proof).toHaveLength(1);
    expect(proof?.[0]?.until).toBeDefined();
    const after = await runInProcess(follower);
    expect(after.exitCode, after.text).toBe(0);
    expect(await follower.head('nix-config')).toBe(saved);
    expect(after.text).not.toContain('following canaries: taking');
  });

  it('a set rejected while a host waited for its slot is not switched to; the slot goes back', async () => {
    const fleet: Fleet = { prefix: cluster.newPrefix() };
    const first = await host(fleet, 'canary-1', { group: 'canary' });
    const second = await host(fleet, 'canary-2', { group: 'canary' });
    const saved = await second.head('nix-config');
    const v2 = await push(fleet, 'v2');
    const spec = (await hostOptions(first)).config.fleet!;
    // An operator holds the group's one slot, so canary-2 waits; canary-1 rejects v2 meanwhile.
    const { openCoordinator } = await import('../../src/fleet/openCoordinator.js');
    const operator = await openCoordinator(spec, process.env);
    expect((await operator.tryTake({ id: 'operator', group: 'canary' })).taken).toBe(true);
    const waiting = runInProcess(second);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const { openRolloutStore } = await import('../../src/fleet/rolloutStore.js');
    const store = await openRolloutStore((spec.backend as { etcd: EtcdSpec }).etcd, process.env);
    await store.report({
      host: 'canary-1',
      group: 'canary',
      commits: { 'nix-config': saved, 'nix-secrets': await first.head('nix-secrets') },
      result: 'rolled-back',
      at: new Date().toISOString(),
      healthy: false,
      rejected: {
        commits: { 'nix-config': v2, 'nix-secrets': await first.head('nix-secrets') },
        reason: 'healthChecking: down',
      },
    });
    await store.close();
    await operator.release('operator', 'canary');
    await operator.close();
    const skipped = await waiting;
    expect(skipped.exitCode, skipped.text).toBe(75);
    expect(skipped.text).toMatch(
      /canary-1 \(group canary\) rejected these commits at \S+ while this host waited for a slot, as that host reported it: healthChecking: down/,
    );
    expect(skipped.text).not.toContain('state switching');
    expect(await second.head('nix-config')).toBe(saved);
    const view = await fleetStatus(spec, process.env);
    expect(view.groups.find((group) => group.group === 'canary')?.holders).toEqual([]);
  });
});
