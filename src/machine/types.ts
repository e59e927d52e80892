// Data the machine carries between steps. Plain JSON, so a snapshot can be persisted and restored.

/** The commit a repo was on before the run moved anything: where a rollback returns it. */
export interface SavedCommit {
  repo: string;
  branch: string;
  commit: string;
}

/** A generation of the Nix system profile: where a system rollback returns the host. */
export interface SavedGeneration {
  profile: string;
  generation: number;
  /** The system in /nix/store that generation points at. */
  storePath: string;
}

/** What snapshotting saved before anything moved: each repo's commit, and the system's generation. */
export interface Snapshot {
  commits: SavedCommit[];
  /** Only with `system.profile`. */
  system?: SavedGeneration;
}

/** What pulling did to one repo. */
export interface PulledRepo {
  repo: string;
  from: string;
  to: string;
}

/** Upstream is at a commit set that failed here before: the run does not try it again. */
export interface HeldBack {
  /** Repo name to the upstream commit that failed. */
  commits: Record<string, string>;
  /** When it failed (ISO time) and why. */
  at: string;
  reason: string;
  /** Another host of the fleet rejected these commits (fleet-wide quarantine): which. */
  by?: string;
  /** The fleet's id of the commit set, for `xs-upgrade fleet forgive`. */
  set?: string;
  /** `by` is an operator who ran `fleet abort`, not a host. */
  aborted?: true;
}

/**
 * With `system.closure`: the system CI built for the pulled commits, checked before any repo
 * moved (a NixOS system's store path, in a substituter, signed by a configured key, room for it).
 */
export interface ClosureChoice {
  storePath: string;
  /** The substituter that has it. */
  substituter: string;
  /** The configured keys whose signatures it carries. */
  signedBy: string[];
  /** Its whole closure, and the part not yet in the local store (what the fetch downloads). */
  closureBytes: number;
  fetchBytes: number;
}

/** What pulling did: each repo's move, and whether upstream was held back. */
/**
 * The fleet rejected (or an operator aborted) the set this host runs: it goes back to the newest
 * set it ran healthy before, the exact generation it had then where there is a system profile.
 */
export interface Recall {
  /** The set this host runs, and who rejected it, when and why. */
  from: { set: string; by: string; at: string; reason: string; aborted?: true };
  /** Where it goes back to: the commits, and the system generation it ran them as. */
  to: { set: string; commits: Record<string, string>; system?: SavedGeneration; since: string };
}

export interface PullOutcome {
  repos: PulledRepo[];
  heldBack?: HeldBack;
  /** The set this host runs was rejected fleet-wide: go back (nothing has moved yet). */
  recall?: Recall;
  /** Following canaries, nothing proven is newer than what runs here: why. */
  waiting?: string;
  /** With `system.closure`: the checked closure to fetch and switch to. */
  closure?: ClosureChoice;
}

/** Why the run did not upgrade, as data the summary and the run record can show. */
export interface Failure {
  /** The state whose step failed, e.g. "building". */
  state: string;
  message: string;
  /** The last lines the failed command printed, when it was a command. */
  outputTail?: string[];
  /** The name of the command that failed, when it was a command (e.g. a check's name). */
  command?: string;
  /** What to do about it, when the step knows better than the generic advice. */
  next?: string;
  /** A passing trouble (the network), with nothing moved: try again later. */
  temporary?: boolean;
  /** The switch was refused for these switch inhibitors (NixOS): not the commits' fault. */
  inhibitedBy?: string[];
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
  /** `reboot.when`: after an upgrade, reboot never, when the kernel changed, or always. */
  reboot: 'never' | 'needed' | 'always';
  /** An earlier run upgraded but left its reboot for a run inside the reboot window. */
  rebootPending: boolean;
  /** Maintenance windows or conditions are configured (and not ignored): check them. */
  conditions: boolean;
  /** Fleet slots are configured: take one before switching. */
  fleet: boolean;
  /** `system.closure`: the pull may pick a closure CI built, fetched instead of built. */
  closure: boolean;
}

/** What the condition checks found: do the window, power and network allow a run now? */
export interface ConditionFacts {
  hold: boolean;
  /** Why not: "outside the maintenance window (next: Tue 02:00 Europe/Berlin)", "on battery". */
  reason?: string;
}

/** What `checkingReboot` found out: does the new system need a reboot, and may it happen now? */
export interface BootFacts {
  /**
   * The new generation's kernel, initrd or kernel modules differ from the booted system's;
   * undefined when not read (`reboot.when: "always"` reboots whatever they are).
   */
  kernelChanged?: boolean;
  /** Now is inside `reboot.window` (always true without a window). */
  insideWindow: boolean;
  /** The window, "01:00-05:00", for messages. */
  window?: string;
}

/** What happened about a reboot after the upgrade. */
export interface RebootOutcome {
  /** The reboot was asked for: `xs-upgrade boot-check` checks the boot that follows. */
  requested: boolean;
  /** Wanted but not done now: why (outside the window, or the reboot command failed). */
  pending?: string;
  /** Whether the kernel, initrd or modules changed, when that was read and could be told. */
  kernelChanged?: boolean;
  /** Whether a reboot is needed could not be told (`pending` says why): for a person to decide. */
  uncertain?: boolean;
  /**
   * The switch was refused for these switch inhibitors: the new system was installed for the
   * next boot instead, and only a reboot makes it run.
   */
  inhibitedBy?: string[];
}

export type UpgradeResult =
  | 'upgraded'
  | 'nothing-new'
  | 'rebooting'
  | 'skipped'
  | 'held-back'
  | 'fetch-failed'
  | 'no-slot'
  | 'fleet-unavailable'
  | 'aborted'
  | 'rolled-back'
  | 'rollback-failed'
  | 'recalled';

/** Every result, in the order metrics and docs list them. */
export const upgradeResults: UpgradeResult[] = [
  'upgraded',
  'nothing-new',
  'rebooting',
  'skipped',
  'held-back',
  'fetch-failed',
  'no-slot',
  'fleet-unavailable',
  'aborted',
  'rolled-back',
  'rollback-failed',
  'recalled',
];

export interface UpgradeOutput {
  result: UpgradeResult;
  savedCommits: SavedCommit[];
  /** The system generation saved before anything moved (with `system.profile`). */
  savedSystem?: SavedGeneration;
  pulled: PulledRepo[];
  /** Set when upstream was at a commit set that failed before (result `held-back`). */
  heldBack?: HeldBack;
  /** With `reboot`: whether a reboot was asked for, or is still pending, and why. */
  reboot?: RebootOutcome;
  /** Result `skipped`: why the conditions did not hold. */
  skipReason?: string;
  /** Result `nothing-new` while following canaries: what it waits for. */
  waiting?: string;
  failure?: Failure;
  /** With `system.closure`: the closure the run fetched (and switched to, if it got that far). */
  closure?: ClosureChoice;
  /** The fleet recalled the set this host ran: from which set, to which (result `recalled`). */
  recall?: Recall;
  /** A validation failure that did not stop the switch (onValidationFailure notify/ignore). */
  validationFailure?: Failure;
  /** Why the rollback itself failed, when it did. */
  rollbackFailure?: Failure;
  /** The run was stopped by SIGTERM or SIGINT. */
  interrupted: boolean;
  /** The switch began: a rollback also reverted the system. */
  switchStarted: boolean;
  /** With fleet slots: whether one was asked for (and may be held) or taken. */
  slot?: 'asked' | 'taken';
}
