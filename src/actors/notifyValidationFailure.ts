// `notifying` (onValidationFailure: "notify"): says loudly that a validation check failed and the
// switch goes ahead anyway, as the Nix module this replaces did, and sends the
// "validation-failed" notifications. Fails (without changing the run) when one could not be sent.
import type { NotificationSpec } from '../config/resolve.js';
import type { Failure, PulledRepo } from '../machine/types.js';
import type { CommandDeps } from './runCommand.js';
import { buildPayload, sendNotifications } from './sendNotifications.js';

export async function notifyValidationFailure(
  input: { failure: Failure | undefined; pulled: PulledRepo[] },
  notifications: NotificationSpec[],
  deps: CommandDeps & { configFile: string; retryBaseMs?: number },
): Promise<void> {
  deps.log.warn(
    `validation failed, switching anyway because onValidationFailure is "notify": ${input.failure?.message ?? 'unknown failure'}`,
  );
  const failures = await sendNotifications(
    notifications,
    ['validation-failed'],
    (event) =>
      buildPayload(event, {
        result: 'switching-anyway',
        ...(input.failure ? { failure: input.failure } : {}),
        states: ['validating'],
        commits: input.pulled.map((repo) => ({
          repo: repo.repo,
          saved: repo.from,
          final: repo.to,
        })),
        config: deps.configFile,
      }),
    deps,
  );
  if (failures.length > 0) throw new Error(failures.join('; '));
}
