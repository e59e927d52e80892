// The upgrade as a state machine (DESIGN.md, "The flow"). Pure: guards read only context built
// from the validated config; every side effect is an actor named here and supplied by the runner
// with `upgradeMachine.provide({ actors })`. Nothing in this folder imports from src/actors.
// INTERRUPT (a stop asked for by SIGTERM or SIGINT) leaves the state, which stops its step, and
// rolls back whatever may have moved; `rollingBack` ignores it, since a half-done rollback is the
// one thing worse than a slow one.
import { assign, fromPromise, setup } from 'xstate';
import type {
  BootFacts,
  ClosureChoice,
  ConditionFacts,
  Failure,
  HeldBack,
  PullOutcome,
  PulledRepo,
  RebootOutcome,
  Recall,
  SavedCommit,
  SavedGeneration,
  Snapshot,
  UpgradeOutput,
  UpgradePolicy,
  UpgradeResult,
} from './types.js';

export interface UpgradeContext {
  policy: UpgradePolicy;
  savedCommits: SavedCommit[];
  /** The system generation to return to (with `system.profile`). */
  savedSystem?: SavedGeneration;
  pulled: PulledRepo[];
  heldBack?: HeldBack;
  /** Set on entering `switching`: from then on a rollback must also revert the system. */
  switchStarted: boolean;
  /** A stop was asked for (SIGTERM, SIGINT): the run stopped its step and rolled back. */
  interrupted: boolean;
  /** With `reboot`: what was decided about rebooting into the new system. */
  reboot?: RebootOutcome;
  /** The window, power or network did not allow the run: why (result `skipped`). */
  skipReason?: string;
  /** Following canaries, nothing proven is newer: why (result `nothing-new`). */
  waiting?: string;
  /** With fleet slots: asked for one (it may be held, so the runner releases it) or took it. */
  slot?: 'asked' | 'taken';
  /** No fleet slot in time: result `no-slot`, try later. */
  noSlot: boolean;
  /** The fleet's store could not be reached while waiting: result `fleet-unavailable`. */
  fleetUnavailable?: boolean;
  /** The switch was refused for these switch inhibitors, and installed for the next boot. */
  inhibitedBy?: string[];
  /** With `system.closure`: the closure the pull picked, fetched instead of built. */
  closure?: ClosureChoice;
  /** Fetching the closure failed for a passing reason: result `fetch-failed`, repos back. */
  closureUnavailable?: boolean;
  /** The set this host runs was rejected fleet-wide: where it goes back to (result `recalled`). */
  recall?: Recall;
  result?: UpgradeResult;
  failure?: Failure;
  validationFailure?: Failure;
  rollbackFailure?: Failure;
}

export interface UpgradeInput {
  policy: UpgradePolicy;
}

/** Stands in for an actor the runner did not provide: failing loudly beats doing nothing. */
function required<Output, Input = void>(name: string) {
  return fromPromise<Output, Input>(() =>
    Promise.reject(new Error(`actor "${name}" was not provided`)),
  );
}

/**
 * Makes an actor's error into failure data; keeps what the error carries: the output tail of a
 * command, the advice of a step that knows better (`next`), and whether the trouble is temporary.
 */
export function toFailure(state: string, error: unknown): Failure {
  const message = error instanceof Error ? error.message : String(error);
  const carried = (error ?? {}) as {
    outputTail?: unknown;
    command?: unknown;
    next?: unknown;
    temporary?: unknown;
    inhibitedBy?: unknown;
  };
  const tail = carried.outputTail;
  return {
    state,
    message,
    ...(Array.isArray(tail) && tail.length > 0 ? { outputTail: tail.map(String) } : {}),
    ...(typeof carried.command === 'string' ? { command: carried.command } : {}),
    ...(typeof carried.next === 'string' ? { next: carried.next } : {}),
    ...(carried.temporary === true ? { temporary: true } : {}),
    ...(Array.isArray(carried.inhibitedBy) && carried.inhibitedBy.length > 0
      ? { inhibitedBy: carried.inhibitedBy.map(String) }
      : {}),
  };
}

/** The pull moved no repo (and the run is not forced): nothing to build. */
function nothingNew(context: UpgradeContext, event: unknown): boolean {
  return (
    context.policy.mode === 'local' &&
    !context.policy.force &&
    ((event as { output?: PullOutcome }).output?.repos ?? []).every((repo) => repo.from === repo.to)
  );
}

