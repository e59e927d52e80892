// Writes a file in the state dir so that a crash leaves either the old or the new content, never a
// torn one: write a temp file, rename it over the target. A durable write also fsyncs the file
// before the rename and the folder after it, so the new content survives a power cut too; that
// costs a disk flush each time (milliseconds on a real disk), so it is kept for what recovery
// after a power cut needs (docs/recovery.md, "What is written when"). A process that is killed
// loses nothing either way: the kernel still holds what was written.
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export async function ensureStateDir(stateDir: string): Promise<void> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
}

/** Tells apart the temp files of writes that run at once (in the same millisecond, too). */
let writes = 0;

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
  writes += 1;
  const temp = join(dirname(file), `.${process.pid}.${Date.now()}.${writes}.tmp`);
  try {
    const handle = await open(temp, 'w', mode);
    try {
      await handle.writeFile(content);
      if (durable) await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
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
