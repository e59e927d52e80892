// Tells webhooks and commands about a run. A notification that fails is logged and reported to the
// caller, and never takes longer than its own timeout and retries; it never changes the run's
// result. URLs are logged by origin only and headers never, since both carry secrets.
import { deadlineSignal } from './deadline.js';
import { hostname } from 'node:os';
import { fetchFailure, httpTarget } from '../httpTarget.js';
import { sanitizeLine } from '../sanitize.js';
import type { NotificationSpec, NotifyEvent, WebhookSpec } from '../config/resolve.js';
import type { Failure, UpgradeResult } from '../machine/types.js';
import type { RecordResult } from '../state/runRecords.js';
import type { Log } from '../log.js';
import { redactUrl } from '../redact.js';
import { pause } from './pause.js';
import { runCommand, type CommandDeps } from './runCommand.js';

/** What a notification says: enough to act on without opening the journal. */
export interface NotificationPayload {
  host: string;
  event: NotifyEvent;
  /**
   * How the run ended; `switching-anyway` for `validation-failed`, which is sent before the run
   * ends, as it goes on to switch (onValidationFailure: "notify").
   */
  result?: RecordResult | 'switching-anyway';
  interrupted?: boolean;
  error?: string;
  failedState?: string;
  states: string[];
  commits: { repo: string; saved?: string; final?: string }[];
  config: string;
}

/**
 * The events a finished run fires, most specific first (a notification listening to several is
 * sent once, for the first of them it listens to).
 */
export function eventsForResult(result: UpgradeResult): NotifyEvent[] {
  switch (result) {
    case 'upgraded':
    case 'rebooting':
      return ['success'];
    case 'nothing-new':
      return ['nothing-new'];
    // Their own events, not "failure": nothing moved, and the cause is upstream or the network.
    case 'held-back':
      return ['held-back'];
    case 'fetch-failed':
      return ['fetch-failed'];
    case 'no-slot':
      return ['no-slot'];
    case 'fleet-unavailable':
      return ['fleet-unavailable'];
    case 'skipped':
      return ['skipped'];
    case 'aborted':
      return ['failure'];
    // The specific event first: a notification listening to both is told which it was.
    case 'rolled-back':
      return ['rolled-back', 'failure'];
    case 'rollback-failed':
      return ['rollback-failed', 'failure'];
    // The host went back as the fleet asked: news, not a failure of this run.
    case 'recalled':
      return ['recalled'];
  }
}

export function buildPayload(
  event: NotifyEvent,
  fields: Omit<NotificationPayload, 'host' | 'event' | 'error' | 'failedState'> & {
    failure?: Failure;
  },
): NotificationPayload {
  const { failure, ...rest } = fields;
  // What a receiver shows is text from elsewhere too (errors, the fleet store): made safe here.
  return {
    host: hostname(),
    event,
    ...rest,
    ...(failure
      ? { error: sanitizeLine(failure.message), failedState: sanitizeLine(failure.state) }
      : {}),
  };
}

/** Sends to every notification that listens to one of `events`; resolves to the failures. */
export async function sendNotifications(
  notifications: NotificationSpec[],
  events: NotifyEvent[],
  payload: (event: NotifyEvent) => NotificationPayload,
  deps: CommandDeps & { retryBaseMs?: number },
): Promise<string[]> {
  const chosen = notifications.flatMap((notification) => {
    const event = events.find((candidate) => notification.on.includes(candidate));
    return event ? [{ notification, event }] : [];
  });
  const failures = await Promise.all(
    chosen.map(async ({ notification, event }) => {
      try {
        if ('webhook' in notification.target) {
          await postWebhook(notification.name, notification.target.webhook, payload(event), deps);
        } else {
          await runCommand(
            {
              ...notification.target.command,
              env: { ...notification.target.command.env, ...commandEnv(payload(event)) },
            },
            deps,
          );
        }
        deps.log.info(`notification ${notification.name}: sent (${event})`);
        return undefined;
      } catch (error) {
        const message = `notification ${notification.name} failed: ${error instanceof Error ? error.message : String(error)}`;
        deps.log.warn(message);
        return message;
      }
    }),
  );
  return failures.filter((failure): failure is string => failure !== undefined);
}

async function postWebhook(
  name: string,
  webhook: WebhookSpec,
  payload: NotificationPayload,
  deps: { log: Log; signal: AbortSignal; retryBaseMs?: number },
): Promise<void> {
  const where = redactUrl(webhook.url);
  const target = httpTarget(webhook.url);
  const body = JSON.stringify(payload);
  let lastProblem = '';
  for (let attempt = 0; attempt <= webhook.retries; attempt += 1) {
    if (attempt > 0) await pause((deps.retryBaseMs ?? 1000) * 2 ** (attempt - 1), deps.signal);
    const deadline = deadlineSignal(deps.signal, webhook.timeoutMs);
    try {
      const response = await fetch(target.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'xs-upgrade',
          ...target.headers,
          ...webhook.headers,
        },
        body,
        signal: deadline.signal,
        redirect: 'error',
      });
      await response.body?.cancel();
      if (response.ok) return;
      lastProblem = `HTTP ${response.status} from ${where}`;
      // A 4xx will not get better by asking again.
      if (response.status < 500) break;
    } catch (error) {
      const timedOut = (error as Error).name === 'TimeoutError';
      lastProblem = timedOut
        ? `no answer from ${where} within ${webhook.timeoutMs}ms`
        : `cannot reach ${where} (${fetchFailure(error)})`;
      if (deps.signal.aborted) break;
    } finally {
      deadline.clear();
    }
    if (attempt < webhook.retries)
      deps.log.warn(`notification ${name}: ${lastProblem}; trying again`);
  }
  throw new Error(lastProblem);
}

/** The payload as environment variables for a notification command. */
function commandEnv(payload: NotificationPayload): Record<string, string> {
  const commits = (key: 'saved' | 'final') =>
    payload.commits.map((repo) => `${repo.repo}=${repo[key] ?? ''}`).join(' ');
  return {
    XS_UPGRADE_EVENT: payload.event,
    XS_UPGRADE_RESULT: payload.result ?? '',
    XS_UPGRADE_ERROR: payload.error ?? '',
    XS_UPGRADE_HOST: payload.host,
    XS_UPGRADE_STATES: payload.states.join(' '),
    XS_UPGRADE_SAVED_COMMITS: commits('saved'),
    XS_UPGRADE_FINAL_COMMITS: commits('final'),
  };
}
