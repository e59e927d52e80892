// The pure machine with stub actors: the order of states and the result for each outcome.
// (test/machine/paths.test.ts walks every edge of the graph; these read as examples.)
import { describe, expect, it } from 'vitest';
import { createActor, fromPromise } from 'xstate';
import type { UpgradeOutput } from '../../src/machine/types.js';
import { toFailure, upgradeMachine } from '../../src/machine/upgradeMachine.js';
import {
  actorNames,
  defaultPolicy,
  movedRepo,
  runStubbed,
  savedCommit,
} from '../support/stubMachine.js';

const upTo = (...states: string[]) => ['hooksRunning', 'snapshotting', 'pulling', ...states];

describe('upgradeMachine', () => {
  it('upgrades: hooks, snapshot, pull, build, checks, switch', async () => {
    const run = await runStubbed();
    expect(run.states).toEqual(upTo('building', 'validating', 'switching', 'done'));
    expect(run.output.result).toBe('upgraded');
  });

  it('stops at done with "nothing-new" when no repo moved', async () => {
    const run = await runStubbed({ pulled: [{ repo: 'nix-config', from: 'a', to: 'a' }] });
    expect(run.states).toEqual(upTo('done'));
    expect(run.output.result).toBe('nothing-new');
  });

  it('ends "held-back" when upstream is at commits that failed before, building nothing', async () => {
    const heldBack = { commits: { 'nix-config': 'b'.repeat(40) }, at: '2026-11-01', reason: 'x' };
    const run = await runStubbed({
      pulled: [{ repo: 'nix-config', from: 'a', to: 'a' }],
      heldBack,
    });
    expect(run.states).toEqual(upTo('heldBack'));
    expect(run.output.result).toBe('held-back');
    expect(run.output.heldBack).toEqual(heldBack);
    expect(run.invoked).not.toContain('runBuild');
  });

  it('ends "fetch-failed" on a temporary pull error, without a rollback', async () => {
    const run = await runStubbed({ failTemporarily: ['pullRepos'] });
    expect(run.states).toEqual(upTo('fetchFailed'));
    expect(run.output.result).toBe('fetch-failed');
    expect(run.output.failure?.temporary).toBe(true);
    expect(run.invoked).not.toContain('resetRepos');
  });

  it('builds anyway when nothing is new but force is set', async () => {
    const run = await runStubbed({
      pulled: [{ repo: 'nix-config', from: 'a', to: 'a' }],
      policy: { force: true },
    });
    expect(run.output.result).toBe('upgraded');
  });

  it('always builds and switches in remote mode, where there are no repos', async () => {
    const run = await runStubbed({ pulled: [], policy: { mode: 'remote' } });
    expect(run.output.result).toBe('upgraded');
  });

  it('skips building when buildBeforeSwitch is false', async () => {
    const run = await runStubbed({ policy: { buildBeforeSwitch: false } });
    expect(run.states).toEqual(upTo('validating', 'switching', 'done'));
    expect(run.invoked).not.toContain('runBuild');
  });

  it.each([
    ['runHooks', ['hooksRunning', 'aborted']],
    ['snapshotRepos', ['hooksRunning', 'snapshotting', 'aborted']],
  ] as const)('aborts without touching anything when %s fails', async (actor, states) => {
    const run = await runStubbed({ fail: [actor] });
    expect(run.states).toEqual(states);
    expect(run.output.result).toBe('aborted');
    expect(run.invoked).not.toContain('resetRepos');
  });

  it.each([
    ['pullRepos', 'pulling', upTo('rollingBack.resettingRepos', 'rolledBack')],
    ['runBuild', 'building', upTo('building', 'rollingBack.resettingRepos', 'rolledBack')],
    [
      'runChecks',
      'validating',
      upTo('building', 'validating', 'rollingBack.resettingRepos', 'rolledBack'),
    ],
  ] as const)('rolls the repos back when %s fails', async (actor, state, states) => {
    const run = await runStubbed({ fail: [actor] });
    expect(run.states).toEqual(states);
    expect(run.output).toMatchObject({
      result: 'rolled-back',
      failure: { state, message: `${actor} failed`, outputTail: ['last line'] },
    });
    expect(run.invoked).not.toContain('runSwitch');
  });

  it('also reverts the system when the switch fails', async () => {
    const run = await runStubbed({ fail: ['runSwitch'] });
    expect(run.states).toEqual(
      upTo(
        'building',
        'validating',
        'switching',
        'rollingBack.resettingRepos',
        'rollingBack.revertingSystem',
        'rolledBack',
      ),
    );
    expect(run.output.result).toBe('rolled-back');
  });

  it('ends in rollbackFailed when a reset fails', async () => {
    const run = await runStubbed({ fail: ['runBuild', 'resetRepos'] });
    expect(run.states.at(-1)).toBe('rollbackFailed');
    expect(run.output).toMatchObject({
      result: 'rollback-failed',
      failure: { state: 'building' },
      rollbackFailure: { message: 'resetRepos failed' },
    });
  });

  it('ends in rollbackFailed when the system rollback fails', async () => {
    const run = await runStubbed({ fail: ['runSwitch', 'rollbackSystem'] });
    expect(run.output.result).toBe('rollback-failed');
  });

  it('notifies and switches when validation fails under "notify"', async () => {
    const run = await runStubbed({
      fail: ['runChecks'],
      policy: { onValidationFailure: 'notify' },
    });
    expect(run.states).toEqual(upTo('building', 'validating', 'notifying', 'switching', 'done'));
    expect(run.output).toMatchObject({
      result: 'upgraded',
      validationFailure: { state: 'validating' },
    });
  });

  it('switches even when the notification fails', async () => {
    const run = await runStubbed({
      fail: ['runChecks', 'notifyValidationFailure'],
      policy: { onValidationFailure: 'notify' },
    });
    expect(run.output.result).toBe('upgraded');
  });

  it('switches without notifying when validation fails under "ignore"', async () => {
    const run = await runStubbed({
      fail: ['runChecks'],
      policy: { onValidationFailure: 'ignore' },
    });
    expect(run.states).toEqual(upTo('building', 'validating', 'switching', 'done'));
    expect(run.invoked).not.toContain('notifyValidationFailure');
    expect(run.output.validationFailure?.message).toBe('runChecks failed');
  });
});

