/* eslint-disable @typescript-eslint/no-unsafe-member-access -- @xstate/graph types paths over AnyStateMachine, whose events and context are any */
// Paths through the machine, generated from its graph with @xstate/graph: for every combination of
// the config values the guards read, the shortest path through every transition, each completed to
// a final state. The generated tests, the end-to-end scenarios and `graph --config` use them.
import {
  getAdjacencyMap,
  joinPaths,
  serializeSnapshot,
  type AdjacencyValue,
  type StatePath,
} from '@xstate/graph';
import type {
  AnyMachineSnapshot,
  AnyStateMachine,
  AnyStateNode,
  AnyTransitionDefinition,
  EventObject,
} from 'xstate';
import { allStateNodes, describeTransition, nodePath } from './transitions.js';
import type {
  BootFacts,
  ConditionFacts,
  PullOutcome,
  SavedCommit,
  UpgradePolicy,
} from './types.js';
import { statePathOf } from './statePath.js';
import { upgradeMachine } from './upgradeMachine.js';

type UpgradeSnapshot = AnyMachineSnapshot;
/** The traversal feeds the machine actor done/error events its own event type does not list. */
const traversable = upgradeMachine as unknown as AnyStateMachine;

/**
 * Every combination of the policy values the guards read. Reboot policies are crossed with the
 * values that change what comes before `checkingReboot` (health checks), in local mode: the rest
 * of the machine does not see them, and 288 full combinations would only repeat those paths.
 */
export const policyCombinations: UpgradePolicy[] = [
  ...(['local', 'remote'] as const).flatMap((mode) =>
    [true, false].flatMap((buildBeforeSwitch) =>
      (['rollback', 'notify', 'ignore'] as const).flatMap((onValidationFailure) =>
        [false, true].flatMap((force) =>
          [false, true].map((healthChecks) => ({
            mode,
            buildBeforeSwitch,
            onValidationFailure,
            force,
            healthChecks,
            reboot: 'never' as const,
            rebootPending: false,
            conditions: false,
            fleet: false,
            closure: false,
          })),
        ),
      ),
    ),
  ),
  ...(['needed', 'always'] as const).flatMap((reboot) =>
    [false, true].flatMap((rebootPending) =>
      [false, true].map((healthChecks) => ({
        mode: 'local' as const,
        buildBeforeSwitch: true,
        onValidationFailure: 'rollback' as const,
        force: false,
        healthChecks,
        reboot,
        rebootPending,
        conditions: false,
        fleet: false,
        closure: false,
      })),
    ),
  ),
  // Windows and conditions, checked at the start and before every way into switching.
  ...(['rollback', 'notify', 'ignore'] as const).map((onValidationFailure) => ({
    mode: 'local' as const,
    buildBeforeSwitch: true,
    onValidationFailure,
    force: false,
    healthChecks: false,
    reboot: 'never' as const,
    rebootPending: false,
    conditions: true,
    fleet: false,
    closure: false,
  })),
  // Fleet slots, taken after the checks (whichever way they went) and before the conditions'
  // second look.
  ...(['rollback', 'notify', 'ignore'] as const).flatMap((onValidationFailure) =>
    [false, true].map((conditions) => ({
      mode: 'local' as const,
      buildBeforeSwitch: true,
      onValidationFailure,
      force: false,
      healthChecks: true,
      reboot: 'never' as const,
      rebootPending: false,
      conditions,
      fleet: true,
      closure: false,
    })),
  ),
  // A closure CI built, fetched instead of built: on its own, with health checks and reboots
  // (what follows the switch), and with fleet slots and conditions (what comes before it).
  ...[
    { healthChecks: false, reboot: 'never' as const, conditions: false, fleet: false },
    { healthChecks: true, reboot: 'needed' as const, conditions: false, fleet: false },
    { healthChecks: false, reboot: 'never' as const, conditions: true, fleet: true },
  ].map((variant) => ({
    mode: 'local' as const,
    buildBeforeSwitch: true,
    onValidationFailure: 'rollback' as const,
    force: false,
    rebootPending: false,
    ...variant,
    closure: true,
  })),
];

