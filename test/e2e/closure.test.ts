// Hosts that take the system CI built (system.closure), on real Nix: a "CI" step builds the
// system upstream's commits describe, signs it with a key made by nix-store
// --generate-binary-cache-key, copies it into a file:// binary cache and deletes it from the local
// store; the host's run fetches it from there (or over HTTP on 127.0.0.1), checks it, and switches
// to exactly it.
import { mkdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  announce,
  ciBuildSystem,
  createBinaryCache,
  takeClosures,
  forget,
  inStore,
  publishClosure,
  publishUnsigned,
  serveCache,
  type BinaryCache,
} from '../../demo/binaryCache.js';
import { configurationNix } from '../../demo/nixSystem.js';
import { createSandbox, type Sandbox } from '../../demo/sandbox.js';
import { runCli } from '../support/cli.js';

const sandboxes: Sandbox[] = [];
afterAll(async () => {
  await Promise.all(sandboxes.map((sandbox) => rm(sandbox.dir, { recursive: true, force: true })));
});

interface Host {
  sandbox: Sandbox;
  cache: BinaryCache;
  /** The nix-config commit upstream now, and the system CI built for it (not in the store). */
  commit: string;
  system: string;
  configure: (closure?: Record<string, unknown>) => Promise<void>;
  run: () => ReturnType<typeof runCli>;
}

/** A Nix sandbox with a new commit upstream, CI's build of it, and a cache for it. */
async function hostWithNewCommit(): Promise<Host> {
  const sandbox = await createSandbox({ nix: true });
  sandboxes.push(sandbox);
  const cache = await createBinaryCache(join(sandbox.dir, 'cache'));
  const commit = await sandbox.pushUpstream(
    'nix-config',
    'configuration.nix',
    configurationNix('  networking.hostName = "built-by-ci";\n'),
    'new',
  );
  const system = await ciBuildSystem(sandbox);
  const configure = async (closure: Record<string, unknown> = {}) =>
    sandbox.writeConfig(await takeClosures(sandbox, cache, closure));
  await configure();
  return {
    sandbox,
    cache,
    commit,
    system,
    configure,
    run: () => runCli(['run', '--config', sandbox.configFile], { env: sandbox.env }),
  };
}

async function unchanged(host: Host, run: Awaited<ReturnType<typeof runCli>>) {
  expect(await host.sandbox.head('nix-config')).not.toBe(host.commit);
  expect((await host.sandbox.generations()).map((entry) => entry.generation)).toEqual([1]);
  expect(run.states).not.toContain('switching');
}

