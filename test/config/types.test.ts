import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { packageRoot } from '../../src/packageFiles.js';
import { renderConfigTypes } from '../../scripts/config-types.mjs';
import { renderConfigValidator } from '../../scripts/config-validator.mjs';

// Both are generated from the schema; run `npm run gen:types` when one of these fails.
it.each([
  ['src/config/schema.generated.ts', renderConfigTypes],
  ['src/config/schema.validator.generated.js', renderConfigValidator],
])('%s matches the schema', async (file, render: () => Promise<string>) => {
  expect(await readFile(join(packageRoot, file), 'utf8')).toBe(await render());
});
