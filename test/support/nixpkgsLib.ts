// The real nixpkgs lib for the tests that evaluate nix/*.nix as NixOS does, in the order a user's
// machine would have it: the user's own `<nixpkgs/lib>` when nix-instantiate finds one, else
// `$XS_NIXPKGS_LIB`, else the copy in test/vendor (README there). With none, the tests that need it
// fail saying so, never pass silently.
import { execa } from 'execa';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nixConfig } from '../../demo/nixSystem.js';
import { packageRoot } from '../../src/packageFiles.js';

export interface NixpkgsLib {
  path: string;
  from: '<nixpkgs/lib>' | '$XS_NIXPKGS_LIB' | 'test/vendor';
  /** Removes what finding it unpacked. */
  dispose: () => Promise<void>;
}

export async function findNixpkgsLib(): Promise<NixpkgsLib | undefined> {
  const own = await execa('nix-instantiate', ['--find-file', 'nixpkgs'], {
    env: { NIX_CONFIG: nixConfig },
    reject: false,
  });
  const nothing = () => Promise.resolve();
  if (own.exitCode === 0 && own.stdout.trim()) {
    return { path: join(own.stdout.trim(), 'lib'), from: '<nixpkgs/lib>', dispose: nothing };
  }
  if (process.env.XS_NIXPKGS_LIB) {
    return { path: process.env.XS_NIXPKGS_LIB, from: '$XS_NIXPKGS_LIB', dispose: nothing };
  }
  const extracted = await mkdtemp(join(tmpdir(), 'xs-nixpkgs-lib-'));
  const dispose = () => rm(extracted, { recursive: true, force: true });
  const untar = await execa(
    'tar',
    ['-xzf', join(packageRoot, 'test', 'vendor', 'nixpkgs-lib.tar.gz'), '-C', extracted],
    { reject: false },
  );
  if (untar.exitCode !== 0) {
    await dispose();
    return undefined;
  }
  return { path: join(extracted, 'lib'), from: 'test/vendor', dispose };
}

export const noLibMessage =
  'no nixpkgs lib to evaluate nix/*.nix with: no <nixpkgs> on NIX_PATH, $XS_NIXPKGS_LIB unset, and test/vendor/nixpkgs-lib.tar.gz missing';