describe('system.closure on real Nix', () => {
  let host: Host;
  beforeEach(async () => {
    host = await hostWithNewCommit();
  });

  it('fetches the signed closure CI published and switches to exactly it', async () => {
    await publishClosure(host.cache, host.system);
    await forget(host.system);
    expect(await inStore(host.system)).toBe(false);
    await announce(host.sandbox, host.commit, host.system);

    const run = await host.run();
    expect(run.stdout).toContain('state fetchingClosure');
    expect(run.states).toEqual([
      'hooksRunning',
      'snapshotting',
      'pulling',
      'fetchingClosure',
      'validating',
      'switching',
      'done',
    ]);
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(await inStore(host.system)).toBe(true);
    const current = (await host.sandbox.generations()).find((entry) => entry.current);
    expect(current).toEqual({ generation: 2, storePath: host.system, current: true });
    expect(await host.sandbox.currentSystem()).toBe(host.system);
    expect(await host.sandbox.head('nix-config')).toBe(host.commit);
    expect(run.stdout).toContain(
      'result: upgraded: the new configuration is fetched, checked and switched',
    );
    // A GC root keeps what was fetched until the profile holds it.
    expect(await readlink(join(host.sandbox.dir, 'state', 'fetched-closure'))).toBe(host.system);
    expect(run.stdout).toContain(`closure: ${host.system} (fetched `);
    expect(run.stdout).toContain('signed by ci-1)');
  });

  it('refuses an unsigned closure before anything moves (exit 3)', async () => {
    await publishUnsigned(host.cache, host.system);
    await forget(host.system);
    await announce(host.sandbox, host.commit, host.system);
    const run = await host.run();
    expect(run.exitCode, run.stdout).toBe(3);
    expect(run.states.at(-1)).toBe('aborted');
    expect(run.stdout).toContain(`${host.system} in ${host.cache.url} is not signed`);
    await unchanged(host, run);
    expect(await inStore(host.system)).toBe(false);
  });

  it('refuses a closure signed by a key that is not configured (exit 3)', async () => {
    const other = await createBinaryCache(join(host.sandbox.dir, 'other-cache'), 'other-1');
    await publishClosure(host.cache, host.system, other.keyFile);
    await forget(host.system);
    await announce(host.sandbox, host.commit, host.system);
    const run = await host.run();
    expect(run.exitCode, run.stdout).toBe(3);
    expect(run.stdout).toContain(
      'signed only by other-1, not by a key in system.closure.publicKeys',
    );
    await unchanged(host, run);
  });

  it('a cache that is down is temporary: exit 75, nothing moved', async () => {
    await publishClosure(host.cache, host.system);
    await forget(host.system);
    await announce(host.sandbox, host.commit, host.system);
    const served = await serveCache(host.cache);
    await served.close();
    await host.configure({ substituters: [served.url] });
    const run = await host.run();
    expect(run.exitCode, run.stdout).toBe(75);
    expect(run.states.at(-1)).toBe('fetchFailed');
    expect(run.stdout).toContain(`no substituter could be asked for ${host.system}`);
    await unchanged(host, run);
  });

  it('a cache that fails during the fetch: the repos go back, exit 75, the commits not held against the host', async () => {
    await publishClosure(host.cache, host.system);
    await forget(host.system);
    await announce(host.sandbox, host.commit, host.system);
    // The cache answers what it has, but its NAR files are gone (a cache failing mid-way).
    await rm(join(host.cache.dir, 'nar'), { recursive: true });
    const run = await host.run();
    expect(run.states).toContain('fetchingClosure');
    expect(run.states.at(-1)).toBe('rolledBack');
    expect(run.exitCode, run.stdout).toBe(75);
    expect(run.stdout).toMatch(
      /result: fetch failed \(temporary\): the closure could not be fetched/,
    );
    await unchanged(host, run);
    const rejected = await readFile(
      join(host.sandbox.dir, 'state', 'rejected-commits.json'),
      'utf8',
    ).catch(() => '');
    expect(rejected).not.toContain(host.commit);
  });

  it('not enough space: one line naming both numbers, exit 3, nothing changed', async () => {
    await publishClosure(host.cache, host.system);
    await forget(host.system);
    await announce(host.sandbox, host.commit, host.system);
    await host.configure({ keepFree: '100000TiB' });
    const run = await host.run();
    expect(run.exitCode, run.stdout).toBe(3);
    expect(run.stdout).toMatch(
      /not enough space for the closure: it needs [\d.]+ \w+ and system\.closure\.keepFree 100000 TiB must stay free, but \/nix\/store's file system has [\d.]+ \w+/,
    );
    await unchanged(host, run);
    expect(await inStore(host.system)).toBe(false);
  });

  it('runs gcCommand when the space is short, and measures again', async () => {
    await publishClosure(host.cache, host.system);
    await forget(host.system);
    await announce(host.sandbox, host.commit, host.system);
    await host.configure({ keepFree: '100000TiB', gcCommand: 'echo collecting garbage' });
    const run = await host.run();
    expect(run.stdout).toContain('[gc] collecting garbage');
    expect(run.exitCode).toBe(3);
  });

  describe('nothing published yet for the commits', () => {
    it('fallback "wait" (the default): nothing moves, result nothing-new saying so', async () => {
      const run = await host.run();
      expect(run.exitCode, run.stdout).toBe(0);
      expect(run.stdout).toContain(
        `result: nothing new (no closure is published yet for nix-config ${host.commit.slice(0, 12)}`,
      );
      await unchanged(host, run);
    });

    it('fallback "fail": aborted, exit 3', async () => {
      await host.configure({ fallback: 'fail' });
      const run = await host.run();
      expect(run.exitCode, run.stdout).toBe(3);
      expect(run.stdout).toContain('no closure is published yet');
      await unchanged(host, run);
    });

    it('fallback "build": built and switched here', async () => {
      // The build and switch of a host without closures stay: the fallback uses them.
      const { system } = await takeClosures(host.sandbox, host.cache, { fallback: 'build' });
      await host.sandbox.writeConfig({ system });
      const run = await host.run();
      expect(run.exitCode, run.stdout).toBe(0);
      expect(run.states).toContain('building');
      expect(run.states).not.toContain('fetchingClosure');
      expect(run.stdout).toContain('building the system here (system.closure.fallback "build")');
      // The host's own build of the same commits is the very system CI built.
      expect(await host.sandbox.currentSystem()).toBe(host.system);
    });

    it('a path announced but in no substituter yet counts as not published', async () => {
      await forget(host.system);
      await announce(host.sandbox, host.commit, host.system);
      const run = await host.run();
      expect(run.exitCode).toBe(0);
      expect(run.stdout).toContain(`${host.system}, published for nix-config`);
      expect(run.stdout).toContain('is in none of the substituters yet');
    });
  });

  it('outside the window: fetches the closure and nothing else; inside: only switches, asking no cache', async () => {
    await publishClosure(host.cache, host.system);
    await forget(host.system);
    await announce(host.sandbox, host.commit, host.system);
    await host.sandbox.writeConfig({
      ...(await takeClosures(host.sandbox, host.cache)),
      window: { start: '02:00', length: '3h', timeZone: 'UTC' },
    });
    const args = ['run', '--config', host.sandbox.configFile];
    const outside = await runCli(args, { env: host.sandbox.env, at: '2026-03-03 12:00:00' });
    expect(outside.exitCode, outside.stdout).toBe(0);
    expect(outside.stdout).toContain('result: skipped (outside the maintenance window');
    expect(outside.stdout).toContain(`prefetch: fetched ${host.system} (`);
    expect(outside.stdout).toContain('for the run inside the window, which only switches');
    expect(await inStore(host.system)).toBe(true);
    await unchanged(host, outside);

    // The cache is gone by the window: the run needs none, the closure is here and signed.
    await rm(host.cache.dir, { recursive: true });
    const inside = await runCli(args, { env: host.sandbox.env, at: '2026-03-03 02:30:00' });
    expect(inside.exitCode, inside.stdout).toBe(0);
    expect(inside.states).toContain('fetchingClosure');
    expect(inside.stdout).toMatch(
      /closure: \S+ \(all [\d.]+ KiB already in the store, signed by ci-1\)/,
    );
    const current = (await host.sandbox.generations()).find((entry) => entry.current);
    expect(current).toEqual({ generation: 2, storePath: host.system, current: true });
  });

  it('a prefetch that fails says so and leaves the run skipped (exit 0)', async () => {
    await announce(host.sandbox, host.commit, host.system);
    await forget(host.system);
    await host.sandbox.writeConfig({
      ...(await takeClosures(host.sandbox, { ...host.cache, substituter: 'http://127.0.0.1:1' })),
      window: { start: '02:00', length: '3h', timeZone: 'UTC' },
    });
    const run = await runCli(['run', '--config', host.sandbox.configFile], {
      env: host.sandbox.env,
      at: '2026-03-03 12:00:00',
    });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('prefetch: failed (no substituter could be asked');
    await unchanged(host, run);
  });

  it('--dry-run shows the store path, its size and the key that signed it, and changes nothing', async () => {
    await publishClosure(host.cache, host.system);
    await forget(host.system);
    await announce(host.sandbox, host.commit, host.system);
    const dry = await runCli(['run', '--config', host.sandbox.configFile, '--dry-run'], {
      env: host.sandbox.env,
    });
    expect(dry.exitCode, dry.stdout).toBe(0);
    expect(dry.stdout).toContain(`closure ${host.system}, signed by ci-1`);
    expect(dry.stdout).toMatch(/would fetch [\d.]+ KiB of its [\d.]+ KiB from file:\/\//);
    expect(dry.stdout).toContain(
      `would run nix-env --profile ${host.sandbox.profile} --set ${host.system}`,
    );
    expect(await inStore(host.system)).toBe(false);
    await unchanged(host, dry);

    // Unsigned: the dry run says the run would abort, with the run's exit code.
    await rm(host.cache.dir, { recursive: true });
    await publishUnsigned(host.cache, await ciBuildSystem(host.sandbox));
    await forget(host.system);
    const refused = await runCli(['run', '--config', host.sandbox.configFile, '--dry-run'], {
      env: host.sandbox.env,
    });
    expect(refused.stdout).toContain('would abort (exit 3)');
    expect(refused.exitCode).toBe(3);
  });

  it('refuses an answer that is not a NixOS system store path', async () => {
    await mkdir(join(host.sandbox.dir, 'closures'), { recursive: true });
    await writeFile(join(host.sandbox.dir, 'closures', host.commit), '/etc/shadow\n');
    const run = await host.run();
    expect(run.exitCode).toBe(3);
    expect(run.stdout).toContain(`the closure source answered "/etc/shadow"`);
    await unchanged(host, run);
  });
});
