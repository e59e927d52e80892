// What a run leaves behind for the operator beyond its summary: the run record `status` reads, the
// metrics file monitoring scrapes, and the notification a webhook gets. Whole runs in-process on a
// sandbox host (real repos, real scripts), a real HTTP server on 127.0.0.1 as the webhook. The
// mutation run found these written but never read back by a test (docs/testing.md).
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configurationNix } from '../../demo/nixSystem.js';
import type { Sandbox } from '../../demo/sandbox.js';
import { formatStatus } from '../../src/cli/history.js';
import { readManualRecovery } from '../../src/state/manualRecovery.js';
import { readRebootPendingNow } from '../../src/state/rebootState.js';
import { readRunRecords } from '../../src/state/runRecords.js';
import { startHttpServer } from '../support/httpServer.js';
import { runInProcess } from '../support/inProcessRun.js';
import { sample } from '../support/metrics.js';
import { useSandboxes } from '../support/sandboxes.js';

const sandboxes = useSandboxes();

async function webhook() {
  const server = await startHttpServer();
  sandboxes.cleanup(server.close);
  const payloads = () =>
    server.requests.map((request) => JSON.parse(request.body) as Record<string, unknown>);
  return { url: server.url, payloads };
}

const broken = '{ }: { services.broken = true; }\n';
/** A Nix configuration that builds a new system (a comment alone would build the same one). */
const newSystem = configurationNix('  services.tailscale.enable = true;\n');
const metricsOf = (sandbox: Sandbox) => readFile(join(sandbox.dir, 'metrics.prom'), 'utf8');
/** "HH:00" of the hour `offset` hours from now, host time. */
const hourFromNow = (offset: number) =>
  `${String((new Date().getHours() + offset) % 24).padStart(2, '0')}:00`;

