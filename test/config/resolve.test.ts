// What the runner is handed for a valid config: every default, every name a log line uses, every
// path made absolute, every secret the redactor must hide. The e2e runs reach this too, but a
// wrong default there shows as a puzzling run; here it is named.
import { beforeEach, describe, expect, it } from 'vitest';
import {
  commandText,
  conditionsConfigured,
  resolveConfig,
  type ResolvedConfig,
} from '../../src/config/resolve.js';
import { validateConfig } from '../../src/config/validate.js';

const configDir = '/etc/xs-upgrade';
const base = { repos: [{ name: 'nixos', path: 'nixos' }], build: 'build-it', switch: 'switch-it' };

function resolved(document: Record<string, unknown>): ResolvedConfig {
  const { config, errors } = validateConfig({ ...base, ...document });
  expect(errors).toEqual([]);
  return resolveConfig(config!, `${configDir}/host.json`, configDir);
}

describe('resolveConfig: defaults', () => {
  // Resolved inside each test, not once for the file: mutation testing counts what a test runs
  // while it runs, and a result computed before the tests would be checked by none of them.
  let config: ResolvedConfig;
  beforeEach(() => {
    config = resolved({});
  });

  it('reboots never, with shutdown -r +1 named "reboot", checking /run/booted-system', () => {
    expect(config.reboot).toStrictEqual({
      when: 'never',
      command: { name: 'reboot', run: { argv: ['shutdown', '-r', '+1'] }, env: {}, cwd: configDir },
      bootedSystem: '/run/booted-system',
    });
  });

  it('has no window, no conditions, sysfs at /sys, and nothing optional set', () => {
    expect(config.windows).toEqual([]);
    expect(config.conditions).toEqual({ acPower: false, unmetered: false, sysfsRoot: '/sys' });
    expect(conditionsConfigured(config)).toBe(false);
    for (const key of ['rollbackSwitch', 'metricsFile', 'system', 'fleet'] as const)
      expect(config, key).not.toHaveProperty(key);
    expect(config.bootChecks).toEqual([]);
    expect(config.secrets).toEqual([]);
  });

  it('names the switch "switch", runs a string through the shell, in the config folder', () => {
    expect(config.build).toEqual({
      name: 'build',
      run: { shell: 'build-it' },
      env: {},
      cwd: configDir,
    });
    expect(config.switch).toEqual({
      name: 'switch',
      run: { shell: 'switch-it' },
      env: {},
      cwd: configDir,
    });
    expect(config.file).toBe(`${configDir}/host.json`);
  });
});

describe('resolveConfig: names and paths', () => {
  it('names a lone hook or check by its kind, several by kind and number from 1', () => {
    const one = resolved({ preUpdateHooks: ['a'], validationChecks: ['c'] });
    expect(one.preUpdateHooks.map((hook) => hook.name)).toEqual(['hook']);
    expect(one.validationChecks.map((check) => check.name)).toEqual(['check']);
    const many = resolved({ preUpdateHooks: ['a', 'b'], validationChecks: ['c', 'd', 'e'] });
    expect(many.preUpdateHooks.map((hook) => hook.name)).toEqual(['hook 1', 'hook 2']);
    expect(many.validationChecks.map((check) => check.name)).toEqual([
      'check 1',
      'check 2',
      'check 3',
    ]);
  });

  it('names build, rollback switch and reboot command by their role unless the config does', () => {
    const config = resolved({
      build: ['nix', 'build'],
      rollbackSwitch: 'back',
      system: { profile: '/nix/var/nix/profiles/system' },
      reboot: { when: 'always', command: { name: 'kexec', run: ['kexec', '-e'] } },
    });
    expect(config.build).toMatchObject({ name: 'build', run: { argv: ['nix', 'build'] } });
    expect(config.rollbackSwitch).toMatchObject({ name: 'rollback-switch' });
    expect(config.reboot.command).toMatchObject({ name: 'kexec', run: { argv: ['kexec', '-e'] } });
    expect(config.reboot.when).toBe('always');
  });

  it('resolves the state dir, repo paths, the signers file and the metrics file from the config folder', () => {
    const config = resolved({
      stateDir: 'state',
      metricsFile: '../metrics/xs.prom',
      repos: [
        { name: 'signed', path: 'a', requireSignedCommits: true, allowedSignersFile: 'signers' },
        { name: 'unsigned', path: '/srv/b', allowedSignersFile: 'signers' },
      ],
    });
    expect(config.stateDir).toBe(`${configDir}/state`);
    expect(config.metricsFile).toBe('/etc/metrics/xs.prom');
    expect(config.repos[0]).toMatchObject({
      path: `${configDir}/a`,
      allowedSignersFile: `${configDir}/signers`,
    });
    // A signers file without requireSignedCommits asks for nothing: no check, so no path.
    expect(config.repos[1]?.path).toBe('/srv/b');
    expect(config.repos[1]).not.toHaveProperty('allowedSignersFile');
    expect(config.repos[0]).not.toHaveProperty('requireSignedCommits');
  });

  it('keeps a command object whole: timeout in ms, env with secretEnv over it, cwd resolved', () => {
    const config = resolved({
      switch: {
        run: 'go',
        timeout: '90s',
        env: { A: '1', TOKEN: 'plain' },
        secretEnv: { TOKEN: 'hidden-value' },
        cwd: 'work',
      },
    });
    expect(config.switch).toEqual({
      name: 'switch',
      run: { shell: 'go' },
      timeoutMs: 90_000,
      env: { A: '1', TOKEN: 'hidden-value' },
      cwd: `${configDir}/work`,
    });
  });
});

