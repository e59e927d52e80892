import { readFile } from 'node:fs/promises';

/** Running, as opposed to gone or a zombie waiting for its reaper (PID 1 here may be slow). */
export async function processAlive(pid: number): Promise<boolean> {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (stat === '' || state === 'Z' || state === 'X') return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}
