// A sandbox host in a temp folder: config repos with bare remotes, small build/switch/check
// scripts, and a host.json made from configs/demo.json. Used by `npm run demo`, the tests and the
// benchmarks; nothing in src/ knows about it.
import { execa } from 'execa';
import { mkdtemp, mkdir, readdir, readFile, readlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../src/packageFiles.js';
import { configurationNix, defaultNix, nixConfig, nixScripts, switchScript } from './nixSystem.js';

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
  /** Built by real Nix: a system profile with generations, activated by switch-to-configuration. */
  nix: boolean;
  /** The system profile (Nix sandboxes only). */
  profile?: string;
  /** Environment the CLI needs on this host (NIX_CONFIG for Nix sandboxes). */
  env: Record<string, string>;
  /** The profile's generations, oldest first, and which is current (Nix sandboxes only). */
  generations(): Promise<{ generation: number; storePath: string; current: boolean }[]>;
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
  options: { dir?: string; repos?: string[]; nix?: boolean } = {},
): Promise<Sandbox> {
  const nix = options.nix ?? false;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'xs-upgrade-sandbox-')));
  const repoNames = options.repos ?? ['nix-config', 'nix-secrets'];
  const gitEnv = { ...process.env, ...sandboxGitEnv };
  const git = async (args: string[], cwd: string) =>
    (await execa('git', args, { cwd, env: gitEnv, extendEnv: false })).stdout.trim();

  await mkdir(join(dir, 'bin'), { recursive: true });
  for (const [name, body] of Object.entries({ ...scripts, ...(nix ? nixScripts : {}) })) {
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
    const body = name === 'nix-config' ? configurationNix() : 'wifi_password: ENC[placeholder]\n';
    await writeFile(join(upstreamPath(name), file), body);
    if (nix && name === 'nix-config') {
      await writeFile(join(upstreamPath(name), 'default.nix'), defaultNix);
      await writeFile(join(upstreamPath(name), 'switch-to-configuration.sh'), switchScript);
    }
    await git(['add', '.'], upstreamPath(name));
    await git(['commit', '--quiet', '--no-gpg-sign', '-m', `initial ${name}`], upstreamPath(name));
    await git(['push', '--quiet', 'origin', 'main'], upstreamPath(name));
    await git(['clone', '--quiet', '--branch', 'main', remotePath(name), repoPath(name)], dir);
  }

  const configFile = join(dir, 'host.json');
  const profile = join(dir, 'profiles', 'system');
  const env: Record<string, string> = nix ? { NIX_CONFIG: nixConfig } : {};
  const nixOverrides = nix
    ? {
        build: { name: 'build', run: ['sh', 'bin/nix-build.sh'], timeout: '5m' },
        switch: { name: 'switch', run: ['sh', 'bin/nix-switch.sh'], timeout: '5m' },
        system: { profile },
      }
    : {};
  const sandbox: Sandbox = {
    dir,
    nix,
    ...(nix ? { profile } : {}),
    env,
    async generations() {
      if (!nix) return [];
      const current = await readlink(profile).catch(() => '');
      const names = await readdir(join(dir, 'profiles')).catch(() => [] as string[]);
      const found = await Promise.all(
        names.flatMap((entry) => {
          const match = /^system-(\d+)-link$/.exec(entry);
          return match
            ? [
                readlink(join(dir, 'profiles', entry)).then((storePath) => ({
                  generation: Number(match[1]),
                  storePath,
                  current: entry === current,
                })),
              ]
            : [];
        }),
      );
      return found.sort((a, b) => a.generation - b.generation);
    },
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
      const config = { ...base, ...nixOverrides, ...overrides };
      await writeFile(configFile, `${JSON.stringify(config, null, 2)}\n`);
    },
  };
  await sandbox.writeConfig();
  if (nix) {
    // The host runs its first generation, built from the commits it is on, before any run.
    await mkdir(join(dir, 'profiles'), { recursive: true });
    await execa('sh', ['bin/nix-switch.sh'], { cwd: dir, env: { ...process.env, ...env } });
  }
  return sandbox;
}
