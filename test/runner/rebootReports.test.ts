// What the reports say after a reboot and its boot check, on a real Nix system profile: every
// report (record, status, history, metrics, webhook) describes the host as it is at the end of
// the run it reports, and a later run never rewrites an earlier one's record. Each test is one
// story an operator hit with the boot check writing into the upgrade's record (issue 26, 1-3).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configurationNix } from '../../demo/nixSystem.js';
import type { Sandbox } from '../../demo/sandbox.js';
import { formatHistory, formatStatus } from '../../src/cli/history.js';
import { checkBoot } from '../../src/runner/bootCheck.js';
import { readRunRecords, type RunRecord } from '../../src/state/runRecords.js';
import { startHttpServer } from '../support/httpServer.js';
import { hostOptions, runInProcess } from '../support/inProcessRun.js';
import { memoryLog } from '../support/memoryLog.js';
import { sample } from '../support/metrics.js';
import { bootedSystem } from '../support/nix.js';
import { useSandboxes } from '../support/sandboxes.js';

const sandboxes = useSandboxes();
const newSystem = configurationNix('  services.tailscale.enable = true;\n');
const never = { name: 'never healthy', command: 'exit 1', retries: 0 };
/** "HH:00" of the hour `offset` hours from now, host time. */
const hourFromNow = (offset: number) =>
  `${String((new Date().getHours() + offset) % 24).padStart(2, '0')}:00`;
const short = (commit: string) => commit.slice(0, 12);

async function rebootingHost() {
  const server = await startHttpServer();
  sandboxes.cleanup(server.close);
  const sandbox: Sandbox = await sandboxes.sandbox({}, { nix: true });
  const stateDir = join(sandbox.dir, 'state');
  const { path: booted, boot } = bootedSystem(sandbox);
  await boot(1);
  const configure = (extra: Record<string, unknown> = {}, window?: object) =>
    sandbox.writeConfig({
      metricsFile: 'metrics.prom',
      notify: [{ webhook: { url: server.url }, on: ['rolled-back', 'success'] }],
      reboot: {
        when: 'always',
        command: 'echo rebooted >> reboot.log',
        bootedSystem: booted,
        ...(window ? { window } : {}),
      },
      ...extra,
    });
  const payloads = () =>
    server.requests.map((request) => JSON.parse(request.body) as Record<string, unknown>);
  return {
    sandbox,
    stateDir,
    boot,
    configure,
    payloads,
    metric: async (series: string) =>
      sample(await readFile(join(sandbox.dir, 'metrics.prom'), 'utf8'), series),
    records: () => readRunRecords(stateDir),
    byId: async (id: string | undefined) =>
      (await readRunRecords(stateDir)).find((r) => r.id === id),
    check: async () => {
      const log = memoryLog();
      const exitCode = await checkBoot({ ...(await hostOptions(sandbox)), log });
      return { exitCode, text: log.lines.join('\n') };
    },
  };
}

/** The record as it was, to hold it against what it is after later runs. */
const frozen = (record: RunRecord | undefined) => JSON.parse(JSON.stringify(record)) as RunRecord;

