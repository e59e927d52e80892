// This host's slot across runs (src/fleet/hostSlot.ts), step by step on a real etcd 3.4 and a
// state dir: what each end of a run does with the slot and says, what is remembered for the next
// run, and what that run does first. slotHosts.test.ts runs whole hosts through the same code.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../demo/etcdServer.js';
import type { ResolvedFleet } from '../../src/config/resolve.js';
import { fleetStatus, releaseFleetSlot, setFleetSlots } from '../../src/fleet/admin.js';
import { HostSlot } from '../../src/fleet/hostSlot.js';
import { NoSlotInTime } from '../../src/fleet/waitForSlot.js';
import { CoordinatorUnavailable } from '../../src/fleet/coordinator.js';
import type { PulledRepo, UpgradeOutput } from '../../src/machine/types.js';
import { fleetSlotFile, type HeldSlot } from '../../src/state/fleetSlot.js';
import { useEtcd } from '../support/etcd.js';
import { memoryLog } from '../support/memoryLog.js';
import { rejectionOf } from '../support/rejection.js';

const cluster = useEtcd();
const dirs: string[] = [];
const slots: HostSlot[] = [];
afterEach(async () => {
  for (const slot of slots.splice(0)) await slot.close();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

const pulled: PulledRepo[] = [
  { repo: 'nix-config', from: 'a'.repeat(40), to: 'b'.repeat(40) },
] as never;

function fleetSpec(overrides: Partial<ResolvedFleet> = {}, endpoint = cluster.etcd.endpoint) {
  return {
    group: 'web',
    id: 'web-1',
    slotTimeoutMs: 1500,
    onFailure: 'hold',
    requireReport: true,
    backend: { etcd: { endpoints: [endpoint], prefix: cluster.newPrefix(), timeoutMs: 2000 } },
    ...overrides,
  } as ResolvedFleet;
}

/** A host's slot for one run, with its own log; `stateDir` carries over between runs. */
async function hostSlot(fleet: ResolvedFleet, stateDir?: string) {
  const dir = stateDir ?? (await mkdtemp(join(tmpdir(), 'xs-slot-')));
  if (!stateDir) dirs.push(dir);
  const log = memoryLog();
  const slot = await HostSlot.prepare(fleet, { env: {}, log, stateDir: dir });
  slots.push(slot);
  return { slot, log, stateDir: dir };
}

const ended = (result: UpgradeOutput['result'], more: Partial<UpgradeOutput> = {}) =>
  ({ result, switchStarted: true, slot: 'taken', ...more }) as UpgradeOutput;

const remembered = async (stateDir: string): Promise<HeldSlot | undefined> =>
  readFile(join(stateDir, fleetSlotFile), 'utf8').then(
    (text) => JSON.parse(text) as HeldSlot,
    () => undefined,
  );
const holders = async (fleet: ResolvedFleet) =>
  (await fleetStatus(fleet, {})).groups.flatMap((group) =>
    group.holders.map((holder) => `${group.group}:${holder.id}`),
  );

describe('after a run', () => {
  it('no slot asked for: nothing to say', async () => {
    const { slot } = await hostSlot(fleetSpec());
    expect(await slot.settle(ended('nothing-new', { slot: undefined }))).toBeUndefined();
  });

  it('healthy: released, with the commits it held it for named while held', async () => {
    const fleet = fleetSpec();
    const { slot, log, stateDir } = await hostSlot(fleet);
    await slot.take(pulled, new AbortController().signal);
    const [group] = (await fleetStatus(fleet, {})).groups;
    expect(group?.holders.map((holder) => [holder.id, holder.commits])).toEqual([
      ['web-1', { 'nix-config': 'b'.repeat(40) }],
    ]);
    expect(log.lines).toEqual(['fleet slot taken in group "web"']);
    expect(await slot.settle(ended('upgraded'))).toBe('fleet: slot in group "web" released');
    expect(await holders(fleet)).toEqual([]);
    expect(await remembered(stateDir)).toBeUndefined();
  });

  it('a switch that failed: held for the operator, with the failure remembered (cut at 300 characters)', async () => {
    const fleet = fleetSpec();
    const { slot, stateDir } = await hostSlot(fleet);
    await slot.take(pulled, new AbortController().signal);
    const message = `the service is down ${'x'.repeat(400)}`;
    const line = await slot.settle(
      ended('rolled-back', { failure: { state: 'healthChecking', message } }),
    );
    expect(line).toBe(
      'fleet: slot in group "web" HELD (onFailure "hold"): the rollout waits here; look at this host, then `xs-upgrade fleet release --id web-1`',
    );
    expect(await holders(fleet)).toEqual(['web:web-1']);
    const held = await remembered(stateDir);
    expect(held).toMatchObject({
      state: 'held-after-failure',
      group: 'web',
      id: 'web-1',
      where: `etcd ${cluster.etcd.endpoint}`,
    });
    expect(held?.reason).toBe(`healthChecking: ${message}`.slice(0, 300));
    expect(Date.parse(held?.since ?? '')).toBeGreaterThan(Date.now() - 60_000);

    // The next run switches nothing: the slot is still held, and it says so.
    const next = await hostSlot(fleet, stateDir);
    expect(await next.slot.settle(ended('nothing-new', { switchStarted: false }))).toBe(
      `fleet: slot in group "web" still HELD since the failure of ${held?.since}: \`xs-upgrade fleet release --id web-1\` after looking at this host`,
    );
    expect(await holders(fleet)).toEqual(['web:web-1']);
  });

  it('a failure without a message is held with how the run ended', async () => {
    const { slot, stateDir } = await hostSlot(fleetSpec());
    await slot.take(pulled, new AbortController().signal);
    await slot.settle(ended('rollback-failed'));
    expect((await remembered(stateDir))?.reason).toBe('the run ended rollback-failed');
  });

  it('rebooting: kept until the boot check', async () => {
    const fleet = fleetSpec();
    const { slot, stateDir } = await hostSlot(fleet);
    await slot.take(pulled, new AbortController().signal);
    expect(await slot.settle(ended('rebooting'))).toBe(
      'fleet: slot in group "web" kept until the boot check after the reboot passes',
    );
    expect((await remembered(stateDir))?.state).toBe('held-for-boot-check');
    expect(await holders(fleet)).toEqual(['web:web-1']);
  });

  it('refused a slot (the group full): nothing to release, nothing said', async () => {
    const fleet = fleetSpec({ slotTimeoutMs: 300 });
    await setFleetSlots(fleet, {}, 'web', 0);
    const { slot } = await hostSlot(fleet);
    await rejectionOf(slot.take(pulled, new AbortController().signal), NoSlotInTime);
    expect(await slot.settle(ended('no-slot', { switchStarted: false, slot: 'asked' }))).toBe(
      undefined,
    );
  });

  it('stopped while asking, with no answer yet: released, since it may be held', async () => {
    const fleet = fleetSpec();
    const { slot } = await hostSlot(fleet);
    expect(await slot.settle(ended('aborted', { switchStarted: false, slot: 'asked' }))).toBe(
      'fleet: no slot held in group "web"',
    );
  });
});

describe('a coordinator that cannot be reached', () => {
  it('refused before the call was sent: nothing was taken, nothing to release', async () => {
    const fleet = fleetSpec({}, `http://127.0.0.1:${await freePort()}`);
    const { slot } = await hostSlot(fleet);
    await rejectionOf(slot.take(pulled, new AbortController().signal), CoordinatorUnavailable);
    expect(await slot.settle(ended('no-slot', { switchStarted: false, slot: 'asked' }))).toBe(
      undefined,
    );
  });

  it('a canary that may go unreported switches without a slot, and says so', async () => {
    const fleet = fleetSpec({ requireReport: false }, `http://127.0.0.1:${await freePort()}`);
    const { slot, log } = await hostSlot(fleet);
    await slot.take(pulled, new AbortController().signal);
    expect(log.lines).toEqual([
      expect.stringMatching(
        /^warning: etcd http:\/\/127\.0\.0\.1:\d+: read \S+\/slots\/web\/claims\/web-1 failed: cannot connect to .* \(ECONNREFUSED\): switching without a fleet slot \(requireReport false\)$/,
      ),
    ]);
    expect(await slot.settle(ended('upgraded', { slot: 'asked' }))).toBe(
      'fleet: switched without a slot: the coordinator was unreachable (requireReport false)',
    );
  });

  it('a release that fails is remembered and said; the next run releases it first', async () => {
    const fleet = fleetSpec();
    const { slot, stateDir } = await hostSlot(fleet);
    await slot.take(pulled, new AbortController().signal);
    await slot.close();
    // The store moves away between the take and the release.
    const gone = fleetSpec({
      backend: { etcd: { ...etcdOf(fleet), endpoints: [`http://127.0.0.1:${await freePort()}`] } },
    });
    const late = await hostSlot(gone, stateDir);
    const line = await late.slot.release('the run ended upgraded');
    expect(line).toMatch(
      /^fleet: the slot in group "web" could not be released \(etcd http:\/\/127\.0\.0\.1:\d+: read \S+ failed: cannot connect to .* \(ECONNREFUSED\)\): the next run releases it$/,
    );
    expect(late.log.lines).toEqual([
      expect.stringMatching(/^warning: cannot release the fleet slot in group "web": etcd /),
    ]);
    const pending = await remembered(stateDir);
    expect(pending).toMatchObject({ state: 'release-pending', group: 'web', id: 'web-1' });
    expect(pending?.where).toMatch(/^etcd http:\/\/127\.0\.0\.1:\d+$/);
    expect(pending?.reason).toMatch(/^the run ended upgraded; release failed: etcd /);

    const next = await hostSlot(fleet, stateDir);
    await next.slot.reconcile();
    expect(next.log.lines).toEqual([
      `releasing the fleet slot an earlier run could not release (${pending?.since})`,
      'fleet: slot in group "web" released',
    ]);
    expect(await holders(fleet)).toEqual([]);
    expect(await remembered(stateDir)).toBeUndefined();
  });
});

describe('before a run: the slot held after a failure', () => {
  async function heldAfterFailure(fleet: ResolvedFleet) {
    const { slot, stateDir } = await hostSlot(fleet);
    await slot.take(pulled, new AbortController().signal);
    await slot.settle(ended('rolled-back', { failure: { state: 'switching', message: 'x' } }));
    return stateDir;
  }

  it('still held: kept, without a word', async () => {
    const fleet = fleetSpec();
    const stateDir = await heldAfterFailure(fleet);
    // Another group has a holder of the same id: not this slot.
    const other = { ...fleet, group: 'canary' };
    const elsewhere = await hostSlot(other);
    await elsewhere.slot.take(pulled, new AbortController().signal);
    const next = await hostSlot(fleet, stateDir);
    await next.slot.reconcile();
    expect(next.log.lines).toEqual([]);
    expect((await remembered(stateDir))?.state).toBe('held-after-failure');
  });

  it('released by an operator since: forgotten, and said', async () => {
    const fleet = fleetSpec();
    const stateDir = await heldAfterFailure(fleet);
    const since = (await remembered(stateDir))?.since;
    // The operator releases it; another host of another group holds a slot of its own.
    expect(await releaseFleetSlot(fleet, {}, 'web-1', 'web')).toBe(true);
    const other = await hostSlot({ ...fleet, group: 'canary', id: 'canary-1' });
    await other.slot.take(pulled, new AbortController().signal);
    const next = await hostSlot(fleet, stateDir);
    await next.slot.reconcile();
    expect(next.log.lines).toEqual([
      `the fleet slot held since the failure of ${since} was released by an operator`,
    ]);
    expect(await remembered(stateDir)).toBeUndefined();
  });

  it('the coordinator cannot be asked: kept, with a warning', async () => {
    const fleet = fleetSpec();
    const stateDir = await heldAfterFailure(fleet);
    const gone = fleetSpec({
      backend: { etcd: { ...etcdOf(fleet), endpoints: [`http://127.0.0.1:${await freePort()}`] } },
    });
    const next = await hostSlot(gone, stateDir);
    await next.slot.reconcile();
    expect(next.log.lines).toEqual([
      expect.stringMatching(
        /^warning: cannot look at the fleet slot: etcd http:\/\/127\.0\.0\.1:\d+: read \S+ failed: cannot connect to .* \(ECONNREFUSED\)$/,
      ),
    ]);
    expect((await remembered(stateDir))?.state).toBe('held-after-failure');
  });

  it('a state dir that cannot be written: the slot is still held, and the warning says why', async () => {
    const fleet = fleetSpec();
    const { slot, log, stateDir } = await hostSlot(fleet);
    await slot.take(pulled, new AbortController().signal);
    // A file where the state dir should be: nothing can be written under it.
    await rm(stateDir, { recursive: true });
    await writeFile(stateDir, 'not a folder');
    await slot.settle(ended('rebooting'));
    expect(log.lines.at(-1)).toMatch(/^warning: cannot record the fleet slot in the state dir: /);
    expect(await holders(fleet)).toEqual(['web:web-1']);
  });
});

function etcdOf(fleet: ResolvedFleet) {
  if (!('etcd' in fleet.backend)) throw new Error('not etcd');
  return fleet.backend.etcd;
}