describe('what the machine reports from its steps', () => {
  const unmoved = { repo: 'nix-secrets', from: 'c', to: 'c' };

  it('builds when any repo moved, and passes on what the pull found', async () => {
    const run = await runStubbed({ pulled: [unmoved, movedRepo] });
    expect(run.states).toContain('building');
    expect(run.output.pulled).toEqual([unmoved, movedRepo]);
    const direct = await runStubbed({ policy: { buildBeforeSwitch: false }, pulled: [movedRepo] });
    expect(direct.states).toEqual(upTo('validating', 'switching', 'done'));
    expect(direct.output.pulled).toEqual([movedRepo]);
  });

  it('says what a follower waits for, with nothing new or a pending reboot', async () => {
    const waiting = 'waiting for canaries: 1 commit ahead';
    const idle = await runStubbed({ pulled: [unmoved], waiting });
    expect(idle.output).toMatchObject({ result: 'nothing-new', waiting, pulled: [unmoved] });
    const pending = await runStubbed({
      policy: { reboot: 'needed', rebootPending: true },
      pulled: [unmoved],
      waiting,
      bootFacts: { kernelChanged: false, insideWindow: true },
    });
    expect(pending.states).toEqual(upTo('checkingReboot', 'done'));
    expect(pending.output).toMatchObject({ result: 'nothing-new', waiting, pulled: [unmoved] });
  });

  it('considers a pending reboot only when reboots are on, and nothing new only then', async () => {
    const off = await runStubbed({
      policy: { reboot: 'never', rebootPending: true },
      pulled: [unmoved],
    });
    expect(off.states).toEqual(upTo('done'));
    const noneLeft = await runStubbed({ policy: { reboot: 'needed' }, pulled: [unmoved] });
    expect(noneLeft.states).toEqual(upTo('done'));
  });

  it('gives "conditions" as the skip reason when the facts give none', async () => {
    const run = await runStubbed({ policy: { conditions: true }, conditions: [{ hold: false }] });
    expect(run.output.result).toBe('skipped');
    expect(run.output.skipReason).toBe('conditions');
    const late = await runStubbed({
      policy: { conditions: true },
      conditions: [{ hold: true }, { hold: false }],
    });
    expect(late.output.result).toBe('skipped');
    expect(late.output.skipReason).toBe('conditions before switching');
  });

  it('charges an interruption while notifying to notifying, and rolls back', async () => {
    const run = await runStubbed({
      policy: { onValidationFailure: 'notify' },
      fail: ['runChecks'],
      interruptDuring: 'notifyValidationFailure',
    });
    expect(run.states).toEqual(
      upTo('building', 'validating', 'notifying', 'rollingBack.resettingRepos', 'rolledBack'),
    );
    expect(run.output.failure?.state).toBe('notifying');
    expect(run.output.interrupted).toBe(true);
  });

  it('reboots for a new kernel inside the window, keeps it pending outside, not at all without', async () => {
    const needed = { reboot: 'needed' as const };
    const inside = await runStubbed({
      policy: needed,
      bootFacts: { kernelChanged: true, insideWindow: true },
    });
    expect(inside.states).toContain('rebooting');
    const outside = await runStubbed({
      policy: needed,
      bootFacts: { kernelChanged: true, insideWindow: false, window: '03:00-05:00' },
    });
    expect(outside.output.reboot).toEqual({
      requested: false,
      kernelChanged: true,
      pending: 'outside the reboot window 03:00-05:00',
    });
    const noWindowName = await runStubbed({
      policy: needed,
      bootFacts: { kernelChanged: true, insideWindow: false },
    });
    expect(noWindowName.output.reboot?.pending).toBe('outside the reboot window');
    const same = await runStubbed({
      policy: needed,
      bootFacts: { kernelChanged: false, insideWindow: true },
    });
    expect(same.states).not.toContain('rebooting');
    expect(same.output.reboot).toEqual({ requested: false, kernelChanged: false });
    const always = await runStubbed({
      policy: { reboot: 'always' },
      bootFacts: { kernelChanged: false, insideWindow: false, window: '03:00-05:00' },
    });
    expect(always.output.reboot?.pending).toBe('outside the reboot window 03:00-05:00');
  });

  it('keeps the reboot pending, saying why, when inspecting or rebooting failed', async () => {
    const inspect = await runStubbed({ policy: { reboot: 'needed' }, fail: ['inspectBoot'] });
    expect(inspect.output.reboot).toEqual({
      requested: false,
      uncertain: true,
      pending: 'cannot tell whether a reboot is needed: inspectBoot failed',
    });
    const reboot = await runStubbed({
      policy: { reboot: 'needed' },
      fail: ['requestReboot'],
      bootFacts: { kernelChanged: true, insideWindow: true },
    });
    expect(reboot.output.reboot).toEqual({
      requested: false,
      kernelChanged: true,
      pending: 'the reboot command failed: requestReboot failed',
    });
  });
});

