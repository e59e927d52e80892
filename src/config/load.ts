// Finds, reads and parses a config file, then validates and resolves it. Every problem becomes
// one line "<file>: <where>: <what>", collected in a ConfigError (exit 78).
import { exportsOf } from '../moduleExports.js';
import type { Loader } from 'cosmiconfig';
import { readFile, stat } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, describeError } from '../errors.js';
import { checkOwnership, pathOwnershipProblem } from './checkOwnership.js';
import { checkRepos } from './checkRepos.js';
import { resolveConfig, type ResolvedConfig } from './resolve.js';
import { validateConfig } from './validate.js';

const moduleName = 'xs-upgrade';

/** Where cosmiconfig looks when no --config is given (DESIGN.md, "The config DSL"). */
export const searchPlaces = [
  'package.json',
  '.xs-upgraderc',
  '.xs-upgraderc.json',
  '.xs-upgraderc.yaml',
  '.xs-upgraderc.yml',
  'xs-upgrade.config.json',
  'xs-upgrade.config.yaml',
  'xs-upgrade.config.yml',
  'xs-upgrade.config.js',
  'xs-upgrade.config.mjs',
];

class ParseProblem extends Error {}

const loadJson: Loader = (_file, content) => {
  try {
    return JSON.parse(content) as unknown;
  } catch (error) {
    const message = describeError(error);
    const { line, column } = lineAndColumn(content, jsonErrorOffset(content, message));
    throw new ParseProblem(
      `line ${line}, column ${column}: invalid JSON: ${shortJsonMessage(message)}`,
    );
  }
};

