// Every transition of the machine, read from its definition: the set that generated tests must
// cover, and what `xstate-upgrade graph` draws. Pure.
import type { AnyStateMachine, AnyStateNode, AnyTransitionDefinition } from 'xstate';

export interface TransitionEdge {
  /** Stable, readable identity: "pulling: xstate.done.actor.pullRepos [nothingNew] -> done". */
  key: string;
  /** Source state path, e.g. "rollingBack.resettingRepos". */
  source: string;
  eventType: string;
  guard?: string;
  /** An unguarded branch after guarded ones: taken when no guard above it holds. */
  otherwise: boolean;
  /** Target state paths (empty for a targetless transition). */
  targets: string[];
  definition: AnyTransitionDefinition;
}

/** "rollingBack.resettingRepos" for a node; "" for the root. */
export function nodePath(node: AnyStateNode): string {
  return node.path.join('.');
}

export function allStateNodes(machine: AnyStateMachine): AnyStateNode[] {
  const nodes: AnyStateNode[] = [];
  const visit = (node: AnyStateNode) => {
    nodes.push(node);
    Object.values(node.states).forEach((child) => visit(child as AnyStateNode));
  };
  visit(machine.root);
  return nodes;
}

export function guardName(guard: unknown): string | undefined {
  if (guard === undefined) return undefined;
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'object' && guard !== null && 'type' in guard) return String(guard.type);
  return 'inline guard';
}

export function describeTransition(definition: AnyTransitionDefinition): TransitionEdge {
  const source = nodePath(definition.source);
  const targets = (definition.target ?? []).map((target: AnyStateNode) => nodePath(target));
  const guard = guardName(definition.guard);
  const eventType = String(definition.eventType);
  const siblings = (definition.source.transitions.get(eventType) ??
    []) as AnyTransitionDefinition[];
  const otherwise = !guard && siblings.indexOf(definition) > 0;
  const key = `${source}: ${eventType}${guard ? ` [${guard}]` : ''} -> ${targets.join(', ') || '(self)'}`;
  return { key, source, eventType, ...(guard ? { guard } : {}), otherwise, targets, definition };
}

/** All transitions, in the order the definition declares them. */
export function listTransitions(machine: AnyStateMachine): TransitionEdge[] {
  return allStateNodes(machine).flatMap((node) => [
    ...[...node.transitions.values()].flat().map(describeTransition),
    ...(node.always ?? []).map(describeTransition),
  ]);
}
