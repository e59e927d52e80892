// The Nix system profile (`system.profile`): which generation is active, and putting exactly a
// saved generation back. A profile is a symlink PROFILE -> PROFILE-N-link, and each
// PROFILE-N-link points at a system in /nix/store whose bin/switch-to-configuration activates it
// (what `nixos-rebuild switch --rollback` does, but to a named generation, not "the previous one":
// a failed switch may have made no new generation, or two).
import { lstat, readlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { SavedGeneration } from '../machine/types.js';
import { runCommand, type CommandDeps } from './runCommand.js';

/** A profile path that is not what a Nix profile looks like: nothing is moved. */
export class NotAProfileError extends Error {
  constructor(profile: string, why: string) {
    super(
      `${profile} is not a Nix profile (${why}): set "system.profile" to the system profile (on NixOS /nix/var/nix/profiles/system)`,
    );
    this.name = 'NotAProfileError';
  }
}

/** The path of generation `number` of `profile`. */
export const generationLink = (profile: string, number: number) =>
  join(dirname(profile), `${basename(profile)}-${number}-link`);

/** The generation `profile` points at now. Throws NotAProfileError when it is not a profile. */
export async function readGeneration(profile: string): Promise<SavedGeneration> {
  const target = await readlink(profile).catch((error: NodeJS.ErrnoException) => {
    throw new NotAProfileError(
      profile,
      error.code === 'ENOENT' ? 'it does not exist' : 'it is not a symlink',
    );
  });
  const match = new RegExp(`^(?:.*/)?${escapeRegExp(basename(profile))}-(\\d+)-link$`).exec(target);
  if (!match) throw new NotAProfileError(profile, `it points at ${target}, not at a generation`);
  const number = Number(match[1]);
  const storePath = await readlink(generationLink(profile, number)).catch(() => {
    throw new NotAProfileError(profile, `its generation ${number} is missing`);
  });
  return { profile, generation: number, storePath };
}

/** The generation now, or undefined when the profile cannot be read (for reports only). */
export async function currentGeneration(profile: string): Promise<SavedGeneration | undefined> {
  return readGeneration(profile).catch(() => undefined);
}

/**
 * Puts `profile` back on exactly the saved generation and activates it (or makes it the boot
 * default), then checks that the profile is on it: anything else is a failed rollback, never a
 * silent success.
 */
export async function switchToGeneration(
  saved: SavedGeneration,
  deps: CommandDeps,
  /** `switch`: activate it now; `boot`: make it the boot default, for the next boot. */
  action: 'switch' | 'boot' = 'switch',
): Promise<void> {
  const link = generationLink(saved.profile, saved.generation);
  const exists = await lstat(link).then(
    () => true,
    () => false,
  );
  if (!exists) {
    throw new Error(
      `generation ${saved.generation} of ${saved.profile} no longer exists (garbage-collected?): pick one that does with \`nix-env -p ${saved.profile} --list-generations\`, then \`nix-env -p ${saved.profile} --switch-generation N\` and \`${saved.profile}/bin/switch-to-configuration switch\``,
    );
  }
  await runCommand(
    {
      name: 'rollback-generation',
      run: {
        argv: ['nix-env', '-p', saved.profile, '--switch-generation', String(saved.generation)],
      },
      env: {},
      cwd: dirname(saved.profile),
    },
    deps,
  );
  await runCommand(
    {
      name: 'rollback-activate',
      run: { argv: [join(link, 'bin', 'switch-to-configuration'), action] },
      env: {},
      cwd: dirname(saved.profile),
    },
    deps,
  );
  await checkGeneration(saved);
}

/** After a system rollback: the profile must be on the saved generation, or the rollback failed. */
export async function checkGeneration(saved: SavedGeneration): Promise<void> {
  const now = await readGeneration(saved.profile).catch((error: unknown) => {
    throw new Error(
      `after the rollback, ${error instanceof Error ? error.message : String(error)}`,
    );
  });
  if (now.generation !== saved.generation) {
    throw new Error(
      `after the rollback, ${saved.profile} is on generation ${now.generation}, not the saved generation ${saved.generation}: put it back by hand (\`nix-env -p ${saved.profile} --switch-generation ${saved.generation}\`, then \`${saved.profile}/bin/switch-to-configuration switch\`)`,
    );
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
