// The record of every run, in stateDir/runs/: when it started and ended, every state with its
// duration, each repo's saved and final commit, the result and the error with the failed step's
// last output lines. Rewritten atomically (mode 0600) at every state, so even a killed run leaves
// a record of how far it got. The newest `keepRuns` records are kept.
import { readdir, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../actors/stateFile.js';
import { movesHost } from '../machine/statePath.js';
import { stateDirError } from './stateDirAccess.js';
import type {
  Failure,
  HeldBack,
  RebootOutcome,
  SavedGeneration,
  UpgradeResult,
} from '../machine/types.js';

export const runsFolder = 'runs';
/** The machine snapshot of the run in progress; left behind only by a run that did not finish. */
export const currentRunFile = 'current-run.json';

export interface CurrentRun {
  recordId: string;
  pid: number;
  state: string;
  /** When the run entered `state`: the last time it was heard of, if it dies there. */
  enteredAt?: string;
  snapshot: unknown;
}

/**
 * A record's result: the machine's, or one of the runs that never started the machine: `refused`
 * (a failed rollback still waits for an operator) and `recovery-confirmed` (the operator said the
 * host was put back by hand).
 */
export type RecordResult = UpgradeResult | 'refused' | 'recovery-confirmed' | 'rollback-booted';

/** The commands that change a host: each is one run, with a record of its own. */
export type RunCommand = 'run' | 'recover' | 'rollback' | 'boot-check';

export interface RunRecord {
  version: 1;
  id: string;
  host: string;
  config: string;
  xsUpgradeVersion: string;
  /** Which command this run was (records before 0.2 have none: they were all `run`). */
  command?: RunCommand;
  /** A boot check: the run whose reboot it checked (that run's record is not changed). */
  checks?: string;
  pid: number;
  startedAt: string;
  endedAt?: string;
  /** True until the run ends; a record left "running" by a dead pid is a crashed run. */
  running: boolean;
  forced: boolean;
  states: { state: string; enteredAt: string; ms?: number }[];
  repos: { repo: string; saved?: string; final?: string }[];
  /** The Nix system profile's generation before the run and after it (with `system.profile`). */
  system?: { saved?: SavedGeneration; final?: SavedGeneration };
  result?: RecordResult;
  /** The closing result line, as the summary said it. */
  summary?: string;
  interrupted: boolean;
  /** Finished by a later run's crash recovery, not by the run itself. */
  recovered?: boolean;
  /** The run was killed (SIGKILL, OOM, power loss) in this state; last heard of at `lastSeen`. */
  killed?: { state: string; lastSeen: string };
  /** Upstream was at a commit set that failed here before (result `held-back`). */
  heldBack?: HeldBack;
  /** With `reboot`: asked for, pending and why; and what the boot check after it found. */
  reboot?: RebootOutcome & {
    bootCheck?: { at: string; passed: boolean; booted?: string; problem?: string };
  };
  /** `xs-upgrade rollback`: the upgrade (its record id) that was undone by hand. */
  rolledBackByHand?: string;
  /** Run with --skip-validation: the checks were not run. */
  skippedValidation?: boolean;
  /** Run with --ignore-conditions: the window, power and network were not checked. */
  ignoredConditions?: boolean;
  /** Result `skipped`: why. */
  skipReason?: string;
  exitCode?: number;
  failure?: Failure;
  validationFailure?: Failure;
  rollbackFailure?: Failure;
}

export function newRunRecord(fields: {
  config: string;
  xsUpgradeVersion: string;
  forced: boolean;
  command?: RunCommand;
  startedAt?: Date;
}): RunRecord {
  const startedAt = (fields.startedAt ?? new Date()).toISOString();
  return {
    version: 1,
    id: `${startedAt.replace(/[:.]/g, '-')}-${process.pid}`,
    host: hostname(),
    config: fields.config,
    xsUpgradeVersion: fields.xsUpgradeVersion,
    ...(fields.command ? { command: fields.command } : {}),
    pid: process.pid,
    startedAt,
    running: true,
    forced: fields.forced,
    states: [],
    repos: [],
    interrupted: false,
  };
}

/**
 * The states whose step does not start unless the state is on disk, since a crash during the step
 * would otherwise be recovered from the state before it. Without `pulling` on disk, the recovery
 * would find "nothing had moved" and leave the repos where the pull put them; without
 * `switching`, it would put the repos back but not the system: a half-upgraded host. Every
 * other step goes on as before: a rollback must never wait for a disk, and the saved commits are
 * on disk before anything moves.
 */
const gatedStates = new Set(['pulling', 'switching']);

/** Saves a record; saves are queued so that a slow disk never reorders them. */
export class RunRecorder {
  private pending: Promise<void> = Promise.resolve();
  private failed = false;
  /** The write of the state the next step must not start without (see gatedStates). */
  private gate: { state: string; written: Promise<unknown> } | undefined;

  constructor(
    private readonly stateDir: string,
    readonly record: RunRecord,
    private readonly warn: (message: string) => void,
    /** Applied to everything written: no secret the config marks reaches the disk. */
    private readonly redact: (text: string) => string = (text) => text,
  ) {}

  /** Records a state, and the machine snapshot a crash recovery resumes from. */
  stateEntered(state: string, at: Date, snapshot: unknown): void {
    const previous = this.record.states.at(-1);
    // A killed run resumed by its recovery re-enters the state it died in: the same visit.
    const resumed = previous?.state === state && previous.ms === undefined;
    if (previous && !resumed) previous.ms = at.getTime() - Date.parse(previous.enteredAt);
    if (!resumed) this.record.states.push({ state, enteredAt: at.toISOString() });
    // Not awaited: the run goes on while these are written; writes never reject.
    if (snapshot !== undefined) {
      const current: CurrentRun = {
        recordId: this.record.id,
        pid: process.pid,
        state,
        enteredAt: at.toISOString(),
        snapshot,
      };
      const written = this.write(currentRunFile, `${JSON.stringify(current)}\n`, movesHost(state));
      if (gatedStates.has(state)) this.gate = { state, written };
    }
    // The record of a run still going is history, not what recovery resumes from: no flush.
    void this.save(false);
  }

  async save(durable = true): Promise<void> {
    await this.write(
      join(runsFolder, `${this.record.id}.json`),
      `${JSON.stringify(this.record, null, 2)}\n`,
      durable,
    );
  }

  /**
   * Resolves once everything recorded so far is on disk; rejects when the state a gated step
   * needs (see gatedStates) could not be written: the step then fails before it moves anything.
   */
  async flushed(): Promise<void> {
    await this.pending;
    // Asked once, by the gated step itself: the rollback after a refused step must go on.
    const gate = this.gate;
    this.gate = undefined;
    if (!gate) return;
    const failed = await gate.written;
    if (failed === undefined) return;
    const error = stateDirError(this.stateDir, failed, 'write');
    // A refused switch is not the new commits' fault: the next run tries them again (a refused
    // pull ends before anything moved, and so is never held against the commits either).
    throw gate.state === 'switching' ? Object.assign(error, { temporary: true }) : error;
  }

  /** The run is over: its record is final and there is nothing left to recover. */
  async finish(): Promise<void> {
    await this.save();
    this.pending = this.pending.then(() =>
      rm(join(this.stateDir, currentRunFile), { force: true }),
    );
    await this.pending;
  }

  /** Queues a write; resolves with its error when it failed (it never rejects). */
  private write(relative: string, text: string, durable: boolean): Promise<unknown> {
    const file = join(this.stateDir, relative);
    const outcome = this.pending.then(() =>
      writeFileAtomic(file, this.redact(text), { durable }).then(
        () => undefined,
        (error: unknown) => {
          // A full or read-only disk must not stop an upgrade (or its rollback): say so once.
          if (!this.failed) this.warn(`cannot write ${file}: ${String(error)}`);
          this.failed = true;
          return error;
        },
      ),
    );
    this.pending = outcome.then(() => undefined);
    return outcome;
  }
}

/** The run a crash left unfinished, with its record, if any. */
export async function readUnfinishedRun(
  stateDir: string,
): Promise<{ current: CurrentRun; record: RunRecord | undefined } | undefined> {
  let current: CurrentRun;
  try {
    current = JSON.parse(await readFile(join(stateDir, currentRunFile), 'utf8')) as CurrentRun;
  } catch {
    return undefined;
  }
  const record = await readFile(join(stateDir, runsFolder, `${current.recordId}.json`), 'utf8')
    .then((text) => JSON.parse(text) as RunRecord)
    .catch(() => undefined);
  return { current, record };
}

/** The newest records first; unreadable files are skipped. */
export async function readRunRecords(
  stateDir: string,
  limit = Number.POSITIVE_INFINITY,
): Promise<RunRecord[]> {
  const folder = join(stateDir, runsFolder);
  const names = (await readdir(folder).catch(() => [] as string[]))
    .filter((name) => name.endsWith('.json'))
    .sort()
    .reverse()
    .slice(0, limit);
  const records = await Promise.all(
    names.map(async (name) => {
      try {
        return JSON.parse(await readFile(join(folder, name), 'utf8')) as RunRecord;
      } catch {
        return undefined;
      }
    }),
  );
  return records.filter((record): record is RunRecord => record !== undefined);
}

/** Deletes all but the newest `keep` records. */
export async function pruneRunRecords(stateDir: string, keep: number): Promise<void> {
  const folder = join(stateDir, runsFolder);
  const names = (await readdir(folder).catch(() => [] as string[]))
    .filter((name) => name.endsWith('.json'))
    .sort();
  await Promise.all(
    names
      .slice(0, Math.max(0, names.length - keep))
      .map((name) => rm(join(folder, name), { force: true })),
  );
}