const savedCommits: SavedCommit[] = [
  { repo: 'nix-config', branch: 'main', commit: 'a'.repeat(40) },
];
const unmoved = [{ repo: 'nix-config', from: 'a'.repeat(40), to: 'a'.repeat(40) }];
const moved = [{ repo: 'nix-config', from: 'a'.repeat(40), to: 'b'.repeat(40) }];
/** The pull outcomes the `heldBack`, `nothingNew` and `closurePicked` guards tell apart. */
export const pullOutcomes: Record<PulledKind, PullOutcome> = {
  moved: { repos: moved },
  closure: {
    repos: moved,
    closure: {
      storePath: `/nix/store/${'0'.repeat(32)}-nixos-system-host-26.05`,
      substituter: 'https://cache.example',
      signedBy: ['ci-1'],
      closureBytes: 2048,
      fetchBytes: 1024,
    },
  },
  unmoved: { repos: unmoved },
  'held-back': {
    repos: unmoved,
    heldBack: { commits: { 'nix-config': 'b'.repeat(40) }, at: '2026-01-01', reason: 'building' },
  },
  // Only with the fleet (its store says the set was rejected): see invocationEvents.
  recall: {
    repos: unmoved,
    recall: {
      from: { set: 'aaaaaaaaaaaa', by: 'alice', at: '2026-01-01', reason: 'bad', aborted: true },
      to: {
        set: 'bbbbbbbbbbbb',
        commits: { 'nix-config': 'c'.repeat(40) },
        since: '2025-12-01',
      },
    },
  },
};
export type PulledKind = 'moved' | 'closure' | 'unmoved' | 'held-back' | 'recall';

/** The two verdicts of the condition checks. */
export const conditionFacts: Record<'hold' | 'fail', ConditionFacts> = {
  hold: { hold: true },
  fail: { hold: false, reason: 'outside the maintenance window' },
};

/** The facts inspectBoot can find, as the reboot guards tell them apart. */
export const bootFacts: Record<BootKind, BootFacts> = {
  'kernel changed, inside window': { kernelChanged: true, insideWindow: true },
  'kernel changed, outside window': {
    kernelChanged: true,
    insideWindow: false,
    window: '01:00-05:00',
  },
  'kernel same, inside window': { kernelChanged: false, insideWindow: true },
  'kernel same, outside window': {
    kernelChanged: false,
    insideWindow: false,
    window: '01:00-05:00',
  },
};
export type BootKind =
  | 'kernel changed, inside window'
  | 'kernel changed, outside window'
  | 'kernel same, inside window'
  | 'kernel same, outside window';

/**
 * What an invoked actor does in one step of a path; "interrupted": a stop came while it ran;
 * a `temporary` error is a passing trouble (the network) the `fetchFailedTemporarily` guard sees;
 * a `fleet` error is the fleet's store unreachable (the `fleetUnavailable` guard), with fleet slots;
 * an `inhibited` error is a switch NixOS refused for its switch inhibitors (`installForBoot`);
 * a `refused` error is a closure the pull refused before anything moved (`refusedBeforeChange`);
 * a `moved` error is a recall that failed after it moved a repo or the system (`recallMoved`).
 */
export type StepOutcome =
  | {
      actor: string;
      outcome: 'done';
      pulled?: PulledKind;
      boot?: BootKind;
      conditions?: 'hold' | 'fail';
    }
  | {
      actor: string;
      outcome: 'error';
      temporary?: true;
      fleet?: true;
      inhibited?: true;
      refused?: true;
      moved?: true;
    }
  | { actor: string; outcome: 'interrupted' };

export interface GeneratedPath {
  policy: UpgradePolicy;
  /** States entered, in order, starting with the initial state. */
  states: string[];
  /** What each invoked actor did, in order. */
  steps: StepOutcome[];
  /** Keys of the transitions this path takes (see transitions.ts). */
  transitions: string[];
  result: string;
}

/** The ids of the actors the snapshot's active states invoke. */
function activeInvokeIds(snapshot: UpgradeSnapshot): string[] {
  return allStateNodes(upgradeMachine)
    .filter((node) => node.path.length > 0 && snapshot.matches(nodePath(node) as never))
    .flatMap((node) => node.invoke.map((invoke) => invoke.id));
}

const interrupt: EventObject = { type: 'INTERRUPT' };

