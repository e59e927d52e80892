// Renders the config's TypeScript types from the schema (used by gen-config-types and its test).
import { readFile } from 'node:fs/promises';
import { compile } from 'json-schema-to-typescript';

const schemaFile = new URL('../schemas/xs-upgrade.schema.json', import.meta.url);

export async function renderConfigTypes() {
  const schema = JSON.parse(await readFile(schemaFile, 'utf8'));
  return compile(schema, 'XsUpgradeConfig', {
    bannerComment:
      '/* Generated from schemas/xs-upgrade.schema.json by `npm run gen:types`. Do not edit. */',
    additionalProperties: false,
    style: { singleQuote: true, printWidth: 100 },
    cwd: new URL('../schemas/', import.meta.url).pathname,
  });
}
