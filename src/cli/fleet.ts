// How `xs-upgrade fleet status` prints the fleet: per group its slots and holders, then each
// host's last run; then the commit sets, proven and rejected.
import type { FleetView, SetRollout } from '../fleet/admin.js';
import { formatShare } from '../config/share.js';
import { pauseText } from '../fleet/store/fleetRecords.js';
import type { CommitSet, SetRecord } from '../fleet/rollout.js';

const shortCommits = (commits: CommitSet | undefined) =>
  Object.entries(commits ?? {})
    .map(([repo, commit]) => `${repo} ${commit.slice(0, 12)}`)
    .join(', ');

export function formatFleetStatus(view: FleetView, ownGroup: string, ownId?: string): string[] {
  const lines: string[] = [];
  const own = (id: string) => (id === ownId ? ' (this host)' : '');
  for (const pause of view.paused) {
    lines.push(
      `PAUSED: ${pauseText(pause)} (\`xs-upgrade fleet resume${pause.group === undefined ? ' --all' : ` --group ${pause.group}`}\`)`,
    );
  }
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
  for (const set of view.sets) {
    lines.push(...describeSet(set));
    const rollout = view.rollout?.find((entry) => entry.set === set.id);
    if (rollout) lines.push(...describeRollout(rollout));
  }
  return lines;
}

/** "wave 1 of 3 in web: 5%, open to 2 of 40 hosts, 2 on it; next wave at 2 soaked (1 so far)". */
export function rolloutSummary(rollout: SetRollout): string {
  const next =
    rollout.needed === undefined
      ? ''
      : `; the next wave opens at ${rollout.needed} soaked (${rollout.soaked} so far)`;
  return `wave ${rollout.wave} of ${rollout.waves} in ${rollout.group}: ${formatShare(rollout.share)}, open to ${rollout.open} of ${rollout.hosts} host${rollout.hosts === 1 ? '' : 's'}, ${rollout.running} on it${next}`;
}

export function gateSummary(result: { name: string; passed: boolean; measured: string }): string {
  return `gate ${result.name}: ${result.passed ? 'passed' : 'HOLDS'}, ${result.measured}`;
}

function describeRollout(rollout: SetRollout): string[] {
  return [
    `    ${rolloutSummary(rollout)}`,
    ...(rollout.gates?.results ?? []).map(
      (result) => `    ${gateSummary(result)} (at ${rollout.gates?.at ?? '?'})`,
    ),
  ];
}

export function describeSet(set: SetRecord): string[] {
  const lines = [`  ${set.id}: ${shortCommits(set.commits)}`];
  for (const proof of set.proven) {
    lines.push(
      `    proven on ${proof.host} (${proof.group}) from ${proof.since}${proof.until ? ` to ${proof.until}` : ', still running'}`,
    );
  }
  for (const rejection of set.rejected) {
    if (rejection.aborted) {
      lines.push(
        `    ABORTED by ${rejection.host} at ${rejection.at}: ${rejection.reason}; no host takes it until \`xs-upgrade fleet forgive ${set.id}\``,
      );
      continue;
    }
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
