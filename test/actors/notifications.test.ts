// Notifications to a real HTTP server on 127.0.0.1 and to a real command: what is sent, when it is
// tried again, and what a failure says (it is logged and returned, never thrown).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  buildPayload,
  eventsForResult,
  sendNotifications,
  type NotificationPayload,
} from '../../src/actors/sendNotifications.js';
import type { NotificationSpec, NotifyEvent, WebhookSpec } from '../../src/config/resolve.js';
import { upgradeResults } from '../../src/machine/types.js';
import { startHttpServer } from '../support/httpServer.js';
import { memoryLog } from '../support/memoryLog.js';

let dir: string;
const closers: (() => Promise<void>)[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xs-upgrade-notify-'));
});
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
  await rm(dir, { recursive: true, force: true });
});

async function server(statuses: number[]) {
  let index = 0;
  const started = await startHttpServer((_request, response) => {
    response.statusCode = statuses[Math.min(index, statuses.length - 1)] ?? 200;
    index += 1;
    response.end();
  });
  closers.push(started.close);
  return started;
}

const webhook = (url: string, extra: Partial<WebhookSpec> = {}): WebhookSpec => ({
  url,
  headers: {},
  timeoutMs: 2_000,
  retries: 0,
  ...extra,
});

const payloadFor = (event: NotifyEvent): NotificationPayload =>
  buildPayload(event, {
    result: 'rolled-back',
    states: ['pulling', 'building', 'rollingBack.resettingRepos', 'rolledBack'],
    commits: [
      { repo: 'nix-config', saved: 'a'.repeat(40), final: 'a'.repeat(40) },
      { repo: 'nix-secrets', saved: 'b'.repeat(40) },
    ],
    config: '/etc/xs-upgrade/host.json',
    failure: { state: 'building', message: 'build failed with exit code 1' },
  });

function send(notifications: NotificationSpec[], events: NotifyEvent[]) {
  const log = memoryLog();
  const failures = sendNotifications(notifications, events, payloadFor, {
    log,
    env: process.env,
    signal: new AbortController().signal,
    retryBaseMs: 1,
  });
  return { log, failures };
}

describe('eventsForResult', () => {
  it('names the specific event before "failure", and keeps the untouched outcomes apart', () => {
    const events = Object.fromEntries(
      upgradeResults.map((result) => [result, eventsForResult(result)]),
    );
    expect(events).toEqual({
      upgraded: ['success'],
      rebooting: ['success'],
      'nothing-new': ['nothing-new'],
      'held-back': ['held-back'],
      'fetch-failed': ['fetch-failed'],
      'no-slot': ['no-slot'],
      'fleet-unavailable': ['fleet-unavailable'],
      skipped: ['skipped'],
      aborted: ['failure'],
      'rolled-back': ['rolled-back', 'failure'],
      'rollback-failed': ['rollback-failed', 'failure'],
      // Back on a good set as the fleet asked: news, not a failure.
      recalled: ['recalled'],
    });
  });
});

