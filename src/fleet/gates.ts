// The checks a follower runs before it takes a proven set (fleet.follow.gates): a command that
// must exit 0, or a Prometheus instant query whose every sample must lie in a range. A gate that
// cannot be evaluated (the server down, no samples, NaN, an answer that is not Prometheus's JSON,
// too slow) holds exactly as a failing one does: a rollout never goes on because nobody could
// look. What each measured is kept in the host's report, for `fleet status`.
import { execa } from 'execa';
import { commandArgv, commandText, type GateSpec } from '../config/resolve.js';
import { fetchFailure, httpTarget, readBounded } from '../httpTarget.js';
import { sanitizeLine } from '../sanitize.js';

export interface GateContext {
  set: string;
  group: string;
  /** 1-based, as people count waves. */
  wave: number;
  env: NodeJS.ProcessEnv;
}

export interface GateResult {
  name: string;
  passed: boolean;
  /** What it measured, or why it could not: one line, at most 200 characters. */
  measured: string;
}

/** A Prometheus answer larger than this is not an instant query's few samples. */
const maxAnswer = 256 * 1024;
const maxMeasured = 200;

const oneLine = (text: string) => {
  const line = sanitizeLine(text.replace(/\s+/g, ' ').trim());
  return line.length > maxMeasured ? `${line.slice(0, maxMeasured - 1)}…` : line;
};

/** Every gate, one after another (each may be costly to whoever answers it). */
export async function evaluateGates(
  gates: GateSpec[],
  context: GateContext,
): Promise<GateResult[]> {
  const results: GateResult[] = [];
  for (const gate of gates) {
    const result =
      'command' in gate.check
        ? await commandGate(gate, gate.check.command, context)
        : await prometheusGate(gate, gate.check.prometheus, context);
    results.push({ name: gate.name, passed: result.passed, measured: oneLine(result.measured) });
  }
  return results;
}

async function commandGate(
  gate: GateSpec,
  command: Extract<GateSpec['check'], { command: unknown }>['command'],
  context: GateContext,
): Promise<Omit<GateResult, 'name'>> {
  const [file, ...args] = commandArgv(command);
  const child = execa(file ?? '', args, {
    cwd: command.cwd,
    env: {
      ...context.env,
      ...command.env,
      XS_UPGRADE_SET: context.set,
      XS_UPGRADE_GROUP: context.group,
      XS_UPGRADE_WAVE: String(context.wave),
    },
    extendEnv: false,
    stdin: 'ignore',
    reject: false,
    maxBuffer: 64 * 1024,
    all: true,
    // Its own process group, stopped whole when it takes too long: a grandchild holding the
    // output pipe would otherwise keep the gate (and the run) waiting.
    detached: true,
    cleanup: true,
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }, gate.timeoutMs);
  const result = await child.finally(() => clearTimeout(timer));
  const said = String(result.all ?? '')
    .trim()
    .split('\n')
    .at(-1);
  if (result.exitCode === 0) return { passed: true, measured: said || 'exit 0' };
  const why = timedOut
    ? `took longer than ${gate.timeoutMs / 1000}s`
    : result.exitCode === undefined
      ? `could not run (${result.code ?? result.shortMessage})`
      : `exit ${result.exitCode}`;
  return {
    passed: false,
    measured: `${why}${said ? `: ${said}` : ''} (${commandText(command)})`,
  };
}

type PrometheusCheck = Extract<GateSpec['check'], { prometheus: unknown }>['prometheus'];

/** {set} and {group} in a query: ids that hold no quote, so nothing escapes a label matcher. */
export function gateQuery(query: string, context: Pick<GateContext, 'set' | 'group'>): string {
  return query.replace(/\{(set|group)\}/g, (_, name: 'set' | 'group') => context[name]);
}

async function prometheusGate(
  gate: GateSpec,
  check: PrometheusCheck,
  context: GateContext,
): Promise<Omit<GateResult, 'name'>> {
  const cannot = (why: string) => ({ passed: false, measured: `cannot be evaluated: ${why}` });
  const target = httpTarget(`${check.url.replace(/\/+$/, '')}/api/v1/query`);
  const origin = new URL(target.url).origin;
  let text: string;
  try {
    const response = await fetch(target.url, {
      method: 'POST',
      headers: { ...target.headers, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ query: gateQuery(check.query, context) }).toString(),
      signal: AbortSignal.timeout(gate.timeoutMs),
      redirect: 'error',
    });
    text = await readBounded(response, maxAnswer);
    if (!response.ok) {
      const error = prometheusError(text);
      return cannot(`${origin} answered HTTP ${response.status}${error ? ` (${error})` : ''}`);
    }
  } catch (error) {
    return cannot(`${origin} cannot be reached: ${fetchFailure(error)}`);
  }
  const values = samples(text);
  if (typeof values === 'string') return cannot(`${origin}: ${values}`);
  const range = [
    check.min === undefined ? '' : `min ${check.min}`,
    check.max === undefined ? '' : `max ${check.max}`,
  ]
    .filter(Boolean)
    .join(', ');
  const outside = values.filter(
    (value) =>
      (check.min !== undefined && value < check.min) ||
      (check.max !== undefined && value > check.max),
  );
  const shown = (list: number[]) =>
    list.length === 1 ? `${list[0]}` : `${list.length} series, ${list.slice(0, 5).join(', ')}`;
  return outside.length === 0
    ? { passed: true, measured: `${shown(values)} (${range})` }
    : { passed: false, measured: `${shown(outside)} outside ${range}` };
}

function prometheusError(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { error?: unknown };
    return typeof body.error === 'string' ? body.error : undefined;
  } catch {
    return undefined;
  }
}

/** The sample values of an instant query's answer, or why there are none to judge. */
export function samples(text: string): number[] | string {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return 'the answer is not JSON';
  }
  const { status, data, error } = (body ?? {}) as {
    status?: unknown;
    data?: { resultType?: unknown; result?: unknown };
    error?: unknown;
  };
  if (status !== 'success') {
    return `the query failed${typeof error === 'string' ? `: ${error}` : ''}`;
  }
  const pairs: unknown[] =
    data?.resultType === 'scalar'
      ? [data.result]
      : data?.resultType === 'vector' && Array.isArray(data.result)
        ? data.result.map((sample: unknown) => (sample as { value?: unknown } | null)?.value)
        : [];
  if (data?.resultType !== 'scalar' && data?.resultType !== 'vector') {
    return `the query gave a ${typeof data?.resultType === 'string' ? data.resultType : 'non-instant'} result, not a vector or scalar`;
  }
  if (pairs.length === 0) {
    return 'the query gave no samples (end it in `or vector(0)` if none means 0)';
  }
  const values: number[] = [];
  for (const pair of pairs) {
    const raw = Array.isArray(pair) ? (pair[1] as unknown) : undefined;
    const value = typeof raw === 'string' ? Number(raw) : Number.NaN;
    if (!Number.isFinite(value)) return `a sample is ${typeof raw === 'string' ? raw : 'missing'}`;
    values.push(value);
  }
  return values;
}
