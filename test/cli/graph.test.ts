import { Graphviz } from '@hpcc-js/wasm-graphviz';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createMachine } from 'xstate';
import { describe, expect, it } from 'vitest';
import {
  edgeLabel,
  toDot,
  toMarkdown,
  toMermaid,
  toStatelyJson,
  transitionsFor,
} from '../../src/cli/graph.js';
import { listTransitions } from '../../src/machine/transitions.js';
import { upgradeMachine } from '../../src/machine/upgradeMachine.js';
import { packageRoot } from '../../src/packageFiles.js';

const edges = listTransitions(upgradeMachine);

describe('graph', () => {
  it('docs/machine.md is up to date with the machine (run `npm run docs:machine` if not)', async () => {
    expect(await readFile(join(packageRoot, 'docs', 'machine.md'), 'utf8')).toBe(toMarkdown());
  });

  it('the Stately JSON round-trips through createMachine with every edge', () => {
    const restored = createMachine(
      JSON.parse(toStatelyJson()) as Parameters<typeof createMachine>[0],
    );
    expect(listTransitions(restored).map((edge) => edge.key)).toEqual(
      edges.map((edge) => edge.key),
    );
  });

  it('Mermaid draws every transition', () => {
    const mermaid = toMermaid(edges);
    expect(mermaid.startsWith('stateDiagram-v2\n')).toBe(true);
    for (const edge of edges) {
      for (const target of edge.targets) {
        expect(mermaid).toContain(
          `${edge.source.split('.').at(-1)} --> ${target.split('.').at(-1)}: ${edgeLabel(edge)}`,
        );
      }
    }
  });

  it('DOT draws every transition and Graphviz accepts it', async () => {
    const dot = toDot(edges);
    expect(dot.match(/ -> "/g)?.length).toBe(edges.length + 1);
    const graphviz = await Graphviz.load();
    expect(graphviz.dot(dot)).toContain('<svg');
  });

  it('with a config, keeps only the transitions its policy can take', () => {
    const remote = transitionsFor({
      mode: 'remote',
      buildBeforeSwitch: false,
      onValidationFailure: 'ignore',
      healthChecks: false,
      reboot: 'never',
      conditions: false,
      fleet: false,
      closure: false,
    });
    const keys = remote.map((edge) => edge.key);
    expect(keys).not.toContain('pulling: xstate.done.actor.pullRepos [nothingNew] -> done');
    expect(keys).not.toContain('building: xstate.done.actor.runBuild -> validating');
    expect(keys.some((key) => key.startsWith('notifying'))).toBe(false);
    expect(keys).toContain('validating: xstate.error.actor.runChecks -> switching');
    expect(remote.length).toBeLessThan(edges.length);
  });
});
