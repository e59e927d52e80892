// Renders the config validator as standalone code (ajv's precompilation), so a run loads neither
// ajv nor compiles the schema at start-up. Used by gen-config-validator and its staleness test.
import { readFile } from 'node:fs/promises';
import { Ajv2020 } from 'ajv/dist/2020.js';
import standaloneCode from 'ajv/dist/standalone/index.js';

const schemaFile = new URL('../schemas/xs-upgrade.schema.json', import.meta.url);

export async function renderConfigValidator() {
  const schema = JSON.parse(await readFile(schemaFile, 'utf8'));
  const ajv = new Ajv2020({
    allErrors: true,
    useDefaults: true,
    verbose: true,
    strict: true,
    strictRequired: false,
    code: { source: true, esm: true, lines: true },
  });
  const render = standaloneCode.default ?? standaloneCode;
  const code = render(ajv, ajv.compile(schema)).replace('"use strict";', '');
  // The standalone code require()s two small ajv runtime helpers; give the ES module a require.
  return [
    '// Generated from schemas/xs-upgrade.schema.json by `npm run gen:types`. Do not edit.',
    "import { createRequire } from 'node:module';",
    'const require = createRequire(import.meta.url);',
    code,
    '',
  ].join('\n');
}
