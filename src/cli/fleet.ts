// How `xs-upgrade fleet status` prints the fleet: per group its slots and holders, then each
// host's last run; then the commit sets, proven and rejected.
import type { FleetView } from '../fleet/admin.js';
import type { CommitSet, SetRecord } from '../fleet/rollout.js';

const shortCommits = (commits: CommitSet | undefined) =>
  Object.entries(commits ?? {})
    .map(([repo, commit]) => `${repo} ${commit.slice(0, 12)}`)
    .join(', ');

export function formatFleetStatus(view: FleetView, ownGroup: string, ownId?: string): string[] {
  const lines: string[] = [];
  const own = (id: string) => (id === ownId ? ' (this host)' : '');
  for (const group of view.groups) {
    const mark = group.group === ownGroup ? "  (this host's group)" : '';
    lines.push(
      `group ${group.group}: ${group.holders.length} of ${group.slots} slot${group.slots === 1 ? '' : 's'} held${mark}`,
    );
    for (const holder of group.holders) {
      const commits = shortCommits(holder.commits);
      lines.push(
        `  slot: ${holder.id}${own(holder.id)} since ${holder.since}${commits ? ` on ${commits}` : ''}`,
      );
    }
    for (const host of view.hosts.filter((entry) => entry.group === group.group)) {
      const generation = host.generation === undefined ? '' : `, generation ${host.generation}`;
      lines.push(
        `  host ${host.id}${own(host.id)}: ${host.result} at ${host.at}, on ${shortCommits(host.commits)}${generation}`,
      );
    }
  }
  if (view.sets.length > 0) lines.push('commit sets (newest first):');
  for (const set of view.sets) lines.push(...describeSet(set));
  return lines;
}

export function describeSet(set: SetRecord): string[] {
  const lines = [`  ${set.id}: ${shortCommits(set.commits)}`];
  for (const proof of set.proven) {
    lines.push(
      `    proven on ${proof.host} (${proof.group}) from ${proof.since}${proof.until ? ` to ${proof.until}` : ', still running'}`,
    );
  }
  for (const rejection of set.rejected) {
    lines.push(
      `    REJECTED by ${rejection.host} (${rejection.group}) at ${rejection.at}: ${rejection.reason}; quarantined fleet-wide until \`xs-upgrade fleet forgive ${set.id}\``,
    );
  }
  for (const forgiven of set.forgiven ?? []) {
    lines.push(
      `    forgiven at ${forgiven.at} (had been rejected by ${forgiven.rejected.map((entry) => entry.host).join(', ')})`,
    );
  }
  return lines;
}
