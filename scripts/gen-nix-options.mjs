// Generates nix/options.generated.nix, the NixOS module's option declarations, from the JSON
// Schema: the module cannot drift from the config it writes (test/nix/options.test.ts checks the
// file is current and that every schema property is an option, at every level).
// Usage: node scripts/gen-nix-options.mjs [--check]
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const schemaFile = `${root}schemas/xs-upgrade.schema.json`;
const outFile = `${root}nix/options.generated.nix`;

/** A Nix string literal (double-quoted, with ${ and the quote escaped). */
const nixString = (text) =>
  `"${String(text).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\$\{/g, '\\${').replace(/\n/g, '\\n')}"`;

/** A JSON value as a Nix expression. */
function nixValue(value, indent) {
  if (value === null) return 'null';
  if (typeof value === 'string') return nixString(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const inner = `${indent}  `;
  if (Array.isArray(value))
    return value.length === 0
      ? '[ ]'
      : `[ ${value.map((item) => nixValue(item, inner)).join(' ')} ]`;
  const entries = Object.entries(value);
  if (entries.length === 0) return '{ }';
  return `{\n${entries.map(([key, item]) => `${inner}${attrName(key)} = ${nixValue(item, inner)};`).join('\n')}\n${indent}}`;
}

const attrName = (key) => (/^[A-Za-z_][A-Za-z0-9_'-]*$/.test(key) ? key : nixString(key));

/** The Nix type of a schema node. `$ref`s become the names bound in the generated `let`. */
function nixType(node, indent) {
  if (node.$ref) return node.$ref.replace('#/$defs/', '');
  // A union of shapes; on an object with properties, oneOf only says which of them go together.
  if ((node.oneOf || node.anyOf) && !node.properties) {
    // In a Nix list, `types.listOf types.str` would be two elements: parenthesize.
    const choices = (node.oneOf ?? node.anyOf).map((choice) => {
      const type = nixType(choice, indent);
      return /\s/.test(type) ? `(${type})` : type;
    });
    return `types.oneOf [ ${[...new Set(choices)].join(' ')} ]`;
  }
  if (node.enum) return `types.enum ${nixValue(node.enum, indent)}`;
  if (node.const !== undefined) return `types.enum [ ${nixValue(node.const, indent)} ]`;
  switch (node.type) {
    case 'string':
      return 'types.str';
    case 'integer':
      return 'types.int';
    case 'number':
      return 'types.number';
    case 'boolean':
      return 'types.bool';
    case 'array':
      return `types.listOf (${nixType(node.items ?? {}, indent)})`;
    case 'object':
      if (node.properties)
        return `types.submodule {\n${indent}  options = ${optionsOf(node, `${indent}  `)};\n${indent}}`;
      if (node.additionalProperties && typeof node.additionalProperties === 'object')
        return `types.attrsOf (${nixType(node.additionalProperties, indent)})`;
      return 'types.attrs';
    default:
      return 'types.anything';
  }
}

/** `{ name = mkOption {...}; ... }` for an object node's properties. */
function optionsOf(node, indent) {
  const required = new Set(node.required ?? []);
  const inner = `${indent}  `;
  const lines = Object.entries(node.properties ?? {})
    .filter(([name]) => name !== '$schema')
    .map(([name, property]) => {
      const type = nixType(property, `${inner}  `);
      // Unset means "not in the JSON": null, dropped by nix/config.nix. A schema default is the
      // module's default too, so the NixOS manual shows it.
      const optional = !required.has(name);
      const fields = [
        `type = ${optional ? `types.nullOr (${type})` : type};`,
        ...(optional
          ? [
              `default = ${property.default === undefined ? 'null' : nixValue(property.default, `${inner}  `)};`,
            ]
          : []),
        ...(property.description ? [`description = ${nixString(property.description)};`] : []),
      ];
      return `${inner}${attrName(name)} = mkOption {\n${fields.map((field) => `${inner}  ${field}`).join('\n')}\n${inner}};`;
    });
  return `{\n${lines.join('\n')}\n${indent}}`;
}

export async function renderNixOptions() {
  const schema = JSON.parse(await readFile(schemaFile, 'utf8'));
  const definitions = Object.entries(schema.$defs ?? {}).map(
    ([name, node]) => `  ${name} = ${nixType(node, '  ')};`,
  );
  return `# Generated from schemas/xs-upgrade.schema.json by scripts/gen-nix-options.mjs: do not edit.
# The option declarations of services.xs-upgrade that mirror the config file, one per schema
# property, at every level. nix/module.nix adds the module's own options (enable, package, path,
# secrets); nix/config.nix turns the values back into the JSON config.
{ lib }:
let
  inherit (lib) mkOption types;
${definitions.join('\n')}
in
${optionsOf(schema, '')}
`;
}

const text = await renderNixOptions();
if (process.argv.includes('--check')) {
  const current = await readFile(outFile, 'utf8').catch(() => '');
  if (current !== text) {
    console.error('nix/options.generated.nix is stale: run `npm run gen:types`');
    process.exit(1);
  }
} else {
  await writeFile(outFile, text);
  console.log('wrote nix/options.generated.nix');
}
