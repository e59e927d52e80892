// `xs-upgrade graph`: the machine as Mermaid, Graphviz DOT, the JSON that Stately Studio imports,
// or the Markdown page docs/machine.md. Drawn from the machine definition, so it cannot go stale.
import type { AnyStateNode } from 'xstate';
import { generatePathsFor } from '../machine/paths.js';
import {
  allStateNodes,
  listTransitions,
  nodePath,
  type TransitionEdge,
} from '../machine/transitions.js';
import type { UpgradePolicy } from '../machine/types.js';
import { upgradeMachine } from '../machine/upgradeMachine.js';

export const graphFormats = ['mermaid', 'dot', 'json', 'markdown'] as const;
export type GraphFormat = (typeof graphFormats)[number];

/** What a user reads on an edge: "runBuild failed [validationFailureRollsBack]". */
export function edgeLabel(edge: TransitionEdge): string {
  const actor = /^xstate\.(done|error)\.actor\.(.+)$/.exec(edge.eventType);
  const trigger = actor
    ? `${actor[2] ?? ''} ${actor[1] === 'done' ? 'succeeded' : 'failed'}`
    : edge.eventType;
  if (edge.guard) return `${trigger} [${edge.guard}]`;
  return edge.otherwise ? `${trigger} [otherwise]` : trigger;
}

/** The transitions a config's policy can take (with and without --force); all of them without one. */
/** The policy values a config fixes (--force is a flag, so both of its values are drawn). */
/** What a config decides; force and a pending reboot vary from run to run. */
export type ConfigPolicy = Omit<UpgradePolicy, 'force' | 'rebootPending'>;

export function transitionsFor(policy?: ConfigPolicy): TransitionEdge[] {
  const all = listTransitions(upgradeMachine);
  if (!policy) return all;
  const taken = new Set(
    [false, true].flatMap((force) =>
      [false, true].flatMap((rebootPending) =>
        generatePathsFor({ ...policy, force, rebootPending }).flatMap((path) => path.transitions),
      ),
    ),
  );
  return all.filter((edge) => taken.has(edge.key));
}

const leafName = (path: string) => path.split('.').at(-1) ?? path;
/** The key of a compound state's initial child ("" for an atomic state). */
const initialChild = (node: AnyStateNode): string =>
  (node.initial?.target[0] as AnyStateNode | undefined)?.key ?? '';
const isFinal = (node: AnyStateNode) => node.type === 'final';
const topLevel = () => Object.values(upgradeMachine.root.states) as AnyStateNode[];

export function toMermaid(edges: TransitionEdge[]): string {
  const lines = ['stateDiagram-v2', `  [*] --> ${initialChild(upgradeMachine.root)}`];
  for (const node of topLevel()) {
    const children = Object.values(node.states) as AnyStateNode[];
    if (children.length === 0) continue;
    lines.push(`  state ${node.key} {`, `    [*] --> ${initialChild(node)}`);
    for (const child of children) lines.push(`    ${child.key}`);
    lines.push('  }');
  }
  for (const edge of edges) {
    for (const target of edge.targets) {
      lines.push(`  ${leafName(edge.source)} --> ${leafName(target)}: ${edgeLabel(edge)}`);
    }
  }
  for (const node of topLevel().filter(isFinal)) lines.push(`  ${node.key} --> [*]`);
  return `${lines.join('\n')}\n`;
}

