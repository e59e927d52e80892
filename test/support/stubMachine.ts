// Runs the pure machine with stub actors that succeed or fail as a test says. Only for tests of
// the machine itself; everything else runs the real actors.
import { createActor, fromPromise } from 'xstate';
import {
  bootFacts,
  conditionFacts,
  pullOutcomes,
  type GeneratedPath,
} from '../../src/machine/paths.js';
import { statePathOf } from '../../src/machine/statePath.js';
import type {
  BootFacts,
  ConditionFacts,
  ClosureChoice,
  HeldBack,
  PulledRepo,
  Recall,
  SavedGeneration,
  UpgradeOutput,
  UpgradePolicy,
} from '../../src/machine/types.js';
import { upgradeMachine } from '../../src/machine/upgradeMachine.js';

export type ActorName = keyof NonNullable<Parameters<typeof upgradeMachine.provide>[0]['actors']>;
// Object.keys() widens to string[]; the names are those the machine's setup declares.
export const actorNames = Object.keys(upgradeMachine.implementations.actors) as ActorName[];

export const defaultPolicy: UpgradePolicy = {
  mode: 'local',
  buildBeforeSwitch: true,
  onValidationFailure: 'rollback',
  force: false,
  healthChecks: false,
  reboot: 'never',
  rebootPending: false,
  conditions: false,
  fleet: false,
  closure: false,
};

export const savedCommit = { repo: 'nix-config', branch: 'main', commit: 'a'.repeat(40) };
export const movedRepo: PulledRepo = {
  repo: 'nix-config',
  from: 'a'.repeat(40),
  to: 'b'.repeat(40),
};

/** Far above the milliseconds a stubbed run takes, even on a loaded 2-core machine. */
const stubRunDeadlineMs = 5_000;

export interface StubbedRun {
  states: string[];
  output: UpgradeOutput;
  invoked: ActorName[];
  /** Actors whose abort signal fired: the step was stopped. */
  stopped: ActorName[];
}

