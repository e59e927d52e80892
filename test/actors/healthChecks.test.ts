// Health checks after the switch, against a real HTTP server on 127.0.0.1 and real commands:
// retries with a pause, what each failure says, and what never reaches the log (secrets in URLs).
import { describe, expect, it } from 'vitest';
import { checkedUrl, runHealthChecks } from '../../src/actors/runHealthChecks.js';
import type { HealthCheckSpec } from '../../src/config/resolve.js';
import { startHttpServer } from '../support/httpServer.js';
import { memoryLog } from '../support/memoryLog.js';
import { rejectionOf } from '../support/rejection.js';

const deps = (signal = new AbortController().signal) => ({
  log: memoryLog(),
  env: process.env,
  signal,
});

const http = (
  name: string,
  url: string,
  extra: Partial<Omit<HealthCheckSpec, 'target'>> = {},
): HealthCheckSpec => ({
  name,
  target: { http: { url, expectStatus: 200, timeoutMs: 2_000 } },
  retries: 0,
  intervalMs: 1,
  ...extra,
});

const failure = async (promise: Promise<void>) => (await rejectionOf(promise, Error)).message;

describe('runHealthChecks', () => {
  it('passes once the service answers as expected, saying what it tried meanwhile', async () => {
    let asked = 0;
    const server = await startHttpServer((_request, response) => {
      asked += 1;
      response.statusCode = asked < 3 ? 503 : 200;
      response.end();
    });
    try {
      const run = deps();
      await runHealthChecks(
        [http('web', `${server.url}/health?token=s3cret`, { retries: 3, intervalMs: 5 })],
        run,
      );
      expect(asked).toBe(3);
      const where = `${server.url}/health?…`;
      expect(run.log.lines).toEqual([
        `web: GET ${where}`,
        `warning: web: ${where} answered 503, expected 200; trying again in 5ms`,
        `web: GET ${where}`,
        `warning: web: ${where} answered 503, expected 200; trying again in 5ms`,
        `web: GET ${where}`,
      ]);
      expect(run.log.lines.join('\n')).not.toContain('s3cret');
    } finally {
      await server.close();
    }
  });

  it('fails after its last attempt, counting them, and runs no check after a failed one', async () => {
    const server = await startHttpServer((_request, response) => {
      response.statusCode = 500;
      response.end();
    });
    try {
      const run = deps();
      const message = await failure(
        runHealthChecks(
          [http('web', `${server.url}/`, { retries: 1 }), http('never', `${server.url}/never`)],
          run,
        ),
      );
      expect(message).toBe(
        `health check web failed after 2 attempts: ${server.url}/ answered 500, expected 200`,
      );
      expect(server.requests.map((request) => request.url)).toEqual(['/', '/']);
      const once = await failure(runHealthChecks([http('once', `${server.url}/`)], deps()));
      expect(once).toMatch(/^health check once failed after 1 attempt: /);
    } finally {
      await server.close();
    }
  });

  it('says when a service does not answer in time, or cannot be reached', async () => {
    const silent = await startHttpServer(() => undefined);
    const closed = await startHttpServer();
    await closed.close();
    try {
      const slow = http('slow', `${silent.url}/`);
      if ('http' in slow.target) slow.target.http.timeoutMs = 100;
      expect(await failure(runHealthChecks([slow], deps()))).toBe(
        `health check slow failed after 1 attempt: no answer from ${silent.url}/ within 100ms`,
      );
      expect(await failure(runHealthChecks([http('down', `${closed.url}/`)], deps()))).toMatch(
        new RegExp(
          `^health check down failed after 1 attempt: cannot reach ${closed.url}/ \\(ECONNREFUSED`,
        ),
      );
    } finally {
      await silent.close();
    }
  });

  it('runs a command check, and stops when the run is interrupted', async () => {
    const command = (run: string[]): HealthCheckSpec => ({
      name: 'units',
      target: { command: { name: 'units', run: { argv: run }, env: {}, cwd: process.cwd() } },
      retries: 2,
      intervalMs: 1,
    });
    await runHealthChecks([command(['true'])], deps());
    expect(await failure(runHealthChecks([command(['false'])], deps()))).toMatch(
      /^health check units failed after 3 attempts: units failed with exit code 1/,
    );
    const stop = new AbortController();
    stop.abort();
    expect(await failure(runHealthChecks([command(['true'])], deps(stop.signal)))).toBe(
      'units was stopped because the run was interrupted',
    );
  });
});

describe('checkedUrl', () => {
  it('keeps origin and path, never credentials or query values', () => {
    expect(checkedUrl('http://user:pw@127.0.0.1:8080/health?key=secret')).toBe(
      'http://127.0.0.1:8080/health?…',
    );
    expect(checkedUrl('https://example.test/ready')).toBe('https://example.test/ready');
    expect(checkedUrl('not a url')).toBe('(invalid URL)');
  });
});
