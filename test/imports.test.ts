// Imports in src/ point one way and the runner stays in small files: the check `npm run lint`
// runs, on this tree and on a small tree made to break both rules.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { packageRoot } from '../src/packageFiles.js';
import { importProblems } from '../scripts/check-imports.mjs';

const problemsOf = importProblems as (root: string) => string[];
let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('scripts/check-imports.mjs', () => {
  it('finds no import cycle in src/ and no runner file over 300 lines', () => {
    expect(problemsOf(packageRoot)).toEqual([]);
  });

  it('names a cycle of static, dynamic and type-only imports, and a runner file too long', async () => {
    dir = await mkdtemp(join(tmpdir(), 'xs-upgrade-imports-'));
    const file = async (path: string, text: string) => {
      await mkdir(join(dir ?? '', path, '..'), { recursive: true });
      await writeFile(join(dir ?? '', path), text);
    };
    await file('src/runner/hub.ts', "import { b } from '../fleet/b.js';\nexport const a = b;\n");
    await file('src/fleet/b.ts', "export const b = async () => (await import('./c.js')).c;\n");
    await file(
      'src/fleet/c.ts',
      "import type { a } from '../runner/hub.js';\nexport const c = 1;\n",
    );
    await file('src/fleet/apart.ts', "import { b } from './b.js';\nexport const d = b;\n");
    await file('src/runner/long.ts', 'export const x = 1;\n'.repeat(301));
    expect(problemsOf(dir)).toEqual([
      'import cycle: src/fleet/b.ts <-> src/fleet/c.ts <-> src/runner/hub.ts: move what they share into a file both import',
      "src/runner/long.ts: 301 lines, over the runner's 300: split it by what it does",
    ]);
  });
});
