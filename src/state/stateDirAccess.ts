// The state dir belongs to the user the service runs as (root). Anyone else who asks gets one
// line saying so and exit 77, not "no runs recorded" or an internal error.
import { readdir } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { ExitCode, XsUpgradeError } from '../errors.js';

export class StateDirError extends XsUpgradeError {
  constructor(message: string, exitCode: number = ExitCode.permission) {
    super(message, exitCode);
  }
}

const whoAmI = () => {
  try {
    return userInfo().username;
  } catch {
    return `uid ${process.getuid?.() ?? '?'}`;
  }
};

/** Turns a file system error on the state dir into the line an operator can act on. */
export function stateDirError(stateDir: string, error: unknown, doing: 'read' | 'write'): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') {
    return new StateDirError(
      `cannot ${doing} the state dir ${stateDir} as ${whoAmI()}: run as root (e.g. with sudo) or as the user the service runs as`,
    );
  }
  if (code === 'EROFS' || code === 'ENOSPC' || code === 'ENOTDIR' || code === 'EDQUOT') {
    const why = {
      EROFS: 'the file system is read-only',
      ENOSPC: 'no space left on the device',
      EDQUOT: 'the disk quota is used up',
      ENOTDIR: 'a part of the path is not a folder',
    }[code];
    const fix =
      code === 'ENOSPC' || code === 'EDQUOT'
        ? `free some space there (\`df -h ${stateDir}\`)`
        : 'fix it';
    return new StateDirError(
      `cannot ${doing} the state dir ${stateDir}: ${why}: ${fix}, or set "stateDir" to a writable folder`,
      ExitCode.aborted,
    );
  }
  if (code === 'EEXIST') {
    // mkdir of the state dir found a file where the folder should be.
    return new StateDirError(
      `cannot ${doing} the state dir ${stateDir}: it is a file, not a folder: move the file away, or set "stateDir" to a writable folder`,
      ExitCode.aborted,
    );
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** Throws a StateDirError when the state dir exists but this user cannot read it. */
export async function assertStateDirReadable(stateDir: string): Promise<void> {
  try {
    await readdir(stateDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // nothing recorded yet
    throw stateDirError(stateDir, error, 'read');
  }
}
