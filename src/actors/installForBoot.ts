// `installingForBoot`: after a switch NixOS refused for its switch inhibitors. The switch command
// (nixos-rebuild, nh) made the new system a generation of the profile before its activation was
// refused; that generation is made the boot default with its own `switch-to-configuration boot`
// (which runs no pre-switch check), and the reboot path takes it from there.
import { dirname, join } from 'node:path';
import type { ResolvedConfig } from '../config/resolve.js';
import type { SavedGeneration } from '../machine/types.js';
import { runCommand, type CommandDeps } from './runCommand.js';
import { generationLink, readGeneration } from './systemProfile.js';

export async function installForBoot(
  config: Pick<ResolvedConfig, 'system'>,
  savedSystem: SavedGeneration | undefined,
  deps: CommandDeps,
): Promise<SavedGeneration> {
  if (!config.system) {
    throw new Error('installing the new system for the next boot needs "system.profile"');
  }
  const now = await readGeneration(config.system.profile);
  if (savedSystem && now.generation === savedSystem.generation) {
    throw new Error(
      `the switch was refused before ${now.profile} had a new generation (still ${now.generation}): nothing to install for the next boot; the switch command must make the generation before activating it, as nixos-rebuild and nh do`,
    );
  }
  await runCommand(
    {
      name: 'install-for-boot',
      run: {
        argv: [
          join(generationLink(now.profile, now.generation), 'bin', 'switch-to-configuration'),
          'boot',
        ],
      },
      env: {},
      cwd: dirname(now.profile),
    },
    deps,
  );
  return now;
}
