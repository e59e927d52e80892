// Every transition of the machine, walked by tests generated from the machine's own graph
// (@xstate/graph). Adding a state or an edge without a path that takes it turns this suite red.
import { describe, expect, it } from 'vitest';
import {
  describePolicy,
  generateAllPaths,
  pathsCoveringEveryTransition,
  type GeneratedPath,
} from '../../src/machine/paths.js';
import { allStateNodes, listTransitions } from '../../src/machine/transitions.js';
import { upgradeMachine } from '../../src/machine/upgradeMachine.js';
import { runGeneratedPath } from '../support/stubMachine.js';

const transitions = listTransitions(upgradeMachine);
const paths = generateAllPaths();
const finalStates = [
  'done',
  'skipped',
  'rebootRequested',
  'heldBack',
  'fetchFailed',
  'fleetUnavailable',
  'aborted',
  'rolledBack',
  'rollbackFailed',
  'recalled',
];

describe('the generated paths', () => {
  it('take every transition of the machine definition', () => {
    const { uncovered } = pathsCoveringEveryTransition(
      paths,
      transitions.map((edge) => edge.key),
    );
    expect(uncovered).toEqual([]);
    // Every invoked actor has an error edge, so every failure is among the transitions walked.
    const failing = new Set(
      transitions
        .filter((edge) => edge.eventType.startsWith('xstate.error.actor.'))
        .map((edge) => edge.eventType.replace('xstate.error.actor.', '')),
    );
    expect([...failing].sort()).toEqual(invokeIds().sort());
  });

  it('all end in a final state: from every reachable state a final state is reachable', () => {
    for (const path of paths) expect(finalStates).toContain(path.states.at(-1));
  });

  it('never leave pulling without ending in done or passing through rollingBack', () => {
    for (const path of paths.filter((candidate) => candidate.states.includes('pulling'))) {
      const after = path.states.slice(path.states.indexOf('pulling') + 1);
      const rolledBack = after.some((state) => state.startsWith('rollingBack'));
      // Held back, fetch-failed and a refused closure end straight after pulling: the pull moved
      // nothing then.
      const unmoved =
        ['heldBack', 'fetchFailed', 'fleetUnavailable', 'aborted'].includes(after[0] ?? '') &&
        after.length === 1;
      const ended = ['done', 'rebootRequested'].includes(path.states.at(-1) ?? '');
      // A recall moves the repos itself, after its slot, and never comes back to a rollback.
      const recalled = after.includes('recalling');
      expect(ended || rolledBack || unmoved || recalled, path.states.join(' > ')).toBe(true);
    }
  });

  it('end in fetchFailed only after a temporary pull error, and held back only without moving', () => {
    for (const path of paths) {
      const pull = path.steps.find((step) => step.actor === 'pullRepos');
      // A closure that could not be fetched for now: fetch-failed after the repos went back.
      const closureFetch = path.steps.find((step) => step.actor === 'fetchClosure');
      const closureForNow = closureFetch?.outcome === 'error' && 'temporary' in closureFetch;
      expect(path.result === 'fetch-failed').toBe(
        (pull?.outcome === 'error' && 'temporary' in pull && !('fleet' in pull)) ||
          (closureForNow &&
            !path.steps.some((step) => step.actor === 'resetRepos' && step.outcome === 'error')),
      );
      if (closureForNow) expect(path.states).toContain('rollingBack.resettingRepos');
      // The fleet's store, not git: its own result, whether in the pull or waiting for a slot.
      const unreachable = path.steps.some((step) => step.outcome === 'error' && 'fleet' in step);
      if (path.result === 'fleet-unavailable') expect(unreachable).toBe(true);
      if (unreachable) expect(['fleet-unavailable', 'rollback-failed']).toContain(path.result);
      expect(path.result === 'held-back').toBe(
        pull?.outcome === 'done' && 'pulled' in pull && pull.pulled === 'held-back',
      );
    }
  });

  it('never roll back once the reboot is considered, and reboot only inside the window', () => {
    for (const path of paths.filter((candidate) => candidate.states.includes('checkingReboot'))) {
      const after = path.states.slice(path.states.indexOf('checkingReboot'));
      expect(after.some((state) => state.startsWith('rollingBack'))).toBe(false);
      const inspected = path.steps.find((step) => step.actor === 'inspectBoot');
      const rebooted = path.states.includes('rebooting');
      const boot = inspected && 'boot' in inspected ? inspected.boot : undefined;
      if (rebooted) expect(boot).toMatch(/inside window/);
      // A system installed for the next boot (its switch was inhibited) needs the reboot too.
      const installed = path.states.includes('installingForBoot');
      if (boot === 'kernel same, inside window')
        expect(rebooted).toBe(path.policy.reboot === 'always' || installed);
      expect(path.policy.reboot).not.toBe('never');
    }
  });

  it('never reach switching after a failed build', () => {
    for (const path of paths) {
      const buildFailed = path.steps.some(
        (step) => step.actor === 'runBuild' && step.outcome === 'error',
      );
      if (buildFailed) expect(path.states).not.toContain('switching');
    }
  });

  it('never end in done once interrupted, and roll back an interruption after the snapshot', () => {
    for (const path of paths.filter((candidate) =>
      candidate.steps.some((step) => step.outcome === 'interrupted'),
    )) {
      expect(path.states.at(-1)).not.toBe('done');
      if (path.states.includes('pulling'))
        expect(path.states.some((state) => state.startsWith('rollingBack'))).toBe(true);
    }
  });

  it('never touch the repos after an abort, and abort only before pulling or for a refused closure', () => {
    for (const path of paths.filter((candidate) => candidate.result === 'aborted')) {
      const refused = path.steps.some(
        (step) => step.actor === 'pullRepos' && step.outcome === 'error' && 'refused' in step,
      );
      // A recall refused before it moved anything ends aborted too, the host where it was.
      if (!refused && !path.states.includes('recalling'))
        expect(path.states).not.toContain('pulling');
      expect(refused && !path.policy.closure).toBe(false);
      expect(path.steps.map((step) => step.actor)).not.toContain('resetRepos');
    }
  });

  it('recall only when the fleet said so, after a slot, never building, checking or switching', () => {
    let recalls = 0;
    for (const path of paths) {
      const found = path.steps.some(
        (step) => step.actor === 'pullRepos' && step.outcome === 'done' && step.pulled === 'recall',
      );
      const recalling = path.states.includes('recalling');
      if (recalling) {
        recalls += 1;
        expect(found && path.policy.fleet).toBe(true);
        const slot = path.states.indexOf('waitingForSlot');
        expect(slot).toBeGreaterThan(path.states.indexOf('pulling'));
        expect(path.states.indexOf('recalling')).toBe(slot + 1);
        for (const state of ['building', 'validating', 'switching', 'fetchingClosure'])
          expect(path.states).not.toContain(state);
        const step = path.steps.find((candidate) => candidate.actor === 'recall');
        expect(path.result).toBe(
          step?.outcome === 'done'
            ? 'recalled'
            : step && 'moved' in step
              ? 'rollback-failed'
              : 'aborted',
        );
      }
      expect(path.result === 'recalled').toBe(
        recalling && path.steps.some((step) => step.actor === 'recall' && step.outcome === 'done'),
      );
    }
    expect(recalls).toBeGreaterThan(0);
  });

  it('fetch a closure only when the pull picked one, and never build it too', () => {
    for (const path of paths) {
      const picked = path.steps.some(
        (step) =>
          step.actor === 'pullRepos' && step.outcome === 'done' && step.pulled === 'closure',
      );
      expect(path.states.includes('fetchingClosure')).toBe(picked);
      if (picked) expect(path.states).not.toContain('building');
      if (picked) expect(path.policy.closure).toBe(true);
    }
  });

  it('revert the system exactly when the switch had started', () => {
    for (const path of paths) {
      const reverted = path.states.includes('rollingBack.revertingSystem');
      const switched = path.states.includes('switching');
      const reset = path.steps.some(
        (step) => step.actor === 'resetRepos' && step.outcome === 'done',
      );
      expect(reverted).toBe(switched && reset && path.result !== 'upgraded');
    }
  });
});