describe('resolveConfig: reboots, windows and conditions', () => {
  it('keeps the reboot window, the booted-system link and the system profile', () => {
    const config = resolved({
      system: { profile: '/nix/var/nix/profiles/system' },
      reboot: { when: 'needed', window: { lower: '02:00', upper: '04:30' }, bootedSystem: '/b' },
    });
    expect(config.system).toEqual({ profile: '/nix/var/nix/profiles/system' });
    expect(config.reboot.window).toEqual({ lower: '02:00', upper: '04:30' });
    expect(config.reboot.bootedSystem).toBe('/b');
  });

  it('takes one window or a list, with days and time zone only when given', () => {
    const one = resolved({ window: { start: '03:00', length: '2h' } });
    expect(one.windows).toEqual([{ start: '03:00', lengthMs: 7_200_000 }]);
    expect(conditionsConfigured(one)).toBe(true);
    const two = resolved({
      window: [
        { start: '01:00', length: '30m', days: ['Sat', 'Sun'] },
        { start: '22:00', length: '1h', timeZone: 'Europe/Berlin' },
      ],
    });
    expect(two.windows).toEqual([
      { start: '01:00', lengthMs: 1_800_000, days: ['Sat', 'Sun'] },
      { start: '22:00', lengthMs: 3_600_000, timeZone: 'Europe/Berlin' },
    ]);
  });

  it('counts either condition alone as configured, and keeps the sysfs root', () => {
    const ac = resolved({ conditions: { acPower: true, sysfsRoot: '/tmp/sys' } });
    expect(ac.conditions).toEqual({ acPower: true, unmetered: false, sysfsRoot: '/tmp/sys' });
    expect(conditionsConfigured(ac)).toBe(true);
    const metered = resolved({ conditions: { unmetered: true } });
    expect(metered.conditions).toMatchObject({ acPower: false, unmetered: true });
    expect(conditionsConfigured(metered)).toBe(true);
    expect(conditionsConfigured(resolved({ conditions: {} }))).toBe(false);
  });
});