describe('a closure CI built (system.closure)', () => {
  const closure = {
    storePath: `/nix/store/${'0'.repeat(32)}-nixos-system-host-26.05`,
    substituter: 'https://cache.example',
    signedBy: ['ci-1'],
    closureBytes: 2048,
    fetchBytes: 1024,
  };

  /** The machine with actors that record what they are given. */
  async function runWith(pulled: Record<string, unknown>, fetch: () => Promise<void>) {
    const inputs: Record<string, unknown> = {};
    const actors = Object.fromEntries(
      actorNames.map((name) => [
        name,
        fromPromise<unknown, unknown>(({ input }) => {
          inputs[name] = input;
          if (name === 'snapshotRepos') return Promise.resolve({ commits: [savedCommit] });
          if (name === 'pullRepos') return Promise.resolve(pulled);
          if (name === 'fetchClosure') return fetch();
          return Promise.resolve(undefined);
        }),
      ]),
    );
    const actor = createActor(upgradeMachine.provide({ actors }), {
      input: { policy: { ...defaultPolicy, closure: true } },
    });
    const output = await new Promise<UpgradeOutput>((resolve) => {
      actor.subscribe((snapshot) => {
        if (snapshot.status === 'done') resolve(snapshot.output);
      });
      actor.start();
    });
    return { inputs, output };
  }

  it('fetches the closure the pull picked, switches to its store path, and reports it', async () => {
    const { inputs, output } = await runWith({ repos: [movedRepo], closure }, () =>
      Promise.resolve(),
    );
    expect(inputs.fetchClosure).toEqual({ closure });
    expect(inputs.runSwitch).toEqual({ closure: closure.storePath });
    expect(inputs).not.toHaveProperty('runBuild');
    expect(output.result).toBe('upgraded');
    expect(output.closure).toEqual(closure);
  });

  it('switches with the configured switch when the pull picked none', async () => {
    const { inputs, output } = await runWith({ repos: [movedRepo] }, () => Promise.resolve());
    expect(inputs.runSwitch).toEqual({ closure: undefined });
    expect(inputs).not.toHaveProperty('fetchClosure');
    expect(output).not.toHaveProperty('closure');
  });

  it('a fetch that fails for now puts the repos back and ends fetch-failed; for good, rolled-back', async () => {
    const forNow = await runWith({ repos: [movedRepo], closure }, () =>
      Promise.reject(Object.assign(new Error('cache gone'), { temporary: true })),
    );
    expect(forNow.output.result).toBe('fetch-failed');
    expect(forNow.inputs).toHaveProperty('resetRepos');
    expect(forNow.output.failure).toMatchObject({ state: 'fetchingClosure', temporary: true });
    const forGood = await runWith({ repos: [movedRepo], closure }, () =>
      Promise.reject(new Error('not signed')),
    );
    expect(forGood.output.result).toBe('rolled-back');
    expect(forGood.inputs).not.toHaveProperty('runSwitch');
  });

  it('a closure without the policy is not fetched (it cannot come from a pull without one)', async () => {
    const inputs: string[] = [];
    const run = await runStubbed({ closure, policy: { closure: false } });
    inputs.push(...run.invoked);
    expect(inputs).not.toContain('fetchClosure');
    expect(run.states).toContain('building');
  });
});

