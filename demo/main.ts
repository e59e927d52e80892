// `npm run demo`: three real upgrades of a sandbox host with the real CLI (four with Nix). The first pulls new
// commits, builds, checks and switches; the second gets a commit that fails validation and is
// rolled back; the third switches, fails its health check, and the system is rolled back too;
// where Nix is installed, a fourth takes the closure CI built from a signed binary cache. Where nix-build and nix-env are installed, the host's system is a real Nix profile
// built into /nix/store (demo/nixSystem.ts); elsewhere small shell scripts stand in for Nix. Prints what happened, then removes the sandbox (`npm run demo -- --keep` keeps it
// for you to look at).
import { execa } from 'execa';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { packageRoot } from '../src/packageFiles.js';
import { configurationNix, nixAvailable, nixConfig } from './nixSystem.js';
import { createSandbox, type Sandbox } from './sandbox.js';
import { ciPublish, createBinaryCache, takeClosures } from './binaryCache.js';

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
  const generationsBefore = await generations(sandbox);
  say(`$ xs-upgrade run --config ${sandbox.configFile}\n`);
  const run = await execa('node', [cli, 'run', '--config', sandbox.configFile], {
    reject: false,
    stdout: 'inherit',
    stderr: 'inherit',
    env: { ...sandbox.env, ...process.env, NO_COLOR: process.env.NO_COLOR ?? '' },
  });
  const after = await heads(sandbox);
  say(`\nexit code ${run.exitCode ?? '?'} (expected ${expectedExit})`);
  for (const name of sandbox.repoNames) {
    say(`  ${name.padEnd(12)} ${short(before[name] ?? '')} -> ${short(after[name] ?? '')}`);
  }
  say(
    `  current-system ${systemBefore ?? '(none)'} -> ${(await sandbox.currentSystem()) ?? '(none)'}`,
  );
  if (sandbox.nix) say(`  generations    ${generationsBefore} -> ${await generations(sandbox)}`);
  return run.exitCode === expectedExit;
}

/** "1 2* 3": the profile's generations, the current one starred. */
async function generations(sandbox: Sandbox): Promise<string> {
  return (await sandbox.generations())
    .map((entry) => `${entry.generation}${entry.current ? '*' : ''}`)
    .join(' ');
}

const nix = await nixAvailable();
say(
  nix
    ? 'nix-build and nix-env found: the demo host runs a real Nix system profile (/nix/store).'
    : 'nix-build and nix-env not found: small shell scripts stand in for Nix (scripts/install-system-deps.sh installs nix-bin).',
);
// Nix here runs as root without a daemon, build users or the network: unless told otherwise.
if (nix && process.env.NIX_CONFIG === undefined) process.env.NIX_CONFIG = nixConfig;

const sandbox = await createSandbox({ nix });
say(`sandbox host: ${sandbox.dir}`);
await sandbox.pushUpstream(
  'nix-config',
  'configuration.nix',
  configurationNix('  services.tailscale.enable = true;\n'),
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
  configurationNix('  services.tailscale.enable = true;\n  services.broken.enable = true;\n'),
  'enable a broken service',
);
const second = await upgrade(
  sandbox,
  'run 2: a commit upstream fails the "no broken services" check; expect a rollback',
  4,
);

// A service that only shows its trouble once it runs: the health check after the switch fails,
// and the system goes back to exactly the generation it was on.
await sandbox.writeConfig({
  healthChecks: [
    { name: 'flaky service', command: '! grep -rqs flaky current-system/', retries: 0 },
  ],
});
await sandbox.pushUpstream(
  'nix-config',
  'configuration.nix',
  configurationNix('  services.tailscale.enable = true;\n  services.flaky.enable = true;\n'),
  'enable a service that fails once running',
);
const third = await upgrade(
  sandbox,
  'run 3: the switch works but the health check fails; expect the system rolled back too',
  4,
);

// Where Nix is installed: a host that takes the system CI built. "CI" builds the new commits,
// signs the closure with its own key into a file:// binary cache, and the host's store forgets
// it; the run fetches it, checks the signature, and switches to exactly that store path.
let fourth = true;
if (sandbox.nix) {
  const cache = await createBinaryCache(join(sandbox.dir, 'cache'));
  await sandbox.writeConfig(await takeClosures(sandbox, cache));
  const commit = await sandbox.pushUpstream(
    'nix-config',
    'configuration.nix',
    configurationNix('  services.tailscale.enable = true;\n  services.openssh.ports = [ 2222 ];\n'),
    'move sshd to port 2222',
  );
  const system = await ciPublish(sandbox, cache, commit);
  say(
    `\nCI built ${system}, signed it as ${cache.publicKey.split(':')[0] ?? ''} into ${cache.url}`,
  );
  fourth = await upgrade(
    sandbox,
    'run 4: take the closure CI built from the binary cache; expect an upgrade to exactly it',
    0,
  );
  if ((await sandbox.currentSystem()) !== system) fourth = false;
}

if (process.argv.includes('--keep')) {
  say(`\nLook around: ${sandbox.dir}`);
  say('  host.json            the config the runs used');
  say("  repos/               the host's repos (git log shows where each is)");
  say(
    sandbox.nix
      ? '  profiles/system      the Nix system profile and its generations; current-system is the active one'
      : '  current-system       link to the active build in results/',
  );
  say('  state/               run records, saved commits, rejected commits');
  say(`When done: rm -rf ${sandbox.dir}`);
} else {
  await rm(sandbox.dir, { recursive: true, force: true });
  say('\nThe sandbox is removed (`npm run demo -- --keep` keeps it to look around).');
}
if (!first || !second || !third || !fourth) {
  say('\nThe demo did not go as expected: see the output above.');
  process.exitCode = 1;
}