describe('resolveConfig: health and boot checks', () => {
  it('numbers unnamed checks "health N" and boot checks "boot N", with their defaults', () => {
    const config = resolved({
      healthChecks: [{ command: 'systemctl is-system-running' }, { http: { url: 'http://h/' } }],
      bootChecks: [{ command: ['true'] }],
      system: { profile: '/nix/var/nix/profiles/system' },
      reboot: { when: 'needed' },
    });
    expect(config.healthChecks).toEqual([
      {
        name: 'health 1',
        target: {
          command: {
            name: 'health 1',
            run: { shell: 'systemctl is-system-running' },
            env: {},
            cwd: configDir,
          },
        },
        retries: 3,
        intervalMs: 5_000,
      },
      {
        name: 'health 2',
        target: { http: { url: 'http://h/', expectStatus: 200, timeoutMs: 10_000 } },
        retries: 3,
        intervalMs: 5_000,
      },
    ]);
    expect(config.bootChecks.map((check) => check.name)).toEqual(['boot 1']);
  });

  it('keeps what the config says over the defaults', () => {
    const [check] = resolved({
      healthChecks: [
        {
          name: 'web',
          http: { url: 'http://h/', expectStatus: 204, timeout: '2s' },
          retries: 0,
          interval: '1s',
        },
      ],
    }).healthChecks;
    expect(check).toEqual({
      name: 'web',
      target: { http: { url: 'http://h/', expectStatus: 204, timeoutMs: 2_000 } },
      retries: 0,
      intervalMs: 1_000,
    });
  });
});

describe('resolveConfig: notifications', () => {
  it('numbers unnamed ones by kind and place in the list', () => {
    const config = resolved({
      notify: [
        { webhook: { url: 'http://h/' } },
        { command: 'logger done' },
        { name: 'pager', command: 'p' },
      ],
    });
    expect(config.notify.map((notification) => notification.name)).toEqual([
      'webhook 1',
      'command 2',
      'pager',
    ]);
    expect(config.notify[1]?.target).toEqual({
      command: { name: 'command 2', run: { shell: 'logger done' }, env: {}, cwd: configDir },
    });
  });

  it('gives a webhook its defaults and no secret references when it holds its values', () => {
    const [notification] = resolved({
      notify: [{ webhook: { url: 'http://h/', headers: { 'X-A': 'b' } } }],
    }).notify;
    expect(notification?.target).toEqual({
      webhook: { url: 'http://h/', headers: { 'X-A': 'b' }, timeoutMs: 10_000, retries: 2 },
    });
  });

  it('keeps a referenced URL or header aside, to be read when the run starts', () => {
    const config = resolved({
      notify: [
        { webhook: { url: { env: 'HOOK_URL' }, timeout: '3s', retries: 5 } },
        {
          webhook: {
            url: 'http://h/',
            headers: { 'X-Plain': 'v', Authorization: { credential: 'hook-token' } },
          },
        },
      ],
    });
    expect(config.notify[0]?.target).toEqual({
      webhook: {
        url: '',
        headers: {},
        timeoutMs: 3_000,
        retries: 5,
        secretRefs: { url: { env: 'HOOK_URL' }, headers: {} },
      },
    });
    expect(config.notify[1]?.target).toEqual({
      webhook: {
        url: 'http://h/',
        headers: { 'X-Plain': 'v' },
        timeoutMs: 10_000,
        retries: 2,
        secretRefs: { headers: { Authorization: { credential: 'hook-token' } } },
      },
    });
  });
});

describe('resolveConfig: secrets', () => {
  it('collects secretEnv values from every kind of command, header values and URL credentials', () => {
    const secret = (name: string) => ({
      run: 'x',
      secretEnv: { [`${name.toUpperCase()}_KEY`]: `${name}-secret` },
    });
    const config = resolved({
      preUpdateHooks: [secret('hook'), 'plain hook'],
      build: secret('build'),
      validationChecks: [secret('check')],
      switch: secret('switch'),
      rollbackSwitch: secret('rollback'),
      healthChecks: [{ command: secret('health') }, { http: { url: 'http://h/' } }],
      notify: [
        { command: secret('notify') },
        {
          webhook: {
            url: 'https://user:url-password@hooks.example/x',
            headers: { Authorization: 'Bearer header-secret', Other: { env: 'REF' } },
          },
        },
        { webhook: { url: { env: 'HOOK_URL' } } },
      ],
      fleet: { fleetLock: { url: 'https://lock:lock-password@fleet.example/' } },
    });
    expect([...config.secrets].sort()).toEqual(
      [
        'hook-secret',
        'build-secret',
        'check-secret',
        'switch-secret',
        'rollback-secret',
        'health-secret',
        'notify-secret',
        'Bearer header-secret',
        // A URL's user, password and path (src/redact.ts); a bare "/" path is no secret.
        'user',
        'url-password',
        '/x',
        'lock',
        'lock-password',
      ].sort(),
    );
  });

  it('finds none in argv or shell commands', () => {
    const config = resolved({ build: ['nix', 'build'], preUpdateHooks: ['a'], switch: 's' });
    expect(config.secrets).toEqual([]);
  });
});

