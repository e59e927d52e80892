#!/usr/bin/env node
// Generates, from the JSON Schema, the config's TypeScript types and its precompiled validator, so
// the schema stays the single source of truth. `--check` exits 1 when either file is stale.
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { renderConfigTypes } from './config-types.mjs';
import { renderConfigValidator } from './config-validator.mjs';

const outputs = [
  ['../src/config/schema.generated.ts', renderConfigTypes],
  ['../src/config/schema.validator.generated.js', renderConfigValidator],
];
let stale = false;
for (const [relative, render] of outputs) {
  const file = fileURLToPath(new URL(relative, import.meta.url));
  const fresh = await render();
  if (process.argv.includes('--check')) {
    const current = await readFile(file, 'utf8').catch(() => '');
    if (current !== fresh) {
      console.error(`${relative.slice(3)} is stale: run \`npm run gen:types\``);
      stale = true;
    }
  } else {
    await writeFile(file, fresh);
  }
}
if (stale) process.exit(1);