/** The ids of every invocation in the machine definition, read from its state nodes. */
function invokeIds(): string[] {
  return allStateNodes(upgradeMachine).flatMap((node) => node.invoke.map((invoke) => invoke.id));
}

function testName(path: GeneratedPath): string {
  const outcomes = path.steps.flatMap((step) => {
    if (step.outcome === 'error') {
      if ('fleet' in step) return [`${step.actor}: fleet store unreachable`];
      return ['temporary' in step ? `${step.actor} fails for now` : `${step.actor} fails`];
    }
    if (step.outcome === 'interrupted') return [`stopped during ${step.actor}`];
    if ('pulled' in step && step.pulled === 'unmoved') return ['nothing new'];
    return 'pulled' in step && step.pulled === 'held-back' ? ['held back'] : [];
  });
  return `[${describePolicy(path.policy)}] ${outcomes.join(', ') || 'all succeed'}: ${path.states.join(' > ')}`;
}

describe.each(paths.map((path) => [testName(path), path] as const))('path %s', (_name, path) => {
  it('runs the real machine with stub actors through the same states to the same result', async () => {
    const interrupted = path.steps.find((step) => step.outcome === 'interrupted');
    const run = await runGeneratedPath(path);
    expect(run.states).toEqual(path.states);
    expect(run.output.result).toBe(path.result);
    expect(run.invoked).toEqual(path.steps.map((step) => step.actor));
    // An interruption stops the step that was running, and only that one.
    expect(run.stopped).toEqual(interrupted ? [interrupted.actor] : []);
    expect(run.output.interrupted).toBe(Boolean(interrupted));
  });
});