describe('reports after a reboot', () => {
  it('a failed boot check reports the generation and commits it put back, in its own record', async () => {
    const h = await rebootingHost();
    await h.configure({ bootChecks: [never] });
    const before = await h.sandbox.head('nix-config');
    await h.sandbox.pushUpstream('nix-config', 'configuration.nix', newSystem, 'new');
    const run = await runInProcess(h.sandbox);
    expect(run.exitCode, run.text).toBe(0);
    const after = await h.sandbox.head('nix-config');
    const [upgrade] = await h.records();
    const upgradeAsWritten = frozen(upgrade);

    await h.boot(2);
    const failed = await h.check();
    expect(failed.exitCode, failed.text).toBe(4);
    expect(await h.sandbox.head('nix-config')).toBe(before);

    const [check] = await h.records();
    expect(check).toMatchObject({
      command: 'boot-check',
      checks: upgrade?.id,
      result: 'rolled-back',
      exitCode: 4,
      system: { saved: { generation: 2 }, final: { generation: 1 } },
      repos: expect.arrayContaining([
        { repo: 'nix-config', saved: after, final: before },
      ]) as unknown,
    });
    // The upgrade's record says what that run did, as it said it then.
    expect(await h.byId(upgrade?.id)).toEqual(upgradeAsWritten);
    const status = formatStatus(check, undefined);
    expect(status).toContain('  system generation 2 -> 1');
    expect(status).toContain(
      `  ${'nix-config'.padEnd(16)} saved ${short(after)} -> now ${short(before)}`,
    );
    expect(formatHistory(await h.records())[1]).toMatch(/ 2>1 /);
    expect(
      await h.metric(
        'xs_upgrade_system_generation{profile="' + join(h.sandbox.dir, 'profiles', 'system') + '"}',
      ),
    ).toBe(1);
    const rolledBack = h.payloads().filter((payload) => payload.event === 'rolled-back');
    expect(rolledBack).toHaveLength(1);
    expect(rolledBack[0]?.commits).toContainEqual({
      repo: 'nix-config',
      saved: after,
      final: before,
    });
  });

  it('the boot into the last good generation is a run of its own: the failed check stays exit 4, no second rolled-back', async () => {
    const h = await rebootingHost();
    await h.configure({ bootChecks: [never] });
    await h.sandbox.pushUpstream('nix-config', 'configuration.nix', newSystem, 'new');
    expect((await runInProcess(h.sandbox)).exitCode).toBe(0);
    await h.boot(2);
    expect((await h.check()).exitCode).toBe(4);
    const [failedCheck] = await h.records();
    const failedAsWritten = frozen(failedCheck);

    await h.boot(1);
    await h.configure();
    const back = await h.check();
    expect(back.exitCode, back.text).toBe(0);
    expect(await h.byId(failedCheck?.id)).toEqual(failedAsWritten);
    expect(failedAsWritten).toMatchObject({ result: 'rolled-back', exitCode: 4 });
    const [latest] = await h.records();
    expect(latest).toMatchObject({
      command: 'boot-check',
      checks: failedCheck?.id,
      result: 'rollback-booted',
      exitCode: 0,
      system: { final: { generation: 1 } },
    });
    expect(formatStatus(latest, undefined)[1]).toMatch(/: rollback-booted \(exit 0\)$/);
    expect(h.payloads().filter((payload) => payload.event === 'rolled-back')).toHaveLength(1);
    expect(await h.metric('xs_upgrade_last_run_result{result="rollback-booted"}')).toBe(1);
  });

  it('a boot check for a reboot a later run asked for links to that run and rewrites neither', async () => {
    const h = await rebootingHost();
    await h.configure({}, { lower: hourFromNow(10), upper: hourFromNow(12) });
    await h.sandbox.pushUpstream('nix-config', 'configuration.nix', newSystem, 'new');
    expect((await runInProcess(h.sandbox)).exitCode).toBe(0);
    const [upgrade] = await h.records();
    expect(upgrade?.reboot?.pending).toMatch(/outside the reboot window/);

    await h.configure({}, { lower: hourFromNow(0), upper: hourFromNow(2) });
    const rebooting = await runInProcess(h.sandbox);
    expect(rebooting.exitCode, rebooting.text).toBe(0);
    const [asker] = await h.records();
    expect(asker?.result).toBe('rebooting');
    const written = [frozen(upgrade), frozen(asker)];

    await h.boot(2);
    const passed = await h.check();
    expect(passed.exitCode, passed.text).toBe(0);
    expect([await h.byId(upgrade?.id), await h.byId(asker?.id)]).toEqual(written);
    const [check] = await h.records();
    expect(check).toMatchObject({
      command: 'boot-check',
      checks: asker?.id,
      result: 'upgraded',
      summary: 'result: upgraded (rebooted into generation 2)',
    });
    const status = formatStatus(check, undefined).join('\n');
    expect(status).not.toContain('rebooting');
    expect(status).toContain('system generation 2 (unchanged)');
  });
});
