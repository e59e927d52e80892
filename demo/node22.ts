// Node 22, NixOS's default Node and the one nix/package.nix builds with, fetched by
// scripts/install-system-deps.sh (which `npm test` runs first) into .cache/node-v22.*/ of this
// clone. Missing, the tests that need it fail saying how to get it, never pass silently; the
// start-up bench says it measured without it.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../src/packageFiles.js';

export function node22(): string {
  const cache = join(packageRoot, '.cache');
  let folders: string[] = [];
  try {
    folders = readdirSync(cache).filter((name) => /^node-v22\.\d+\.\d+$/.test(name));
  } catch {
    // No .cache yet: said below.
  }
  const newest = folders.sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).at(-1);
  if (!newest) {
    throw new Error(`no Node 22 in ${cache}: run bash scripts/install-system-deps.sh`);
  }
  return join(cache, newest, 'bin', 'node');
}
