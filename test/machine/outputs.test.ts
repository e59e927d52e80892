// What the machine reports, on every generated path: paths.test.ts checks the states and the
// result; this checks the output a run's summary, record and notifications are made from (which
// state a failure is charged to, the reboot decision, the skip reason, the fleet slot, the saved
// system). Mutation testing (docs/testing.md) found these unchecked.
import { beforeAll, describe, expect, it } from 'vitest';
import { createActor, type AnyActorLogic } from 'xstate';
import { generateAllPaths } from '../../src/machine/paths.js';
import { statePathOf } from '../../src/machine/statePath.js';
import { allStateNodes } from '../../src/machine/transitions.js';
import { upgradeMachine } from '../../src/machine/upgradeMachine.js';
import { runGeneratedPath, type StubbedRun } from '../support/stubMachine.js';

/** The state each actor is invoked from, read off the machine definition ("rollingBack.x"). */
const invokedFrom = new Map(
  allStateNodes(upgradeMachine).flatMap((node) =>
    node.invoke.map((invoke) => [invoke.id, node.path.join('.')] as const),
  ),
);

const savedSystem = {
  profile: '/nix/var/nix/profiles/system',
  generation: 41,
  storePath: '/nix/store/aaaa-nixos-system',
};

const paths = generateAllPaths();
/** Each path run once; every check below reads these. */
let runs: StubbedRun[] = [];
beforeAll(async () => {
  runs = [];
  for (const path of paths) runs.push(await runGeneratedPath(path, { savedSystem }));
}, 60_000);

