// Evaluates a Nix expression with the real nix-instantiate, from the package root, to JSON: how
// the tests read nix/*.nix without nixpkgs (NIX_CONFIG as for the Nix sandboxes: no substituters,
// no build users).
import { rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import type { Sandbox } from '../../demo/sandbox.js';
import { nixConfig } from '../../demo/nixSystem.js';
import { packageRoot } from '../../src/packageFiles.js';

export async function evalNixJson(
  expression: string,
  strings: Record<string, string> = {},
): Promise<unknown> {
  const args = Object.entries(strings).flatMap(([name, value]) => ['--argstr', name, value]);
  const result = await execa(
    'nix-instantiate',
    ['--eval', '--strict', '--json', ...args, '-E', expression],
    { cwd: packageRoot, env: { NIX_CONFIG: nixConfig } },
  );
  return JSON.parse(result.stdout) as unknown;
}

/**
 * The sandbox's `booted-system` link, as a NixOS host's /run/booted-system: `boot(n)` points it
 * at generation n (a made-up path for one that does not exist), made now.
 */
export function bootedSystem(sandbox: Sandbox): {
  path: string;
  boot: (generation: number) => Promise<void>;
} {
  const path = join(sandbox.dir, 'booted-system');
  return {
    path,
    boot: async (generation) => {
      const target = (await sandbox.generations()).find((entry) => entry.generation === generation);
      await rm(path, { force: true });
      await symlink(target?.storePath ?? '/nonexistent', path);
    },
  };
}
