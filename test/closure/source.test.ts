// Where a closure's store path comes from, against a real HTTP server on 127.0.0.1 and real child
// processes: what the source answers is text from another machine, so only a NixOS system's store
// path gets through, and a source that cannot be asked is temporary, never "nothing published".
import { afterEach, describe, expect, it } from 'vitest';
import type { ClosureSpec } from '../../src/config/resolve.js';
import { closureUrl, commitVariable, publishedClosure } from '../../src/closure/source.js';
import { isSystemPath } from '../../src/closure/systemPath.js';
import { signedBy } from '../../src/closure/binaryCache.js';
import { formatSize, parseSize } from '../../src/config/size.js';
import { validateConfig } from '../../src/config/validate.js';
import { startHttpServer } from '../support/httpServer.js';
import { freePort } from '../../demo/etcdServer.js';

const system = `/nix/store/${'a'.repeat(32)}-nixos-system-web-1-26.05.20261201.abcdef0`;
const commits = { 'nix-config': 'b'.repeat(40), secrets: 'c'.repeat(40) };
const deps = {
  env: { PATH: process.env.PATH ?? '' },
  signal: new AbortController().signal,
  host: 'web-1',
};
const spec = (source: ClosureSpec['source']): ClosureSpec => ({
  source,
  substituters: ['https://cache.example'],
  publicKeys: [`ci-1:${'A'.repeat(43)}=`],
  fallback: 'wait',
  keepFreeBytes: 0,
  prefetch: true,
  timeoutMs: 60_000,
});
const shell = (line: string): ClosureSpec['source'] => ({
  command: { name: 'closure-source', run: { shell: line }, env: {}, cwd: '/' },
});

const servers: { close: () => Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

describe('a NixOS system store path', () => {
  it('is the only answer taken', () => {
    expect(isSystemPath(system)).toBe(true);
    for (const other of [
      '/etc/shadow',
      `/nix/store/${'a'.repeat(32)}-hello-2.12`,
      `/nix/store/${'e'.repeat(32)}-nixos-system-x`, // "e" is not in Nix's base32
      `/nix/store/${'a'.repeat(31)}-nixos-system-x`,
      `${system}/../../etc`,
      `${system}\n/etc/shadow`,
      `/nix/store/${'a'.repeat(32)}-nixos-system--rf`,
      `/tmp/nix/store/${'a'.repeat(32)}-nixos-system-x`,
      `/nix/store/${'a'.repeat(32)}-nixos-system-${'x'.repeat(200)}`,
    ]) {
      expect(isSystemPath(other), other).toBe(false);
    }
  });
});

describe('the closure command', () => {
  it('gets the commits and the host, and its first line is the answer', async () => {
    const answer = await publishedClosure(
      spec(
        shell(
          `test "$${commitVariable('nix-config')}" = ${commits['nix-config']} && test "$XS_UPGRADE_HOST" = web-1 && test "$XS_UPGRADE_COMMIT_SECRETS" = ${commits.secrets} && printf '%s\\nmore\\n' ${system}`,
        ),
      ),
      commits,
      deps,
    );
    expect(answer).toBe(system);
  });

  it('exit 0 and nothing printed: nothing published yet', async () => {
    expect(await publishedClosure(spec(shell('true')), commits, deps)).toBeUndefined();
  });

  it('any other exit: temporary, with what it said', async () => {
    const error = await publishedClosure(
      spec(shell('echo "ci is down" >&2; exit 2')),
      commits,
      deps,
    ).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ temporary: true });
    expect((error as Error).message).toBe(
      'the closure command failed with exit code 2 ("ci is down"): echo "ci is down" >&2; exit 2',
    );
  });

  it('an answer that is not a system path is refused, shown printable and short', async () => {
    const error = await publishedClosure(
      spec(shell("printf '/etc/shadow\\033[2J'")),
      commits,
      deps,
    ).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ refused: true });
    expect((error as Error).message).toContain(
      'answered "/etc/shadow?[2J", which is not a NixOS system',
    );
  });

  it('printing without end is cut off, and temporary', async () => {
    const error = await publishedClosure(spec(shell('yes /nix/store')), commits, deps).catch(
      (caught: unknown) => caught,
    );
    expect((error as Error).message).toMatch(/printed more than 4096 bytes/);
  });
});