describe('the output of every generated path', () => {
  it('charges a failure to the state whose step failed or was stopped, with its message', () => {
    let checked = 0;
    for (const [index, path] of paths.entries()) {
      // A switch refused for its inhibitors is installed for the next boot: not a failure.
      const trouble = path.steps.find(
        (step) =>
          (step.outcome === 'error' && !('inhibited' in step)) || step.outcome === 'interrupted',
      );
      if (!trouble) continue;
      const run = runs[index];
      if (!run) throw new Error('not run');
      const where = invokedFrom.get(trouble.actor);
      const label = `${path.states.join(' > ')} (${trouble.actor} ${trouble.outcome})`;
      if (trouble.outcome === 'interrupted') {
        expect(run.output.failure, label).toEqual({
          state: where,
          message: 'interrupted (SIGTERM or SIGINT): the step was stopped',
        });
      } else if (trouble.actor === 'runChecks' && path.policy.onValidationFailure !== 'rollback') {
        // Notify or ignore: the run goes on to the switch; the failure is kept apart.
        expect(run.output.validationFailure, label).toMatchObject({
          state: 'validating',
          message: 'runChecks failed',
        });
      } else if (trouble.actor === 'inspectBoot' || trouble.actor === 'requestReboot') {
        // After the switch and its checks: the upgrade stands; the reboot is left pending.
        expect(run.output.failure, label).toBeUndefined();
      } else if (trouble.actor === 'recall' && 'moved' in trouble) {
        // Half-way between two sets: a failed rollback's kind of trouble, charged to the recall.
        expect(run.output.rollbackFailure?.state, label).toBe('recalling');
        expect(run.output.failure, label).toBeUndefined();
      } else if (where?.startsWith('rollingBack')) {
        expect(run.output.rollbackFailure?.state, label).toBe('rollingBack');
      } else if (trouble.actor !== 'notifyValidationFailure') {
        expect(run.output.failure?.state, label).toBe(where);
        expect(run.output.failure?.message, label).toBe(`${trouble.actor} failed`);
      }
      checked += 1;
    }
    expect(checked).toBeGreaterThan(500);
  });

  it('says whether it rebooted, and why not, exactly when the reboot was considered', () => {
    let checked = 0;
    for (const [index, path] of paths.entries()) {
      const considered = path.states.includes('checkingReboot');
      const run = runs[index];
      if (!run) throw new Error('not run');
      const label = path.states.join(' > ');
      const installed = path.steps.some(
        (step) => step.actor === 'installForBoot' && step.outcome === 'done',
      );
      // Installed for the next boot: the reboot is what makes it run, said even without a policy.
      expect(run.output.reboot?.inhibitedBy, label).toEqual(
        installed ? ['dbus-implementation'] : undefined,
      );
      if (installed && !considered) {
        expect(run.output.reboot?.pending, label).toMatch(/^reboot\.when is "never"/);
        expect(run.output.reboot?.requested, label).toBe(false);
        continue;
      }
      if (!considered) {
        expect(run.output.reboot, label).toBeUndefined();
        continue;
      }
      checked += 1;
      const requested = path.result === 'rebooting';
      expect(run.output.reboot?.requested, label).toBe(requested);
      if (requested) continue;
      const inspected = path.steps.find((step) => step.actor === 'inspectBoot');
      const rebootFailed = path.steps.some(
        (step) => step.actor === 'requestReboot' && step.outcome === 'error',
      );
      const pending = run.output.reboot?.pending ?? '';
      if (inspected?.outcome === 'error')
        expect(pending, label).toBe('cannot tell whether a reboot is needed: inspectBoot failed');
      else if (rebootFailed)
        expect(pending, label).toBe('the reboot command failed: requestReboot failed');
      else if (inspected && 'boot' in inspected && inspected.boot?.includes('outside window'))
        expect(pending, label).toMatch(/^outside the reboot window/);
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('gives the reason a run was skipped, exactly when the conditions said no', () => {
    let skipped = 0;
    for (const [index, path] of paths.entries()) {
      const run = runs[index];
      if (!run) throw new Error('not run');
      const refused = path.steps.find(
        (step) => step.outcome === 'done' && 'conditions' in step && step.conditions === 'fail',
      );
      const expected =
        refused?.actor === 'recheckConditions'
          ? 'outside the maintenance window before switching'
          : refused
            ? 'outside the maintenance window'
            : undefined;
      expect(run.output.skipReason, path.states.join(' > ')).toBe(expected);
      if (path.result === 'skipped') skipped += 1;
    }
    expect(skipped).toBeGreaterThan(5);
  });

  it('reports the saved system once the snapshot is taken, and the slot as far as it got', () => {
    for (const [index, path] of paths.entries()) {
      const run = runs[index];
      if (!run) throw new Error('not run');
      const label = path.states.join(' > ');
      const snapshotted = path.steps.some(
        (step) => step.actor === 'snapshotRepos' && step.outcome === 'done',
      );
      expect(run.output.savedSystem, label).toEqual(snapshotted ? savedSystem : undefined);
      const asked = path.states.includes('waitingForSlot');
      const took = path.steps.some((step) => step.actor === 'takeSlot' && step.outcome === 'done');
      expect(run.output.slot, label).toBe(took ? 'taken' : asked ? 'asked' : undefined);
      const refused = path.steps.some(
        (step) => step.actor === 'takeSlot' && step.outcome === 'error',
      );
      // No slot: the repos go back and the run says so, unless even that rollback failed; the
      // store unreachable while waiting is said as that.
      const unreachable = path.steps.some(
        (step) => step.actor === 'takeSlot' && step.outcome === 'error' && 'fleet' in step,
      );
      if (path.result !== 'rollback-failed') {
        expect(run.output.result === 'no-slot', label).toBe(refused && !unreachable);
        if (unreachable) expect(run.output.result, label).toBe('fleet-unavailable');
      }
    }
  });
});

describe('statePathOf', () => {
  it('names nested states with a dot', () => {
    expect(statePathOf('building')).toBe('building');
    expect(statePathOf({ rollingBack: 'resettingRepos' })).toBe('rollingBack.resettingRepos');
  });
});

describe('the actors the machine declares', () => {
  it('each fails, naming itself, until the runner provides it', async () => {
    const declared = Object.entries(upgradeMachine.implementations.actors);
    expect(declared.length).toBeGreaterThan(10);
    for (const [name, logic] of declared) {
      const actor = createActor(logic as AnyActorLogic, { input: {} });
      const failed = new Promise<unknown>((resolve) => actor.subscribe({ error: resolve }));
      actor.start();
      expect(String(await failed)).toBe(`Error: actor "${name}" was not provided`);
    }
  });
});