describe('toFailure', () => {
  it("keeps what a step's error carries for the summary: output tail, command, advice, temporary", () => {
    const error = Object.assign(new Error('build failed with exit code 1'), {
      outputTail: ['error: attribute missing', 42],
      command: 'nh os build',
      next: 'fix the build upstream',
      temporary: true,
    });
    expect(toFailure('building', error)).toEqual({
      state: 'building',
      message: 'build failed with exit code 1',
      outputTail: ['error: attribute missing', '42'],
      command: 'nh os build',
      next: 'fix the build upstream',
      temporary: true,
    });
  });

  it('keeps the switch inhibitors a refused switch names, as text, and only when there are some', () => {
    const refused = (inhibitedBy: unknown) =>
      toFailure('switching', Object.assign(new Error('refused'), { inhibitedBy }));
    expect(refused(['dbus-implementation', 7]).inhibitedBy).toEqual(['dbus-implementation', '7']);
    expect(refused([])).toEqual({ state: 'switching', message: 'refused' });
    expect(refused('dbus')).toEqual({ state: 'switching', message: 'refused' });
  });

  it('leaves out what is missing or of the wrong kind, and takes any thrown value', () => {
    const odd = Object.assign(new Error('x'), {
      outputTail: [],
      command: 1,
      next: null,
      temporary: 'yes',
    });
    expect(toFailure('pulling', odd)).toEqual({ state: 'pulling', message: 'x' });
    expect(toFailure('switching', 'plain text')).toEqual({
      state: 'switching',
      message: 'plain text',
    });
    expect(toFailure('switching', undefined)).toEqual({
      state: 'switching',
      message: 'undefined',
    });
    expect(toFailure('building', Object.assign(new Error('y'), { outputTail: 'one' }))).toEqual({
      state: 'building',
      message: 'y',
    });
  });
});

describe('a recall (the set this host runs rejected fleet-wide)', () => {
  const recall = {
    from: { set: 'aaaaaaaaaaaa', by: 'alice', at: '2026-12-06T03:00:00.000Z', reason: 'bad' },
    to: { set: 'bbbbbbbbbbbb', commits: { 'nix-config': 'c'.repeat(40) }, since: '2026-12-01' },
  };
  const unmoved = [{ repo: 'nix-config', from: 'a'.repeat(40), to: 'a'.repeat(40) }];

  it('takes a slot, then goes back, and says where from and to; nothing is built or switched', async () => {
    const run = await runStubbed({ policy: { fleet: true }, pulled: unmoved, recall });
    expect(run.states).toEqual([
      'hooksRunning',
      'snapshotting',
      'pulling',
      'waitingForSlot',
      'recalling',
      'recalled',
    ]);
    expect(run.output).toMatchObject({ result: 'recalled', recall, slot: 'taken' });
    expect(run.invoked).not.toContain('runSwitch');
    expect(run.invoked).not.toContain('runBuild');
  });

  it('skips the conditions’ second look: a recall is not an upgrade to wait for', async () => {
    const run = await runStubbed({
      policy: { fleet: true, conditions: true },
      pulled: unmoved,
      recall,
    });
    expect(run.states).not.toContain('recheckingConditions');
    expect(run.output.result).toBe('recalled');
  });

  it('refused before it moved anything: aborted; failed half-way: rollback-failed, charged to recalling', async () => {
    const refused = await runStubbed({
      policy: { fleet: true },
      pulled: unmoved,
      recall,
      fail: ['recall'],
    });
    expect(refused.output).toMatchObject({
      result: 'aborted',
      failure: { state: 'recalling', message: 'recall failed' },
    });
    expect(refused.invoked).not.toContain('resetRepos');
    const halfway = await runStubbed({
      policy: { fleet: true },
      pulled: unmoved,
      recall,
      failMoved: ['recall'],
    });
    expect(halfway.output).toMatchObject({
      result: 'rollback-failed',
      rollbackFailure: { state: 'recalling', message: 'recall failed' },
    });
  });

  it('no slot in time: the repos stay, nothing is recalled, try later', async () => {
    const run = await runStubbed({
      policy: { fleet: true },
      pulled: unmoved,
      recall,
      fail: ['takeSlot'],
    });
    expect(run.output.result).toBe('no-slot');
    expect(run.invoked).not.toContain('recall');
  });
});
