// Run reports the fleet's store did not take (it was unreachable): kept in the state dir
// (`fleet-reports-pending.json`) and sent, in order, by the next run, so a rejection is never
// lost and the quarantine reaches the rest of the fleet late rather than never.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { readJsonFile, writeFileAtomic } from '../actors/stateFile.js';
import type { RunReport } from '../fleet/rolloutStore.js';

export const pendingReportsFile = 'fleet-reports-pending.json';

/** The oldest reports go first; a host that stays cut off keeps only this many. */
const keptReports = 50;

export async function readPendingReports(stateDir: string): Promise<RunReport[]> {
  return (
    (await readJsonFile<{ reports: RunReport[] }>(join(stateDir, pendingReportsFile)))?.reports ??
    []
  );
}

export async function writePendingReports(stateDir: string, reports: RunReport[]): Promise<void> {
  if (reports.length === 0) {
    await rm(join(stateDir, pendingReportsFile), { force: true });
    return;
  }
  await writeFileAtomic(
    join(stateDir, pendingReportsFile),
    `${JSON.stringify({ reports: reports.slice(-keptReports) }, null, 2)}\n`,
  );
}
