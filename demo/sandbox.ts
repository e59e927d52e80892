// A sandbox host in a temp folder: config repos with bare remotes, small build/switch/check
// scripts, and a host.json made from configs/demo.json. Used by `npm run demo`, the tests and the
// benchmarks; nothing in src/ knows about it.
import { execa } from 'execa';
import { mkdtemp, mkdir, readFile, readlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../src/packageFiles.js';

const demoConfig = join(packageRoot, 'configs', 'demo.json');

/** Identity and isolation for the sandbox's own git calls (not the host's gitconfig). */
export const sandboxGitEnv: Record<string, string> = {
  GIT_AUTHOR_NAME: 'xs-upgrade sandbox',
  GIT_AUTHOR_EMAIL: 'sandbox@xs-upgrade.invalid',
  GIT_COMMITTER_NAME: 'xs-upgrade sandbox',
  GIT_COMMITTER_EMAIL: 'sandbox@xs-upgrade.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
};

const scripts: Record<string, string> = {
  'capture-dotfiles.sh': `#!/bin/sh
# Stands in for \`chezmoi re-add\`: a hook that runs before anything changes.
echo "no local dotfile edits to capture"
`,
  'build.sh': `#!/bin/sh
# Stands in for \`nh os build\`: writes a result folder named after the commits it was built from.
set -eu
config=$(git -C repos/nix-config rev-parse --short=12 HEAD)
secrets=$(git -C repos/nix-secrets rev-parse --short=12 HEAD)
out="results/$config-$secrets"
if [ -d "$out" ]; then echo "already built: $out"; exit 0; fi
mkdir -p results
rm -rf "$out.partial"
mkdir "$out.partial"
cp repos/nix-config/configuration.nix "$out.partial/configuration.nix"
echo "$config $secrets" > "$out.partial/commits"
mv "$out.partial" "$out"
echo "built $out"
`,
  'switch.sh': `#!/bin/sh
# Stands in for \`nh os switch\`: builds if needed, then points current-system at the result.
set -eu
config=$(git -C repos/nix-config rev-parse --short=12 HEAD)
secrets=$(git -C repos/nix-secrets rev-parse --short=12 HEAD)
out="results/$config-$secrets"
[ -d "$out" ] || sh bin/build.sh
ln -sfn "$out" current-system.new
mv -T current-system.new current-system
echo "switched: current-system -> $out"
`,
};

export interface Sandbox {
  dir: string;
  configFile: string;
  repoNames: string[];
  repoPath(name: string): string;
  remotePath(name: string): string;
  /** Commits a file change upstream (to the bare remote); returns the new commit. */
  pushUpstream(name: string, file: string, content: string, message: string): Promise<string>;
  /** The commit a host repo is on. */
  head(name: string): Promise<string>;
  /** The commit the bare remote's branch is on. */
  remoteHead(name: string): Promise<string>;
  /** Where current-system points, relative to the sandbox; undefined before the first switch. */
  currentSystem(): Promise<string | undefined>;
  /** Rewrites host.json: the demo config with these top-level options replaced. */
  writeConfig(overrides?: Record<string, unknown>): Promise<void>;
  git(args: string[], cwd: string): Promise<string>;
}

export async function createSandbox(
  options: { dir?: string; repos?: string[] } = {},
): Promise<Sandbox> {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'xs-upgrade-sandbox-')));
  const repoNames = options.repos ?? ['nix-config', 'nix-secrets'];
  const env = { ...process.env, ...sandboxGitEnv };
  const git = async (args: string[], cwd: string) =>
    (await execa('git', args, { cwd, env, extendEnv: false })).stdout.trim();

  await mkdir(join(dir, 'bin'), { recursive: true });
  for (const [name, body] of Object.entries(scripts)) {
    await writeFile(join(dir, 'bin', name), body, { mode: 0o755 });
  }
  const repoPath = (name: string) => join(dir, 'repos', name);
  const remotePath = (name: string) => join(dir, 'remotes', `${name}.git`);
  const upstreamPath = (name: string) => join(dir, 'upstream', name);

  for (const name of repoNames) {
    await mkdir(join(dir, 'remotes'), { recursive: true });
    await git(['init', '--quiet', '--bare', '--initial-branch=main', remotePath(name)], dir);
    // The "upstream" clone is where new commits come from (a developer's laptop, CI).
    await git(['clone', '--quiet', remotePath(name), upstreamPath(name)], dir);
    await git(['checkout', '--quiet', '-B', 'main'], upstreamPath(name));
    const file = name === 'nix-config' ? 'configuration.nix' : 'secrets.yaml';
    const body =
      name === 'nix-config'
        ? '{ config, pkgs, ... }:\n{\n  services.openssh.enable = true;\n}\n'
        : 'wifi_password: ENC[placeholder]\n';
    await writeFile(join(upstreamPath(name), file), body);
    await git(['add', '.'], upstreamPath(name));
    await git(['commit', '--quiet', '--no-gpg-sign', '-m', `initial ${name}`], upstreamPath(name));
    await git(['push', '--quiet', 'origin', 'main'], upstreamPath(name));
    await git(['clone', '--quiet', '--branch', 'main', remotePath(name), repoPath(name)], dir);
  }

  const configFile = join(dir, 'host.json');
  const sandbox: Sandbox = {
    dir,
    configFile,
    repoNames,
    repoPath,
    remotePath,
    git,
    async pushUpstream(name, file, content, message) {
      const clone = upstreamPath(name);
      await git(['pull', '--quiet', '--ff-only', 'origin', 'main'], clone);
      await writeFile(join(clone, file), content);
      await git(['add', file], clone);
      await git(['commit', '--quiet', '--no-gpg-sign', '-m', message], clone);
      await git(['push', '--quiet', 'origin', 'main'], clone);
      return git(['rev-parse', 'HEAD'], clone);
    },
    head: (name) => git(['rev-parse', 'HEAD'], repoPath(name)),
    remoteHead: (name) => git(['rev-parse', 'refs/heads/main'], remotePath(name)),
    async currentSystem() {
      return readlink(join(dir, 'current-system')).catch(() => undefined);
    },
    async writeConfig(overrides = {}) {
      const base = JSON.parse(await readFile(demoConfig, 'utf8')) as Record<string, unknown>;
      delete base.$schema;
      base.repos = (base.repos as { name: string }[]).filter((repo) =>
        repoNames.includes(repo.name),
      );
      await writeFile(configFile, `${JSON.stringify({ ...base, ...overrides }, null, 2)}\n`);
    },
  };
  await sandbox.writeConfig();
  return sandbox;
}
