// A failed rollback (exit 5) leaves the host in a state nobody knows: no later run may build on
// top of it. The marker written here makes every later run refuse, until an operator has put the
// host back by hand and says so (`xs-upgrade recover --confirm-manual-fix`).
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../actors/stateFile.js';

export const manualRecoveryFile = 'manual-recovery-needed.json';

export interface ManualRecovery {
  /** When the rollback failed (ISO time). */
  since: string;
  /** The run record of the run whose rollback failed. */
  runId: string;
  /** Why the rollback failed. */
  reason: string;
}

/** The marker, if a failed rollback still waits for an operator. */
export async function readManualRecovery(stateDir: string): Promise<ManualRecovery | undefined> {
  try {
    const parsed = JSON.parse(
      await readFile(join(stateDir, manualRecoveryFile), 'utf8'),
    ) as Partial<ManualRecovery>;
    return {
      since: String(parsed.since ?? '?'),
      runId: String(parsed.runId ?? '?'),
      reason: String(parsed.reason ?? 'unknown'),
    };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    // A marker that cannot be read or parsed still means: do not go on.
    return { since: '?', runId: '?', reason: `the marker cannot be read (${String(error)})` };
  }
}

export async function markManualRecoveryNeeded(
  stateDir: string,
  marker: ManualRecovery,
): Promise<void> {
  await writeFileAtomic(join(stateDir, manualRecoveryFile), `${JSON.stringify(marker, null, 2)}\n`);
}

export async function clearManualRecovery(stateDir: string): Promise<void> {
  await rm(join(stateDir, manualRecoveryFile), { force: true });
}

/** The one line that says what is wrong and how to clear it. */
export function manualRecoveryLine(marker: ManualRecovery): string {
  return `a rollback failed on ${marker.since} (${marker.reason}) and the host still needs manual recovery: put it back by hand (docs/recovery.md), then run \`xs-upgrade recover --confirm-manual-fix\``;
}
