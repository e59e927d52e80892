// Evaluates a Nix expression with the real nix-instantiate, from the package root, to JSON: how
// the tests read nix/*.nix without nixpkgs (NIX_CONFIG as for the Nix sandboxes: no substituters,
// no build users).
import { execa } from 'execa';
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