/** The done and error events of every actor the active states invoke, and a stop where handled. */
function invocationEvents(snapshot: UpgradeSnapshot): EventObject[] {
  const done = (id: string, output: unknown): EventObject =>
    ({ type: `xstate.done.actor.${id}`, output }) as EventObject;
  const stop = snapshot.status === 'active' && snapshot.can(interrupt) ? [interrupt] : [];
  const outcomes = activeInvokeIds(snapshot).flatMap((id) => {
    const error = {
      type: `xstate.error.actor.${id}`,
      error: new Error(`${id} failed`),
    } as EventObject;
    if (id === 'checkConditions' || id === 'recheckConditions') {
      return [done(id, conditionFacts.hold), done(id, conditionFacts.fail), error];
    }
    if (id === 'inspectBoot') {
      return [...Object.values(bootFacts).map((output) => done(id, output)), error];
    }
    const fleet = snapshot.context.policy.fleet
      ? [
          {
            type: `xstate.error.actor.${id}`,
            error: Object.assign(new Error(`the fleet's store is unreachable`), {
              temporary: true,
              fleetUnavailable: true,
            }),
          } as EventObject,
        ]
      : [];
    const temporary = {
      type: `xstate.error.actor.${id}`,
      error: Object.assign(new Error(`${id} failed for now`), { temporary: true }),
    } as EventObject;
    if (id === 'pullRepos') {
      // With system.closure, the pull may pick a closure, or refuse one before anything moved.
      const closure = (snapshot.context as { policy: UpgradePolicy }).policy.closure;
      const refused = {
        type: `xstate.error.actor.${id}`,
        error: Object.assign(new Error('the closure is not signed by a configured key'), {
          refused: true,
        }),
      } as EventObject;
      // A recall is the fleet's word: only with fleet slots (it needs fleet.etcd).
      const fleetSlots = (snapshot.context as { policy: UpgradePolicy }).policy.fleet;
      return [
        ...(Object.keys(pullOutcomes) as PulledKind[])
          .filter((kind) => closure || kind !== 'closure')
          .filter((kind) => fleetSlots || kind !== 'recall')
          .map((kind) => done(id, pullOutcomes[kind])),
        error,
        temporary,
        ...(closure ? [refused] : []),
        ...fleet,
      ];
    }
    if (id === 'fetchClosure') return [done(id, undefined), error, temporary];
    if (id === 'recall') {
      const moved = {
        type: `xstate.error.actor.${id}`,
        error: Object.assign(new Error('the system switch failed after the repos moved'), {
          moved: true,
        }),
      } as EventObject;
      return [done(id, undefined), error, moved];
    }
    if (id === 'takeSlot') return [done(id, undefined), error, ...fleet];
    if (id === 'runSwitch') {
      const inhibited = {
        type: `xstate.error.actor.${id}`,
        error: Object.assign(new Error('switch inhibited by dbus-implementation'), {
          installForBoot: true,
          inhibitedBy: ['dbus-implementation'],
        }),
      } as EventObject;
      return [done(id, undefined), error, inhibited];
    }
    return [done(id, id === 'snapshotRepos' ? { commits: savedCommits } : undefined), error];
  });
  return [...stop, ...outcomes];
}

