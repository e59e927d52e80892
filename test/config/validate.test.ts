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
      'a duration as a bare number',
      { ...base, healthChecks: [{ command: 'true', interval: 5 }] },
      '/healthChecks/0/interval: must be a duration string with its unit (got the number 5): write "5s" for seconds, or "5m", "5ms"',
    ],
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

// Word for word, every line: a test that only looks for a part lets a second, confusing line or a
// wrong "(got ...)" through. Written this way they found two: a command or window of the wrong
// form also got "must be an object", and a fleet with no coordinator got three lines.
describe('validateConfig: the whole message', () => {
  const nested = (levels: number): unknown => {
    let value: unknown = 1;
    for (let level = 0; level < levels; level += 1) value = { 'k/~': value };
    return value;
  };
  const cases: [string, unknown, string[]][] = [
    ['null', null, ['/: must be an object of options (got null)']],
    ['a number', 5, ['/: must be an object of options (got integer)']],
    ['a string', 'x', ['/: must be an object of options (got string)']],
    [
      'a fraction',
      { ...base, fetchRetries: 1.5 },
      ['/fetchRetries: must be a whole number (got number)'],
    ],
    [
      'null for a number',
      { ...base, fetchRetries: null },
      ['/fetchRetries: must be a whole number (got null)'],
    ],
    ['too many retries', { ...base, fetchRetries: 1000 }, ['/fetchRetries: must be <= 10']],
    [
      'a reboot without a system',
      { ...base, reboot: { when: 'needed' } },
      ['/: "reboot" needs "system" too: add it, or remove "reboot"'],
    ],
    [
      'an unknown time zone',
      { ...base, window: { start: '03:00', length: '1h', timeZone: 'Mars/Base' } },
      [
        '/window/timeZone: unknown time zone "Mars/Base" (use an IANA name such as "Europe/Berlin")',
      ],
    ],
    [
      'an unknown time zone in a list',
      {
        ...base,
        window: [
          { start: '03:00', length: '1h' },
          { start: '03:00', length: '1h', timeZone: 'Mars/Base' },
        ],
      },
      [
        '/window/1/timeZone: unknown time zone "Mars/Base" (use an IANA name such as "Europe/Berlin")',
      ],
    ],
    [
      'a typo two letters long',
      { ...base, persistentxy: true },
      ['/: unknown option "persistentxy": did you mean "persistent"?'],
    ],
    [
      'a typo in the last letter',
      { ...base, schedulx: 'daily' },
      ['/: unknown option "schedulx": did you mean "schedule"?'],
    ],
    [
      'a name in capitals',
      { ...base, SCHEDULE: 'daily' },
      ['/: unknown option "SCHEDULE": did you mean "schedule"?'],
    ],
    [
      'a short name, one letter off',
      { ...base, mde: 'local' },
      ['/: unknown option "mde": did you mean "mode"?'],
    ],
    // A command is a string, an argv or an object: one line for the form the value aimed at.
    [
      'a command that is a number',
      { ...base, build: 42 },
      ['/build: must be a string, an array or an object'],
    ],
    [
      'an argv with a number',
      { ...base, build: ['a', 5] },
      ['/build/1: must be a string (got integer)'],
    ],
    [
      'a command object whose run is a number',
      { ...base, build: { run: 5 } },
      ['/build/run: must be a string or an array'],
    ],
    [
      'a window that is a number',
      { ...base, window: 5 },
      ['/window: must be an object or an array'],
    ],
    [
      'a list of windows with a bad time',
      { ...base, window: [{ start: 'x', length: '1h' }] },
      ['/window/0/start: "x" is not valid: A time of day, HH:MM (24 hours).'],
    ],
    // The fleet talks to one coordinator: neither, or both, is one line naming the choice.
    [
      'a fleet with no coordinator',
      { ...base, fleet: {} },
      ['/fleet: give exactly one of "etcd" or "fleetLock"'],
    ],
    [
      'a fleet with two coordinators',
      {
        ...base,
        fleet: { etcd: { endpoints: ['http://a:2379'] }, fleetLock: { url: 'http://b' } },
      },
      ['/fleet: give exactly one of "etcd" or "fleetLock"'],
    ],
    // Only the coordinator's own errors are folded into that line: a problem elsewhere stays.
    [
      'a fleet with no coordinator and an option out of place',
      { ...base, fleet: {}, repos: [{ name: 'a', path: '/a', brnach: 'main' }] },
      [
        '/repos/0: unknown option "brnach": did you mean "branch"?',
        '/fleet: give exactly one of "etcd" or "fleetLock"',
      ],
    ],
    // A conditional part of the schema (local or remote mode) adds ajv's "must match the then
    // schema" beside the error that says what is wrong: only the latter is shown.
    [
      'repos in remote mode',
      { ...base, mode: 'remote' },
      ['/repos: repos are only valid in local mode: remove them or set "mode": "local"'],
    ],
    [
      'local mode without repos',
      { build: 'b', switch: 's' },
      ['/: missing required option "repos"'],
    ],
    // The nearest name wins, not the last one near enough.
    [
      'a typo near two options',
      { ...base, rebos: [] },
      ['/: unknown option "rebos": did you mean "repos"?'],
    ],
  ];

  it.each(cases)('%s', (_name, document, expected) => {
    const { config, errors } = validateConfig(document);
    expect(errors).toEqual(expected);
    expect(config).toBeUndefined();
  });

  it('takes a known time zone and an option name with no near match gets the allowed list', () => {
    expect(
      validateConfig({
        ...base,
        window: { start: '03:00', length: '1h', timeZone: 'Europe/Berlin' },
      }).errors,
    ).toEqual([]);
    // Three letters off is a different word: no guess, the list instead.
    const [line] = validateConfig({ ...base, persistentxyz: true }).errors;
    expect(line).toMatch(
      /^\/: unknown option "persistentxyz" \(allowed: \$schema, mode, schedule, .*\)$/,
    );
    // A short name allows fewer edits: two in four letters is another word, one in three too.
    expect(validateConfig({ ...base, mdoe: 'local' }).errors).toEqual([
      expect.stringMatching(/^\/: unknown option "mdoe" \(allowed: /),
    ]);
    expect(validateConfig({ ...base, build: { run: 'b', q: 1 } }).errors).toEqual([
      '/build: unknown option "q" (allowed: name, run, timeout, env, secretEnv, cwd)',
    ]);
  });

  it('stops at 64 levels of nesting, naming where (keys escaped as in a JSON pointer)', () => {
    const [deep] = validateConfig({ ...base, fleet: nested(64) }).errors;
    expect(deep).toBe(
      `/fleet${'/k~1~0'.repeat(64)}: nested more than 64 levels deep, which no option is: fix the document`,
    );
    // One level less is looked at by the schema like any other value.
    const errors = validateConfig({ ...base, fleet: nested(63) }).errors;
    expect(errors).toContain('/fleet: give exactly one of "etcd" or "fleetLock"');
    expect(errors.join('\n')).not.toMatch(/nested more than/);
  });

  it('shows at most 50 problems, then one line saying there are more', () => {
    const repos = (count: number) =>
      Array.from({ length: count }, (_, index) => ({ name: `r${index}`, path: '/a', extra: 1 }));
    const fifty = validateConfig({ ...base, repos: repos(50) }).errors;
    expect(fifty).toHaveLength(50);
    expect(fifty.at(-1)).toBe(
      '/repos/49: unknown option "extra" (allowed: name, path, remote, branch, requireSignedCommits, allowedSignersFile)',
    );
    const more = validateConfig({ ...base, repos: repos(51) }).errors;
    expect(more).toHaveLength(51);
    expect(more.at(-2)).toMatch(/^\/repos\/49: /);
    expect(more.at(-1)).toBe('/: more problems not shown: fix the ones above, then validate again');
  });
});

describe('fleet.follow: waves and gates', () => {
  const follow = (extra: Record<string, unknown>) => ({
    ...base,
    fleet: {
      group: 'web',
      etcd: { endpoints: ['http://127.0.0.1:2379'] },
      follow: { group: 'canary', ...extra },
    },
  });

  it('takes waves that grow to 100% and gates of either kind, resolved to shares and specs', async () => {
    const { resolveConfig } = await import('../../src/config/resolve.js');
    const { config, errors } = validateConfig(
      follow({
        soak: '1h',
        waves: [{ share: '5%', soak: '2h' }, { share: '25%' }, { share: '100%' }],
        gates: [
          { name: 'smoke', command: ['true'] },
          {
            name: 'errors',
            prometheus: { url: 'http://prom:9090', query: 'up', max: 0 },
            timeout: '5s',
          },
        ],
      }),
    );
    expect(errors).toEqual([]);
    const resolved = resolveConfig(config as never, '/etc/xs-upgrade/host.json', '/etc/xs-upgrade');
    expect(resolved.fleet?.follow?.waves).toEqual([
      { share: 0.05, soakMs: 7_200_000 },
      { share: 0.25, soakMs: 3_600_000 },
      { share: 1, soakMs: 3_600_000 },
    ]);
    expect(
      resolved.fleet?.follow?.gates.map((gate) => [
        gate.name,
        gate.timeoutMs,
        Object.keys(gate.check)[0],
      ]),
    ).toEqual([
      ['smoke', 30_000, 'command'],
      ['errors', 5_000, 'prometheus'],
    ]);
    const plain = validateConfig(follow({}));
    expect(resolveConfig(plain.config as never, '/x.json', '/').fleet?.follow).toMatchObject({
      waves: [{ share: 1, soakMs: 7_200_000 }],
      gates: [],
    });
  });

  it.each([
    [
      'shares that do not grow',
      { waves: [{ share: '25%' }, { share: '5%' }, { share: '100%' }] },
      ['/fleet/follow/waves/1/share: must be larger than the wave before it (25%)'],
    ],
    [
      'a last wave short of 100%',
      { waves: [{ share: '5%' }, { share: '50%' }] },
      [
        '/fleet/follow/waves/1/share: the last wave must be "100%", or the rollout would never reach the rest of the group',
      ],
    ],
    [
      'a share of 0%',
      { waves: [{ share: '0%' }, { share: '100%' }] },
      ['/fleet/follow/waves/0/share: must be more than 0%'],
    ],
    [
      'a gate with both kinds, and one with neither',
      {
        gates: [
          { name: 'a', command: 'true', prometheus: { url: 'http://p', query: 'up', max: 1 } },
          { name: 'b' },
        ],
      },
      [
        '/fleet/follow/gates/0: give exactly one of "command" and "prometheus"',
        '/fleet/follow/gates/1: give exactly one of "command" and "prometheus"',
      ],
    ],
    [
      'two gates of one name, a query with no range, a range nothing passes',
      {
        gates: [
          { name: 'a', prometheus: { url: 'http://p', query: 'up' } },
          { name: 'a', prometheus: { url: 'http://p', query: 'up', min: 2, max: 1 } },
        ],
      },
      [
        '/fleet/follow/gates/0/prometheus: give "min", "max" or both: the range a value must lie in to pass',
        '/fleet/follow/gates/1/name: "a" names two gates: give each its own',
        '/fleet/follow/gates/1/prometheus: min 2 is above max 1: no value could pass',
      ],
    ],
  ])('refuses %s, naming where', (_what, extra, expected) => {
    expect(validateConfig(follow(extra)).errors).toEqual(expected);
  });

  it('refuses a share that is not a percentage', () => {
    const { errors } = validateConfig(follow({ waves: [{ share: '0.5' }, { share: '100%' }] }));
    expect(errors.join('\n')).toMatch(/\/fleet\/follow\/waves\/0\/share/);
  });
});
