// `rollingBack.revertingSystem`: puts the system back after a switch started. With
// `system.profile` and no `rollbackSwitch`, exactly the saved generation comes back; a configured
// `rollbackSwitch` runs instead (without either, `switch` again on the restored repos). With a
// profile, the rollback is only done when the profile is on the saved generation again.
import type { ResolvedConfig } from '../config/resolve.js';
import type { SavedGeneration } from '../machine/types.js';
import { runCommand, type CommandDeps } from './runCommand.js';
import { checkGeneration, switchToGeneration } from './systemProfile.js';

export async function rollbackSystem(
  config: Pick<ResolvedConfig, 'rollbackSwitch' | 'switch' | 'system'>,
  savedSystem: SavedGeneration | undefined,
  deps: CommandDeps,
): Promise<void> {
  if (config.system && savedSystem && !config.rollbackSwitch) {
    await switchToGeneration(savedSystem, deps);
    return;
  }
  await runCommand(config.rollbackSwitch ?? { ...config.switch, name: 'rollback-switch' }, deps);
  if (config.system && savedSystem) await checkGeneration(savedSystem);
}
