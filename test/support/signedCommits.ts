// Real SSH signing keys and signed commits, for `requireSignedCommits`: a "release" key the
// allowed_signers file names and a "stranger" key it does not.
import { execa } from 'execa';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sandbox } from '../../demo/sandbox.js';

export type SigningKey = 'release' | 'stranger';

/** Makes both keys in `<dir>/keys` and `<dir>/allowed_signers` naming the release key. */
export async function signingKeys(dir: string): Promise<{ keys: string; allowedSigners: string }> {
  const keys = join(dir, 'keys');
  await mkdir(keys, { recursive: true });
  for (const name of ['release', 'stranger'])
    await execa('ssh-keygen', [
      '-q',
      '-t',
      'ed25519',
      '-N',
      '',
      '-C',
      name,
      '-f',
      join(keys, name),
    ]);
  const releaseKey = (await readFile(join(keys, 'release.pub'), 'utf8')).trim();
  const allowedSigners = join(dir, 'allowed_signers');
  await writeFile(allowedSigners, `release@example.org ${releaseKey}\n`);
  return { keys, allowedSigners };
}

/** Commits `content` to nix-config upstream, signed with `key` (or unsigned), pushes, and
 * returns the new upstream commit. */
export async function pushSigned(
  sandbox: Sandbox,
  keys: string,
  key: SigningKey | undefined,
  content: string,
): Promise<string> {
  const clone = join(sandbox.dir, 'upstream', 'nix-config');
  await writeFile(join(clone, 'configuration.nix'), content);
  const sign = key ? ['-c', 'gpg.format=ssh', '-c', `user.signingkey=${join(keys, key)}`] : [];
  await sandbox.git(
    [...sign, 'commit', '--quiet', '-am', content, ...(key ? ['-S'] : ['--no-gpg-sign'])],
    clone,
  );
  await sandbox.git(['push', '--quiet', 'origin', 'main'], clone);
  return sandbox.remoteHead('nix-config');
}
