// `healthChecking`: after the switch, is the new system healthy? Commands must exit 0 and HTTP
// checks answer the expected status, each retried with a pause, as morph's health checks do.
import { deadlineSignal } from './deadline.js';
import type { HealthCheckSpec } from '../config/resolve.js';
import { formatDuration } from '../config/duration.js';
import { fetchFailure, httpTarget } from '../httpTarget.js';
import { pause } from './pause.js';
import { runCommand, type CommandDeps } from './runCommand.js';

export async function runHealthChecks(checks: HealthCheckSpec[], deps: CommandDeps): Promise<void> {
  for (const check of checks) await runHealthCheck(check, deps);
}

async function runHealthCheck(check: HealthCheckSpec, deps: CommandDeps): Promise<void> {
  let problem = '';
  for (let attempt = 0; attempt <= check.retries; attempt += 1) {
    if (attempt > 0) {
      deps.log.warn(
        `${check.name}: ${problem}; trying again in ${formatDuration(check.intervalMs)}`,
      );
      await pause(check.intervalMs, deps.signal);
    }
    if (deps.signal.aborted)
      throw new Error(`${check.name} was stopped because the run was interrupted`);
    try {
      if ('command' in check.target) {
        await runCommand(check.target.command, deps);
      } else {
        await checkHttp(check.name, check.target.http, deps);
      }
      return;
    } catch (error) {
      problem = error instanceof Error ? error.message : String(error);
    }
  }
  throw new Error(
    `health check ${check.name} failed after ${check.retries + 1} attempt${check.retries === 0 ? '' : 's'}: ${problem}`,
  );
}

async function checkHttp(
  name: string,
  http: { url: string; expectStatus: number; timeoutMs: number },
  deps: CommandDeps,
): Promise<void> {
  const where = checkedUrl(http.url);
  deps.log.info(`${name}: GET ${where}`);
  let status: number;
  const deadline = deadlineSignal(deps.signal, http.timeoutMs);
  try {
    const target = httpTarget(http.url);
    const response = await fetch(target.url, {
      headers: target.headers,
      signal: deadline.signal,
      redirect: 'manual',
    });
    await response.body?.cancel();
    status = response.status;
  } catch (error) {
    if ((error as Error).name === 'TimeoutError')
      throw new Error(`no answer from ${where} within ${formatDuration(http.timeoutMs)}`);
    throw new Error(`cannot reach ${where} (${fetchFailure(error)})`);
  } finally {
    deadline.clear();
  }
  if (status !== http.expectStatus)
    throw new Error(`${where} answered ${status}, expected ${http.expectStatus}`);
}

/**
 * What a health check's URL looks like in the log: origin and path, which say which check failed;
 * not credentials or query values, which may be secrets.
 */
export function checkedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}${parsed.search ? '?…' : ''}`;
  } catch {
    return '(invalid URL)';
  }
}
