// nix/module.nix as a NixOS user gets it: evaluated by the real nixpkgs lib (`lib.evalModules`,
// `lib.types`, `mkDefault`/`mkIf` merging, the assertions), with the few NixOS options it sets
// declared as permissive options (test/nix/evalModule.nix). The lib is the user's own
// `<nixpkgs/lib>` when nix-instantiate finds one, else `$XS_NIXPKGS_LIB`, else the copy in
// test/vendor; with none, the test fails saying so, never passes silently.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import validate from '../../src/config/schema.validator.generated.js';
import { evalNixJson } from '../support/nix.js';
import { findNixpkgsLib, noLibMessage, type NixpkgsLib } from '../support/nixpkgsLib.js';

let lib: NixpkgsLib | undefined;

beforeAll(async () => {
  lib = await findNixpkgsLib();
});
afterAll(async () => {
  await lib?.dispose();
});

interface Evaluated {
  failedAssertions: string[];
  settings: Record<string, unknown>;
  service: { serviceConfig: Record<string, unknown>; path: string[] };
  bootCheck: { serviceConfig: Record<string, unknown> } | null;
  watch: { serviceConfig: Record<string, unknown>; path: string[] } | null;
  timer: { timerConfig: Record<string, unknown> };
}

async function evaluateModule(sample: string, root = '/srv/host'): Promise<Evaluated> {
  if (!lib) throw new Error(noLibMessage);
  return (await evalNixJson('import ./test/nix/evalModule.nix', {
    libPath: lib.path,
    sample,
    root,
  }).catch((error: unknown) => {
    throw new Error((error as { stderr?: string }).stderr ?? String(error));
  })) as Evaluated;
}

/** What nix/config.nix makes of the sample alone (the stand-in evaluation the e2e test validates). */
const standIn = (sample: string, root = '/srv/host') =>
  evalNixJson(
    `{ root }: import ./nix/config.nix (import ./test/nix/samples/${sample}.nix { inherit root; })`,
    { root },
  ) as Promise<Record<string, unknown>>;

