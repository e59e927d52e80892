// The NixOS module's mapping from options to the JSON config (nix/config.nix), evaluated by the
// real nix-instantiate for sample option sets a NixOS user would write, and each result checked
// by the real CLI's `validate` against real repos.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { evalNixJson } from '../support/nix.js';
import { useSandboxes } from '../support/sandboxes.js';

const use = useSandboxes();

const evaluate = async (sample: string, root: string) =>
  (await evalNixJson(
    `{ root }: import ./nix/config.nix (import ./test/nix/samples/${sample}.nix { inherit root; })`,
    { root },
  )) as Record<string, unknown>;

describe('nix/config.nix: module options to the JSON config', () => {
  for (const sample of ['workflow', 'remote', 'fleet', 'window', 'reboot']) {
    it(`${sample}: evaluates to a config that \`xs-upgrade validate\` accepts`, async () => {
      // The reboot sample names a system profile: real generations, built by real Nix.
      const sandbox = await use.sandbox({}, { nix: sample === 'reboot' });
      const config = await evaluate(sample, sandbox.dir);
      // The module's own options never reach the config; unset ones (null) neither.
      for (const key of ['enable', 'package', 'path']) expect(config).not.toHaveProperty(key);
      expect(JSON.stringify(config)).not.toContain('null');
      const file = join(sandbox.dir, `${sample}.json`);
      await writeFile(file, `${JSON.stringify(config, null, 2)}\n`);
      // What the unit's EnvironmentFile= and LoadCredential= provide (secretEnvFile, credentials).
      const credentials = join(sandbox.dir, 'credentials');
      await mkdir(credentials, { recursive: true });
      await writeFile(join(credentials, 'webhook-token'), 'Bearer token\n');
      const validate = await runCli(['validate', '--config', file], {
        env: {
          XS_UPGRADE_ETCD_PASSWORD: 'secret',
          XS_UPGRADE_WEBHOOK_URL: 'https://hooks.example.org/xs-upgrade/T0K3N',
          CREDENTIALS_DIRECTORY: credentials,
        },
      });
      expect(validate.stdout + validate.stderr).toContain(`${file}: valid`);
      expect(validate.exitCode).toBe(0);
    });
  }

  it('a sample with a mistake is refused by validate, naming the option', async () => {
    const sandbox = await use.sandbox();
    const config = {
      ...(await evaluate('window', sandbox.dir)),
      window: { start: '25:00', length: '3h' },
    };
    const file = join(sandbox.dir, 'bad.json');
    await writeFile(file, JSON.stringify(config));
    const validate = await runCli(['validate', '--config', file]);
    expect(validate.exitCode).toBe(78);
    expect(validate.stderr).toContain('/window/start');
  });
});
