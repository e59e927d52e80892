// Issue 27, item 5, as the reviewer found it: a secret with a quote or a backslash went whole into
// the run record (JSON escapes it, so the redactor did not see it); a health check URL with a
// user, a password and a key went into the log and the record through the HTTP client's error;
// and a webhook URL with `user:pass@` could never be sent. Whole runs in-process on sandbox hosts
// and real HTTP servers on 127.0.0.1.
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startHttpServer } from '../support/httpServer.js';
import { runInProcess } from '../support/inProcessRun.js';
import { useSandboxes } from '../support/sandboxes.js';

const sandboxes = useSandboxes();

/** Every file the run left in its state dir, as one text. */
async function stateText(dir: string): Promise<string> {
  const runs = join(dir, 'state', 'runs');
  const names = await readdir(runs);
  return (await Promise.all(names.map((name) => readFile(join(runs, name), 'utf8')))).join('\n');
}

describe('secrets stay secret', () => {
  it('a secret with a quote and a backslash is hidden in the record as in the log', async () => {
    const secret = 'pa"ss\\word-4711';
    const sandbox = await sandboxes.sandbox({
      validationChecks: [
        { name: 'leaky', run: 'echo "token is $TOKEN"; exit 1', secretEnv: { TOKEN: secret } },
      ],
    });
    await sandbox.pushUpstream('nix-config', 'configuration.nix', '# new\n', 'new');
    const run = await runInProcess(sandbox);
    expect(run.exitCode).toBe(4);
    const record = await stateText(sandbox.dir);
    expect(record).toContain('token is ***');
    for (const form of [secret, JSON.stringify(secret).slice(1, -1), 'ss\\\\word', 'pa\\"ss'])
      expect(record).not.toContain(form);
  });

  it('a health check URL: its user, password and query key reach neither the log nor the record, and the user and password are sent as Basic auth', async () => {
    const server = await startHttpServer((request, response) => {
      response.statusCode = request.headers.authorization === undefined ? 401 : 503;
      response.end();
    });
    sandboxes.cleanup(server.close);
    const url =
      server.url.replace('http://', 'http://healthuser:s3cretpw@') + '/health?key=qk3y-9f';
    const sandbox = await sandboxes.sandbox({
      healthChecks: [{ name: 'api', http: { url }, retries: 0 }],
    });
    await sandbox.pushUpstream('nix-config', 'configuration.nix', '# new\n', 'new');
    const run = await runInProcess(sandbox);
    expect(run.exitCode).toBe(4);
    // 503, not 401: the credentials were sent, as a header, not in the URL.
    expect(run.text).toContain('answered 503, expected 200');
    expect(server.requests[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from('healthuser:s3cretpw').toString('base64')}`,
    );
    expect(server.requests[0]?.url).toBe('/health?key=qk3y-9f');
    const record = await stateText(sandbox.dir);
    for (const secret of ['healthuser', 's3cretpw', 'qk3y-9f']) {
      expect(run.text).not.toContain(secret);
      expect(record).not.toContain(secret);
    }
  });

  it('a webhook URL with user:pass@ is sent, with Basic auth, and named without them', async () => {
    const server = await startHttpServer();
    sandboxes.cleanup(server.close);
    const url = server.url.replace('http://', 'http://hookuser:h00kpass@') + '/hook';
    const sandbox = await sandboxes.sandbox({
      validationChecks: [{ name: 'fails', run: 'exit 1' }],
      notify: [{ webhook: { url }, on: ['failure'] }],
    });
    await sandbox.pushUpstream('nix-config', 'configuration.nix', '# new\n', 'new');
    const run = await runInProcess(sandbox);
    expect(run.exitCode).toBe(4);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from('hookuser:h00kpass').toString('base64')}`,
    );
    expect(run.text).not.toMatch(/h00kpass|hookuser/);
  });
});
