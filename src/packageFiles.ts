// Files shipped beside the code (schema, package.json). The code runs both from src/ (tests) and
// from dist/src/ (the CLI), so paths are found from the package root, not from this file.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('xs-upgrade: package.json not found above the code');
    dir = parent;
  }
  return dir;
}

export const packageRoot = findPackageRoot();

export function readPackageJson(relativePath: string): unknown {
  return JSON.parse(readFileSync(join(packageRoot, relativePath), 'utf8'));
}
