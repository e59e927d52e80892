// Secrets the config names instead of holding ({"env": NAME}, {"credential": NAME}): read when a
// command that may send a notification starts, so they never sit in the config file (on NixOS,
// the world-readable store). Each value read joins the config's secrets, redacted everywhere.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { urlSecrets } from '../redact.js';
import type { ResolvedConfig } from './resolve.js';
import type { SecretRef } from './schema.generated.js';

/** Reads one reference; a string saying what is missing and how to provide it when it cannot. */
async function readSecret(
  ref: SecretRef,
  where: string,
  env: NodeJS.ProcessEnv,
): Promise<{ value: string } | { problem: string }> {
  if ('env' in ref && ref.env !== undefined) {
    const value = env[ref.env];
    return value === undefined || value === ''
      ? {
          problem: `${where} names ${ref.env}, which is not set in the environment: set it (systemd: EnvironmentFile=; NixOS: services.xs-upgrade.secretEnvFile)`,
        }
      : { value };
  }
  const name = ref.credential ?? '';
  const directory = env.CREDENTIALS_DIRECTORY;
  if (!directory) {
    return {
      problem: `${where} names the credential ${name}, but no credentials were passed ($CREDENTIALS_DIRECTORY is not set): give the unit LoadCredential=${name}:FILE (NixOS: services.xs-upgrade.credentials)`,
    };
  }
  try {
    // A credential file usually ends with a newline nobody meant as part of the secret.
    return { value: (await readFile(join(directory, name), 'utf8')).replace(/\r?\n$/, '') };
  } catch (error) {
    return {
      problem: `${where} names the credential ${name}, which cannot be read from ${directory} (${(error as NodeJS.ErrnoException).code ?? 'error'}): check LoadCredential=${name}:FILE`,
    };
  }
}

/**
 * Fills in every webhook URL and header the config names by reference, in place, and adds the
 * values to `config.secrets`. Returns the problems, one line each, with the JSON pointer.
 */
export async function resolveSecretRefs(
  config: ResolvedConfig,
  env: NodeJS.ProcessEnv,
): Promise<string[]> {
  const problems: string[] = [];
  for (const [index, notification] of config.notify.entries()) {
    if (!('webhook' in notification.target)) continue;
    const webhook = notification.target.webhook;
    const refs = webhook.secretRefs;
    if (!refs) continue;
    const pointer = `/notify/${index}/webhook`;
    if (refs.url) {
      const read = await readSecret(refs.url, `${pointer}/url`, env);
      if ('problem' in read) problems.push(read.problem);
      else if (!/^https?:\/\/\S+$/.test(read.value))
        problems.push(`${pointer}/url: the value it names is not an http:// or https:// URL`);
      else {
        webhook.url = read.value;
        config.secrets.push(read.value, ...urlSecrets(read.value));
      }
    }
    for (const [header, ref] of Object.entries(refs.headers)) {
      const read = await readSecret(ref, `${pointer}/headers/${header}`, env);
      if ('problem' in read) problems.push(read.problem);
      else {
        webhook.headers[header] = read.value;
        config.secrets.push(read.value);
      }
    }
  }
  return problems;
}
