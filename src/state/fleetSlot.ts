// What this host knows of its own fleet slot between runs (`fleet-slot.json`): that it holds one
// on purpose (after a failure, with onFailure "hold"; or until the boot check after a reboot), or
// that releasing it failed (the coordinator was down) so the next run must try again, as Zincati
// releases any slot it may hold when it starts. The coordinator stays the truth; this file only
// says what to do next and lets `status` say it without asking anyone.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { readJsonFile, writeFileAtomic } from '../actors/stateFile.js';

export const fleetSlotFile = 'fleet-slot.json';

export type HeldSlotState =
  /** A switch failed and was rolled back; onFailure "hold": the rollout waits for an operator. */
  | 'held-after-failure'
  /** Rebooting into the new system: released by a boot check that passes. */
  | 'held-for-boot-check'
  /** The release failed (coordinator unreachable): the next run releases it. */
  | 'release-pending';

export interface HeldSlot {
  state: HeldSlotState;
  group: string;
  id: string;
  /** The coordinator, for messages. */
  where: string;
  since: string;
  /** Why, for status: the failure, or the release's error. */
  reason?: string;
}

export const readHeldSlot = (stateDir: string) =>
  readJsonFile<HeldSlot>(join(stateDir, fleetSlotFile));

export const writeHeldSlot = (stateDir: string, slot: HeldSlot) =>
  writeFileAtomic(join(stateDir, fleetSlotFile), `${JSON.stringify(slot, null, 2)}\n`);

export const clearHeldSlot = (stateDir: string) =>
  rm(join(stateDir, fleetSlotFile), { force: true });