const loadYaml: Loader = async (_file, content) => {
  // Loaded only for YAML files: JSON configs start faster without it.
  const { parseDocument } = exportsOf(await import('yaml'), 'parseDocument');
  const document = parseDocument(content, { prettyErrors: true, uniqueKeys: true });
  const [first] = document.errors;
  if (first) {
    const at = first.linePos?.[0];
    const where = at ? `line ${at.line}, column ${at.col}: ` : '';
    const what = (first.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
    throw new ParseProblem(`${where}invalid YAML: ${what}`);
  }
  try {
    return document.toJS({ maxAliasCount: 100 }) as unknown;
  } catch (error) {
    // Some problems (an alias to no anchor, an alias bomb) surface only here, without a position:
    // they concern the document as a whole.
    throw new ParseProblem(`/: invalid YAML: ${describeError(error).split('\n')[0] ?? ''}`);
  }
};

const loaders: Record<string, Loader> = {
  '.json': loadJson,
  '.yaml': loadYaml,
  '.yml': loadYaml,
  // .xs-upgraderc with no extension: YAML, which also reads JSON.
  noExt: loadYaml,
};

/** A config in JavaScript: its default export. */
const loadModule: Loader = async (file) => {
  const module = (await import(pathToFileURL(file).href)) as { default?: unknown };
  return module.default;
};

export interface LoadedDocument {
  file: string;
  document: unknown;
}

/** Reads the config: the given file, or the first of `searchPlaces` found in `cwd`. */
export async function readConfigDocument(
  configFile: string | undefined,
  cwd: string,
): Promise<LoadedDocument> {
  if (configFile === undefined) return searchConfigDocument(cwd);
  // A named file is read directly: cosmiconfig is only needed to search.
  const file = resolve(cwd, configFile);
  try {
    const content = await readFile(file, 'utf8');
    const extension = extname(file);
    if (['.js', '.mjs', '.cjs'].includes(extension))
      return { file, document: await loadModule(file, content) };
    if (content.trim() === '') return { file, document: undefined };
    const load = loaders[extension] ?? loaders.noExt ?? loadYaml;
    return { file, document: await load(file, content) };
  } catch (error) {
    throw asConfigError(error, file);
  }
}

async function searchConfigDocument(cwd: string): Promise<LoadedDocument> {
  const { cosmiconfig, defaultLoaders } = exportsOf(await import('cosmiconfig'), 'cosmiconfig');
  const explorer = cosmiconfig(moduleName, {
    searchPlaces,
    loaders: { ...defaultLoaders, ...loaders },
    searchStrategy: 'none',
    cache: false,
  });
  const found = await explorer.search(cwd).catch((error: unknown) => {
    throw asConfigError(error, cwd);
  });
  if (!found) {
    throw new ConfigError([
      `${cwd}: no config found (looked for ${searchPlaces.join(', ')}): pass --config FILE`,
    ]);
  }
  return { file: found.filepath, document: found.isEmpty ? undefined : found.config };
}

function asConfigError(error: unknown, file: string): ConfigError {
  if (error instanceof ConfigError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new ConfigError([`${file}: no such file: check the --config path`]);
  if (code === 'EACCES')
    return new ConfigError([`${file}: permission denied: make it readable by this user`]);
  if (code === 'EISDIR')
    return new ConfigError([`${file}: is a folder: pass the config file itself`]);
  const where = (error as { filepath?: string }).filepath ?? file;
  // cosmiconfig prefixes its own "JSON Error in <file>:" line; our loaders' messages are enough.
  const lines = describeError(error).split('\n');
  const text = error instanceof ParseProblem ? lines[0] : lines.at(-1);
  return new ConfigError([`${where}: ${text ?? 'cannot be read'}`]);
}

/** The config of an installed host, read when none is named and the current folder has none. */
export const hostConfigFile = '/etc/xs-upgrade/host.json';

export interface LoadOptions {
  /**
   * Also check that each repo path is a git work tree (`validate`). A run checks that itself,
   * as a failed run it records and reports; status and history do not need the repos at all.
   */
  checkRepos?: boolean;
  /** With no --config and no config in `cwd`: this file ($XS_UPGRADE_CONFIG, else the host's). */
  fallback?: string;
  /**
   * Load as root does (default: when running as uid 0): no search of the current folder, and the
   * file's ownership checked before it is read.
   */
  asRoot?: boolean;
}

/** Loads, validates, checks the repos on disk and resolves a config; throws ConfigError. */
export async function loadConfig(
  configFile: string | undefined,
  cwd: string,
  options: LoadOptions = {},
): Promise<ResolvedConfig> {
  if (options.asRoot ?? process.getuid?.() === 0) return loadAsRoot(configFile, cwd, options);
  const { file, document } = await readConfigDocument(configFile, cwd).catch(
    async (error: unknown) => {
      if (configFile !== undefined || options.fallback === undefined) throw error;
      const found = await stat(options.fallback).then(
        () => true,
        () => false,
      );
      if (!found) throw error;
      return readConfigDocument(options.fallback, cwd);
    },
  );
  return checkedConfig(file, document, options);
}

/**
 * As root, a config decides what runs as root: the current folder is not searched (anyone may
 * have put a config there), and the file and every folder above it must be root's alone before it
 * is even read, since reading a JavaScript config runs it; a JavaScript config must also be named.
 */
async function loadAsRoot(
  configFile: string | undefined,
  cwd: string,
  options: LoadOptions,
): Promise<ResolvedConfig> {
  const named = configFile ?? options.fallback;
  if (named === undefined) {
    throw new ConfigError([
      `${cwd}: as root the current folder is not searched for a config (another user could have put one there): pass --config FILE`,
    ]);
  }
  const file = resolve(cwd, named);
  const exists = await stat(file).then(
    () => true,
    () => false,
  );
  if (configFile === undefined && !exists) {
    throw new ConfigError([
      `${file}: no such file, and as root the current folder (${cwd}) is not searched for a config (another user could have put one there): pass --config FILE`,
    ]);
  }
  const problem = exists ? await pathOwnershipProblem('the config file', file) : undefined;
  if (problem) throw new ConfigError([`${file}: ${problem}`]);
  if (configFile === undefined && ['.js', '.mjs', '.cjs'].includes(extname(file))) {
    throw new ConfigError([
      `${file}: a JavaScript config runs as root only when named with --config: pass --config ${file}`,
    ]);
  }
  const { document } = await readConfigDocument(file, cwd);
  return checkedConfig(file, document, options);
}

/** Validates, resolves and checks a config read from `file`. */
async function checkedConfig(
  file: string,
  document: unknown,
  options: LoadOptions,
): Promise<ResolvedConfig> {
  if (document === undefined) {
    throw new ConfigError([`${file}: the file is empty: see configs/minimal.json for a start`]);
  }
  const { config, errors } = validateConfig(document);
  if (!config) throw new ConfigError(errors.map((line) => `${file}: ${line}`));
  const resolved = resolveConfig(config, file, dirname(file));
  const repoProblems = options.checkRepos === false ? [] : await checkRepos(resolved.repos);
  if (repoProblems.length > 0)
    throw new ConfigError(repoProblems.map((line) => `${file}: ${line}`));
  if (options.asRoot ?? process.getuid?.() === 0) {
    const ownershipProblems = await checkOwnership(resolved);
    if (ownershipProblems.length > 0) {
      throw new ConfigError(ownershipProblems.map((line) => `${file}: ${line}`));
    }
  }
  return resolved;
}

function shortJsonMessage(message: string): string {
  // V8 quotes the whole document in some messages; keep only what went wrong.
  const what = message.split(/, (?:\.\.\.)?"/)[0] ?? message;
  return what.replace(/ in JSON at position \d+.*$/s, '');
}

/** V8 names a position for some JSON errors only; find the offset of the first bad character. */
function jsonErrorOffset(text: string, message: string): number {
  const named = /at position (\d+)/.exec(message);
  if (named) return Number(named[1]);
  if (/Unexpected end/.test(message)) return text.length;
  // The smallest prefix that fails before its own end ends at the bad character.
  let low = 0;
  let high = text.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (failsBeforeEnd(text.slice(0, middle + 1))) high = middle;
    else low = middle + 1;
  }
  return low;
}

function failsBeforeEnd(prefix: string): boolean {
  try {
    JSON.parse(prefix);
    return false;
  } catch (error) {
    const message = describeError(error);
    const named = /at position (\d+)/.exec(message);
    if (named) return Number(named[1]) < prefix.length;
    return !/Unexpected end/.test(message);
  }
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}
