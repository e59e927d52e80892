// Data the machine carries between steps. Plain JSON, so a snapshot can be persisted and restored.

/** The commit a repo was on before the run moved anything: where a rollback returns it. */
export interface SavedCommit {
  repo: string;
  branch: string;
  commit: string;
}

/** What pulling did to one repo. */
export interface PulledRepo {
  repo: string;
  from: string;
  to: string;
}

/** Why the run did not upgrade, as data the summary and the run record can show. */
export interface Failure {
  /** The state whose step failed, e.g. "building". */
  state: string;
  message: string;
  /** The last lines the failed command printed, when it was a command. */
  outputTail?: string[];
}

/** The config values the guards read: everything else stays with the actors. */
export interface UpgradePolicy {
  mode: 'local' | 'remote';
  buildBeforeSwitch: boolean;
  onValidationFailure: 'rollback' | 'notify' | 'ignore';
  /** Build and switch even when no repo has a new commit. */
  force: boolean;
  /** Health checks are configured: run them after the switch. */
  healthChecks: boolean;
}

export type UpgradeResult =
  'upgraded' | 'nothing-new' | 'aborted' | 'rolled-back' | 'rollback-failed';

export interface UpgradeOutput {
  result: UpgradeResult;
  savedCommits: SavedCommit[];
  pulled: PulledRepo[];
  failure?: Failure;
  /** A validation failure that did not stop the switch (onValidationFailure notify/ignore). */
  validationFailure?: Failure;
  /** Why the rollback itself failed, when it did. */
  rollbackFailure?: Failure;
  /** The run was stopped by SIGTERM or SIGINT. */
  interrupted: boolean;
}
