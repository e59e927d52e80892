/** "building", or "rollingBack.resettingRepos" inside a compound state: a state value as text. */
export function statePathOf(value: unknown): string {
  if (typeof value === 'string') return value;
  return Object.entries(value as Record<string, unknown>)
    .map(([key, child]) => `${key}.${statePathOf(child)}`)
    .join(',');
}

/**
 * The states whose step moves a repo or the system, or reboots: a recovery after a power cut must
 * find the run at least there, so they reach the disk (fsync) before their step starts. A state in
 * between can be lost to a power cut at no cost: recovery from the last of these undoes the same.
 */
const movingStates = ['pulling', 'switching', 'rebooting', 'rollingBack'];

export function movesHost(statePath: string): boolean {
  return movingStates.some((state) => statePath === state || statePath.startsWith(`${state}.`));
}