describe('sendNotifications', () => {
  it('posts the payload as JSON with its headers, once, for the first event it listens to', async () => {
    const hook = await server([204]);
    const { log, failures } = send(
      [
        {
          name: 'ops',
          on: ['failure', 'rolled-back'],
          target: {
            webhook: webhook(`${hook.url}/hook`, { headers: { authorization: 'Bearer s3cret' } }),
          },
        },
        { name: 'quiet', on: ['success'], target: { webhook: webhook(`${hook.url}/never`) } },
      ],
      ['rolled-back', 'failure'],
    );
    expect(await failures).toEqual([]);
    expect(hook.requests).toHaveLength(1);
    const [request] = hook.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/hook');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['user-agent']).toBe('xs-upgrade');
    expect(request?.headers.authorization).toBe('Bearer s3cret');
    const body = JSON.parse(request?.body ?? '{}') as NotificationPayload;
    expect(body).toEqual({ ...payloadFor('rolled-back'), event: 'rolled-back' });
    expect(body.error).toBe('build failed with exit code 1');
    expect(body.failedState).toBe('building');
    expect(log.lines).toEqual(['notification ops: sent (rolled-back)']);
  });

  it('tries a server error again, and gives up on a client error at once', async () => {
    const flaky = await server([503, 200]);
    const first = send(
      [{ name: 'flaky', on: ['failure'], target: { webhook: webhook(flaky.url, { retries: 2 }) } }],
      ['failure'],
    );
    expect(await first.failures).toEqual([]);
    expect(flaky.requests).toHaveLength(2);
    const origin = new URL(flaky.url).origin;
    expect(first.log.lines).toEqual([
      `warning: notification flaky: HTTP 503 from ${origin}/…; trying again`,
      'notification flaky: sent (failure)',
    ]);

    const gone = await server([404]);
    const second = send(
      [{ name: 'gone', on: ['failure'], target: { webhook: webhook(gone.url, { retries: 3 }) } }],
      ['failure'],
    );
    const goneOrigin = new URL(gone.url).origin;
    expect(await second.failures).toEqual([
      `notification gone failed: HTTP 404 from ${goneOrigin}/…`,
    ]);
    expect(gone.requests).toHaveLength(1);
    expect(second.log.lines).toEqual([
      `warning: notification gone failed: HTTP 404 from ${goneOrigin}/…`,
    ]);
  });

  it('tries a 500 again after a pause that doubles, and warns only while a try is left', async () => {
    const times: number[] = [];
    const down = await startHttpServer((_request, response) => {
      times.push(performance.now());
      response.statusCode = 500;
      response.end();
    });
    closers.push(down.close);
    const log = memoryLog();
    const failures = await sendNotifications(
      [{ name: 'down', on: ['failure'], target: { webhook: webhook(down.url, { retries: 2 }) } }],
      ['failure'],
      payloadFor,
      { log, env: process.env, signal: new AbortController().signal, retryBaseMs: 150 },
    );
    const origin = new URL(down.url).origin;
    expect(failures).toEqual([`notification down failed: HTTP 500 from ${origin}/…`]);
    expect(times).toHaveLength(3);
    // At least the pause asked for (150 ms, then 300 ms); never less, whatever the load.
    expect((times[1] ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(140);
    expect((times[2] ?? 0) - (times[1] ?? 0)).toBeGreaterThanOrEqual(290);
    expect(log.lines).toEqual([
      `warning: notification down: HTTP 500 from ${origin}/…; trying again`,
      `warning: notification down: HTTP 500 from ${origin}/…; trying again`,
      `warning: notification down failed: HTTP 500 from ${origin}/…`,
    ]);
  });

  it('says when a server does not answer in time or cannot be reached, never naming the path', async () => {
    const silent = await startHttpServer(() => undefined);
    closers.push(silent.close);
    // A port nothing listens on: a server's, closed again.
    const gone = await startHttpServer();
    await gone.close();
    const { failures } = send(
      [
        {
          name: 'slow',
          on: ['failure'],
          target: { webhook: webhook(`${silent.url}/token/abc`, { timeoutMs: 100 }) },
        },
        {
          name: 'closed',
          on: ['failure'],
          target: { webhook: webhook(`${gone.url}/token/abc`, { retries: 1 }) },
        },
      ],
      ['failure'],
    );
    expect(await failures).toEqual([
      `notification slow failed: no answer from ${new URL(silent.url).origin}/… within 100ms`,
      `notification closed failed: cannot reach ${new URL(gone.url).origin}/… (ECONNREFUSED)`,
    ]);
  });

  it('runs a command with the payload in its environment', async () => {
    const out = join(dir, 'env.txt');
    const { log, failures } = send(
      [
        {
          name: 'script',
          on: ['rolled-back'],
          target: {
            command: {
              name: 'notify',
              run: { shell: `env | grep ^XS_UPGRADE_ | sort > ${out}` },
              env: {},
              cwd: dir,
            },
          },
        },
      ],
      ['rolled-back', 'failure'],
    );
    expect(await failures).toEqual([]);
    const env = (await readFile(out, 'utf8')).trim().split('\n');
    expect(env).toEqual([
      `XS_UPGRADE_ERROR=build failed with exit code 1`,
      'XS_UPGRADE_EVENT=rolled-back',
      `XS_UPGRADE_FINAL_COMMITS=nix-config=${'a'.repeat(40)} nix-secrets=`,
      `XS_UPGRADE_HOST=${payloadFor('failure').host}`,
      'XS_UPGRADE_RESULT=rolled-back',
      `XS_UPGRADE_SAVED_COMMITS=nix-config=${'a'.repeat(40)} nix-secrets=${'b'.repeat(40)}`,
      'XS_UPGRADE_STATES=pulling building rollingBack.resettingRepos rolledBack',
    ]);
    expect(log.lines.at(-1)).toBe('notification script: sent (rolled-back)');
  });

  it('reports a failing command without throwing', async () => {
    const { failures } = send(
      [
        {
          name: 'broken',
          on: ['failure'],
          target: { command: { name: 'notify', run: { argv: ['false'] }, env: {}, cwd: dir } },
        },
      ],
      ['failure'],
    );
    const [failure] = await failures;
    expect(failure).toMatch(/^notification broken failed: notify failed with exit code 1/);
  });
});
