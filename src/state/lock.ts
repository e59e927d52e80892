// One run at a time: a lock file in stateDir naming the pid that holds it and since when. A lock
// whose pid is gone (a crashed or killed run) is taken over with a warning.
import { readFileSync } from 'node:fs';
import { open, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ExitCode, XsUpgradeError } from '../errors.js';
import { ensureStateDir, writeFileAtomic } from '../actors/stateFile.js';
import { stateDirError } from './stateDirAccess.js';

export const lockFileName = 'lock';

export class LockHeldError extends XsUpgradeError {
  constructor(message: string) {
    super(message, ExitCode.temporary);
  }
}

interface LockContent {
  pid: number;
  since: string;
  host: string;
}

export interface RunLock {
  file: string;
  release(): Promise<void>;
}

/** Takes the lock or throws LockHeldError; `warn` hears about a stale lock taken over. */
export async function acquireLock(
  stateDir: string,
  warn: (message: string) => void,
): Promise<RunLock> {
  try {
    await ensureStateDir(stateDir);
  } catch (error) {
    throw stateDirError(stateDir, error, 'write');
  }
  const file = join(stateDir, lockFileName);
  const content: LockContent = {
    pid: process.pid,
    since: new Date().toISOString(),
    host: hostname(),
  };
  const text = `${JSON.stringify(content)}\n`;
  try {
    const handle = await open(file, 'wx', 0o600);
    try {
      await handle.writeFile(text);
    } catch (error) {
      // A full disk creates the file but takes none of its text: leave no empty lock behind
      // for the next run to puzzle over.
      await handle.close();
      await rm(file, { force: true });
      throw error;
    }
    await handle.close();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST')
      throw stateDirError(stateDir, error, 'write');
    const holder = await readLock(file);
    if (holder && isRunning(holder.pid)) {
      throw new LockHeldError(
        `another run (pid ${holder.pid}, since ${holder.since}) holds ${file}: wait for it to finish; if no such run exists, delete the file`,
      );
    }
    warn(
      `taking over ${file}, left by pid ${holder?.pid ?? '?'} (no longer running) since ${holder?.since ?? '?'}`,
    );
    // Not durable: after a power cut no run holds it, and the pid check says so.
    await writeFileAtomic(file, text, { durable: false });
  }
  return {
    file,
    async release() {
      // Only our own lock: never remove one another run took over.
      const holder = await readLock(file);
      if (holder?.pid === process.pid) await rm(file, { force: true });
    },
  };
}

/** Who holds the lock, if anyone is running; for `xs-upgrade status`. */
export async function currentLockHolder(stateDir: string): Promise<LockContent | undefined> {
  const holder = await readLock(join(stateDir, lockFileName));
  return holder && isRunning(holder.pid) ? holder : undefined;
}

async function readLock(file: string): Promise<LockContent | undefined> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<LockContent>;
    return typeof parsed.pid === 'number'
      ? { pid: parsed.pid, since: String(parsed.since ?? '?'), host: String(parsed.host ?? '?') }
      : undefined;
  } catch {
    return undefined; // unreadable or torn: treat as stale
  }
}

/** Whether the pid is a live process (and, where /proc says, an xs-upgrade one, not a reused pid). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('xs-upgrade');
  } catch {
    return true; // no /proc to ask: trust the pid
  }
}
