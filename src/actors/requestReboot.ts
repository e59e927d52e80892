// `rebooting`: asks for the reboot into the new system. First it writes what the boot check after
// the reboot needs (the generation to expect, and the last good generation and commits to return
// to), then runs the reboot command. Idempotent: resumed after a crash, it does not ask again for a
// reboot that has already happened.
import type { ResolvedConfig } from '../config/resolve.js';
import type { SavedCommit, SavedGeneration } from '../machine/types.js';
import {
  clearBootCheck,
  readBootCheck,
  readRebootPending,
  rebootedSince,
  writeBootCheck,
} from '../state/rebootState.js';
import { bootId } from '../state/stepProcesses.js';
import { runCommand, type CommandDeps } from './runCommand.js';
import { readGeneration } from './systemProfile.js';
import { readlink } from 'node:fs/promises';
import { fetchedClosureRoot } from '../closure/binaryCache.js';

export async function requestReboot(
  config: Pick<ResolvedConfig, 'reboot' | 'system' | 'stateDir'>,
  input: { savedSystem: SavedGeneration | undefined; savedCommits: SavedCommit[] },
  deps: CommandDeps & { runId: string },
): Promise<void> {
  const profile = config.system?.profile;
  if (!profile) throw new Error('reboot needs "system.profile": nothing to check the boot against');
  const asked = await readBootCheck(config.stateDir);
  if (asked?.runId === deps.runId && (await rebootedSince(asked, config.reboot.bootedSystem))) {
    deps.log.info('the reboot this run asked for has happened already: not asking again');
    return;
  }
  // An earlier run's upgrade that waited for this reboot knows the last good generation.
  const pending = await readRebootPending(config.stateDir);
  const previous = pending?.previous ?? input.savedSystem;
  if (!previous) throw new Error('no saved generation to return to after a failed boot');
  const expected = await readGeneration(profile);
  // The generation to boot is the closure this host fetched (system.closure): its boot check
  // proves that closure to the fleet.
  const fetched = config.system?.closure
    ? await readlink(fetchedClosureRoot(config.stateDir)).catch(() => undefined)
    : undefined;
  await writeBootCheck(config.stateDir, {
    previous,
    previousCommits: pending?.previousCommits ?? input.savedCommits,
    // The run that asks for this reboot: its boot check links to it (an earlier upgrade that
    // waited for the reboot is named apart).
    runId: deps.runId,
    ...(pending && pending.runId !== deps.runId ? { upgradedIn: pending.runId } : {}),
    requestedAt: new Date().toISOString(),
    bootId: bootId(),
    expected,
    rollbackReboots: 0,
    ...(fetched !== undefined && fetched === expected.storePath ? { closure: fetched } : {}),
  });
  try {
    await runCommand(config.reboot.command, deps);
  } catch (error) {
    // No reboot is coming: no boot to check.
    await clearBootCheck(config.stateDir);
    throw error;
  }
}
