// `checkingReboot`: the facts the reboot guards read. Does the new system need a reboot (NixOS's
// rule: its kernel, initrd or kernel modules differ from the booted system's), and is now inside
// the reboot window?
import { readlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { RebootSpec } from '../config/resolve.js';
import { insideTimeWindow } from '../config/timeOfDay.js';
import type { BootFacts } from '../machine/types.js';

const bootParts = ['kernel', 'initrd', 'kernel-modules'];

export async function inspectBoot(
  reboot: RebootSpec,
  profile: string,
  now: Date = new Date(),
): Promise<BootFacts> {
  const read = (system: string) =>
    Promise.all(
      bootParts.map((part) =>
        readlink(join(system, part)).catch((error: NodeJS.ErrnoException) => {
          throw new Error(
            `cannot read ${join(system, part)} (${error.code ?? error.message}): is ${system} a NixOS system?`,
          );
        }),
      ),
    );
  const [booted, next] = await Promise.all([read(reboot.bootedSystem), read(profile)]);
  const kernelChanged = bootParts.some((_, index) => booted[index] !== next[index]);
  const window = reboot.window;
  return {
    kernelChanged,
    insideWindow: window ? insideTimeWindow(now, window) : true,
    ...(window ? { window: `${window.lower}-${window.upper}` } : {}),
  };
}
