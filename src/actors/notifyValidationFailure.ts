// `notifying` (onValidationFailure: "notify"): says loudly that a validation check failed and the
// switch goes ahead anyway, as the Nix module this replaces did.
import type { Failure } from '../machine/types.js';
import type { Log } from '../log.js';

export function notifyValidationFailure(
  failure: Failure | undefined,
  deps: { log: Log },
): Promise<void> {
  deps.log.warn(
    `validation failed, switching anyway because onValidationFailure is "notify": ${failure?.message ?? 'unknown failure'}`,
  );
  return Promise.resolve();
}
