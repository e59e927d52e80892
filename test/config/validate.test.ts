import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/validate.js';
import { packageRoot } from '../../src/packageFiles.js';

const base = {
  repos: [{ name: 'nix-config', path: '/etc/nixos' }],
  build: 'nixos-rebuild build',
  switch: 'nixos-rebuild switch',
};

describe('validateConfig', () => {
  it('fills in the documented defaults', () => {
    const { config, errors } = validateConfig(base);
    expect(errors).toEqual([]);
    expect(config).toMatchObject({
      mode: 'local',
      schedule: '04:00',
      stateDir: '/var/lib/xs-upgrade',
      buildBeforeSwitch: true,
      onValidationFailure: 'rollback',
      repos: [{ name: 'nix-config', path: '/etc/nixos', remote: 'origin', branch: 'main' }],
      preUpdateHooks: [],
      validationChecks: [],
    });
  });

  it("leaves the caller's document as it was", () => {
    const document = structuredClone(base);
    validateConfig(document);
    expect(document).toEqual(base);
  });

  it.each(['demo.json', 'example-nixos.json', 'minimal.json'])(
    'accepts configs/%s',
    async (file) => {
      const document: unknown = JSON.parse(
        await readFile(join(packageRoot, 'configs', file), 'utf8'),
      );
      expect(validateConfig(document).errors).toEqual([]);
    },
  );

  it('accepts remote mode without repos or build when buildBeforeSwitch is false', () => {
    const { errors } = validateConfig({
      mode: 'remote',
      buildBeforeSwitch: false,
      switch: 'deploy',
    });
    expect(errors).toEqual([]);
  });

  // Each bad config must be refused with one line that points at the bad place.
  const badConfigs: [string, unknown, string][] = [
    ['not an object', ['a'], '/: must be an object of options (got array)'],
    [
      'wrong type for a boolean',
      { ...base, buildBeforeSwitch: 'yes' },
      '/buildBeforeSwitch: must be true or false (got string)',
    ],
    ['unknown key', { ...base, swtich: 'x' }, '/: unknown option "swtich"'],
    [
      'unknown key in a repo',
      { ...base, repos: [{ name: 'a', path: '/a', brnach: 'main' }] },
      '/repos/0: unknown option "brnach"',
    ],
    [
      'bad enum',
      { ...base, onValidationFailure: 'panic' },
      '/onValidationFailure: must be one of "rollback", "notify", "ignore" (got "panic")',
    ],
    [
      'hooks in remote mode',
      { mode: 'remote', preUpdateHooks: ['x'], build: 'b', switch: 's' },
      '/preUpdateHooks: preUpdateHooks are only valid in local mode',
    ],
    [
      'repos in remote mode',
      { ...base, mode: 'remote' },
      '/repos: repos are only valid in local mode',
    ],
    ['local mode without repos', { build: 'b', switch: 's' }, '/: missing required option "repos"'],
    [
      'no build while buildBeforeSwitch',
      { repos: base.repos, switch: 's' },
      '/: missing required option "build"',
    ],
    ['no switch', { repos: base.repos, build: 'b' }, '/: missing required option "switch"'],
    ['empty repos', { ...base, repos: [] }, '/repos: must NOT have fewer than 1 items'],
    [
      'repo without a path',
      { ...base, repos: [{ name: 'a' }] },
      '/repos/0: missing required option "path"',
    ],
    [
      'duplicate repo names',
      {
        ...base,
        repos: [
          { name: 'a', path: '/a' },
          { name: 'a', path: '/b' },
        ],
      },
      '/repos/1/name: repo name "a" is already used by /repos/0',
    ],
    [
      'bad repo name',
      { ...base, repos: [{ name: '../etc', path: '/a' }] },
      '/repos/0/name: "../etc" is not valid',
    ],
    [
      'command of the wrong type',
      { ...base, build: 42 },
      '/build: must be a string, an array or an object',
    ],
    ['empty argv', { ...base, switch: [] }, '/switch: must NOT have fewer than 1 items'],
    [
      'argv with a number',
      { ...base, switch: ['nixos-rebuild', 3] },
      '/switch/1: must be a string (got integer)',
    ],
    [
      'command object without run',
      { ...base, validationChecks: [{ name: 'x' }] },
      '/validationChecks/0: missing required option "run"',
    ],
    [
      'bad duration',
      { ...base, build: { run: 'b', timeout: '10 fortnights' } },
      '/build/timeout: "10 fortnights" is not valid: A duration such as',
    ],
    [
      'a typo in an option name',
      { ...base, valdationChecks: [] },
      '/: unknown option "valdationChecks": did you mean "validationChecks"?',
    ],
    [
      'an option name in the wrong case',
      { ...base, onvalidationfailure: 'notify' },
      '/: unknown option "onvalidationfailure": did you mean "onValidationFailure"?',
    ],
    [
      'env value not a string',
      { ...base, build: { run: 'b', env: { N: 1 } } },
      '/build/env/N: must be a string (got integer)',
    ],
  ];

  it.each(badConfigs)('refuses %s', (_name, document, expected) => {
    const { config, errors } = validateConfig(document);
    expect(config).toBeUndefined();
    expect(errors.join('\n')).toContain(expected);
    for (const line of errors) expect(line).toMatch(/^\/\S*: /);
  });

  it('reports every problem, not only the first', () => {
    const { errors } = validateConfig({ ...base, buildBeforeSwitch: 1, mode: 'far', extra: true });
    expect(errors).toHaveLength(3);
  });

  it('takes a webhook URL or header named as a secret, and says in one line what is wrong', () => {
    const webhook = (value: unknown) =>
      validateConfig({ ...base, notify: [{ webhook: value, on: ['failure'] }] }).errors;
    expect(webhook({ url: { env: 'NTFY_URL' }, headers: { A: { credential: 'token' } } })).toEqual(
      [],
    );
    expect(webhook({ url: 'ftp://x' })).toEqual([
      '/notify/0/webhook/url: "ftp://x" is not valid: must match ^https?://[^\\s]+$',
    ]);
    expect(webhook({ url: { env: 'A', credential: 'b' } })).toEqual([
      '/notify/0/webhook/url: give exactly one of "env" or "credential"',
    ]);
    expect(webhook({ url: {} })).toEqual([
      '/notify/0/webhook/url: give exactly one of "env" or "credential"',
    ]);
    expect(webhook({ url: 'https://x', headers: { A: { file: 'x' } } })).toEqual([
      '/notify/0/webhook/headers/A: unknown option "file" (allowed: env, credential)',
    ]);
    expect(webhook({ url: { env: 'not a name' } })).toHaveLength(1);
  });
});
