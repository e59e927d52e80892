// Writes a file in the state dir so that a crash leaves either the old or the new content, never a
// torn one: write a temp file, rename it over the target. A durable write also fsyncs the file
// before the rename and the folder after it, so the new content survives a power cut too; that
// costs a disk flush each time (milliseconds on a real disk), so it is kept for what recovery
// after a power cut needs (docs/recovery.md, "What is written when"). A process that is killed
// loses nothing either way: the kernel still holds what was written. The rename replaces a link
// at the target itself, never follows it.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export async function ensureStateDir(stateDir: string): Promise<void> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
}

/**
 * A new file, never an existing one and never through a link: whoever can write the folder (a
 * node_exporter textfile folder often is not root's) cannot make root write somewhere else.
 */
const createOnly = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** An output file a person names (--inspect-log, --html): written over, but never through a link. */
export const overwriteNoFollow =
  constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW;

/** Why an output file could not be opened, in words: a link is refused, not followed. */
export function outputFileProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ELOOP') return 'it is a symbolic link, which is not followed: name the file itself';
  return code ?? String(error);
}

export interface WriteOptions {
  /** File mode of a new file. */
  mode?: number;
  /** fsync the file and its folder (default): on disk even after a power cut. */
  durable?: boolean;
}

export async function writeFileAtomic(
  file: string,
  content: string,
  { mode = 0o600, durable = true }: WriteOptions = {},
): Promise<void> {
  await ensureStateDir(dirname(file));
  // A name nobody can guess ahead, created exclusively: no link or file planted there is used.
  const temp = join(dirname(file), `.${basename(file)}.${randomBytes(8).toString('hex')}.tmp`);
  let created = false;
  try {
    const handle = await open(temp, createOnly, mode);
    created = true;
    try {
      await handle.writeFile(content);
      if (durable) await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    // Only our own temp file is removed, never something another user put at that name.
    if (created) await rm(temp, { force: true });
    throw error;
  }
  if (!durable) return;
  const folder = await open(dirname(file), 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}

/** A JSON state file, or undefined when there is none; unreadable or torn: an error naming it. */
export async function readJsonFile<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`${file} cannot be read (${String(error)}): move it away and run again`);
  }
}
