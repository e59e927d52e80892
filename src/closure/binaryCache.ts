// Nix's side of a closure: what a binary cache holds of it and who signed it, what the local store
// lacks, the room on the store's file system, and the fetch itself. Nix checks every signature
// (require-sigs, with only the configured keys trusted) and is never allowed to build (max-jobs 0):
// a path that cannot be substituted fails, it is not built here.
import { execa } from 'execa';
import { statfs } from 'node:fs/promises';
import { join } from 'node:path';
import type { ClosureSpec } from '../config/resolve.js';
import { runCommand, CommandFailedError, type CommandDeps } from '../actors/runCommand.js';
import { ClosureRefused, ClosureUnavailable } from './errors.js';
import { excerpt } from './systemPath.js';

export interface CachedPath {
  path: string;
  narSize: number;
  signatures: string[];
}

export interface NixDeps {
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
}

const nixCommand = ['--extra-experimental-features', 'nix-command'];
/** One try per cache, a short connect: a cache that is down is said at once, and retried next run. */
const queryOptions = ['--option', 'download-attempts', '1', '--option', 'connect-timeout', '10'];
const queryTimeoutMs = 5 * 60_000;

/** Nix's options for a fetch from exactly these caches, trusting exactly these keys. */
export function trustOptions(spec: Pick<ClosureSpec, 'substituters' | 'publicKeys'>): string[] {
  return [
    ...['--option', 'substituters', spec.substituters.join(' ')],
    ...['--option', 'trusted-public-keys', spec.publicKeys.join(' ')],
    ...['--option', 'require-sigs', 'true'],
  ];
}

/** The key names of "NAME:KEY" keys or "NAME:SIGNATURE" signatures. */
export const keyNames = (keysOrSignatures: string[]) =>
  keysOrSignatures.map((entry) => entry.slice(0, entry.indexOf(':')));

/** The configured keys among a path's signatures ("NAME:SIGNATURE"). */
export function signedBy(signatures: string[], publicKeys: string[]): string[] {
  const names = new Set(keyNames(publicKeys));
  return [...new Set(keyNames(signatures))].filter((name) => names.has(name));
}

interface PathInfo {
  path?: unknown;
  valid?: unknown;
  narSize?: unknown;
  signatures?: unknown;
}

type PathInfoAnswer = { error: string } | { entries: (CachedPath & { valid: boolean })[] };

async function pathInfo(args: string[], deps: NixDeps): Promise<PathInfoAnswer> {
  const result = await execa('nix', [...nixCommand, 'path-info', '--json', ...args], {
    env: deps.env,
    extendEnv: false,
    stdin: 'ignore',
    reject: false,
    timeout: queryTimeoutMs,
    cancelSignal: deps.signal,
  });
  if (result.exitCode !== 0) {
    const said = String(result.stderr).trim().split('\n').at(-1) ?? '';
    return { error: said || `nix path-info exited ${result.exitCode ?? '?'}` };
  }
  let entries: PathInfo[];
  try {
    entries = JSON.parse(String(result.stdout)) as PathInfo[];
  } catch {
    return { error: 'nix path-info printed something that is not JSON' };
  }
  return {
    entries: (Array.isArray(entries) ? entries : []).map((entry) => ({
      path: String(entry.path),
      valid: entry.valid !== false,
      narSize: typeof entry.narSize === 'number' ? entry.narSize : 0,
      signatures: Array.isArray(entry.signatures) ? entry.signatures.map(String) : [],
    })),
  };
}

/**
 * The closure as the first substituter that has it knows it (the path first). Undefined: no
 * substituter has it. A substituter that cannot be asked is skipped; when none has it and one
 * could not be asked, that is temporary.
 */
