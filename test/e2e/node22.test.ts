// The built CLI on Node 22, NixOS's default Node and the one nix/package.nix builds with (these
// machines run Node 20; scripts/install-system-deps.sh fetches a Node 22). The demo's three
// upgrades run on it end to end, and Node 22's compile cache is kept only where a root process
// may trust it: systemd's CacheDirectory, a directory of ours that nobody else can write.
import { execa } from 'execa';
import { chmod, chown, mkdir, mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/packageFiles.js';
import { cliPath } from '../support/cli.js';
import { node22 } from '../../demo/node22.js';
import { nixAvailable } from '../../demo/nixSystem.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xs-node22-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The CLI's `graph` (it loads the whole bundle) with CACHE_DIRECTORY as systemd would set it. */
const graph = (node: string, cacheDirectory: string) =>
  execa(node, [cliPath, 'graph', '--format', 'json'], {
    // Node's own trace of its compile cache, on stderr: which modules it read back.
    env: {
      CACHE_DIRECTORY: cacheDirectory,
      NODE_COMPILE_CACHE: undefined,
      NODE_DEBUG_NATIVE: 'COMPILE_CACHE',
    },
  });
const accepted = (stderr: string) =>
  stderr.match(/^\[compile cache\] cache for .* was accepted/gm) ?? [];

const cached = async (cacheDirectory: string) =>
  readdir(join(cacheDirectory, 'node-compile-cache'), { recursive: true }).catch(() => []);

async function cacheDir(name: string, mode: number): Promise<string> {
  const path = join(dir, name);
  await mkdir(path);
  await chmod(path, mode);
  return path;
}

describe('on Node 22', () => {
  it('the demo upgrades, rolls back and rolls back the system, as on Node 20', async () => {
    const node = node22();
    const demo = await execa('node', [join(packageRoot, 'dist', 'demo', 'main.js')], {
      env: { PATH: `${dirname(node)}:${process.env.PATH ?? ''}`, NO_COLOR: '1' },
      reject: false,
    });
    expect(demo.stdout).not.toContain('did not go as expected');
    expect(demo.exitCode).toBe(0);
    // The fourth, the closure CI built, where Nix is installed (CI installs it).
    expect(demo.stdout.match(/^exit code (\d+) \(expected \1\)$/gm)).toHaveLength(
      (await nixAvailable()) ? 4 : 3,
    );
  }, 180_000);

  it("keeps its compile cache in systemd's CacheDirectory, and uses it on the next start", async () => {
    const node = node22();
    const ours = await cacheDir('ours', 0o700);
    const first = await graph(node, ours);
    const files = await cached(ours);
    expect(files.length).toBeGreaterThan(0);
    expect(accepted(first.stderr)).toEqual([]);
    const second = await graph(node, ours);
    expect(second.stdout).toBe(first.stdout);
    // The bundle's entry and its chunks, compiled on the first start, read back on the second.
    expect(accepted(second.stderr).length).toBeGreaterThanOrEqual(2);
    expect(accepted(second.stderr).join('\n')).toContain('dist/bundle/main.js');
  }, 60_000);

  it('keeps no cache where someone else could write it: a group- or world-writable folder, one of another user, a symlink', async () => {
    const node = node22();
    const worldWritable = await cacheDir('world', 0o777);
    const groupWritable = await cacheDir('group', 0o770);
    const nobodys = await cacheDir('nobody', 0o755);
    await chown(nobodys, 65534, 65534);
    const private_ = await cacheDir('private', 0o700);
    const link = join(dir, 'link');
    await symlink(private_, link);
    for (const place of [worldWritable, groupWritable, nobodys, link]) {
      const run = await graph(node, place);
      expect(run.exitCode).toBe(0);
      expect(await cached(place), place).toEqual([]);
    }
    expect(await cached(private_)).toEqual([]);
  }, 60_000);

  it("on the machine's own Node the same rule holds: a cache only where that Node has one (Node 20 has none)", async () => {
    const ours = await cacheDir('machine', 0o700);
    const run = await graph('node', ours);
    expect(run.exitCode).toBe(0);
    const offers = await execa('node', ['-p', "typeof require('node:module').enableCompileCache"]);
    expect((await cached(ours)).length > 0).toBe(offers.stdout === 'function');
  });
});
