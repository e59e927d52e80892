// The process groups of the steps that are running, on disk (stateDir/step-processes.json): a
// run killed outright (SIGKILL, the OOM killer) leaves its build running, and the recovery must
// stop that build before it resets the repos under it. Each group is recorded with the boot it
// ran in and its leader's start time, so a later boot's (or a reused) pid is never signalled.
import { readdirSync, readFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../actors/stateFile.js';

export const stepProcessesFile = 'step-processes.json';

export interface StepProcess {
  /** The step's command name (e.g. "build"). */
  name: string;
  /** The group leader's pid, which is also the group's id (steps run in their own group). */
  pid: number;
  startedAt: string;
  bootId: string;
  /** The leader's start time in clock ticks since boot (/proc/PID/stat, field 22). */
  startTicks: string;
}

const readText = (path: string) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
};

/** This boot's id; empty where /proc does not say (then no recorded group is ever signalled). */
export const bootId = () => readText('/proc/sys/kernel/random/boot_id').trim();

/** A process's start time in ticks since boot, or '' when it is gone. */
export function startTicks(pid: number): string {
  const stat = readText(`/proc/${pid}/stat`);
  // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[19] ?? '';
}

/** Records the groups of the running steps; writes are queued so they never reorder. */
export class StepProcessTracker {
  private readonly running = new Map<number, StepProcess>();
  private pending: Promise<void> = Promise.resolve();

  constructor(private readonly stateDir: string) {}

  started(pid: number, name: string): void {
    this.running.set(pid, {
      name,
      pid,
      startedAt: new Date().toISOString(),
      bootId: bootId(),
      startTicks: startTicks(pid),
    });
    this.save();
  }

  ended(pid: number): void {
    if (this.running.delete(pid)) this.save();
  }

  /** Resolves once every change so far is on disk. */
  flushed(): Promise<void> {
    return this.pending;
  }

  private save(): void {
    const file = join(this.stateDir, stepProcessesFile);
    const list = [...this.running.values()];
    this.pending = this.pending.then(() =>
      (list.length === 0
        ? rm(file, { force: true })
        : // Not durable: a power cut ends these processes too, and the boot id says so.
          writeFileAtomic(file, `${JSON.stringify(list, null, 2)}\n`, { durable: false })
      ).catch(() => undefined),
    );
  }
}

/**
 * Whether any process of the group is alive. Zombies do not count: a killed run's children are
 * reparented, and a slow reaper would otherwise make a finished group look alive.
 */
function groupAlive(pgid: number): boolean {
  let names: string[];
  try {
    names = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    // No /proc: ask the kernel, zombies and all.
    try {
      process.kill(-pgid, 0);
      return true;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'EPERM';
    }
  }
  return names.some((name) => {
    const stat = readText(`/proc/${name}/stat`);
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[2] === String(pgid) && fields[0] !== 'Z' && fields[0] !== 'X';
  });
}

/**
 * Whether a recorded group is still the one the dead run started: same boot, and either its
 * leader alive with the same start time, or the leader gone while the group lives on (a pid that
 * is some group's id is not handed out again while that group exists).
 */
function stillOurs(entry: StepProcess): boolean {
  if (!entry.bootId || entry.bootId !== bootId()) return false;
  if (!groupAlive(entry.pid)) return false;
  const ticks = startTicks(entry.pid);
  return ticks === '' || ticks === entry.startTicks;
}

/**
 * Stops the steps a killed run left running: SIGTERM to each group, then SIGKILL to what is left
 * after `graceMs`. Returns what it stopped; removes the file.
 */
export async function stopLeftoverSteps(stateDir: string, graceMs: number): Promise<StepProcess[]> {
  const file = join(stateDir, stepProcessesFile);
  let entries: StepProcess[];
  try {
    entries = JSON.parse(await readFile(file, 'utf8')) as StepProcess[];
    if (!Array.isArray(entries)) entries = [];
  } catch {
    entries = [];
  }
  const leftover = entries.filter(
    (entry) => typeof entry.pid === 'number' && entry.pid > 1 && stillOurs(entry),
  );
  const signal = (pid: number, name: NodeJS.Signals) => {
    try {
      process.kill(-pid, name);
    } catch {
      // Gone already.
    }
  };
  leftover.forEach((entry) => signal(entry.pid, 'SIGTERM'));
  const deadline = Date.now() + graceMs;
  while (leftover.some((entry) => groupAlive(entry.pid)) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  leftover
    .filter((entry) => groupAlive(entry.pid))
    .forEach((entry) => signal(entry.pid, 'SIGKILL'));
  await rm(file, { force: true });
  return leftover;
}
