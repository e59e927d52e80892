#!/usr/bin/env node
// Generates src/config/schema.generated.ts from the JSON Schema, so the schema stays the single
// source of truth for the config's TypeScript types. `--check` exits 1 when the file is stale.
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { renderConfigTypes } from './config-types.mjs';

const outFile = fileURLToPath(new URL('../src/config/schema.generated.ts', import.meta.url));
const fresh = await renderConfigTypes();
if (process.argv.includes('--check')) {
  const current = await readFile(outFile, 'utf8').catch(() => '');
  if (current !== fresh) {
    console.error('src/config/schema.generated.ts is stale: run `npm run gen:types`');
    process.exit(1);
  }
} else {
  await writeFile(outFile, fresh);
}
