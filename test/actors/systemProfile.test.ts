// The Nix system profile on real symlinks, switched by the real `nix-env`: which generation is
// active, exactly the saved one put back and activated, and what each refusal says.
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rollbackSystem } from '../../src/actors/rollbackSystem.js';
import {
  checkGeneration,
  currentGeneration,
  generationLink,
  readGeneration,
  switchToGeneration,
} from '../../src/actors/systemProfile.js';
import { nixConfig } from '../../demo/nixSystem.js';
import { memoryLog } from '../support/memoryLog.js';

let dir: string;
let profile: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xs-upgrade-profile-'));
  await mkdir(join(dir, 'profiles'));
  profile = join(dir, 'profiles', 'system');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** Generation `number`: a "system" folder whose switch-to-configuration notes how it was called. */
async function generation(number: number): Promise<string> {
  const system = join(dir, `system-${number}`);
  await mkdir(join(system, 'bin'), { recursive: true });
  await writeFile(
    join(system, 'bin', 'switch-to-configuration'),
    `#!/bin/sh\necho "${number} $1" >> "${join(dir, 'activated')}"\n`,
  );
  await chmod(join(system, 'bin', 'switch-to-configuration'), 0o755);
  await symlink(system, generationLink(profile, number));
  return system;
}

async function activate(number: number) {
  await rm(profile, { force: true });
  await symlink(`system-${number}-link`, profile);
}

const deps = () => ({
  log: memoryLog(),
  env: { ...process.env, NIX_CONFIG: nixConfig },
  signal: new AbortController().signal,
});

describe('readGeneration', () => {
  it('reads the active generation and its system', async () => {
    const system = await generation(41);
    await activate(41);
    expect(await readGeneration(profile)).toEqual({ profile, generation: 41, storePath: system });
    expect(generationLink(profile, 7)).toBe(join(dir, 'profiles', 'system-7-link'));
  });

  it('says why a path is not a profile', async () => {
    const notAProfile = (why: string) =>
      `${profile} is not a Nix profile (${why}): set "system.profile" to the system profile (on NixOS /nix/var/nix/profiles/system)`;
    await expect(readGeneration(profile)).rejects.toThrow(notAProfile('it does not exist'));
    expect(await currentGeneration(profile)).toBeUndefined();
    await writeFile(profile, 'a file');
    await expect(readGeneration(profile)).rejects.toThrow(notAProfile('it is not a symlink'));
    await rm(profile);
    await symlink('/nix/store/abc-nixos-system', profile);
    await expect(readGeneration(profile)).rejects.toThrow(
      notAProfile('it points at /nix/store/abc-nixos-system, not at a generation'),
    );
    await activate(12);
    await expect(readGeneration(profile)).rejects.toThrow(
      notAProfile('its generation 12 is missing'),
    );
  });
});

describe('switchToGeneration', () => {
  it('puts exactly the saved generation back with nix-env and activates it', async () => {
    await generation(41);
    await generation(42);
    await generation(43);
    await activate(43);
    const saved = { profile, generation: 41, storePath: join(dir, 'system-41') };
    await switchToGeneration(saved, deps());
    expect((await readGeneration(profile)).generation).toBe(41);
    expect(await readFile(join(dir, 'activated'), 'utf8')).toBe('41 switch\n');
    await activate(43);
    await switchToGeneration(saved, deps(), 'boot');
    expect(await readFile(join(dir, 'activated'), 'utf8')).toBe('41 switch\n41 boot\n');
  });

  it('refuses a generation that is gone, naming the commands that would pick another', async () => {
    await generation(42);
    await activate(42);
    const saved = { profile, generation: 41, storePath: join(dir, 'system-41') };
    await expect(switchToGeneration(saved, deps())).rejects.toThrow(
      `generation 41 of ${profile} no longer exists (garbage-collected?): pick one that does with \`nix-env -p ${profile} --list-generations\`, then \`nix-env -p ${profile} --switch-generation N\` and \`${profile}/bin/switch-to-configuration switch\``,
    );
    expect((await readGeneration(profile)).generation).toBe(42);
  });
});

describe('checkGeneration and rollbackSystem', () => {
  it('fails a rollback that left the profile on another generation, saying how to fix it', async () => {
    await generation(41);
    await generation(42);
    await activate(42);
    const saved = { profile, generation: 41, storePath: join(dir, 'system-41') };
    await expect(checkGeneration(saved)).rejects.toThrow(
      `after the rollback, ${profile} is on generation 42, not the saved generation 41: put it back by hand (\`nix-env -p ${profile} --switch-generation 41\`, then \`${profile}/bin/switch-to-configuration switch\`)`,
    );
    await rm(profile);
    await expect(checkGeneration(saved)).rejects.toThrow(
      `after the rollback, ${profile} is not a Nix profile (it does not exist)`,
    );
  });

  it('runs the configured rollbackSwitch instead, then checks the generation', async () => {
    await generation(41);
    await generation(42);
    await activate(42);
    const saved = { profile, generation: 41, storePath: join(dir, 'system-41') };
    const command = (argv: string[]) => ({ name: 'x', run: { argv }, env: {}, cwd: dir });
    // A rollbackSwitch that does put generation 41 back: done.
    await rollbackSystem(
      {
        switch: command(['false']),
        rollbackSwitch: command(['ln', '-sfn', 'system-41-link', profile]),
        system: { profile },
      },
      saved,
      deps(),
    );
    expect((await readGeneration(profile)).generation).toBe(41);
    // One that does not: the rollback failed, whatever the command said.
    await activate(42);
    await expect(
      rollbackSystem(
        { switch: command(['false']), rollbackSwitch: command(['true']), system: { profile } },
        saved,
        deps(),
      ),
    ).rejects.toThrow(/is on generation 42, not the saved generation 41/);
    // Without a profile: the switch again, under its own name.
    const log = memoryLog();
    await rollbackSystem({ switch: command(['echo', 'switched back']) }, undefined, {
      ...deps(),
      log,
    });
    expect(log.lines).toContain('[rollback-switch] switched back');
  });
});
