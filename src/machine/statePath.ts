/** "building", or "rollingBack.resettingRepos" inside a compound state: a state value as text. */
export function statePathOf(value: unknown): string {
  if (typeof value === 'string') return value;
  return Object.entries(value as Record<string, unknown>)
    .map(([key, child]) => `${key}.${statePathOf(child)}`)
    .join(',');
}
