// `xs-upgrade fleet status --html FILE`: one self-contained page (no scripts, no network: a
// Content-Security-Policy that forbids loading anything) that a person would rather look at than
// read: the groups side by side, a row per host coloured by its last result, and which commit
// set each group is on; below, the commit sets, proven and rejected.
import type { FleetView } from '../fleet/admin.js';
import { setId, type CommitSet } from '../fleet/rollout.js';
import { pauseText } from '../fleet/store/fleetRecords.js';
import { gateSummary, rolloutSummary } from './fleet.js';

const escape = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

/** A result's colour class: healthy, waiting, failed, needs a person. */
function tone(result: string): string {
  if (['upgraded', 'nothing-new', 'rebooting', 'recovery-confirmed'].includes(result)) return 'ok';
  if (
    ['skipped', 'no-slot', 'fleet-unavailable', 'fetch-failed', 'held-back', 'recalled'].includes(
      result,
    )
  )
    return 'wait';
  if (['rollback-failed', 'refused'].includes(result)) return 'bad';
  return 'failed';
}

const commitsText = (commits: CommitSet) =>
  Object.entries(commits)
    .map(([repo, commit]) => `${repo} ${commit.slice(0, 12)}`)
    .join(', ');

/** The set most of a group's hosts run. */
function groupSet(view: FleetView, group: string): string | undefined {
  const counts = new Map<string, number>();
  for (const host of view.hosts.filter((entry) => entry.group === group)) {
    const id = setId(host.commits);
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}

export function renderFleetPage(view: FleetView, generatedAt: Date): string {
  const groups = view.groups
    .map((group) => {
      const hosts = view.hosts.filter((host) => host.group === group.group);
      const on = groupSet(view, group.group);
      const rows = hosts
        .map((host) => {
          const holder = group.holders.some((entry) => entry.id === host.id)
            ? ' (holds a slot)'
            : '';
          return `<tr class="${tone(host.result)}"><td class="host">${escape(host.id)}${holder}</td><td class="result">${escape(host.result)}</td><td>${escape(host.at.replace('T', ' ').replace(/\.\d+Z$/, 'Z'))}</td><td class="set">${escape(setId(host.commits))}</td></tr>`;
        })
        .join('\n');
      return `<section class="group">
<h2>${escape(group.group)}</h2>
<p>${group.holders.length} of ${group.slots} slot${group.slots === 1 ? '' : 's'} held${on ? ` · on set <code>${escape(on)}</code>` : ''}</p>
<table><thead><tr><th>host</th><th>last result</th><th>when</th><th>set</th></tr></thead>
<tbody>
${rows || '<tr><td colspan="4">no host has reported</td></tr>'}
</tbody></table>
</section>`;
    })
    .join('\n');
  const sets = view.sets
    .map((set) => {
      const proven = set.proven
        .map(
          (proof) =>
            `${escape(proof.host)} (${escape(proof.group)}) from ${escape(proof.since)}${proof.until ? ` to ${escape(proof.until)}` : ''}`,
        )
        .join('<br>');
      const rejected = set.rejected
        .map((entry) => `${escape(entry.host)} at ${escape(entry.at)}: ${escape(entry.reason)}`)
        .join('<br>');
      const rollout = view.rollout?.find((entry) => entry.set === set.id);
      const spread = rollout
        ? [
            `<span class="wave">${escape(rolloutSummary(rollout))}</span>`,
            ...(rollout.gates?.results ?? []).map(
              (result) =>
                `<span class="gate ${result.passed ? 'pass' : 'hold'}">${escape(gateSummary(result))}</span>`,
            ),
          ].join('<br>')
        : '';
      return `<tr class="${set.rejected.length > 0 ? 'failed' : set.proven.length > 0 ? 'ok' : ''}"><td><code>${escape(set.id)}</code></td><td>${escape(commitsText(set.commits))}</td><td>${proven || '—'}</td><td>${rejected || '—'}</td><td class="rollout">${spread || '—'}</td></tr>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>xs-upgrade fleet</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1d2430; background: #f6f7f9; }
h1 { font-size: 1.3rem; margin: 0 0 1rem; }
.groups { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-start; }
.group { background: #fff; border: 1px solid #d8dde5; border-radius: 8px; padding: 0.8rem 1rem; min-width: 18rem; }
.group h2 { font-size: 1.1rem; margin: 0; }
.group p { margin: 0.2rem 0 0.6rem; color: #56617a; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 0.25rem 0.5rem; border-bottom: 1px solid #e6e9ee; vertical-align: top; }
th { font-weight: 600; color: #56617a; }
tr.ok td:first-child { border-left: 4px solid #2e9d5b; }
tr.ok { background: #eaf7ef; }
tr.wait { background: #fff6e0; }
tr.wait td:first-child { border-left: 4px solid #d39b12; }
tr.failed { background: #fdeceb; }
tr.failed td:first-child { border-left: 4px solid #d2453b; }
tr.bad { background: #f6d2cf; font-weight: 600; }
tr.bad td:first-child { border-left: 4px solid #8d1c14; }
code, .set { font-family: ui-monospace, monospace; }
.sets { margin-top: 1.5rem; background: #fff; border: 1px solid #d8dde5; border-radius: 8px; padding: 0.8rem 1rem; }
.paused { background: #fff6e0; border: 1px solid #d39b12; border-radius: 8px; padding: 0.5rem 1rem; font-weight: 600; }
.gate.hold { color: #b3261e; font-weight: 600; }
.gate.pass { color: #1e6b3c; }
footer { margin-top: 1rem; color: #56617a; font-size: 0.85rem; }
</style>
</head>
<body>
<h1>xs-upgrade fleet</h1>
${view.paused.map((pause) => `<p class="paused">PAUSED: ${escape(pauseText(pause))}</p>`).join('\n')}
<div class="groups">
${groups}
</div>
<section class="sets">
<h2>Commit sets</h2>
<table><thead><tr><th>set</th><th>commits</th><th>proven on</th><th>rejected by</th><th>rollout</th></tr></thead>
<tbody>
${sets || '<tr><td colspan="5">no commit set reported yet</td></tr>'}
</tbody></table>
</section>
<footer>Written ${escape(generatedAt.toISOString())} by <code>xs-upgrade fleet status --html</code>.</footer>
</body>
</html>
`;
}
