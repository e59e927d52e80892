// Webhooks and commands the config names, for the events this run's result fires; the commits
// they carry are the host's as measured at the end.
import {
  buildPayload,
  eventsForResult,
  sendNotifications,
} from '../../actors/sendNotifications.js';
import type { NotifyEvent } from '../../config/resolve.js';
import type { RecordResult, RunCommand } from '../../state/runRecords.js';
import { repoCommits } from '../outcome.js';
import type { Reporter } from './reporter.js';

function eventsFor(result: RecordResult, command: RunCommand): NotifyEvent[] {
  // An operator's own rollback that worked is no news to send; one that failed is.
  if (command === 'rollback' && result === 'rolled-back') return [];
  switch (result) {
    case 'refused':
      return ['rollback-failed', 'failure'];
    // An operator's word, and a boot that confirms a rollback already notified: nothing new.
    case 'recovery-confirmed':
    case 'rollback-booted':
      return [];
    default:
      return eventsForResult(result);
  }
}

export const notifications: Reporter = {
  what: 'send the notifications',
  async report(outcome, { options }) {
    const { config, log } = options;
    const heldBack = outcome.heldBack;
    const reason = heldBack
      ? {
          state: 'pulling',
          message: `upstream is at commits that failed here on ${heldBack.at}: ${heldBack.reason}`,
        }
      : outcome.failure;
    const commits = repoCommits(outcome, config.repos);
    // Installed for the next boot, its switch inhibited: its own event first.
    const installed = outcome.machine?.output.reboot?.inhibitedBy !== undefined;
    await sendNotifications(
      config.notify,
      [
        ...(installed ? (['installed-for-boot'] as const) : []),
        ...eventsFor(outcome.result, outcome.command),
      ],
      (event) =>
        buildPayload(event, {
          result: outcome.result,
          interrupted: outcome.interrupted && !outcome.killed,
          ...(reason ? { failure: reason } : {}),
          states: outcome.states.map((visit) => visit.state),
          commits,
          config: config.file,
        }),
      { log, env: options.env, signal: new AbortController().signal },
    );
  },
};