describe('the run record, the metrics and the notification', () => {
  it('a rolled-back run, then the run that holds its commits back', async () => {
    const hook = await webhook();
    const sandbox = await sandboxes.sandbox({
      metricsFile: 'metrics.prom',
      notify: [{ webhook: { url: hook.url }, on: ['rolled-back', 'held-back'] }],
    });
    const stateDir = join(sandbox.dir, 'state');
    const saved = await sandbox.head('nix-config');
    const secrets = await sandbox.head('nix-secrets');
    await sandbox.pushUpstream('nix-config', 'configuration.nix', broken, 'break it');

    const first = await runInProcess(sandbox);
    expect(first.exitCode).toBe(4);
    // There was no unfinished run to recover, so none is said to be.
    expect(first.text).not.toContain('recovered');
    const [failed] = await readRunRecords(stateDir);
    expect(failed).toMatchObject({
      running: false,
      result: 'rolled-back',
      exitCode: 4,
      interrupted: false,
      summary:
        'result: failed in validating and rolled back: every repo is back at its saved commit',
      failure: {
        state: 'validating',
        message: expect.stringMatching(/^no broken services failed with exit code 1/) as string,
      },
      repos: [
        { repo: 'nix-config', saved, final: saved },
        { repo: 'nix-secrets', saved: secrets, final: secrets },
      ],
    });
    for (const absent of ['heldBack', 'skippedValidation', 'ignoredConditions', 'system'])
      expect(failed).not.toHaveProperty(absent);
    // Each state's time is measured, the last one's too (up to the run's end).
    expect(failed?.states.at(-1)).toMatchObject({ state: 'rolledBack' });
    const took = Date.parse(failed?.endedAt ?? '') - Date.parse(failed?.startedAt ?? '');
    for (const visit of failed?.states ?? []) {
      expect(visit.ms).toBeGreaterThanOrEqual(0);
      expect(visit.ms).toBeLessThanOrEqual(took);
    }
    const afterFailure = await metricsOf(sandbox);
    // The broken commit is on the remote, not here: one behind; the other repo is up to date.
    expect(sample(afterFailure, 'xs_upgrade_commits_behind{repo="nix-config"}')).toBe(1);
    expect(sample(afterFailure, 'xs_upgrade_commits_behind{repo="nix-secrets"}')).toBe(0);
    expect(sample(afterFailure, 'xs_upgrade_last_run_result{result="rolled-back"}')).toBe(1);
    expect(sample(afterFailure, 'xs_upgrade_manual_recovery_needed')).toBe(0);
    expect(sample(afterFailure, 'xs_upgrade_reboot_pending')).toBe(0);
    expect(sample(afterFailure, 'xs_upgrade_held_back')).toBe(0);
    expect(hook.payloads()).toEqual([
      expect.objectContaining({
        event: 'rolled-back',
        result: 'rolled-back',
        failedState: 'validating',
        error: failed?.failure?.message,
      }),
    ]);

    expect((await runInProcess(sandbox)).exitCode).toBe(3);
    const [held] = await readRunRecords(stateDir);
    expect(held?.id).not.toBe(failed?.id);
    expect(held).toMatchObject({
      result: 'held-back',
      exitCode: 3,
      heldBack: {
        at: expect.any(String) as string,
        reason: expect.stringMatching(/^validating: no broken/) as string,
      },
    });
    expect(held).not.toHaveProperty('failure');
    const afterHold = await metricsOf(sandbox);
    expect(sample(afterHold, 'xs_upgrade_held_back')).toBe(1);
    expect(sample(afterHold, 'xs_upgrade_commits_behind{repo="nix-config"}')).toBe(1);
    // Held back is no failure of a state: the notification says why in the words of the summary.
    expect(hook.payloads()[1]).toMatchObject({
      event: 'held-back',
      result: 'held-back',
      failedState: 'pulling',
      error: `upstream is at commits that failed here on ${held?.heldBack?.at ?? ''}: ${held?.heldBack?.reason ?? ''}`,
    });
  });

  it('a failed rollback: marked for an operator, and the runs refused after it say so', async () => {
    const hook = await webhook();
    const sandbox = await sandboxes.sandbox({
      switch: 'sh bin/switch.sh; exit 1',
      rollbackSwitch: 'echo "cannot roll back"; exit 2',
      metricsFile: 'metrics.prom',
      notify: [{ webhook: { url: hook.url }, on: ['rollback-failed'] }],
    });
    const stateDir = join(sandbox.dir, 'state');
    await sandbox.pushUpstream('nix-config', 'configuration.nix', '# new\n', 'new');
    expect((await runInProcess(sandbox)).exitCode).toBe(5);
    const [failed] = await readRunRecords(stateDir);
    expect(failed).toMatchObject({ result: 'rollback-failed', exitCode: 5 });
    expect(sample(await metricsOf(sandbox), 'xs_upgrade_manual_recovery_needed')).toBe(1);
    const marker = await readManualRecovery(stateDir);
    expect(marker).toMatchObject({
      runId: failed?.id,
      since: failed?.endedAt,
      reason: failed?.rollbackFailure?.message,
    });

    const refused = await runInProcess(sandbox);
    expect(refused.exitCode).toBe(5);
    const [record] = await readRunRecords(stateDir);
    expect(record).toMatchObject({
      result: 'refused',
      failure: {
        state: 'starting',
        message: `a rollback failed on ${marker?.since ?? ''} (${marker?.reason ?? ''}) and the host still needs manual recovery: put it back by hand (docs/recovery.md), then run \`xs-upgrade recover --confirm-manual-fix\``,
      },
    });
    expect(sample(await metricsOf(sandbox), 'xs_upgrade_manual_recovery_needed')).toBe(1);
    expect(sample(await metricsOf(sandbox), 'xs_upgrade_last_run_result{result="refused"}')).toBe(
      1,
    );
    // A refused run is a failed rollback still waiting: those listening for one hear of it again.
    expect(hook.payloads().map((payload) => [payload.event, payload.result])).toEqual([
      ['rollback-failed', 'rollback-failed'],
      ['rollback-failed', 'refused'],
    ]);
    expect(hook.payloads()[1]).toMatchObject({
      failedState: 'starting',
      error: record?.failure?.message,
    });
  });

  it('on a Nix system: the generation before and after, in the record and the metrics', async () => {
    const sandbox = await sandboxes.sandbox({ metricsFile: 'metrics.prom' }, { nix: true });
    const stateDir = join(sandbox.dir, 'state');
    await sandbox.pushUpstream('nix-config', 'configuration.nix', newSystem, 'new');
    const run = await runInProcess(sandbox);
    expect(run.exitCode, run.text).toBe(0);
    const [record] = await readRunRecords(stateDir);
    expect(record?.system?.saved?.generation).toBe(1);
    expect(record?.system?.final?.generation).toBe(2);
    const profile = record?.system?.final?.profile ?? '';
    expect(profile).not.toBe('');
    const metrics = await metricsOf(sandbox);
    expect(sample(metrics, `xs_upgrade_system_generation{profile="${profile}"}`)).toBe(2);
    expect(sample(metrics, `xs_upgrade_system_generation_saved{profile="${profile}"}`)).toBe(1);
  });

  it('a reboot outside its window: pending in the record and the metrics, done by a later run', async () => {
    const sandbox = await sandboxes.sandbox({}, { nix: true });
    const stateDir = join(sandbox.dir, 'state');
    // Booted into generation 1, as a NixOS host's /run/booted-system would say.
    const booted = join(sandbox.dir, 'booted-system');
    const [firstGeneration] = await sandbox.generations();
    await symlink(firstGeneration?.storePath ?? '/nonexistent', booted);
    const reboot = (window: { lower: string; upper: string }) =>
      sandbox.writeConfig({
        metricsFile: 'metrics.prom',
        reboot: {
          when: 'always',
          command: 'echo rebooted >> reboot.log',
          bootedSystem: booted,
          window,
        },
      });
    await reboot({ lower: hourFromNow(10), upper: hourFromNow(12) });
    await sandbox.pushUpstream('nix-config', 'configuration.nix', newSystem, 'new');
    const upgraded = await runInProcess(sandbox);
    expect(upgraded.exitCode, upgraded.text).toBe(0);
    const [first] = await readRunRecords(stateDir);
    expect(first).toMatchObject({
      result: 'upgraded',
      reboot: {
        requested: false,
        pending: expect.stringMatching(/outside the reboot window/) as string,
      },
    });
    expect(sample(await metricsOf(sandbox), 'xs_upgrade_reboot_pending')).toBe(1);
    const pending = JSON.parse(await readFile(join(stateDir, 'reboot-pending.json'), 'utf8')) as {
      previous: { generation: number };
      runId: string;
    };
    expect(pending).toMatchObject({ previous: { generation: 1 }, runId: first?.id });

    // Nothing new upstream, the window open now: this run reboots, without building again.
    await reboot({ lower: hourFromNow(0), upper: hourFromNow(2) });
    const rebooting = await runInProcess(sandbox);
    expect(rebooting.exitCode, rebooting.text).toBe(0);
    expect(await readFile(join(sandbox.dir, 'reboot.log'), 'utf8')).toBe('rebooted\n');
    const [second] = await readRunRecords(stateDir);
    expect(second?.reboot).toMatchObject({ requested: true });
    expect(second?.states.map((visit) => visit.state)).not.toContain('building');
    // Asked for: no longer pending; the boot check after it is what waits now.
    await expect(readFile(join(stateDir, 'reboot-pending.json'))).rejects.toThrow(/ENOENT/);
    expect(sample(await metricsOf(sandbox), 'xs_upgrade_reboot_pending')).toBe(1);
  });

  it('a skipped run has its own metric and neither raises nor clears the failure alert', async () => {
    const sandbox = await sandboxes.sandbox({ metricsFile: 'metrics.prom' });
    const outside = { window: { start: hourFromNow(12), length: '1h' } };
    const metric = async (series: string) => sample(await metricsOf(sandbox), series);
    await sandbox.writeConfig({ metricsFile: 'metrics.prom', ...outside });
    await sandbox.pushUpstream('nix-config', 'configuration.nix', broken, 'break it');
    expect((await runInProcess(sandbox)).exitCode).toBe(0);
    // Nothing has failed here yet: no alert.
    expect([
      await metric('xs_upgrade_last_run_success'),
      await metric('xs_upgrade_last_run_skipped'),
    ]).toEqual([1, 1]);

    await sandbox.writeConfig({ metricsFile: 'metrics.prom' });
    expect((await runInProcess(sandbox)).exitCode).toBe(4);
    expect([
      await metric('xs_upgrade_last_run_success'),
      await metric('xs_upgrade_last_run_skipped'),
    ]).toEqual([0, 0]);

    // Skipped after the failure: the alert on the failure stays up.
    await sandbox.writeConfig({ metricsFile: 'metrics.prom', ...outside });
    expect((await runInProcess(sandbox)).exitCode).toBe(0);
    expect([
      await metric('xs_upgrade_last_run_success'),
      await metric('xs_upgrade_last_run_skipped'),
    ]).toEqual([0, 1]);
    expect(await metric('xs_upgrade_last_run_result{result="skipped"}')).toBe(1);
    // Nothing was saved by a skipped run: status says where each repo is, not "saved -".
    const [skipped] = await readRunRecords(join(sandbox.dir, 'state'));
    const head = (await sandbox.head('nix-config')).slice(0, 12);
    expect(formatStatus(skipped, undefined)).toContain(`  ${'nix-config'.padEnd(16)} at ${head}`);
  });

  it('"cannot tell" whether a reboot is needed shows in status and the metric, and no run acts on it', async () => {
    const sandbox = await sandboxes.sandbox({}, { nix: true });
    const stateDir = join(sandbox.dir, 'state');
    // A booted system whose boot files are regular files, not links into the store.
    const booted = join(sandbox.dir, 'booted-system');
    await mkdir(booted);
    for (const part of ['kernel', 'initrd', 'kernel-modules'])
      await writeFile(join(booted, part), 'x');
    await sandbox.writeConfig({
      metricsFile: 'metrics.prom',
      reboot: { when: 'needed', command: 'echo rebooted >> reboot.log', bootedSystem: booted },
    });
    await sandbox.pushUpstream('nix-config', 'configuration.nix', newSystem, 'new');
    const upgraded = await runInProcess(sandbox);
    expect(upgraded.exitCode, upgraded.text).toBe(0);
    const expected = `${join(booted, 'kernel')} is a regular file, not a link into the Nix store as in a NixOS system`;
    expect(upgraded.text).toContain(expected);
    expect(sample(await metricsOf(sandbox), 'xs_upgrade_reboot_pending')).toBe(1);
    const pending = await readRebootPendingNow(stateDir);
    expect(pending).toMatchObject({ uncertain: true });
    const status = formatStatus(undefined, undefined, undefined, {
      pending: pending ?? null,
      bootCheck: null,
    });
    expect(status[0]).toMatch(
      /^reboot may be needed \(since \S+\): cannot tell whether a reboot is needed: .* is a regular file, .*: reboot by hand if the kernel changed$/,
    );
    // A later run with nothing new does not reboot for it.
    const later = await runInProcess(sandbox);
    expect(later.exitCode, later.text).toBe(0);
    await expect(readFile(join(sandbox.dir, 'reboot.log'))).rejects.toThrow(/ENOENT/);
  });

  it('the reason kept with commits held back is cut at 300 characters', async () => {
    const sandbox = await sandboxes.sandbox({
      validationChecks: [{ name: 'long', run: `exit 1 # ${'x'.repeat(400)}` }],
    });
    await sandbox.pushUpstream('nix-config', 'configuration.nix', '# new\n', 'new');
    expect((await runInProcess(sandbox)).exitCode).toBe(4);
    const rejected = JSON.parse(
      await readFile(join(sandbox.dir, 'state', 'rejected-commits.json'), 'utf8'),
    ) as { sets: { reason: string }[] };
    const reason = rejected.sets[0]?.reason ?? '';
    expect(reason).toMatch(/^validating: long failed with exit code 1: exit 1 # x+$/);
    expect(reason).toHaveLength(300);
  });

  it('a run with --skip-validation or --ignore-conditions is marked so in its record', async () => {
    // A maintenance window that is open now: conditions are configured, and pass.
    const sandbox = await sandboxes.sandbox({ window: { start: hourFromNow(0), length: '2h' } });
    const stateDir = join(sandbox.dir, 'state');
    await sandbox.pushUpstream('nix-config', 'configuration.nix', '# one\n', 'one');
    expect((await runInProcess(sandbox, { skipValidation: true })).exitCode).toBe(0);
    const [skipped] = await readRunRecords(stateDir);
    expect(skipped).toMatchObject({ result: 'upgraded', skippedValidation: true });
    expect(skipped).not.toHaveProperty('ignoredConditions');

    await sandbox.pushUpstream('nix-config', 'configuration.nix', '# two\n', 'two');
    expect((await runInProcess(sandbox, { ignoreConditions: true })).exitCode).toBe(0);
    const [ignored] = await readRunRecords(stateDir);
    expect(ignored).toMatchObject({ result: 'upgraded', ignoredConditions: true });
    expect(ignored).not.toHaveProperty('skippedValidation');
  });
});
