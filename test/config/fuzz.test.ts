// Property-based fuzzing of the config loader (fast-check): random and mutated JSON and YAML,
// wrong types, huge values, truncated and binary files. Every case either loads, or is refused
// with a ConfigError whose every line names the file and a JSON pointer or a line and column.
import fc from 'fast-check';
import { execa } from 'execa';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';

let dir: string;
let counter = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xs-upgrade-fuzz-'));
  await mkdir(join(dir, 'repo'));
  await execa('git', ['init', '--quiet', join(dir, 'repo')]);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const valid = {
  mode: 'local',
  repos: [{ name: 'repo', path: 'repo', remote: 'origin', branch: 'main' }],
  preUpdateHooks: ['true'],
  build: { name: 'build', run: ['true'], timeout: '5m' },
  validationChecks: ['true', { run: 'true', env: { A: 'b' } }],
  onValidationFailure: 'rollback',
  switch: 'true',
  healthChecks: [{ http: { url: 'http://127.0.0.1:1/' }, retries: 0 }],
  notify: [{ command: 'true', on: ['failure'] }],
};

/** A problem line: "<file>: /pointer: …", "<file>: line N, column M: …" or "<file>: the file is empty…". */
function expectActionable(file: string, problems: string[]) {
  expect(problems.length).toBeGreaterThan(0);
  for (const line of problems) {
    expect(line.startsWith(`${file}: `), line).toBe(true);
    const rest = line.slice(file.length + 2);
    expect(rest, line).toMatch(/^(\/\S*: \S|line \d+, column \d+: \S|the file is empty)/);
    expect(line, 'no stack trace').not.toMatch(/\n|\s+at \S+ \(/);
  }
}

/** Loads `content` from a new file; passes if it loads or is refused with actionable lines. */
async function loadsOrRefusesClearly(
  extension: string,
  content: string | Uint8Array,
): Promise<void> {
  counter += 1;
  const file = join(dir, `case-${counter}.${extension}`);
  await writeFile(file, content);
  try {
    await loadConfig(file, dir);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    expectActionable(file, error.problems);
  } finally {
    await rm(file, { force: true });
  }
}

const keys = Object.keys(valid);
/** A valid config, changed in 1 to 3 places: a key removed, replaced by any JSON, or added. */
const mutatedConfig = fc
  .array(
    fc.record({
      key: fc.oneof(fc.constantFrom(...keys), fc.string({ maxLength: 12 })),
      value: fc.jsonValue({ maxDepth: 3 }),
      remove: fc.boolean(),
    }),
    { minLength: 1, maxLength: 3 },
  )
  .map((changes) => {
    const config: Record<string, unknown> = structuredClone(valid);
    for (const { key, value, remove } of changes) {
      if (remove) delete config[key];
      else config[key] = value;
    }
    return config;
  });

// Thousands of configs written and loaded from disk per test: ~5 s on a quiet 2-core machine, more
// than the project's 20 s under heavy load (mutation runs beside the suite).
describe('config loader fuzzing', { timeout: 90_000 }, () => {
  it('the valid base config loads', async () => {
    await writeFile(join(dir, 'base.json'), JSON.stringify(valid));
    await expect(loadConfig('base.json', dir)).resolves.toBeDefined();
  });

  it('any JSON value, as JSON and as YAML (1500 cases)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), async (value) => {
        await loadsOrRefusesClearly('json', JSON.stringify(value) ?? 'null');
        await loadsOrRefusesClearly('yaml', stringify(value));
      }),
      { numRuns: 750 },
    );
  });

  it('mutated configs: missing keys, wrong types, unknown keys (2000 cases)', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedConfig, fc.boolean(), async (config, asYaml) => {
        await loadsOrRefusesClearly(
          asYaml ? 'yaml' : 'json',
          asYaml ? stringify(config) : JSON.stringify(config),
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('truncated files (1000 cases)', async () => {
    const json = JSON.stringify(valid, null, 2);
    const yaml = stringify(valid);
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.boolean(), async (cut, asYaml) => {
        const text = asYaml ? yaml : json;
        await loadsOrRefusesClearly(asYaml ? 'yaml' : 'json', text.slice(0, cut % text.length));
      }),
      { numRuns: 1000 },
    );
  });

  it('binary files and random text (1000 cases)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.string({ maxLength: 300, unit: 'binary' })),
        fc.constantFrom('json', 'yaml', 'yml'),
        async (content, extension) => loadsOrRefusesClearly(extension, content),
      ),
      { numRuns: 1000 },
    );
  });

  it('huge values: long strings, deep nesting, long lists', async () => {
    const cases: unknown[] = [
      { ...valid, build: 'x'.repeat(1_000_000) },
      { ...valid, validationChecks: Array.from({ length: 5000 }, () => 42) },
      {
        ...valid,
        repos: Array.from({ length: 5000 }, (_, index) => ({
          name: `r${index % 10}`,
          path: 'repo',
        })),
      },
      { ...valid, keepRuns: 1e308, fetchRetries: -1 },
    ];
    for (const value of cases) {
      await loadsOrRefusesClearly('json', JSON.stringify(value));
      await loadsOrRefusesClearly('yaml', stringify(value));
    }
    // Nesting deeper than any config, written as text (serialising it would overflow first).
    const base = JSON.stringify(valid).slice(0, -1);
    for (const depth of [5000, 100_000]) {
      await loadsOrRefusesClearly(
        'json',
        `${base},"switch":${'['.repeat(depth)}"x"${']'.repeat(depth)}}`,
      );
      await loadsOrRefusesClearly(
        'yaml',
        `switch: ${'['.repeat(depth)}x${']'.repeat(depth)}\nbuild: x\n`,
      );
    }
    await loadsOrRefusesClearly('yaml', `${'- '.repeat(3000)}x\n`);
  });
});
