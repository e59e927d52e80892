// The switch to a fetched closure, as NixOS's own system.autoUpgrade with a storePathProvider and
// comin do it: the closure becomes the system profile's new generation, then its own
// switch-to-configuration activates it. A refusal for switch inhibitors comes back from the second
// command as from any switch (the generation exists, so installingForBoot can take it from there).
import { dirname, join } from 'node:path';
import type { ResolvedConfig } from '../config/resolve.js';
import { runCommand, type CommandDeps } from '../actors/runCommand.js';

export async function switchToClosure(
  config: Pick<ResolvedConfig, 'system' | 'switch'>,
  storePath: string,
  deps: CommandDeps,
): Promise<void> {
  const profile = config.system?.profile;
  if (!profile) throw new Error('switching to a closure needs "system.profile"');
  await runCommand(
    {
      name: 'switch',
      run: { argv: ['nix-env', '--profile', profile, '--set', storePath] },
      env: {},
      cwd: dirname(profile),
    },
    deps,
  );
  await runCommand(
    {
      name: 'switch',
      run: { argv: [join(storePath, 'bin', 'switch-to-configuration'), 'switch'] },
      ...(config.switch.timeoutMs === undefined ? {} : { timeoutMs: config.switch.timeoutMs }),
      env: {},
      cwd: '/',
    },
    deps,
  );
}
