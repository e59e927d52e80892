// With etcd, the run reported to the rollout (proof of the commits the host is on, or their
// rejection), then the fleet slot released, held or kept for the boot check, as the run went: a
// rejection is in the store before the slot goes to the next host. A manual rollback reports
// too, so the proof of the set it undid ends.
import { createRedactor } from '../../redact.js';
import type { Reporter } from './reporter.js';

export const fleetReport: Reporter = {
  what: 'report to the fleet',
  async report(outcome, { options, fleet: openFleet }) {
    if (!outcome.machine && !outcome.slot && outcome.command !== 'rollback') return;
    const fleet = await openFleet();
    if (!fleet) return;
    const commits = Object.fromEntries(
      outcome.final.repos.flatMap((repo) => (repo.commit ? [[repo.repo, repo.commit]] : [])),
    );
    const rejected = outcome.rejected;
    // The closure this run fetched: the one the host now runs, or the one that failed.
    const closure = outcome.machine?.output.closure?.storePath ?? outcome.closure;
    const reportLine = await fleet.rollout?.report({
      commits,
      result: outcome.result,
      at: outcome.endedAt,
      ...(outcome.final.system ? { generation: outcome.final.system.generation } : {}),
      // Installed for the next boot (its switch was inhibited): nothing runs it yet, so no proof.
      healthy: outcome.result === 'upgraded' && !outcome.machine?.output.reboot?.inhibitedBy,
      ...(closure && outcome.result === 'upgraded' ? { closure } : {}),
      ...(rejected
        ? {
            rejected: {
              commits: rejected.commits,
              reason: createRedactor(options.config.secrets)(rejected.reason),
              ...(closure ? { closure } : {}),
            },
          }
        : {}),
    });
    const slotLine = outcome.machine
      ? await fleet.slot.settle(outcome.machine.output)
      : outcome.slot && (await fleet.slot.apply(outcome.slot.decision, outcome.slot.reason));
    return [slotLine, reportLine].filter((line): line is string => line !== undefined);
  },
};