function toGeneratedPath(
  policy: UpgradePolicy,
  path: StatePath<AnyMachineSnapshot, EventObject>,
): GeneratedPath {
  const machine = upgradeMachine as AnyStateMachine;
  const states: string[] = [];
  const steps: StepOutcome[] = [];
  const transitions: string[] = [];
  let previous: AnyMachineSnapshot | undefined;
  // The start decides at once (eventless transitions): record the one it took.
  const first = path.steps[0];
  if (first) transitions.push(...initialTransitions(statePathOf(first.state.value)));
  for (const step of path.steps) {
    if (previous) {
      for (const definition of machine.getTransitionData(previous as never, step.event)) {
        transitions.push(describeTransition(definition).key);
      }
      const match = /^xstate\.(done|error)\.actor\.(.+)$/.exec(step.event.type);
      if (step.event.type === 'INTERRUPT') {
        steps.push({ actor: activeInvokeIds(previous)[0] ?? '', outcome: 'interrupted' });
      } else if (match?.[1] === 'done') {
        const output = (step.event as { output?: unknown }).output;
        const pulled = (Object.keys(pullOutcomes) as PulledKind[]).find(
          (kind) => pullOutcomes[kind] === output,
        );
        const boot = (Object.keys(bootFacts) as BootKind[]).find(
          (kind) => bootFacts[kind] === output,
        );
        steps.push({
          actor: match[2] ?? '',
          outcome: 'done',
          ...(match[2] === 'pullRepos' && pulled ? { pulled } : {}),
          ...(match[2] === 'inspectBoot' && boot ? { boot } : {}),
          ...(output === conditionFacts.hold ? { conditions: 'hold' as const } : {}),
          ...(output === conditionFacts.fail ? { conditions: 'fail' as const } : {}),
        });
      } else if (match) {
        const { temporary, fleetUnavailable, installForBoot, refused, moved } =
          (
            step.event as {
              error?: {
                temporary?: unknown;
                fleetUnavailable?: unknown;
                installForBoot?: unknown;
                refused?: unknown;
                moved?: unknown;
              };
            }
          ).error ?? {};
        steps.push({
          actor: match[2] ?? '',
          outcome: 'error',
          ...(temporary === true ? { temporary: true as const } : {}),
          ...(fleetUnavailable === true ? { fleet: true as const } : {}),
          ...(installForBoot === true ? { inhibited: true as const } : {}),
          ...(refused === true ? { refused: true as const } : {}),
          ...(moved === true ? { moved: true as const } : {}),
        });
      }
    }
    const state = statePathOf(step.state.value);
    if (states.at(-1) !== state) states.push(state);
    previous = step.state;
  }
  return { policy, states, steps, transitions, result: String(path.state.context.result) };
}

/** The eventless transitions of the initial state that lead to `firstState`. */
function initialTransitions(firstState: string): string[] {
  const initial = (upgradeMachine as AnyStateMachine).root.initial.target[0] as
    AnyStateNode | undefined;
  if (!initial?.always) return [];
  const taken = initial.always.find(
    (definition: AnyTransitionDefinition) =>
      (definition.target ?? []).map((target: AnyStateNode) => nodePath(target))[0] === firstState,
  );
  return taken ? [describeTransition(taken).key] : [];
}

/** The traversal's vertices by key (@xstate/graph brands its keys; ours are plain strings). */
type UpgradeGraph = Record<string, AdjacencyValue<UpgradeSnapshot, EventObject>>;
type UpgradePath = StatePath<UpgradeSnapshot, EventObject>;

/** A vertex is a state *and the event that led to it* (see generatePathsFor). */
function serializeVertex(snapshot: UpgradeSnapshot, event: EventObject | undefined): string {
  return `${serializeSnapshot(snapshot)} via ${event?.type ?? 'start'}`;
}

/** How a breadth-first walk first reached each vertex, in the order it reached them. */
interface Walk {
  order: string[];
  cameFrom: Map<string, { from: string; event: EventObject }>;
}

/**
 * Breadth-first from `start` over a graph already built, ending at the first vertex after the
 * start that `until` accepts. It visits transitions in `getShortestPaths`' order and keeps the
 * first way to each vertex, so it finds the same paths in the same order, without a traversal of
 * the machine per start: one traversal per policy instead of one per state made generating every
 * path several times faster (2.6 s before), which each run of the generated tests, and each
 * mutant in mutation testing, pays.
 */
function walk(
  graph: UpgradeGraph,
  start: string,
  until: (snapshot: UpgradeSnapshot) => boolean = () => false,
): Walk {
  const cameFrom = new Map<string, { from: string; event: EventObject }>();
  const order = [start];
  for (let index = 0; index < order.length; index++) {
    const key = order[index] as string;
    const vertex = graph[key];
    if (!vertex) throw new Error(`the traversal did not reach ${key}`);
    if (index > 0 && until(vertex.state)) return { order: order.slice(0, index + 1), cameFrom };
    for (const { event, state } of Object.values(vertex.transitions)) {
      const next = serializeVertex(state, event);
      if (next === start || cameFrom.has(next)) continue;
      cameFrom.set(next, { from: key, event });
      order.push(next);
    }
  }
  return { order, cameFrom };
}

function reached(graph: UpgradeGraph, key: string): UpgradeSnapshot {
  const vertex = graph[key];
  if (!vertex) throw new Error(`the traversal did not reach ${key}`);
  return vertex.state;
}