describe('resolveConfig: fleet', () => {
  it('fills the fleet defaults and strips a trailing slash from etcd endpoints', () => {
    const config = resolved({
      fleet: { etcd: { endpoints: ['http://127.0.0.1:2379/', 'http://b:2379'] } },
    });
    expect(config.fleet).toStrictEqual({
      group: 'default',
      slotTimeoutMs: 30 * 60_000,
      onFailure: 'hold',
      requireReport: true,
      keepProofsMs: 30 * 86_400_000,
      backend: {
        etcd: {
          endpoints: ['http://127.0.0.1:2379', 'http://b:2379'],
          prefix: '/xs-upgrade',
          timeoutMs: 5_000,
        },
      },
    });
  });

  it('keeps what the config sets: id, follow (with its defaults), user, password variable, TLS', () => {
    const config = resolved({
      fleet: {
        group: 'web',
        id: 'host-7',
        slotTimeout: '5m',
        onFailure: 'release',
        requireReport: false,
        keepProofs: '7d',
        follow: { group: 'canary' },
        etcd: {
          endpoints: ['https://e:2379'],
          prefix: '/fleet',
          username: 'xs',
          password: 'ETCD_PASSWORD',
          tls: { ca: '/ca.pem' },
          timeout: '2s',
        },
      },
    });
    expect(config.fleet).toEqual({
      group: 'web',
      id: 'host-7',
      slotTimeoutMs: 5 * 60_000,
      onFailure: 'release',
      requireReport: false,
      keepProofsMs: 7 * 86_400_000,
      follow: {
        group: 'canary',
        hosts: 1,
        soakMs: 2 * 3_600_000,
        waves: [{ share: 1, soakMs: 2 * 3_600_000 }],
        gates: [],
      },
      backend: {
        etcd: {
          endpoints: ['https://e:2379'],
          prefix: '/fleet',
          username: 'xs',
          passwordEnv: 'ETCD_PASSWORD',
          tls: { ca: '/ca.pem' },
          timeoutMs: 2_000,
        },
      },
    });
  });

  it('gives a FleetLock server 10 s unless told otherwise', () => {
    const url = 'http://127.0.0.1:9000/';
    expect(resolved({ fleet: { fleetLock: { url } } }).fleet?.backend).toEqual({
      fleetLock: { url, timeoutMs: 10_000 },
    });
    expect(resolved({ fleet: { fleetLock: { url, timeout: '1s' } } }).fleet?.backend).toEqual({
      fleetLock: { url, timeoutMs: 1_000 },
    });
  });
});

describe('commandText', () => {
  const argv = (...args: string[]) => ({ name: 'n', run: { argv: args }, env: {}, cwd: '/' });

  it('prints a shell line as it is', () => {
    expect(commandText({ name: 'n', run: { shell: "echo 'a b' | wc" }, env: {}, cwd: '/' })).toBe(
      "echo 'a b' | wc",
    );
  });

  it('quotes only the arguments a shell would split or expand, whole', () => {
    expect(commandText(argv('nixos-rebuild', '--flake', '.#host', 'user@x=1,y:/z+%'))).toBe(
      "nixos-rebuild --flake '.#host' user@x=1,y:/z+%",
    );
    expect(commandText(argv('echo', 'a b', "it's", '$HOME', 'x;'))).toBe(
      `echo 'a b' 'it'\\''s' '$HOME' 'x;'`,
    );
    expect(commandText(argv('ok_1', '-v', 'a/b.c'))).toBe('ok_1 -v a/b.c');
  });
});