export async function cachedClosure(
  storePath: string,
  spec: Pick<ClosureSpec, 'substituters'>,
  deps: NixDeps,
): Promise<{ substituter: string; paths: CachedPath[] } | undefined> {
  const unreachable: string[] = [];
  for (const substituter of spec.substituters) {
    const first = (entries: (CachedPath & { valid: boolean })[]) => [
      ...entries.filter((entry) => entry.path === storePath),
      ...entries.filter((entry) => entry.path !== storePath),
    ];
    // The whole closure at once, when the cache has all of it (the usual case: one process).
    const all = await pathInfo(
      [...queryOptions, '--recursive', '--store', substituter, storePath],
      deps,
    );
    if ('entries' in all && all.entries.every((entry) => entry.valid)) {
      return { substituter, paths: first(all.entries) };
    }
    // Not all of it: does the cache have the system (the rest comes from another substituter,
    // and the size is the system's own), not have it, or not answer at all?
    const top = await pathInfo([...queryOptions, '--store', substituter, storePath], deps);
    if ('error' in top) {
      unreachable.push(`${substituter}: ${excerpt(top.error)}`);
      continue;
    }
    if (top.entries[0]?.valid) return { substituter, paths: top.entries.slice(0, 1) };
  }
  if (unreachable.length > 0) {
    throw new ClosureUnavailable(
      `no substituter could be asked for ${storePath}: ${unreachable.join('; ')}`,
    );
  }
  return undefined;
}

/**
 * The closure as the local store has it (a prefetch, an earlier fetch, a build of the same
 * commits), the path first; undefined when the path is not there.
 */
export async function localClosure(
  storePath: string,
  deps: NixDeps,
): Promise<CachedPath[] | undefined> {
  const info = await pathInfo(['--recursive', storePath], deps);
  if ('error' in info) return undefined;
  const top = info.entries.find((entry) => entry.path === storePath);
  if (!top?.valid) return undefined;
  return [top, ...info.entries.filter((entry) => entry.path !== storePath)];
}

/** The paths the local store does not have yet. */
export async function missingLocally(paths: string[], deps: NixDeps): Promise<Set<string>> {
  const missing = new Set<string>();
  // Batches keep each argument list far below the kernel's limit for a closure of thousands.
  for (let start = 0; start < paths.length; start += 500) {
    const info = await pathInfo(paths.slice(start, start + 500), deps);
    if ('error' in info) throw new Error(`cannot read the local Nix store: ${info.error}`);
    for (const entry of info.entries) if (!entry.valid) missing.add(entry.path);
  }
  return missing;
}

/** Bytes free for an unprivileged writer on the file system that holds `dir`. */
export async function freeBytes(dir: string): Promise<number> {
  const stats = await statfs(dir);
  return stats.bavail * stats.bsize;
}

/**
 * The GC root (an indirect one, a link in the state dir) that keeps the closure last fetched, so
 * a garbage collection between the fetch (or a prefetch hours before) and the switch cannot take it.
 */
export const fetchedClosureRoot = (stateDir: string) => join(stateDir, 'fetched-closure');

/**
 * Fetches the closure into the local store from the substituters, with an indirect GC root at
 * `gcRoot` that keeps it until the switch. A signature Nix does not accept is refused; anything
 * else (a cache gone mid-way) is temporary.
 */
export async function fetchClosure(
  storePath: string,
  spec: ClosureSpec,
  deps: CommandDeps,
  gcRoot: string,
): Promise<void> {
  try {
    await runCommand(
      {
        name: 'fetch-closure',
        run: {
          argv: [
            'nix-store',
            '--realise',
            storePath,
            ...trustOptions(spec),
            '--max-jobs',
            '0',
            '--add-root',
            gcRoot,
            '--indirect',
          ],
        },
        timeoutMs: spec.timeoutMs,
        env: {},
        cwd: '/',
      },
      deps,
    );
  } catch (error) {
    if (!(error instanceof CommandFailedError) || error.details.isCanceled) throw error;
    const said = error.outputTail.join('\n');
    if (/not signed by any of the keys|lacks a valid signature|signature .* invalid/i.test(said)) {
      throw new ClosureRefused(
        `Nix refused ${storePath}: a path of its closure is not signed by any of system.closure.publicKeys`,
        'sign the closure with a configured key (nix store sign), or add the key that signed it to publicKeys',
      );
    }
    throw new ClosureUnavailable(`fetching ${storePath} failed: ${error.message}`);
  }
}