export function toDot(edges: TransitionEdge[]): string {
  const lines = [
    'digraph upgrade {',
    '  rankdir=TB;',
    '  node [shape=box, style=rounded];',
    '  start [shape=point];',
  ];
  for (const node of topLevel()) {
    const children = Object.values(node.states) as AnyStateNode[];
    if (children.length > 0) {
      lines.push(`  subgraph cluster_${node.key} {`, `    label="${node.key}";`);
      for (const child of children) lines.push(`    "${child.key}";`);
      lines.push('  }');
    } else if (isFinal(node)) {
      lines.push(`  "${node.key}" [shape=doublecircle, style=solid];`);
    }
  }
  lines.push(`  start -> "${initialChild(upgradeMachine.root)}";`);
  for (const edge of edges) {
    for (const target of edge.targets) {
      // An edge into a compound state points at its initial child, so clusters stay readable.
      const node = upgradeMachine.getStateNodeById(`upgrade.${target}`) as AnyStateNode;
      const entered = initialChild(node) ? `${target}.${initialChild(node)}` : target;
      lines.push(
        `  "${leafName(edge.source)}" -> "${leafName(entered)}" [label="${edgeLabel(edge)}"];`,
      );
    }
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/** The machine's config as JSON: what Stately Studio imports and `createMachine` accepts. */
export function toStatelyJson(): string {
  return `${JSON.stringify(upgradeMachine.config, null, 2)}\n`;
}

/** What happens in each state, for docs/machine.md. */
const stateDescriptions: Record<string, string> = {
  hooksRunning: 'runs `preUpdateHooks` in order',
  snapshotting: "records every repo's commit and writes them to `stateDir` before anything moves",
  pulling:
    'fetches each repo and fast-forwards it; never merges or forces. With `system.closure`, first picks and checks the closure for the new commits',
  fetchingClosure:
    'fetches the closure CI built from the substituters, every signature checked (only with `system.closure`)',
  building: 'runs `build` (only with `buildBeforeSwitch`)',
  validating: 'runs `validationChecks`; each must exit 0',
  notifying: 'tells that validation failed, then switches anyway (`onValidationFailure: notify`)',
  switching:
    "runs `switch`; with a fetched closure, makes it the profile's new generation and runs its `switch-to-configuration switch`",
  healthChecking: 'runs `healthChecks` on the new system (only when configured)',
  rollingBack: 'puts everything back where it was',
  'rollingBack.resettingRepos': 'resets every repo to its saved commit',
  'rollingBack.revertingSystem':
    'after a switch: runs `rollbackSwitch`, or `switch` on the restored repos',
  done: 'final: upgraded, or nothing new (exit 0)',
  aborted: 'final: stopped before any change (exit 3)',
  rolledBack: 'final: failed and rolled back (exit 4)',
  rollbackFailed: 'final: rollback failed, manual recovery (exit 5)',
};

export function toMarkdown(): string {
  const edges = listTransitions(upgradeMachine);
  const states = allStateNodes(upgradeMachine).filter((node) => node.path.length > 0);
  const rows = states.map((node) => {
    const path = nodePath(node);
    return `| \`${path}\` | ${stateDescriptions[path] ?? ''} |`;
  });
  const transitionRows = edges.map(
    (edge) =>
      `| \`${edge.source}\` | ${edgeLabel(edge)} | ${edge.guard ? `\`${edge.guard}\`` : edge.otherwise ? 'otherwise' : ''} | \`${edge.targets.join(', ')}\` |`,
  );
  return [
    '# The upgrade machine',
    '',
    '<!-- Generated by `npm run docs:machine` (xs-upgrade graph --format markdown). Do not edit:',
    '     a test fails when this page is out of date with src/machine/upgradeMachine.ts. -->',
    '',
    `The upgrade is an XState v5 machine with ${states.length} states and ${edges.length} transitions. Every`,
    'transition is walked by a generated test (`test/machine/paths.test.ts`) and by a generated',
    'end-to-end scenario on a real sandbox host (`test/e2e/paths.test.ts`).',
    '',
    '```mermaid',
    toMermaid(edges).trimEnd(),
    '```',
    '',
    '## States',
    '',
    '| state | what it does |',
    '| --- | --- |',
    ...rows,
    '',
    '## Transitions',
    '',
    '"X succeeded" and "X failed" are the done and error events of the actor the state invokes.',
    'Guards read only the config: `buildBeforeSwitch`, `onValidationFailure`, `mode`, whether',
    '`healthChecks` are set, and `--force`.',
    '',
    '| from | when | guard | to |',
    '| --- | --- | --- | --- |',
    ...transitionRows,
    '',
    '## Seeing it',
    '',
    '- `xs-upgrade graph --format mermaid|dot|json [--config FILE]`: with a config, only the',
    "  transitions that config's policy can take.",
    '- `xs-upgrade graph --format json` prints the machine config that Stately Studio imports.',
    '- `xs-upgrade run --inspect` streams a live run to the Stately inspector (see docs/inspect.md).',
    '',
  ].join('\n');
}

export function renderGraph(format: GraphFormat, policy?: ConfigPolicy): string {
  switch (format) {
    case 'mermaid':
      return toMermaid(transitionsFor(policy));
    case 'dot':
      return toDot(transitionsFor(policy));
    case 'json':
      return toStatelyJson();
    case 'markdown':
      return toMarkdown();
  }
}
