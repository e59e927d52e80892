// A binary cache and the CI that fills it, for sandbox hosts that take the closure CI built
// (system.closure): a signing key made by nix-store --generate-binary-cache-key, the system built
// from upstream's commits as CI would, signed and copied into a file:// cache, then deleted from
// the local store so the host must fetch it; the same cache over HTTP on 127.0.0.1, to take down.
import { execa } from 'execa';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize, relative } from 'node:path';
import { buildLineFrom, nixConfig } from './nixSystem.js';
import type { Sandbox } from './sandbox.js';

const nixEnv = { ...process.env, NIX_CONFIG: `${nixConfig}\nexperimental-features = nix-command` };

export interface BinaryCache {
  dir: string;
  /** file://DIR: what a config's substituters name. */
  url: string;
  /** NAME:BASE64, for publicKeys. */
  publicKey: string;
  keyFile: string;
}

/** A new cache in `dir` with its own signing key named `name`. */
export async function createBinaryCache(dir: string, name = 'ci-1'): Promise<BinaryCache> {
  await mkdir(dir, { recursive: true });
  const keyFile = join(dir, '..', `${name}.secret`);
  const publicFile = join(dir, '..', `${name}.public`);
  await execa('nix-store', ['--generate-binary-cache-key', name, keyFile, publicFile], {
    env: nixEnv,
  });
  return {
    dir,
    url: `file://${dir}`,
    publicKey: (await readFile(publicFile, 'utf8')).trim(),
    keyFile,
  };
}

/** The system upstream's commits describe, built as the host's own build would build it. */
export async function ciBuildSystem(sandbox: Sandbox): Promise<string> {
  const built = await execa(
    'sh',
    ['-c', buildLineFrom('upstream/nix-config', 'upstream/nix-secrets')],
    { cwd: sandbox.dir, env: nixEnv },
  );
  return built.stdout.trim().split('\n').at(-1) ?? '';
}

/** Signs the closure (with `keyFile`, else the cache's key) and copies it into the cache. */
export async function publishClosure(
  cache: BinaryCache,
  storePath: string,
  keyFile = cache.keyFile,
): Promise<void> {
  await execa('nix', ['store', 'sign', '--recursive', '--key-file', keyFile, storePath], {
    env: nixEnv,
  });
  await execa('nix', ['copy', '--to', cache.url, storePath], { env: nixEnv });
}

/** Copies the closure into the cache without signing it. */
export async function publishUnsigned(cache: BinaryCache, storePath: string): Promise<void> {
  await execa('nix', ['copy', '--to', cache.url, storePath], { env: nixEnv });
}

/** Deletes the system from the local store (not what it shares with the running one). */
export async function forget(storePath: string): Promise<void> {
  await execa('nix-store', ['--delete', storePath], { env: nixEnv });
}

/** Whether the local store has the path. */
export async function inStore(storePath: string): Promise<boolean> {
  const result = await execa('nix-store', ['--check-validity', storePath], {
    env: nixEnv,
    reject: false,
  });
  return result.exitCode === 0;
}

/** What the sandbox's closure source prints: the path CI published for a nix-config commit. */
export async function announce(sandbox: Sandbox, commit: string, storePath: string) {
  await mkdir(join(sandbox.dir, 'closures'), { recursive: true });
  await writeFile(join(sandbox.dir, 'closures', commit), `${storePath}\n`);
}

/** The closure source a sandbox's config names: the announced path, or nothing yet. */
export const closureSourceScript = `#!/bin/sh
# Stands in for CI's answer: the closure published for the nix-config commit, if any yet.
cat "closures/$XS_UPGRADE_COMMIT_NIX_CONFIG" 2>/dev/null || true
`;

/** The cache over HTTP on 127.0.0.1 (a real substituter); close() takes it down. */
export async function serveCache(
  cache: BinaryCache,
  options: { slowNar?: boolean } = {},
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((request, response) => {
    // A download that takes its time: what a run stopped while it fetches needs.
    if (options.slowNar && request.url?.startsWith('/nar/')) return;
    const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname));
    const file = join(cache.dir, path);
    if (relative(cache.dir, file).startsWith('..')) {
      response.writeHead(403).end();
      return;
    }
    stat(file)
      .then((found) => {
        if (!found.isFile()) throw new Error('not a file');
        response.writeHead(200, { 'content-length': found.size });
        if (request.method === 'HEAD') response.end();
        else createReadStream(file).pipe(response);
      })
      .catch(() => response.writeHead(404).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A sandbox host set to take closures from `cache`, by what its closures/ folder announces: the
 * config overrides (nothing built here unless `closure.fallback` says so) and the source script.
 */
export async function takeClosures(
  sandbox: Sandbox,
  cache: Pick<BinaryCache, 'url' | 'publicKey'> & { substituter?: string },
  closure: Record<string, unknown> = {},
): Promise<Record<string, unknown>> {
  await writeFile(join(sandbox.dir, 'bin', 'closure-source.sh'), closureSourceScript, {
    mode: 0o755,
  });
  return {
    build: undefined,
    buildBeforeSwitch: false,
    system: {
      profile: sandbox.profile,
      closure: {
        command: ['sh', 'bin/closure-source.sh'],
        substituters: [cache.substituter ?? cache.url],
        publicKeys: [cache.publicKey],
        ...closure,
      },
    },
  };
}

/** CI's whole job: build upstream's commits, sign and upload the closure, announce it for `commit`; the host's store forgets it. */
export async function ciPublish(
  sandbox: Sandbox,
  cache: BinaryCache,
  commit: string,
): Promise<string> {
  const system = await ciBuildSystem(sandbox);
  await publishClosure(cache, system);
  await forget(system).catch(() => undefined);
  await announce(sandbox, commit, system);
  return system;
}