/** The walk's path from `startState` to `key`, in @xstate/graph's shape (see joinPaths). */
function pathTo(
  graph: UpgradeGraph,
  { cameFrom }: Walk,
  startState: UpgradeSnapshot,
  key: string,
): UpgradePath {
  const steps: UpgradePath['steps'] = [];
  for (let at = key, step = cameFrom.get(at); step; at = step.from, step = cameFrom.get(at)) {
    steps.unshift({ state: reached(graph, at), event: step.event });
  }
  // Each step holds the state after its event; the first is the start, after `xstate.init`.
  steps.unshift({ state: startState, event: { type: 'xstate.init' } });
  return { state: steps.at(-1)?.state ?? startState, steps, weight: steps.length - 1 };
}

const isFinal = (snapshot: UpgradeSnapshot) => snapshot.status === 'done';

/** Transitions one policy's traversal may take: ~35 times what the machine has. */
const traversalLimit = 5_000;

/** Shortest paths to every reachable state, each completed to a final state, for one policy. */
export function generatePathsFor(policy: UpgradePolicy): GeneratedPath[] {
  const graph = getAdjacencyMap(traversable, {
    input: { policy },
    events: invocationEvents,
    // A vertex is a state *and the event that led to it*: shortest paths then reach every edge,
    // not only every state (two edges into one state would otherwise leave one of them unwalked).
    serializeState: serializeVertex,
    // The machine has at most ~150 edges per policy. A change that makes its states endless (a
    // context that grows on every transition) then fails here at once instead of looping.
    limit: traversalLimit,
  }) as UpgradeGraph;
  // The traversal's first vertex is the initial state.
  const [start] = Object.keys(graph);
  if (start === undefined) throw new Error('the traversal found no initial state');
  const startState = reached(graph, start);
  const fromStart = walk(graph, start);
  const complete = fromStart.order.map((key) => {
    const head = pathTo(graph, fromStart, startState, key);
    if (isFinal(head.state)) return toGeneratedPath(policy, head);
    const toFinal = walk(graph, key, isFinal);
    const end = toFinal.order.at(-1);
    if (toFinal.order.length < 2 || end === undefined || !isFinal(reached(graph, end))) {
      throw new Error(`no final state is reachable from ${statePathOf(head.state.value)}`);
    }
    return toGeneratedPath(policy, joinPaths(head, pathTo(graph, toFinal, head.state, end)));
  });
  // Snapshots that differ only in context (an error's text) give the same path: keep one.
  const seen = new Set<string>();
  return complete.filter((path) => {
    const signature = JSON.stringify(path.steps);
    if (seen.has(signature)) return false;
    seen.add(signature);
    return true;
  });
}

/** "local, build, rollback" / "remote, no build, notify, force": a policy in a test name. */
export function describePolicy(policy: UpgradePolicy): string {
  return [
    policy.mode,
    policy.buildBeforeSwitch ? 'build' : 'no build',
    policy.onValidationFailure,
    ...(policy.force ? ['force'] : []),
    ...(policy.healthChecks ? ['health checks'] : []),
    ...(policy.reboot !== 'never' ? [`reboot ${policy.reboot}`] : []),
    ...(policy.rebootPending ? ['reboot pending'] : []),
    ...(policy.conditions ? ['conditions'] : []),
    ...(policy.fleet ? ['fleet slots'] : []),
    ...(policy.closure ? ['closure'] : []),
  ].join(', ');
}

/** Paths for every policy combination. */
export function generateAllPaths(): GeneratedPath[] {
  return policyCombinations.flatMap(generatePathsFor);
}

/**
 * A small set of paths that together take every transition: for each transition in turn, the
 * first path (in generation order) that takes it and is `usable`.
 */
export function pathsCoveringEveryTransition(
  paths: GeneratedPath[],
  transitionKeys: string[],
  usable: (path: GeneratedPath) => boolean = () => true,
): { chosen: GeneratedPath[]; uncovered: string[] } {
  const chosen: GeneratedPath[] = [];
  const covered = new Set<string>();
  const uncovered: string[] = [];
  for (const key of transitionKeys) {
    if (covered.has(key)) continue;
    const path = paths.find(
      (candidate) => usable(candidate) && candidate.transitions.includes(key),
    );
    if (!path) {
      uncovered.push(key);
      continue;
    }
    chosen.push(path);
    path.transitions.forEach((taken) => covered.add(taken));
  }
  return { chosen, uncovered };
}
