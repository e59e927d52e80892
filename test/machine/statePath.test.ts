// Which states reach the disk with an fsync before their step starts (src/machine/statePath.ts),
// read off the machine itself: a new state whose step moves a repo or the system, added without
// the list, fails here rather than losing its place to a power cut.
import type { AnyStateNode } from 'xstate';
import { describe, expect, it } from 'vitest';
import { movesHost } from '../../src/machine/statePath.js';
import { upgradeMachine } from '../../src/machine/upgradeMachine.js';

/** The actors whose step changes the host: repos, the system, a reboot. */
const movingActors = new Set([
  'pullRepos',
  'runSwitch',
  'requestReboot',
  'resetRepos',
  'rollbackSystem',
]);

const actorName = (src: unknown) => (typeof src === 'string' ? src : '');

function statesOf(node: AnyStateNode, prefix = ''): { path: string; node: AnyStateNode }[] {
  return Object.entries(node.states).flatMap(([key, child]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return [{ path, node: child }, ...statesOf(child, path)];
  });
}

describe('movesHost', () => {
  const states = statesOf(upgradeMachine.root);

  it('is true for every state whose own step moves a repo or the system', () => {
    const moving = states.filter(({ node }) =>
      node.invoke.some((invoke) => movingActors.has(actorName(invoke.src))),
    );
    expect(moving.map(({ path }) => path)).toContain('pulling');
    for (const { path } of moving) expect(movesHost(path), path).toBe(true);
  });

  it('is false for states that only read, build or check', () => {
    const reading = states.filter(
      ({ path, node }) =>
        node.invoke.length > 0 &&
        !node.invoke.some((invoke) => movingActors.has(actorName(invoke.src))) &&
        !path.startsWith('rollingBack'),
    );
    expect(reading.map(({ path }) => path)).toEqual(
      expect.arrayContaining(['snapshotting', 'building', 'validating', 'healthChecking']),
    );
    for (const { path } of reading) expect(movesHost(path), path).toBe(false);
  });
});