/**
 * After the checks, on the way to the switch: first a fleet slot (the wait may be long), then
 * the window and conditions once more, then the switch.
 */
const towardsSwitch = [
  { guard: 'fleetSlots', target: 'waitingForSlot' },
  { guard: 'conditionsConfigured', target: 'recheckingConditions' },
  { target: 'switching' },
] as const;

/** The error an actor's error event carries. */
const errorOf = (event: unknown) => (event as { error?: unknown }).error;

export const upgradeMachine = setup({
  types: {
    context: {} as UpgradeContext,
    // `reason` says why the run is stopped, when it is not a signal (a killed run's recovery).
    events: {} as { type: 'INTERRUPT'; reason?: string },
    input: {} as UpgradeInput,
    output: {} as UpgradeOutput,
  },
  actors: {
    checkConditions: required<ConditionFacts>('checkConditions'),
    recheckConditions: required<ConditionFacts>('recheckConditions'),
    runHooks: required<void>('runHooks'),
    snapshotRepos: required<Snapshot>('snapshotRepos'),
    pullRepos: required<PullOutcome, { savedCommits: SavedCommit[] }>('pullRepos'),
    runBuild: required<void>('runBuild'),
    fetchClosure: required<void, { closure: ClosureChoice | undefined }>('fetchClosure'),
    runChecks: required<void>('runChecks'),
    notifyValidationFailure: required<void, { failure: Failure | undefined; pulled: PulledRepo[] }>(
      'notifyValidationFailure',
    ),
    takeSlot: required<void, { pulled: PulledRepo[]; recall?: Recall | undefined }>('takeSlot'),
    runSwitch: required<void, { closure: string | undefined }>('runSwitch'),
    installForBoot: required<SavedGeneration, { savedSystem: SavedGeneration | undefined }>(
      'installForBoot',
    ),
    runHealthChecks: required<void>('runHealthChecks'),
    inspectBoot: required<BootFacts>('inspectBoot'),
    requestReboot: required<
      void,
      { savedSystem: SavedGeneration | undefined; savedCommits: SavedCommit[] }
    >('requestReboot'),
    resetRepos: required<void, { savedCommits: SavedCommit[] }>('resetRepos'),
    rollbackSystem: required<void, { savedSystem: SavedGeneration | undefined }>('rollbackSystem'),
    recall: required<void, { recall: Recall | undefined }>('recall'),
  },
  actions: {
    // Named actions with the state as a parameter, so the graph (and Stately Studio) shows them.
    recordFailure: assign({
      failure: ({ event }, params: { state: string }) => toFailure(params.state, errorOf(event)),
    }),
    recordInterruption: assign({
      interrupted: true,
      failure: ({ event }, params: { state: string }) => ({
        state: params.state,
        message:
          (event as { reason?: string }).reason ??
          'interrupted (SIGTERM or SIGINT): the step was stopped',
      }),
    }),
    recordValidationFailure: assign({
      validationFailure: ({ event }) => toFailure('validating', errorOf(event)),
    }),
    recordRollbackFailure: assign({
      rollbackFailure: ({ event }) => toFailure('rollingBack', errorOf(event)),
    }),
  },
  guards: {
    // These read the pull's outcome from the event: guards run before the transition's assign.
    heldBack: ({ event }) => (event as { output?: PullOutcome }).output?.heldBack !== undefined,
    // The set this host runs was rejected fleet-wide since it took it (src/fleet/recall.ts).
    recallDecided: ({ event }) => (event as { output?: PullOutcome }).output?.recall !== undefined,
    recallPending: ({ context }) => context.recall !== undefined,
    // The recall failed after it moved a repo or the system: the host is half-way, a person's turn.
    recallMoved: ({ event }) => (errorOf(event) as { moved?: unknown } | undefined)?.moved === true,
    nothingNew: ({ context, event }) => nothingNew(context, event),
    // The pull failed for a passing reason before any repo moved (it fetches all, then moves).
    // The fleet's store (not git) could not be reached: its own result, not "fetch failed".
    fleetUnavailable: ({ event }) =>
      (errorOf(event) as { fleetUnavailable?: unknown } | undefined)?.fleetUnavailable === true,
    fetchFailedTemporarily: ({ event }) =>
      (errorOf(event) as { temporary?: unknown } | undefined)?.temporary === true,
    // Refused before any repo moved (a closure unsigned, not a system, no room for it): aborted.
    refusedBeforeChange: ({ event }) =>
      (errorOf(event) as { refused?: unknown } | undefined)?.refused === true,
    // The pull picked a closure CI built (system.closure): fetch it instead of building.
    closurePicked: ({ context, event }) =>
      context.policy.closure && (event as { output?: PullOutcome }).output?.closure !== undefined,
    buildBeforeSwitch: ({ context }) => context.policy.buildBeforeSwitch,
    validationFailureRollsBack: ({ context }) => context.policy.onValidationFailure === 'rollback',
    validationFailureNotifies: ({ context }) => context.policy.onValidationFailure === 'notify',
    switchStarted: ({ context }) => context.switchStarted,
    conditionsConfigured: ({ context }) => context.policy.conditions,
    fleetSlots: ({ context }) => context.policy.fleet,
    // Reads the facts checkConditions gathered, from the event (before the assign).
    conditionsHold: ({ event }) => (event as { output?: ConditionFacts }).output?.hold === true,
    hasHealthChecks: ({ context }) => context.policy.healthChecks,
    // After an upgrade, reboots are considered unless the policy says never.
    rebootConsidered: ({ context }) => context.policy.reboot !== 'never',
    // With nothing new, only a reboot an earlier run left pending is considered.
    nothingNewButRebootPending: ({ context, event }) =>
      context.policy.reboot !== 'never' &&
      context.policy.rebootPending &&
      nothingNew(context, event),
    // These read the facts inspectBoot gathered, from the event (before the assign).
    rebootWantedNow: ({ context, event }) => {
      const facts = (event as { output?: BootFacts }).output;
      const wanted =
        context.policy.reboot === 'always' ||
        facts?.kernelChanged === true ||
        context.inhibitedBy !== undefined;
      return wanted && facts?.insideWindow === true;
    },
    // A system installed for the next boot (its switch was inhibited) runs only after a reboot.
    rebootWanted: ({ context, event }) =>
      context.policy.reboot === 'always' ||
      (event as { output?: BootFacts }).output?.kernelChanged === true ||
      context.inhibitedBy !== undefined,
    // NixOS refused the switch for its switch inhibitors and `inhibited` is "boot".
    installForBoot: ({ event }) =>
      (errorOf(event) as { installForBoot?: unknown } | undefined)?.installForBoot === true,
  },
}).createMachine({
  id: 'upgrade',
  context: ({ input }) => ({
    policy: input.policy,
    savedCommits: [],
    pulled: [],
    switchStarted: false,
    interrupted: false,
    noSlot: false,
  }),
  initial: 'starting',
  states: {
    // Not a resting state: decides at once whether the window, power and network are checked.
    starting: {
      always: [
        { guard: 'conditionsConfigured', target: 'checkingConditions' },
        { target: 'hooksRunning' },
      ],
    },
    checkingConditions: {
      on: {
        INTERRUPT: {
          target: 'aborted',
          actions: { type: 'recordInterruption', params: { state: 'checkingConditions' } },
        },
      },
      invoke: {
        id: 'checkConditions',
        src: 'checkConditions',
        onDone: [
          { guard: 'conditionsHold', target: 'hooksRunning' },
          {
            target: 'skipped',
            actions: assign({ skipReason: ({ event }) => event.output.reason ?? 'conditions' }),
          },
        ],
        // Cannot tell whether a run is allowed: do not run, and say why (not a silent skip).
        onError: {
          target: 'aborted',
          actions: { type: 'recordFailure', params: { state: 'checkingConditions' } },
        },
      },
    },
    hooksRunning: {
      on: {
        INTERRUPT: {
          target: 'aborted',
          actions: { type: 'recordInterruption', params: { state: 'hooksRunning' } },
        },
      },
      invoke: {
        id: 'runHooks',
        src: 'runHooks',
        onDone: { target: 'snapshotting' },
        onError: {
          target: 'aborted',
          actions: { type: 'recordFailure', params: { state: 'hooksRunning' } },
        },
      },
    },
    snapshotting: {
      on: {
        INTERRUPT: {
          target: 'aborted',
          actions: { type: 'recordInterruption', params: { state: 'snapshotting' } },
        },
      },
      invoke: {
        id: 'snapshotRepos',
        src: 'snapshotRepos',
        onDone: {
          target: 'pulling',
          actions: assign({
            savedCommits: ({ event }) => event.output.commits,
            savedSystem: ({ event }) => event.output.system,
          }),
        },
        onError: {
          target: 'aborted',
          actions: { type: 'recordFailure', params: { state: 'snapshotting' } },
        },
      },
    },
    pulling: {
      on: {
        INTERRUPT: {
          target: 'rollingBack',
          actions: { type: 'recordInterruption', params: { state: 'pulling' } },
        },
      },
      invoke: {
        id: 'pullRepos',
        src: 'pullRepos',
        input: ({ context }) => ({ savedCommits: context.savedCommits }),
        onDone: [
          // Going back to a set proven good takes a slot like any switch (recall needs the fleet).
          {
            guard: 'recallDecided',
            target: 'waitingForSlot',
            actions: assign({
              pulled: ({ event }) => event.output.repos,
              recall: ({ event }) => event.output.recall,
            }),
          },
          // Upstream is at commits that failed here before: nothing moved, and that is news.
          {
            guard: 'heldBack',
            target: 'heldBack',
            actions: assign({
              pulled: ({ event }) => event.output.repos,
              heldBack: ({ event }) => event.output.heldBack,
            }),
          },
          {
            guard: 'nothingNewButRebootPending',
            target: 'checkingReboot',
            actions: assign({
              pulled: ({ event }) => event.output.repos,
              result: 'nothing-new',
              waiting: ({ event }) => event.output.waiting,
            }),
          },
          {
            guard: 'nothingNew',
            target: 'done',
            actions: assign({
              pulled: ({ event }) => event.output.repos,
              result: 'nothing-new',
              waiting: ({ event }) => event.output.waiting,
            }),
          },
          {
            guard: 'closurePicked',
            target: 'fetchingClosure',
            actions: assign({
              pulled: ({ event }) => event.output.repos,
              closure: ({ event }) => event.output.closure,
            }),
          },
          {
            guard: 'buildBeforeSwitch',
            target: 'building',
            actions: assign({ pulled: ({ event }) => event.output.repos }),
          },
          { target: 'validating', actions: assign({ pulled: ({ event }) => event.output.repos }) },
        ],
        onError: [
          {
            guard: 'refusedBeforeChange',
            target: 'aborted',
            actions: { type: 'recordFailure', params: { state: 'pulling' } },
          },
          {
            guard: 'fleetUnavailable',
            target: 'fleetUnavailable',
            actions: { type: 'recordFailure', params: { state: 'pulling' } },
          },
          {
            guard: 'fetchFailedTemporarily',
            target: 'fetchFailed',
            actions: { type: 'recordFailure', params: { state: 'pulling' } },
          },
          // Some repos may have moved before the failure: roll all of them back.
          {
            target: 'rollingBack',
            actions: { type: 'recordFailure', params: { state: 'pulling' } },
          },
        ],
      },
    },
    // system.closure: the system CI built, fetched from a substituter with its signatures checked,
    // instead of built here. A cache gone mid-way puts the repos back (fetch-failed, exit 75).
    fetchingClosure: {
      on: {
        INTERRUPT: {
          target: 'rollingBack',
          actions: { type: 'recordInterruption', params: { state: 'fetchingClosure' } },
        },
      },
      invoke: {
        id: 'fetchClosure',
        src: 'fetchClosure',
        input: ({ context }) => ({ closure: context.closure }),
        onDone: { target: 'validating' },
        onError: [
          {
            guard: 'fetchFailedTemporarily',
            target: 'rollingBack',
            actions: [
              { type: 'recordFailure', params: { state: 'fetchingClosure' } },
              assign({ closureUnavailable: true }),
            ],
          },
          {
            target: 'rollingBack',
            actions: { type: 'recordFailure', params: { state: 'fetchingClosure' } },
          },
        ],
      },
    },
    building: {
      on: {
        INTERRUPT: {
          target: 'rollingBack',
          actions: { type: 'recordInterruption', params: { state: 'building' } },
        },
      },
      invoke: {
        id: 'runBuild',
        src: 'runBuild',
        onDone: { target: 'validating' },
        onError: {
          target: 'rollingBack',
          actions: { type: 'recordFailure', params: { state: 'building' } },
        },
      },
    },
    validating: {
      on: {
        INTERRUPT: {
          target: 'rollingBack',
          actions: { type: 'recordInterruption', params: { state: 'validating' } },
        },
      },
      invoke: {
        id: 'runChecks',
        src: 'runChecks',
        onDone: [...towardsSwitch],
        onError: [
          {
            guard: 'validationFailureRollsBack',
            target: 'rollingBack',
            actions: { type: 'recordFailure', params: { state: 'validating' } },
          },
          {
            guard: 'validationFailureNotifies',
            target: 'notifying',
            actions: 'recordValidationFailure',
          },
          ...towardsSwitch.map((branch) => ({
            ...branch,
            actions: 'recordValidationFailure' as const,
          })),
        ],
      },
    },
    notifying: {
      on: {
        INTERRUPT: {
          target: 'rollingBack',
          actions: { type: 'recordInterruption', params: { state: 'notifying' } },
        },
      },
      invoke: {
        id: 'notifyValidationFailure',
        src: 'notifyValidationFailure',
        input: ({ context }) => ({ failure: context.validationFailure, pulled: context.pulled }),
        // A notification never changes the run: sent or not, the switch goes ahead.
        onDone: [...towardsSwitch],
        onError: [...towardsSwitch],
      },
    },
    // Only the disruptive part is serialized across the fleet: builds and checks ran in parallel.
    // No slot in time, or the coordinator unreachable: the repos go back, nothing is switched,
    // and the commits are not counted as bad (result no-slot, exit 75).
    waitingForSlot: {
      entry: assign({ slot: 'asked' }),
      on: {
        INTERRUPT: {
          target: 'rollingBack',
          actions: { type: 'recordInterruption', params: { state: 'waitingForSlot' } },
        },
      },
      invoke: {
        id: 'takeSlot',
        src: 'takeSlot',
        input: ({ context }) => ({ pulled: context.pulled, recall: context.recall }),
        onDone: [
          { guard: 'recallPending', target: 'recalling', actions: assign({ slot: 'taken' }) },
          {
            guard: 'conditionsConfigured',
            target: 'recheckingConditions',
            actions: assign({ slot: 'taken' }),
          },
          { target: 'switching', actions: assign({ slot: 'taken' }) },
        ],
        onError: {
          target: 'rollingBack',
          actions: [
            { type: 'recordFailure', params: { state: 'waitingForSlot' } },
            assign({
              noSlot: true,
              fleetUnavailable: ({ event }) =>
                (errorOf(event) as { fleetUnavailable?: unknown } | undefined)?.fleetUnavailable ===
                true,
            }),
          ],
        },
      },
    },
    // A long build may have run past the window's end (or the host went on battery): then put
    // the repos back and switch nothing.
    recheckingConditions: {
      on: {
        INTERRUPT: {
          target: 'rollingBack',
          actions: { type: 'recordInterruption', params: { state: 'recheckingConditions' } },
        },
      },
      invoke: {
        id: 'recheckConditions',
        src: 'recheckConditions',
        onDone: [
          { guard: 'conditionsHold', target: 'switching' },
          {
            target: 'rollingBack',
            actions: assign({
              skipReason: ({ event }) => `${event.output.reason ?? 'conditions'} before switching`,
            }),
          },
        ],
        onError: {
          target: 'rollingBack',
          actions: { type: 'recordFailure', params: { state: 'recheckingConditions' } },
        },
      },
    },
    switching: {
      on: {
        INTERRUPT: {
          target: 'rollingBack',
          actions: { type: 'recordInterruption', params: { state: 'switching' } },
        },
      },
      entry: assign({ switchStarted: true }),
      invoke: {
        id: 'runSwitch',
        src: 'runSwitch',
        input: ({ context }) => ({ closure: context.closure?.storePath }),
        onDone: [
          { guard: 'hasHealthChecks', target: 'healthChecking' },
          {
            guard: 'rebootConsidered',
            target: 'checkingReboot',
            actions: assign({ result: 'upgraded' }),
          },
          { target: 'done', actions: assign({ result: 'upgraded' }) },
        ],
        onError: [
          {
            guard: 'installForBoot',
            target: 'installingForBoot',
            actions: assign({
              inhibitedBy: ({ event }) =>
                toFailure('switching', errorOf(event)).inhibitedBy ?? ['a switch inhibitor'],
            }),
          },
          {
            target: 'rollingBack',
            actions: { type: 'recordFailure', params: { state: 'switching' } },
          },
        ],
      },
    },
    // NixOS refused to switch live (a switch inhibitor changed): the new generation becomes the
    // boot default, and the reboot path (window, boot check, one rollback reboot) takes over.
    // Nothing runs it before the reboot, so no health check here: the boot check runs them.
    installingForBoot: {
      on: {
        INTERRUPT: {
          target: 'rollingBack',
          actions: { type: 'recordInterruption', params: { state: 'installingForBoot' } },
        },
      },
      invoke: {
        id: 'installForBoot',
        src: 'installForBoot',
        input: ({ context }) => ({ savedSystem: context.savedSystem }),
        onDone: [
          {
            guard: 'rebootConsidered',
            target: 'checkingReboot',
            actions: assign({ result: 'upgraded' }),
          },
          {
            target: 'done',
            actions: assign({
              result: 'upgraded',
              reboot: ({ context }) => ({
                requested: false,
                ...(context.inhibitedBy ? { inhibitedBy: context.inhibitedBy } : {}),
                pending: 'reboot.when is "never": reboot the host to run it',
              }),
            }),
          },
        ],
        onError: {
          target: 'rollingBack',
          actions: { type: 'recordFailure', params: { state: 'installingForBoot' } },
        },
      },
    },
    healthChecking: {
      on: {
        INTERRUPT: {
          target: 'rollingBack',
          actions: { type: 'recordInterruption', params: { state: 'healthChecking' } },
        },
      },
      invoke: {
        id: 'runHealthChecks',
        src: 'runHealthChecks',
        onDone: [
          {
            guard: 'rebootConsidered',
            target: 'checkingReboot',
            actions: assign({ result: 'upgraded' }),
          },
          { target: 'done', actions: assign({ result: 'upgraded' }) },
        ],
        // The new system is active but unhealthy: put back the repos and the old system.
        onError: {
          target: 'rollingBack',
          actions: { type: 'recordFailure', params: { state: 'healthChecking' } },
        },
      },
    },
    // The upgrade is done and healthy: from here on nothing rolls it back, and a stop request
    // (the reboot's own SIGTERM among them) is not heard.
    checkingReboot: {
      invoke: {
        id: 'inspectBoot',
        src: 'inspectBoot',
        onDone: [
          {
            guard: 'rebootWantedNow',
            target: 'rebooting',
            actions: assign({
              reboot: ({ context, event }) => ({
                requested: false,
                ...(context.inhibitedBy ? { inhibitedBy: context.inhibitedBy } : {}),
                kernelChanged: event.output.kernelChanged,
              }),
            }),
          },
          {
            guard: 'rebootWanted',
            target: 'done',
            actions: assign({
              reboot: ({ context, event }) => ({
                requested: false,
                ...(context.inhibitedBy ? { inhibitedBy: context.inhibitedBy } : {}),
                kernelChanged: event.output.kernelChanged,
                pending: `outside the reboot window ${event.output.window ?? ''}`.trim(),
              }),
            }),
          },
          {
            target: 'done',
            actions: assign({
              reboot: ({ context, event }) => ({
                requested: false,
                ...(context.inhibitedBy ? { inhibitedBy: context.inhibitedBy } : {}),
                kernelChanged: event.output.kernelChanged,
              }),
            }),
          },
        ],
        onError: {
          target: 'done',
          actions: assign({
            reboot: ({ context, event }) => ({
              requested: false,
              ...(context.inhibitedBy ? { inhibitedBy: context.inhibitedBy } : {}),
              uncertain: true,
              pending: `cannot tell whether a reboot is needed: ${toFailure('checkingReboot', errorOf(event)).message}`,
            }),
          }),
        },
      },
    },
    rebooting: {
      invoke: {
        id: 'requestReboot',
        src: 'requestReboot',
        input: ({ context }) => ({
          savedSystem: context.savedSystem,
          savedCommits: context.savedCommits,
        }),
        onDone: {
          target: 'rebootRequested',
          actions: assign({
            reboot: ({ context }) => ({ ...context.reboot, requested: true }),
          }),
        },
        // The system is upgraded and healthy; only the reboot did not happen: say so, keep it pending.
        onError: {
          target: 'done',
          actions: assign({
            reboot: ({ context, event }) => ({
              ...context.reboot,
              requested: false,
              pending: `the reboot command failed: ${toFailure('rebooting', errorOf(event)).message}`,
            }),
          }),
        },
      },
    },
    // Back to the newest set this host ran healthy before, its exact generation. Like a rollback,
    // a stop request does not cut it short. Refused before anything moved (the generation was
    // garbage-collected, a commit is gone): aborted, the host where it was. Failed half-way: the
    // host is between two sets, and a person must look (rollback-failed, exit 5).
    recalling: {
      invoke: {
        id: 'recall',
        src: 'recall',
        input: ({ context }) => ({ recall: context.recall }),
        onDone: { target: 'recalled' },
        onError: [
          {
            guard: 'recallMoved',
            target: 'rollbackFailed',
            actions: assign({
              rollbackFailure: ({ event }) => toFailure('recalling', errorOf(event)),
            }),
          },
          {
            target: 'aborted',
            actions: { type: 'recordFailure', params: { state: 'recalling' } },
          },
        ],
      },
    },
    rollingBack: {
      initial: 'resettingRepos',
      states: {
        resettingRepos: {
          invoke: {
            id: 'resetRepos',
            src: 'resetRepos',
            input: ({ context }) => ({ savedCommits: context.savedCommits }),
            onDone: [
              { guard: 'switchStarted', target: 'revertingSystem' },
              { target: '#upgrade.rolledBack' },
            ],
            onError: {
              target: '#upgrade.rollbackFailed',
              actions: 'recordRollbackFailure',
            },
          },
        },
        revertingSystem: {
          invoke: {
            id: 'rollbackSystem',
            src: 'rollbackSystem',
            input: ({ context }) => ({ savedSystem: context.savedSystem }),
            onDone: { target: '#upgrade.rolledBack' },
            onError: {
              target: '#upgrade.rollbackFailed',
              actions: 'recordRollbackFailure',
            },
          },
        },
      },
    },
    done: { type: 'final' },
    rebootRequested: { type: 'final', entry: assign({ result: 'rebooting' }) },
    heldBack: { type: 'final', entry: assign({ result: 'held-back' }) },
    recalled: { type: 'final', entry: assign({ result: 'recalled' }) },
    fetchFailed: { type: 'final', entry: assign({ result: 'fetch-failed' }) },
    fleetUnavailable: { type: 'final', entry: assign({ result: 'fleet-unavailable' }) },
    aborted: { type: 'final', entry: assign({ result: 'aborted' }) },
    // Rolled back because the window closed (or power, network changed): skipped, not failed.
    rolledBack: {
      type: 'final',
      entry: assign({
        result: ({ context }) =>
          context.fleetUnavailable
            ? 'fleet-unavailable'
            : context.closureUnavailable
              ? 'fetch-failed'
              : context.noSlot
                ? 'no-slot'
                : context.skipReason
                  ? 'skipped'
                  : 'rolled-back',
      }),
    },
    skipped: { type: 'final', entry: assign({ result: 'skipped' }) },
    rollbackFailed: { type: 'final', entry: assign({ result: 'rollback-failed' }) },
  },
  output: ({ context }) => ({
    result: context.result ?? 'aborted',
    savedCommits: context.savedCommits,
    ...(context.savedSystem ? { savedSystem: context.savedSystem } : {}),
    pulled: context.pulled,
    ...(context.heldBack ? { heldBack: context.heldBack } : {}),
    ...(context.reboot ? { reboot: context.reboot } : {}),
    ...(context.skipReason ? { skipReason: context.skipReason } : {}),
    ...(context.waiting ? { waiting: context.waiting } : {}),
    ...(context.failure ? { failure: context.failure } : {}),
    ...(context.closure ? { closure: context.closure } : {}),
    ...(context.recall ? { recall: context.recall } : {}),
    ...(context.validationFailure ? { validationFailure: context.validationFailure } : {}),
    ...(context.rollbackFailure ? { rollbackFailure: context.rollbackFailure } : {}),
    interrupted: context.interrupted,
    switchStarted: context.switchStarted,
    ...(context.slot ? { slot: context.slot } : {}),
  }),
});

export type UpgradeMachine = typeof upgradeMachine;