export async function runStubbed(
  options: {
    policy?: Partial<UpgradePolicy>;
    fail?: ActorName[];
    /** These fail as the network does: a passing trouble (`temporary` on the error). */
    failTemporarily?: ActorName[];
    /** These fail as the fleet's store being unreachable does (`fleetUnavailable` too). */
    failFleet?: ActorName[];
    /** The switch is refused for its switch inhibitors, to be installed for the next boot. */
    inhibited?: boolean;
    pulled?: PulledRepo[];
    /** The pull finds upstream at a commit set that failed before. */
    heldBack?: HeldBack;
    /** The pull moved nothing while following canaries: what it waits for. */
    waiting?: string;
    /** The pull picked this closure (system.closure). */
    closure?: ClosureChoice;
    /** The pull found the set this host runs rejected fleet-wide: go back. */
    recall?: Recall;
    /** These fail after moving something (`moved` on the error: a recall half-way). */
    failMoved?: ActorName[];
    /** These refuse before anything changed (a closure refused: `refused` on the error). */
    refuse?: ActorName[];
    /** What inspectBoot finds (default: the kernel changed, inside the window). */
    bootFacts?: BootFacts;
    /** What checkConditions finds, then recheckConditions (default: they hold). */
    conditions?: ConditionFacts[];
    /** This actor runs until stopped, and the run is interrupted while it does. */
    interruptDuring?: ActorName;
    /** The system generation the snapshot saves (a host with a system profile). */
    savedSystem?: SavedGeneration;
  } = {},
): Promise<StubbedRun> {
  const invoked: ActorName[] = [];
  const stopped: ActorName[] = [];
  let interrupt = () => undefined as void;
  const outputs: Partial<Record<ActorName, unknown>> = {
    snapshotRepos: {
      commits: [savedCommit],
      ...(options.savedSystem ? { system: options.savedSystem } : {}),
    },
    inspectBoot: options.bootFacts ?? { kernelChanged: true, insideWindow: true },
    checkConditions: options.conditions?.[0] ?? { hold: true },
    recheckConditions: options.conditions?.[1] ?? options.conditions?.[0] ?? { hold: true },
    pullRepos: {
      repos: options.pulled ?? [movedRepo],
      ...(options.heldBack ? { heldBack: options.heldBack } : {}),
      ...(options.waiting ? { waiting: options.waiting } : {}),
      ...(options.closure ? { closure: options.closure } : {}),
      ...(options.recall ? { recall: options.recall } : {}),
    },
  };
  const actors = Object.fromEntries(
    actorNames.map((name) => [
      name,
      fromPromise(({ signal }) => {
        invoked.push(name);
        signal.addEventListener('abort', () => stopped.push(name));
        if (options.interruptDuring === name) {
          setImmediate(interrupt);
          return new Promise<unknown>(() => undefined);
        }
        if (options.inhibited && name === 'runSwitch')
          return Promise.reject(
            Object.assign(new Error(`${name} failed`), {
              installForBoot: true,
              inhibitedBy: ['dbus-implementation'],
            }),
          );
        if (options.failFleet?.includes(name))
          return Promise.reject(
            Object.assign(new Error(`${name} failed`), {
              temporary: true,
              fleetUnavailable: true,
            }),
          );
        if (options.failMoved?.includes(name))
          return Promise.reject(Object.assign(new Error(`${name} failed`), { moved: true }));
        if (options.refuse?.includes(name))
          return Promise.reject(Object.assign(new Error(`${name} failed`), { refused: true }));
        if (options.failTemporarily?.includes(name))
          return Promise.reject(Object.assign(new Error(`${name} failed`), { temporary: true }));
        return options.fail?.includes(name)
          ? Promise.reject(
              Object.assign(new Error(`${name} failed`), { outputTail: ['last line'] }),
            )
          : Promise.resolve(outputs[name]);
      }),
    ]),
  );
  const actor = createActor(upgradeMachine.provide({ actors }), {
    input: { policy: { ...defaultPolicy, ...options.policy } },
  });
  interrupt = () => actor.send({ type: 'INTERRUPT' });
  const states: string[] = [];
  const output = await new Promise<UpgradeOutput>((resolve, reject) => {
    // A machine that never finishes (a mutant that waits on an actor the path never ends, say)
    // fails the test in seconds, naming where it stopped, instead of hanging until a timeout.
    const deadline = setTimeout(() => {
      actor.stop();
      reject(
        new Error(
          `the machine did not finish within ${stubRunDeadlineMs} ms: ${states.join(' > ')}`,
        ),
      );
    }, stubRunDeadlineMs);
    actor.subscribe({
      next: (snapshot) => {
        const state = statePathOf(snapshot.value);
        if (states.at(-1) !== state) states.push(state);
        if (snapshot.status === 'done') {
          clearTimeout(deadline);
          resolve(snapshot.output);
        }
      },
      error: (error: unknown) => {
        clearTimeout(deadline);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    });
    actor.start();
  });
  return { states, output, invoked, stopped };
}

/** The stubbed run a generated path (src/machine/paths.ts) describes: its actors fail, are stopped or find what the path says. */
export function runGeneratedPath(
  path: GeneratedPath,
  extra: { savedSystem?: SavedGeneration } = {},
) {
  const pulled = path.steps.find((step) => step.actor === 'pullRepos' && step.outcome === 'done');
  const interrupted = path.steps.find((step) => step.outcome === 'interrupted');
  const inspected = path.steps.find(
    (step) => step.actor === 'inspectBoot' && step.outcome === 'done',
  );
  const boot = inspected && 'boot' in inspected ? inspected.boot : undefined;
  const verdict = (actor: string) => {
    const found = path.steps.find((step) => step.actor === actor && step.outcome === 'done');
    return found && 'conditions' in found && found.conditions ? found.conditions : 'hold';
  };
  const outcome = pullOutcomes[pulled && 'pulled' in pulled ? (pulled.pulled ?? 'moved') : 'moved'];
  const failed = path.steps.filter((step) => step.outcome === 'error');
  return runStubbed({
    policy: path.policy,
    ...(interrupted ? { interruptDuring: interrupted.actor as ActorName } : {}),
    fail: failed
      .filter(
        (step) =>
          !('temporary' in step) &&
          !('inhibited' in step) &&
          !('refused' in step) &&
          !('moved' in step),
      )
      .map((step) => step.actor as ActorName),
    failMoved: failed.filter((step) => 'moved' in step).map((step) => step.actor as ActorName),
    refuse: failed.filter((step) => 'refused' in step).map((step) => step.actor as ActorName),
    failTemporarily: failed
      .filter((step) => 'temporary' in step && !('fleet' in step))
      .map((step) => step.actor as ActorName),
    failFleet: failed.filter((step) => 'fleet' in step).map((step) => step.actor as ActorName),
    inhibited: failed.some((step) => 'inhibited' in step),
    pulled: outcome.repos,
    ...(outcome.heldBack ? { heldBack: outcome.heldBack } : {}),
    ...(outcome.closure ? { closure: outcome.closure } : {}),
    ...(outcome.recall ? { recall: outcome.recall } : {}),
    ...(boot ? { bootFacts: bootFacts[boot] } : {}),
    conditions: [
      conditionFacts[verdict('checkConditions')],
      conditionFacts[verdict('recheckConditions')],
    ],
    ...extra,
  });
}
