// nix/package.nix builds as it is, with nothing to fill in: its npm dependencies come from
// importNpmLock, which fetches each package by the address and integrity hash package-lock.json
// holds. There is no nixpkgs here, so the build itself cannot run; what can, runs for real: the
// lock's entries fetched by real Nix as importNpmLock's fixed-output downloads, the expression
// evaluated by the real nixpkgs lib, and the build's own steps (npm ci offline, npm run build) in a
// copy of exactly the files the package takes, with the CLI it builds run on Node 22.
import { execa } from 'execa';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nixConfig } from '../../demo/nixSystem.js';
import { packageRoot } from '../../src/packageFiles.js';
import { evalNixJson } from '../support/nix.js';
import { node22 } from '../../demo/node22.js';
import { findNixpkgsLib, noLibMessage, type NixpkgsLib } from '../support/nixpkgsLib.js';

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
}
interface Lock {
  packages: Record<string, LockEntry>;
}
const readJson = async <T>(file: string) =>
  JSON.parse(await readFile(join(packageRoot, file), 'utf8')) as T;

interface EvaluatedPackage {
  pname: string;
  version: string;
  src: { root: string; files: string[] };
  npmDeps: { package: unknown; packageLock: unknown };
  npmConfigHook: string;
  npmBuildScript: string;
  nodejs: string;
  postInstall: string;
  hasNpmDepsHash: boolean;
}

let lib: NixpkgsLib | undefined;
beforeAll(async () => {
  lib = await findNixpkgsLib();
});
afterAll(async () => {
  await lib?.dispose();
});

async function evaluatePackage(): Promise<EvaluatedPackage> {
  if (!lib) throw new Error(noLibMessage);
  return (await evalNixJson('{ libPath }: import ./test/nix/evalPackage.nix { inherit libPath; }', {
    libPath: lib.path,
  })) as EvaluatedPackage;
}

/** Realises `import <nix/fetchurl.nix>` for each download, as importNpmLock's fetchurl does. */
const nixFetch = (downloads: { url: string; hash: string }[]) =>
  execa(
    'nix-build',
    [
      '--no-out-link',
      '--argstr',
      'downloads',
      JSON.stringify(downloads),
      '-E',
      '{ downloads }: map (d: import <nix/fetchurl.nix> d) (builtins.fromJSON downloads)',
    ],
    { env: { NIX_CONFIG: nixConfig }, reject: false },
  );

describe('nix/package.nix builds with nothing to fill in', () => {
  it('every package in the lock has its download address and integrity hash (.npmrc keeps them)', async () => {
    const lock = await readJson<Lock>('package-lock.json');
    const entries = Object.entries(lock.packages).filter(([key, entry]) => key && !entry.link);
    expect(entries.length).toBeGreaterThan(100);
    const incomplete = entries
      .filter(
        ([key, entry]) =>
          !entry.resolved?.startsWith('https://registry.npmjs.org/') ||
          !entry.resolved.endsWith(`-${entry.version}.tgz`) ||
          !/^sha(1|256|384|512)-[A-Za-z0-9+/]+=*$/.test(entry.integrity ?? '') ||
          !key.startsWith('node_modules/'),
      )
      .map(([key]) => key);
    expect(incomplete).toEqual([]);
    expect(await readFile(join(packageRoot, '.npmrc'), 'utf8')).toMatch(
      /^omit-lockfile-registry-resolved=false$/m,
    );
  });

  it("real Nix fetches the runtime dependencies by the lock's address and hash, and refuses a wrong hash", async () => {
    const lock = await readJson<Lock>('package-lock.json');
    const { dependencies } = await readJson<{ dependencies: Record<string, string> }>(
      'package.json',
    );
    const downloads = Object.keys(dependencies).map((name) => {
      const entry = lock.packages[`node_modules/${name}`];
      return { url: entry?.resolved ?? '', hash: entry?.integrity ?? '' };
    });
    const fetched = await nixFetch(downloads);
    expect(fetched.stderr).not.toMatch(/hash mismatch/);
    expect(fetched.exitCode).toBe(0);
    expect(fetched.stdout.trim().split('\n')).toHaveLength(downloads.length);

    // One character of the hash changed: Nix checks what it downloads, it does not trust the name.
    const first = downloads[0] ?? { url: '', hash: '' };
    const flipped = first.hash.replace(/[A-Za-z](?=[^A-Za-z]*$)/, (c) => (c === 'A' ? 'B' : 'A'));
    const refused = await nixFetch([{ url: first.url, hash: flipped }]);
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toMatch(/hash mismatch/);
  }, 120_000);

  it("evaluated by the real nixpkgs lib: the deps are importNpmLock's of the repo's own package.json and lock, no hash to fill in, Node 22", async () => {
    const evaluated = await evaluatePackage();
    const packageJson = await readJson<{ name: string; version: string }>('package.json');
    expect(evaluated.hasNpmDepsHash).toBe(false);
    expect(evaluated.npmDeps.package).toEqual(packageJson);
    expect(evaluated.npmDeps.packageLock).toEqual(await readJson('package-lock.json'));
    expect(evaluated.npmConfigHook).toBe('importNpmLock.npmConfigHook');
    expect([evaluated.pname, evaluated.version]).toEqual([packageJson.name, packageJson.version]);
    expect(evaluated.nodejs).toBe('nodejs_22');
    expect(evaluated.postInstall).toContain('makeWrapper nodejs_22/bin/node $out/bin/xs-upgrade');
    expect(evaluated.src.root).toBe('.');
  });

  it('the build, from exactly the files the package takes: npm ci offline, npm run build, and the CLI it built runs on Node 22', async () => {
    const evaluated = await evaluatePackage();
    const copy = await mkdtemp(join(tmpdir(), 'xs-package-'));
    try {
      for (const file of evaluated.src.files) {
        await cp(join(packageRoot, file), join(copy, file), { recursive: true });
      }
      // As buildNpmPackage does: install from the lock (here from npm's cache, offline, as Nix
      // gives it the fetched packages), no install scripts, then the build script.
      await execa(
        'npm',
        ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'],
        { cwd: copy },
      );
      await execa('npm', ['run', evaluated.npmBuildScript, '--silent'], { cwd: copy });

      const node = node22();
      const cli = join(copy, 'bin', 'xs-upgrade.js');
      const version = await execa(node, ['--max-semi-space-size=4', cli, '--version']);
      expect(version.stdout).toBe(evaluated.version);
      const graph = await execa(node, [cli, 'graph', '--format', 'json']);
      expect(JSON.parse(graph.stdout)).toMatchObject({ id: expect.any(String) as string });
      expect((await execa(node, ['--version'])).stdout).toMatch(/^v22\./);
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  }, 300_000);
});