describe('the closure URL', () => {
  it('fills {host} and {REPO}, URL-encoded, and leaves unknown names', () => {
    expect(
      closureUrl('https://ci/c/{host}/{nix-config}/{nope}', { 'nix-config': 'a/b' }, 'web 1'),
    ).toBe('https://ci/c/web%201/a%2Fb/{nope}');
  });

  it('200: the path; 404: nothing yet; 500 or nobody listening: temporary', async () => {
    const server = await startHttpServer((request, response) => {
      if (request.url === `/closures/web-1/${commits['nix-config']}`) response.end(`${system}\n`);
      else if (request.url.startsWith('/broken')) response.writeHead(500).end('oops');
      else response.writeHead(404).end();
    });
    servers.push(server);
    const from = (path: string) =>
      publishedClosure(spec({ url: `${server.url}${path}` }), commits, deps);
    expect(await from('/closures/{host}/{nix-config}')).toBe(system);
    expect(server.requests.at(-1)?.method).toBe('GET');
    expect(await from('/closures/{host}/unknown')).toBeUndefined();
    await expect(from('/broken/{host}')).rejects.toMatchObject({
      temporary: true,
      message: `the closure source ${server.url} answered HTTP 500`,
    });
    await expect(
      publishedClosure(spec({ url: `http://127.0.0.1:${await freePort()}/{host}` }), commits, deps),
    ).rejects.toMatchObject({
      temporary: true,
      message: expect.stringContaining('ECONNREFUSED') as string,
    });
  });

  it('follows no redirect, and sends credentials in the URL as Basic auth, never in the message', async () => {
    const server = await startHttpServer((request, response) => {
      if (request.url === '/moved') response.writeHead(302, { location: '/elsewhere' }).end();
      else
        response.end(
          request.headers.authorization === `Basic ${Buffer.from('ci:s3cret').toString('base64')}`
            ? system
            : '',
        );
    });
    servers.push(server);
    const withCredentials = server.url.replace('http://', 'http://ci:s3cret@');
    expect(await publishedClosure(spec({ url: `${withCredentials}/x` }), commits, deps)).toBe(
      system,
    );
    const error = await publishedClosure(
      spec({ url: `${withCredentials}/moved` }),
      commits,
      deps,
    ).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ temporary: true });
    expect((error as Error).message).not.toContain('s3cret');
  });
});

describe('signatures, sizes and the config', () => {
  it('counts only configured key names among the signatures', () => {
    const keys = [`ci-1:${'A'.repeat(43)}=`, `cache.nixos.org-1:${'B'.repeat(43)}=`];
    expect(signedBy(['ci-1:sig', 'other-1:sig', 'ci-1:again'], keys)).toEqual(['ci-1']);
    expect(signedBy(['other-1:sig'], keys)).toEqual([]);
    expect(signedBy([], keys)).toEqual([]);
  });

  it('reads and prints sizes', () => {
    expect(parseSize('1GiB')).toBe(2 ** 30);
    expect(parseSize('500MB')).toBe(500 * 2 ** 20);
    expect(parseSize('1.5 G')).toBe(1.5 * 2 ** 30);
    expect(parseSize('4096')).toBe(4096);
    expect(parseSize('12B')).toBe(12);
    expect(() => parseSize('lots')).toThrow('not a size');
    expect(formatSize(900)).toBe('900 B');
    expect(formatSize(1536)).toBe('1.5 KiB');
    expect(formatSize(320 * 2 ** 20)).toBe('320 MiB');
    expect(formatSize(1.25 * 2 ** 30)).toBe('1.3 GiB');
  });

  it('the config names exactly one source, in local mode, with keys of the right shape', () => {
    const base = {
      switch: 'true',
      buildBeforeSwitch: false,
      repos: [{ name: 'nix-config', path: '/srv/nix-config' }],
    };
    const closure = {
      substituters: ['https://cache.example'],
      publicKeys: [`ci-1:${'A'.repeat(43)}=`],
    };
    const errors = (extra: Record<string, unknown>, more: Record<string, unknown> = {}) =>
      validateConfig({
        ...base,
        ...more,
        system: { profile: '/p', closure: { ...closure, ...extra } },
      }).errors;
    expect(errors({ command: 'ci-closure' })).toEqual([]);
    expect(errors({ url: 'https://ci.example/{host}' })).toEqual([]);
    expect(errors({})).toEqual([
      '/system/closure: give exactly one of "command" and "url", the source of the store path for the pulled commits',
    ]);
    expect(errors({ command: 'a', url: 'https://b' })).toHaveLength(1);
    expect(errors({ command: 'a' }, { mode: 'remote', repos: undefined })).toContain(
      '/system/closure: needs mode "local": the closure is looked up by the commits the repos are pulled to',
    );
    expect(errors({ command: 'a', publicKeys: ['not a key'] }).join('\n')).toMatch(
      /\/system\/closure\/publicKeys\/0/,
    );
    expect(errors({ command: 'a', substituters: ['ftp://x'] }).join('\n')).toMatch(
      /\/system\/closure\/substituters\/0/,
    );
  });
});
