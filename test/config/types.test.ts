import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { packageRoot } from '../../src/packageFiles.js';
// @ts-expect-error: a plain .mjs build script without type declarations
import { renderConfigTypes } from '../../scripts/config-types.mjs';

it('src/config/schema.generated.ts matches the schema (run `npm run gen:types` if not)', async () => {
  const current = await readFile(join(packageRoot, 'src/config/schema.generated.ts'), 'utf8');
  expect(current).toBe(await (renderConfigTypes as () => Promise<string>)());
});
