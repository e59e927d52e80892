// The checks a follower runs before it takes a set (src/fleet/gates.ts), against a real HTTP
// server speaking Prometheus's /api/v1/query and real commands: a value inside the range passes,
// outside holds, and anything that cannot be evaluated holds too, saying why.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GateSpec } from '../../src/config/resolve.js';
import { evaluateGates, gateQuery, samples } from '../../src/fleet/gates.js';
import { freePort } from '../../demo/etcdServer.js';
import { startPrometheus, type Measure } from '../support/prometheus.js';

let answer: Measure = { vector: [0] };
let prometheus: Awaited<ReturnType<typeof startPrometheus>>;
beforeAll(async () => {
  prometheus = await startPrometheus(() => answer);
});
afterAll(() => prometheus.close());

const context = {
  set: 'abcdef012345',
  group: 'web',
  wave: 2,
  env: { PATH: process.env.PATH ?? '' },
};
const promGate = (check: {
  min?: number;
  max?: number;
  query?: string;
  url?: string;
}): GateSpec => ({
  name: 'failed units',
  timeoutMs: 5000,
  check: {
    prometheus: {
      url: check.url ?? prometheus.url,
      query:
        check.query ?? 'sum(node_systemd_unit_state{state="failed",xs_set="{set}"}) or vector(0)',
      ...(check.min === undefined ? {} : { min: check.min }),
      ...(check.max === undefined ? {} : { max: check.max }),
    },
  },
});
const commandGate = (shell: string, timeoutMs = 5000): GateSpec => ({
  name: 'smoke',
  timeoutMs,
  check: { command: { name: 'gate smoke', run: { shell }, env: {}, cwd: process.cwd() } },
});

describe('a Prometheus gate', () => {
  it('passes when every sample lies within the range, and asks with {set} and {group} filled in', async () => {
    answer = { vector: [0, 0] };
    const [result] = await evaluateGates([promGate({ max: 0 })], context);
    expect(result).toEqual({
      name: 'failed units',
      passed: true,
      measured: '2 series, 0, 0 (max 0)',
    });
    expect(prometheus.queries.at(-1)).toBe(
      'sum(node_systemd_unit_state{state="failed",xs_set="abcdef012345"}) or vector(0)',
    );
  });

  it('holds when a sample lies outside, naming the value', async () => {
    answer = { vector: [3] };
    const [result] = await evaluateGates([promGate({ max: 0 })], context);
    expect(result).toEqual({ name: 'failed units', passed: false, measured: '3 outside max 0' });
    answer = { scalar: 0.2 };
    const [rate] = await evaluateGates([promGate({ min: 0.5, max: 1 })], context);
    expect(rate?.passed).toBe(false);
    expect(rate?.measured).toBe('0.2 outside min 0.5, max 1');
  });

  it('holds when it cannot be evaluated: no samples, NaN, an error, not JSON, nobody listening', async () => {
    const cases: [Measure | 'down', RegExp][] = [
      [{ vector: [] }, /no samples \(end it in `or vector\(0\)`/],
      [{ scalar: Number.NaN }, /a sample is NaN/],
      [{ error: 'parse error at char 5' }, /answered HTTP 400 \(parse error at char 5\)/],
      [{ raw: '<html>proxy login</html>' }, /the answer is not JSON/],
      [{ raw: '{"status":"success","data":{"resultType":"matrix","result":[]}}' }, /matrix result/],
      ['down', /cannot be reached: ECONNREFUSED/],
    ];
    const nobody = `http://127.0.0.1:${await freePort()}`;
    for (const [measure, why] of cases) {
      if (measure !== 'down') answer = measure;
      const gate = promGate({ max: 0, ...(measure === 'down' ? { url: nobody } : {}) });
      const [result] = await evaluateGates([gate], context);
      expect(result?.passed, JSON.stringify(measure)).toBe(false);
      expect(result?.measured).toMatch(/^cannot be evaluated: /);
      expect(result?.measured).toMatch(why);
    }
  });

  it('never lets a URL’s credentials into what it measured, and sends them as Basic auth', async () => {
    answer = { vector: [1] };
    const url = prometheus.url.replace('http://', 'http://ops:s3cret@');
    const [result] = await evaluateGates([promGate({ max: 0, url })], context);
    expect(result?.measured).not.toContain('s3cret');
    expect(prometheus.requests.at(-1)?.headers.authorization).toBe(
      `Basic ${Buffer.from('ops:s3cret').toString('base64')}`,
    );
  });
});

describe('a command gate', () => {
  it('passes on exit 0 with its last line as the measure, and gets the set, group and wave', async () => {
    const [result] = await evaluateGates(
      [
        commandGate(
          'echo checking; echo "$XS_UPGRADE_SET $XS_UPGRADE_GROUP wave $XS_UPGRADE_WAVE"',
        ),
      ],
      context,
    );
    expect(result).toEqual({ name: 'smoke', passed: true, measured: 'abcdef012345 web wave 2' });
  });

  it('holds on another exit, on a timeout and when it cannot run, saying which', async () => {
    const [failed] = await evaluateGates(
      [commandGate('echo "error rate 7%" >&2; exit 3')],
      context,
    );
    expect(failed?.passed).toBe(false);
    expect(failed?.measured).toBe('exit 3: error rate 7% (echo "error rate 7%" >&2; exit 3)');
    const [slow] = await evaluateGates([commandGate('sleep 5', 200)], context);
    expect(slow?.measured).toMatch(/^took longer than 0.2s/);
    const missing: GateSpec = {
      name: 'missing',
      timeoutMs: 1000,
      check: { command: { name: 'gate', run: { argv: ['/nonexistent/gate'] }, env: {}, cwd: '/' } },
    };
    const [cannot] = await evaluateGates([missing], context);
    expect(cannot?.passed).toBe(false);
    expect(cannot?.measured).toMatch(/could not run \(ENOENT\)/);
  });

  it('keeps what it measured to one printable line of at most 200 characters', async () => {
    const [result] = await evaluateGates(
      [commandGate(`printf '\\033]0;pwned\\007%0300d' 0`)],
      context,
    );
    expect(result?.measured).not.toMatch(/[\u0000-\u001f]/);
    expect(result?.measured.length).toBeLessThanOrEqual(200);
  });
});

describe('the query and the answer', () => {
  it('fills in only {set} and {group}', () => {
    expect(gateQuery('x{set="{set}",g="{group}",o="{other}"}', context)).toBe(
      'x{set="abcdef012345",g="web",o="{other}"}',
    );
  });
  it('reads a vector and a scalar, and says what else it got', () => {
    expect(samples('{"status":"success","data":{"resultType":"scalar","result":[1,"4"]}}')).toEqual(
      [4],
    );
    expect(samples('{"status":"error","error":"boom"}')).toBe('the query failed: boom');
    expect(
      samples('{"status":"success","data":{"resultType":"vector","result":[{"value":[1]}]}}'),
    ).toBe('a sample is missing');
  });
});
