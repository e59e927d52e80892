// What every command that changes a host is given: the config, the log and environment, and the
// command line's choices. Passed as arguments, never read from globals, so tests drive a run
// in-process exactly as the CLI does.
import type { ResolvedConfig } from '../config/resolve.js';
import type { Log } from '../log.js';
import { newRunRecord, type RunCommand, type RunRecord } from '../state/runRecords.js';

export interface UpgradeHostOptions {
  config: ResolvedConfig;
  log: Log;
  env: NodeJS.ProcessEnv;
  version: string;
  force: boolean;
  skipValidation?: boolean;
  /** --ignore-conditions: run whatever the window, power and network say. */
  ignoreConditions?: boolean;
  inspect?: string | boolean;
  inspectLog?: string;
  /** --inspect-host: where the local relay listens (127.0.0.1 unless widened). */
  inspectHost?: string;
  /** Whether a person is watching (keeps the inspector relay up after the run). */
  isTTY: boolean;
  killGraceMs?: number;
}

/** A new run record for `command` on this host; `forced` as the command line said. */
export function recordFor(
  options: UpgradeHostOptions,
  command: RunCommand,
  forced = options.force,
): RunRecord {
  return newRunRecord({
    config: options.config.file,
    xsUpgradeVersion: options.version,
    forced,
    command,
  });
}
