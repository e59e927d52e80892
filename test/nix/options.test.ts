// The NixOS module's options come from the JSON Schema (scripts/gen-nix-options.mjs): the generated
// file is current, and, evaluated by the real nix-instantiate (with a stand-in for nixpkgs' lib),
// it declares exactly the schema's properties, at every level, with the schema's defaults.
import { execa } from 'execa';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/packageFiles.js';
import { evalNixJson } from '../support/nix.js';

interface SchemaNode {
  $ref?: string;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  oneOf?: SchemaNode[];
  anyOf?: SchemaNode[];
  additionalProperties?: boolean | SchemaNode;
  default?: unknown;
}
type OptionType = string | { [kind: string]: unknown };
interface Option {
  type: OptionType;
  default?: unknown;
}

/** Every property path in the schema ("repos.name", "notify.on"), with its default if any. */
function schemaPaths(schema: SchemaNode & { $defs?: Record<string, SchemaNode> }) {
  const paths = new Map<string, unknown>();
  const walk = (node: SchemaNode, prefix: string) => {
    const resolved = node.$ref ? (schema.$defs?.[node.$ref.replace('#/$defs/', '')] ?? {}) : node;
    for (const [name, property] of Object.entries(resolved.properties ?? {})) {
      if (name === '$schema') continue;
      paths.set(`${prefix}${name}`, property.default);
      walk(property, `${prefix}${name}.`);
    }
    if (resolved.items) walk(resolved.items, prefix);
    for (const choice of resolved.oneOf ?? resolved.anyOf ?? []) walk(choice, prefix);
    if (typeof resolved.additionalProperties === 'object')
      walk(resolved.additionalProperties, `${prefix}*.`);
  };
  walk(schema, '');
  return paths;
}

/** The same for the evaluated option tree. */
function optionPaths(options: Record<string, Option>) {
  const paths = new Map<string, unknown>();
  const walkType = (type: OptionType, prefix: string) => {
    if (typeof type === 'string') return;
    if ('nullOr' in type) walkType(type.nullOr as OptionType, prefix);
    if ('listOf' in type) walkType(type.listOf as OptionType, prefix);
    if ('attrsOf' in type) walkType(type.attrsOf as OptionType, `${prefix}*.`);
    for (const choice of (type.oneOf as OptionType[] | undefined) ?? []) walkType(choice, prefix);
    if ('submodule' in type) walkOptions(type.submodule as Record<string, Option>, prefix);
  };
  const walkOptions = (tree: Record<string, Option>, prefix: string) => {
    for (const [name, option] of Object.entries(tree)) {
      paths.set(`${prefix}${name}`, option.default ?? undefined);
      walkType(option.type, `${prefix}${name}.`);
    }
  };
  walkOptions(options, '');
  return paths;
}

describe('nix/options.generated.nix', () => {
  it('is what the generator makes of the schema now', async () => {
    const check = await execa('node', ['scripts/gen-nix-options.mjs', '--check'], {
      cwd: packageRoot,
      reject: false,
    });
    expect(check.stderr).toBe('');
    expect(check.exitCode).toBe(0);
  });

  it('declares every schema property as an option, at every level, with its default', async () => {
    const evaluated = await evalNixJson(
      'import ./nix/options.generated.nix { lib = import ./test/nix/stubLib.nix; }',
    );
    const options = optionPaths(evaluated as Record<string, Option>);
    const schema = schemaPaths(
      JSON.parse(
        await readFile(join(packageRoot, 'schemas', 'xs-upgrade.schema.json'), 'utf8'),
      ) as SchemaNode,
    );
    expect([...options.keys()].sort()).toEqual([...schema.keys()].sort());
    expect(options.size).toBeGreaterThan(80);
    for (const [path, value] of schema) expect(options.get(path), path).toEqual(value);
  });
});
