// What a reboot leaves in the state dir between runs. `reboot-pending.json`: a run upgraded
// into a system that needs a reboot, outside the window; a later run inside it reboots.
// `boot-check.json`: a reboot was asked for; `xs-upgrade boot-check` checks the boot that follows,
// and may roll back once (`rollbackReboots`).
import { lstat, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { readJsonFile, writeFileAtomic } from '../actors/stateFile.js';
import type { SavedCommit, SavedGeneration } from '../machine/types.js';
import { bootId } from './stepProcesses.js';

export const rebootPendingFile = 'reboot-pending.json';
export const bootCheckFile = 'boot-check.json';

/** The last known good state before the upgrades that wait for a reboot. */
export interface BeforeReboot {
  /** The generation the host ran before the upgrade: where a failed boot returns. */
  previous: SavedGeneration;
  /** Each repo's commit before the upgrade. */
  previousCommits: SavedCommit[];
  /** The run that upgraded (its record id); in a boot check, the run that asked for the reboot. */
  runId: string;
}

export interface RebootPending extends BeforeReboot {
  since: string;
  reason: string;
  /**
   * Whether a reboot is needed could not be told (the boot files were unreadable): shown in
   * `status` and the reboot-pending metric for a person to decide, never acted on by a run; it
   * lapses with the boot it was found in (`bootId`).
   */
  uncertain?: boolean;
  bootId?: string;
}

export interface BootCheck extends BeforeReboot {
  /** When the reboot was asked for, and in which boot (/proc/sys/kernel/random/boot_id). */
  requestedAt: string;
  bootId: string;
  /** The generation the host must boot into. */
  expected: SavedGeneration;
  /** The run that upgraded, when an earlier one than the run that asked for the reboot. */
  upgradedIn?: string;
  /** Automatic rollback reboots done so far (one is allowed). */
  rollbackReboots: number;
  /** With system.closure: the closure CI built that the expected generation is (its proof's). */
  closure?: string;
}

const readJson = readJsonFile;

export const readRebootPending = (stateDir: string) =>
  readJson<RebootPending>(join(stateDir, rebootPendingFile));
/** The pending reboot a person should know of: an uncertain one only within its own boot. */
export async function readRebootPendingNow(stateDir: string): Promise<RebootPending | undefined> {
  const pending = await readRebootPending(stateDir);
  if (pending?.uncertain && pending.bootId !== bootId()) return undefined;
  return pending;
}
export const readBootCheck = (stateDir: string) =>
  readJson<BootCheck>(join(stateDir, bootCheckFile));

export const writeRebootPending = (stateDir: string, pending: RebootPending) =>
  writeFileAtomic(join(stateDir, rebootPendingFile), `${JSON.stringify(pending, null, 2)}\n`);
export const writeBootCheck = (stateDir: string, check: BootCheck) =>
  writeFileAtomic(join(stateDir, bootCheckFile), `${JSON.stringify(check, null, 2)}\n`);

export const clearRebootPending = (stateDir: string) =>
  rm(join(stateDir, rebootPendingFile), { force: true });
export const clearBootCheck = (stateDir: string) =>
  rm(join(stateDir, bootCheckFile), { force: true });

/**
 * Whether the host has booted since the reboot was asked for: another boot id, or a booted-system
 * link made after the request (it is made at boot; /run is a fresh tmpfs every boot).
 */
export async function rebootedSince(check: BootCheck, bootedSystem: string): Promise<boolean> {
  if (check.bootId !== '' && bootId() !== '' && bootId() !== check.bootId) return true;
  const link = await lstat(bootedSystem).catch(() => undefined);
  return link !== undefined && link.mtimeMs > Date.parse(check.requestedAt);
}
