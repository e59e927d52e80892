// `checkingReboot`: the facts the reboot guards read. Does the new system need a reboot (NixOS's
// rule: its kernel, initrd or kernel modules differ from the booted system's), and is now inside
// the reboot window? Both systems' bootspec (`boot.json`: kernel, initrd, kernelParams) is read
// where both have one, their links otherwise; `reboot.when: "always"` reads neither.
import { lstat, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { RebootSpec } from '../config/resolve.js';
import { insideTimeWindow } from '../config/timeOfDay.js';
import type { BootFacts } from '../machine/types.js';

const bootParts = ['kernel', 'initrd', 'kernel-modules'];
const bootspecKey = 'org.nixos.bootspec.v1';

export async function inspectBoot(
  reboot: Pick<RebootSpec, 'when' | 'window' | 'bootedSystem'>,
  profile: string,
  now: Date = new Date(),
): Promise<BootFacts> {
  const window = reboot.window;
  const facts = {
    insideWindow: window ? insideTimeWindow(now, window) : true,
    ...(window ? { window: `${window.lower}-${window.upper}` } : {}),
  };
  if (reboot.when === 'always') return facts;
  const [bootedSpec, nextSpec] = await Promise.all([
    readBootspec(reboot.bootedSystem),
    readBootspec(profile),
  ]);
  const [booted, next] =
    bootedSpec && nextSpec
      ? [bootedSpec, nextSpec]
      : await Promise.all([readBootLinks(reboot.bootedSystem), readBootLinks(profile)]);
  const kernelChanged = booted.some((part, index) => part !== next[index]);
  return { kernelChanged, ...facts };
}

/** What a system boots, from its bootspec; undefined when it has none (older NixOS). */
async function readBootspec(system: string): Promise<string[] | undefined> {
  const file = join(system, 'boot.json');
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
    throw new Error(`cannot read ${file} (${error.code ?? error.message})`);
  });
  if (text === undefined) return undefined;
  let spec: unknown;
  try {
    spec = (JSON.parse(text) as Record<string, unknown>)[bootspecKey];
  } catch {
    spec = undefined;
  }
  const { kernel, initrd, kernelParams } = (spec ?? {}) as Record<string, unknown>;
  const params = Array.isArray(kernelParams) ? kernelParams : undefined;
  if (typeof kernel !== 'string' || params?.some((param) => typeof param !== 'string')) {
    throw new Error(
      `${file} is not a NixOS bootspec (expected "${bootspecKey}" with "kernel", "initrd" and "kernelParams"): is ${system} a NixOS system?`,
    );
  }
  return [kernel, typeof initrd === 'string' ? initrd : '', JSON.stringify(params ?? [])];
}

/** What a system boots, from its kernel, initrd and kernel-modules links into the store. */
function readBootLinks(system: string): Promise<string[]> {
  return Promise.all(
    bootParts.map(async (part) => {
      const path = join(system, part);
      const link = await lstat(path).catch((error: NodeJS.ErrnoException) => {
        throw new Error(
          `cannot read ${path} (${error.code ?? error.message}): is ${system} a NixOS system?`,
        );
      });
      if (!link.isSymbolicLink()) {
        const kind = link.isDirectory() ? 'a folder' : 'a regular file';
        throw new Error(
          `${path} is ${kind}, not a link into the Nix store as in a NixOS system: is ${system} one?`,
        );
      }
      return readlink(path);
    }),
  );
}
