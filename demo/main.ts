// `npm run demo`: two real upgrades of a sandbox host with the real CLI. The first pulls new
// commits, builds, checks and switches; the second gets a commit that fails validation and is
// rolled back. Prints what happened, then removes the sandbox (`npm run demo -- --keep` keeps it
// for you to look at).
import { execa } from 'execa';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { packageRoot } from '../src/packageFiles.js';
import { createSandbox, type Sandbox } from './sandbox.js';

const cli = join(packageRoot, 'bin', 'xs-upgrade.js');
const say = (text = '') => process.stdout.write(`${text}\n`);
const short = (commit: string) => commit.slice(0, 12);

async function heads(sandbox: Sandbox) {
  return Object.fromEntries(
    await Promise.all(
      sandbox.repoNames.map(async (name) => [name, await sandbox.head(name)] as const),
    ),
  );
}

async function upgrade(sandbox: Sandbox, title: string, expectedExit: number): Promise<boolean> {
  say(`\n=== ${title}`);
  const before = await heads(sandbox);
  const systemBefore = await sandbox.currentSystem();
  say(`$ xs-upgrade run --config ${sandbox.configFile}\n`);
  const run = await execa('node', [cli, 'run', '--config', sandbox.configFile], {
    reject: false,
    stdout: 'inherit',
    stderr: 'inherit',
    env: { ...process.env, NO_COLOR: process.env.NO_COLOR ?? '' },
  });
  const after = await heads(sandbox);
  say(`\nexit code ${run.exitCode ?? '?'} (expected ${expectedExit})`);
  for (const name of sandbox.repoNames) {
    say(`  ${name.padEnd(12)} ${short(before[name] ?? '')} -> ${short(after[name] ?? '')}`);
  }
  say(
    `  current-system ${systemBefore ?? '(none)'} -> ${(await sandbox.currentSystem()) ?? '(none)'}`,
  );
  return run.exitCode === expectedExit;
}

const sandbox = await createSandbox();
say(`sandbox host: ${sandbox.dir}`);
await sandbox.pushUpstream(
  'nix-config',
  'configuration.nix',
  '{ config, pkgs, ... }:\n{\n  services.openssh.enable = true;\n  services.tailscale.enable = true;\n}\n',
  'enable tailscale',
);
await sandbox.pushUpstream(
  'nix-secrets',
  'secrets.yaml',
  'wifi_password: ENC[rotated]\n',
  'rotate wifi password',
);
const first = await upgrade(
  sandbox,
  'run 1: new commits upstream in both repos; expect an upgrade',
  0,
);

await sandbox.pushUpstream(
  'nix-config',
  'configuration.nix',
  '{ config, pkgs, ... }:\n{\n  services.openssh.enable = true;\n  services.tailscale.enable = true;\n  services.broken.enable = true;\n}\n',
  'enable a broken service',
);
const second = await upgrade(
  sandbox,
  'run 2: a commit upstream fails the "no broken services" check; expect a rollback',
  4,
);

if (process.argv.includes('--keep')) {
  say(`\nLook around: ${sandbox.dir}`);
  say('  host.json            the config both runs used');
  say("  repos/               the host's repos (git log shows where each is)");
  say('  current-system       link to the active build in results/');
  say('  state/               run records, saved commits, rejected commits');
  say(`When done: rm -rf ${sandbox.dir}`);
} else {
  await rm(sandbox.dir, { recursive: true, force: true });
  say('\nThe sandbox is removed (`npm run demo -- --keep` keeps it to look around).');
}
if (!first || !second) {
  say('\nThe demo did not go as expected: see the output above.');
  process.exitCode = 1;
}
