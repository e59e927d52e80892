// Secrets a config names ({"env"}, {"credential"}) read into the resolved config: real files in
// a temp folder stand in for systemd's $CREDENTIALS_DIRECTORY.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve.js';
import { resolveSecretRefs } from '../../src/config/secretRefs.js';
import { validateConfig } from '../../src/config/validate.js';

let credentials: string;
beforeAll(async () => {
  credentials = await mkdtemp(join(tmpdir(), 'xs-upgrade-credentials-'));
  await writeFile(join(credentials, 'token'), 'Bearer abc\n');
});
afterAll(() => rm(credentials, { recursive: true, force: true }));

function configWith(webhook: unknown) {
  const { config, errors } = validateConfig({
    mode: 'remote',
    buildBeforeSwitch: false,
    switch: 'true',
    notify: [{ webhook, on: ['failure'] }],
  });
  expect(errors).toEqual([]);
  if (!config) throw new Error('invalid');
  return resolveConfig(config, '/etc/xs-upgrade/host.json', '/etc/xs-upgrade');
}

const webhookOf = (config: ReturnType<typeof configWith>) => {
  const target = config.notify[0]?.target;
  if (!target || !('webhook' in target)) throw new Error('no webhook');
  return target.webhook;
};

describe('resolveSecretRefs', () => {
  it('fills in the URL and headers, and adds every value to the redacted secrets', async () => {
    const config = configWith({
      url: { env: 'HOOK' },
      headers: { Authorization: { credential: 'token' }, 'X-Plain': 'plain' },
    });
    expect(webhookOf(config).url).toBe('');
    const problems = await resolveSecretRefs(config, {
      HOOK: 'https://user:pw@hooks.example.org/T0K3N',
      CREDENTIALS_DIRECTORY: credentials,
    });
    expect(problems).toEqual([]);
    expect(webhookOf(config).url).toBe('https://user:pw@hooks.example.org/T0K3N');
    expect(webhookOf(config).headers).toEqual({ 'X-Plain': 'plain', Authorization: 'Bearer abc' });
    expect(config.secrets).toEqual(
      expect.arrayContaining(['https://user:pw@hooks.example.org/T0K3N', 'Bearer abc', 'pw']),
    );
  });

  it('names what is missing or wrong, one line each', async () => {
    const config = configWith({
      url: { env: 'HOOK' },
      headers: { A: { credential: 'absent' }, B: { env: 'EMPTY' } },
    });
    const problems = await resolveSecretRefs(config, {
      HOOK: 'ftp://not-http',
      EMPTY: '',
      CREDENTIALS_DIRECTORY: credentials,
    });
    expect(problems).toEqual([
      '/notify/0/webhook/url: the value it names is not an http:// or https:// URL',
      `/notify/0/webhook/headers/A names the credential absent, which cannot be read from ${credentials} (ENOENT): check LoadCredential=absent:FILE`,
      '/notify/0/webhook/headers/B names EMPTY, which is not set in the environment: set it (systemd: EnvironmentFile=; NixOS: services.xs-upgrade.secretEnvFile)',
    ]);
    // A value that is not a URL is never kept, nor a secret that could not be read.
    expect(webhookOf(config).url).toBe('');
  });

  it('says how to pass credentials when none were passed', async () => {
    const config = configWith({ url: { credential: 'hook-url' } });
    expect(await resolveSecretRefs(config, {})).toEqual([
      '/notify/0/webhook/url names the credential hook-url, but no credentials were passed ($CREDENTIALS_DIRECTORY is not set): give the unit LoadCredential=hook-url:FILE (NixOS: services.xs-upgrade.credentials)',
    ]);
  });

  it('takes off one final line break, CRLF too, and nothing else', async () => {
    await writeFile(join(credentials, 'crlf'), 'line one\r\nline two\r\n');
    const config = configWith({ url: 'https://h/', headers: { A: { credential: 'crlf' } } });
    expect(await resolveSecretRefs(config, { CREDENTIALS_DIRECTORY: credentials })).toEqual([]);
    expect(webhookOf(config).headers.A).toBe('line one\r\nline two');
  });

  it('takes only a whole http(s) URL from a reference', async () => {
    const problem = '/notify/0/webhook/url: the value it names is not an http:// or https:// URL';
    for (const [value, accepted] of [
      ['http://hooks.example/x', true],
      ['https://hooks.example/x', true],
      ['see https://hooks.example/x', false],
      ['https://hooks.example/x and more', false],
      ['https://', false],
    ] as const) {
      const config = configWith({ url: { env: 'HOOK' } });
      const problems = await resolveSecretRefs(config, { HOOK: value });
      expect(problems, value).toEqual(accepted ? [] : [problem]);
      expect(webhookOf(config).url, value).toBe(accepted ? value : '');
    }
  });
});
