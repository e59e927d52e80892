// Which closure a pull takes, decided after the fetch and before any repo moves: the path published
// for the commits, a NixOS system, in a substituter, signed by a configured key, with room for it
// on the store's file system (after gcCommand, if the first look finds too little). Nothing
// published yet: the fallback says whether the run waits, builds here, or fails.
import type { ClosureSpec } from '../config/resolve.js';
import { formatSize } from '../config/size.js';
import type { ClosureChoice, HeldBack } from '../machine/types.js';
import { runCommand, type CommandDeps } from '../actors/runCommand.js';
import {
  cachedClosure,
  freeBytes,
  keyNames,
  localClosure,
  missingLocally,
  signedBy,
} from './binaryCache.js';
import { ClosureRefused } from './errors.js';
import { publishedClosure } from './source.js';

export type ClosureDecision =
  { closure: ClosureChoice } | { waiting: string } | { build: string } | { heldBack: HeldBack };

/** What the fleet says of closures (src/fleet/rolloutGate.ts), with fleet.etcd. */
export interface FleetWord {
  /** The closure the canaries proved the commits as: taken instead of asking the source. */
  proven?: string;
  /** A closure some host rejected: held back, under any commits. */
  rejected?: (storePath: string) => HeldBack | undefined;
}

export interface ChooseDeps extends CommandDeps {
  host: string;
}

/** The Nix store, whose file system must have room for the closure. */
const storeDir = '/nix/store';

const short = (commits: Record<string, string>) =>
  Object.entries(commits)
    .map(([repo, commit]) => `${repo} ${commit.slice(0, 12)}`)
    .join(', ');

export async function chooseClosure(
  spec: ClosureSpec,
  commits: Record<string, string>,
  deps: ChooseDeps,
  fleet: FleetWord = {},
): Promise<ClosureDecision> {
  const storePath = fleet.proven ?? (await publishedClosure(spec, commits, deps));
  if (storePath === undefined) {
    return notPublished(spec, `no closure is published yet for ${short(commits)}`);
  }
  const quarantined = fleet.rejected?.(storePath);
  if (quarantined) return { heldBack: quarantined };
  // Already here (a prefetch, a build of the same commits): all of its closure is, as Nix keeps
  // it. Signed by a configured key, it needs no cache at all.
  const local = await localClosure(storePath, deps);
  const cached =
    local && signedBy(local[0]?.signatures ?? [], spec.publicKeys).length > 0
      ? { substituter: 'the local store', paths: local }
      : await cachedClosure(storePath, spec, deps);
  if (cached === undefined) {
    return notPublished(
      spec,
      `${storePath}, published for ${short(commits)}, is in none of the substituters yet`,
    );
  }
  const signatures = cached.paths[0]?.signatures ?? [];
  const signers = signedBy(signatures, spec.publicKeys);
  if (signers.length === 0) {
    const names = keyNames(signatures);
    throw new ClosureRefused(
      `${storePath} in ${cached.substituter} is ${names.length > 0 ? `signed only by ${names.join(', ')}` : 'not signed'}, not by a key in system.closure.publicKeys`,
      'sign the closure with a configured key (nix store sign --key-file), or add the key that signed it to publicKeys',
    );
  }
  const missing = local
    ? new Set<string>()
    : await missingLocally(
        cached.paths.map((entry) => entry.path),
        deps,
      );
  const fetchBytes = cached.paths
    .filter((entry) => missing.has(entry.path))
    .reduce((sum, entry) => sum + entry.narSize, 0);
  await ensureRoom(spec, fetchBytes, deps);
  return {
    closure: {
      storePath,
      substituter: cached.substituter,
      signedBy: signers,
      closureBytes: cached.paths.reduce((sum, entry) => sum + entry.narSize, 0),
      fetchBytes,
    },
  };
}

/** Nothing to take for these commits yet: the fallback decides. */
function notPublished(spec: ClosureSpec, what: string): ClosureDecision {
  if (spec.fallback === 'wait') return { waiting: `${what} (system.closure.fallback "wait")` };
  if (spec.fallback === 'build') {
    return { build: `${what}: building the system here (system.closure.fallback "build")` };
  }
  throw new ClosureRefused(
    what,
    'publish the closure for these commits, or set system.closure.fallback to "wait" or "build"',
  );
}

/** Room for the fetch and `keepFree` besides; gcCommand once if not, then refused if still not. */
async function ensureRoom(spec: ClosureSpec, fetchBytes: number, deps: ChooseDeps): Promise<void> {
  const needed = fetchBytes + spec.keepFreeBytes;
  let free = await freeBytes(storeDir);
  if (free >= needed) return;
  if (spec.gcCommand) {
    deps.log.warn(
      `the closure needs ${formatSize(fetchBytes)} and ${formatSize(spec.keepFreeBytes)} must stay free, but ${storeDir}'s file system has ${formatSize(free)}: running ${spec.gcCommand.name} first`,
    );
    await runCommand(spec.gcCommand, deps);
    free = await freeBytes(storeDir);
    if (free >= needed) return;
  }
  throw new ClosureRefused(
    `not enough space for the closure: it needs ${formatSize(fetchBytes)} and system.closure.keepFree ${formatSize(spec.keepFreeBytes)} must stay free, but ${storeDir}'s file system has ${formatSize(free)} (${fetchBytes + spec.keepFreeBytes} bytes needed, ${free} free)`,
    spec.gcCommand
      ? 'free space on the Nix store (nix-collect-garbage), or lower keepFree'
      : 'free space on the Nix store (nix-collect-garbage), or set system.closure.gcCommand to do it first',
  );
}
