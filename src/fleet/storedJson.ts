// Reading a document another host wrote: text that is not JSON is an error naming the key, and
// temporary (exit 75): nothing was done, fix the key and run again.
import { ExitCode, XsUpgradeError } from '../errors.js';

export function parseStoredJson(text: string, key: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new XsUpgradeError(
      `${key} is not JSON: fix or delete that key, then run again`,
      ExitCode.temporary,
    );
  }
}

/** A document of the wrong shape: named, never overwritten. */
export function notA(what: string, key: string): XsUpgradeError {
  return new XsUpgradeError(`${key} is not ${what}: fix or delete that key`, ExitCode.temporary);
}