describe('nix/module.nix under the real nixpkgs lib', () => {
  it('finds a lib', () => {
    expect(lib, 'no nixpkgs lib: see test/vendor/README.md').toBeDefined();
    expect(lib?.from).toMatch(/^(<nixpkgs\/lib>|\$XS_NIXPKGS_LIB|test\/vendor)$/);
  });

  for (const sample of [
    'workflow',
    'remote',
    'fleet',
    'window',
    'reboot',
    'closure',
    'progressive',
  ]) {
    it(`${sample}: no failed assertion, the config the schema accepts, the units NixOS will run`, async () => {
      const evaluated = await evaluateModule(sample);
      expect(evaluated.failedAssertions).toEqual([]);
      // The real merge keeps every value the sample sets, and fills the schema's defaults.
      const settings = evaluated.settings;
      expect(settings).toMatchObject(await standIn(sample));
      expect(validate(settings), JSON.stringify(validate.errors)).toBe(true);
      for (const key of ['enable', 'package', 'path', 'secretEnvFile', 'credentials', 'watch']) {
        expect(settings).not.toHaveProperty(key);
      }
      const unit = evaluated.service.serviceConfig;
      expect(unit.ExecStart).toMatch(
        /^\/nix\/store\/[0-9a-z]+-xs-upgrade\/bin\/xs-upgrade run --config \/etc\/xs-upgrade\/host\.json$/,
      );
      expect(unit.Type).toBe('oneshot');
      expect(unit.KillMode).toBe('mixed');
      // Root's own cache directory, the only place bin/xs-upgrade.js keeps Node's compile cache.
      expect(unit).toMatchObject({ CacheDirectory: 'xs-upgrade', CacheDirectoryMode: '0700' });
      expect(unit.LoadCredential).toEqual([]);
      expect(unit).not.toHaveProperty('EnvironmentFile');
      expect(evaluated.timer.timerConfig.OnCalendar).toBe(settings.schedule ?? '04:00');
      const reboots =
        ((settings.reboot as { when?: string } | undefined)?.when ?? 'never') !== 'never';
      expect(evaluated.bootCheck !== null).toBe(reboots);
      expect(evaluated.watch !== null).toBe(sample === 'progressive');
    });
  }

  it('watch.enable: the watcher as `xs-upgrade systemd` writes it, with systemctl on its PATH', async () => {
    const evaluated = await evaluateModule('progressive');
    expect(evaluated.watch?.serviceConfig).toMatchObject({
      Type: 'simple',
      Restart: 'always',
      CacheDirectory: 'xs-upgrade',
    });
    expect(evaluated.watch?.serviceConfig.ExecStart).toMatch(
      /\/bin\/xs-upgrade fleet watch --config \/etc\/xs-upgrade\/host\.json$/,
    );
    expect(evaluated.watch?.path.some((entry) => String(entry).includes('systemd'))).toBe(true);
    expect((evaluated.settings.fleet as { follow: unknown }).follow).toMatchObject({
      waves: [{ share: '5%', soak: '2h' }, { share: '25%', soak: '6h' }, { share: '100%' }],
      gates: [
        { name: 'failed-units', timeout: '30s' },
        { name: 'smoke', timeout: '1m' },
      ],
    });
  });

  it("mkDefault: the system profile is NixOS's unless the host names its own; the state dir made by systemd only at its default", async () => {
    const workflow = await evaluateModule('workflow');
    const reboot = await evaluateModule('reboot', '/srv/host');
    expect(reboot.settings.system).toEqual({ profile: '/srv/host/profiles/system' });
    expect(workflow.settings.system).toEqual({ profile: '/nix/var/nix/profiles/system' });
    // Both samples put the state dir under the host's root: no StateDirectory= then (mkIf).
    expect(reboot.service.serviceConfig).not.toHaveProperty('StateDirectory');
  });

  it("secrets reach the unit as EnvironmentFile= and LoadCredential=, never the config; the state dir at its default is systemd's", async () => {
    const evaluated = await evaluateModule('secrets');
    expect(evaluated.failedAssertions).toEqual([]);
    const unit = evaluated.service.serviceConfig;
    expect(unit.EnvironmentFile).toBe('/run/secrets/xs-upgrade.env');
    expect(unit.LoadCredential).toEqual(['webhook-token:/run/secrets/webhook-token']);
    expect(unit.StateDirectory).toBe('xs-upgrade');
    expect(unit.StateDirectoryMode).toBe('0700');
    expect(JSON.stringify(evaluated.settings)).not.toContain('/run/secrets');
  });

  it('system.closure reaches the config as written, with the defaults the schema gives', async () => {
    const evaluated = await evaluateModule('closure');
    expect(evaluated.settings.system).toEqual({
      profile: '/nix/var/nix/profiles/system',
      closure: {
        url: 'https://ci.example/closures/{host}/{nix-config}',
        substituters: ['https://cache.example', 'https://cache.nixos.org'],
        publicKeys: [
          'ci.example-1:AbCdEfGhIjKlMnOpQrStUvWxYz0123456789AbCdEfG=',
          'cache.nixos.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY=',
        ],
        fallback: 'wait',
        keepFree: '2GiB',
        gcCommand: ['nix-collect-garbage', '--delete-older-than', '30d'],
        prefetch: true,
        timeout: '1h',
      },
    });
  });

  it('a value of the wrong type fails evaluation, naming the option', async () => {
    const error = await evaluateModule('wrong').then(
      () => undefined,
      (caught: unknown) => caught as Error,
    );
    expect(error?.message).toMatch(/services\.xs-upgrade\.fetchRetries/);
  });

  it('local mode without repos fails its assertion, in its own words', async () => {
    const evaluated = await evaluateModule('no-repos');
    expect(evaluated.failedAssertions).toEqual([
      'services.xs-upgrade.repos must name at least one repo in local mode.',
    ]);
  });
});
