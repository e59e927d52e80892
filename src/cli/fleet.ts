// How `xs-upgrade fleet status` prints the groups: one block per group, one line per holder.
import type { Semaphore } from '../fleet/semaphore.js';

export function formatFleetStatus(groups: Semaphore[], ownGroup: string, ownId?: string): string[] {
  const lines: string[] = [];
  for (const group of groups) {
    const mark = group.group === ownGroup ? "  (this host's group)" : '';
    lines.push(
      `group ${group.group}: ${group.holders.length} of ${group.slots} slot${group.slots === 1 ? '' : 's'} held${mark}`,
    );
    for (const holder of group.holders) {
      const commits = Object.entries(holder.commits ?? {})
        .map(([repo, commit]) => `${repo} ${commit.slice(0, 12)}`)
        .join(', ');
      const own = holder.id === ownId ? ' (this host)' : '';
      lines.push(`  ${holder.id}${own} since ${holder.since}${commits ? ` on ${commits}` : ''}`);
    }
  }
  return lines;
}
