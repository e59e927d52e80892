// `xs-upgrade rollback` in-process on sandbox hosts (real repos, bare remotes, real switch
// scripts): what it refuses and why, what it records, and what the next rollback or run then does.
// The e2e suite runs the CLI's happy path; these call the runner so mutation testing sees it.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configurationNix } from '../../demo/nixSystem.js';
import type { Sandbox } from '../../demo/sandbox.js';
import { rollbackLastUpgrade } from '../../src/runner/manualRollback.js';
import { readManualRecovery } from '../../src/state/manualRecovery.js';
import { readRejectedCommitSets } from '../../src/state/rejectedCommits.js';
import { readRunRecords } from '../../src/state/runRecords.js';
import { hostOptions, runInProcess, summaryOf } from '../support/inProcessRun.js';
import { memoryLog } from '../support/memoryLog.js';
import { useSandboxes } from '../support/sandboxes.js';

const sandboxes = useSandboxes();

async function heads(sandbox: Sandbox): Promise<Record<string, string>> {
  return Object.fromEntries(
    await Promise.all(
      sandbox.repoNames.map(async (name) => [name, await sandbox.head(name)] as const),
    ),
  );
}

async function rollback(sandbox: Sandbox) {
  const options = await hostOptions(sandbox);
  const log = memoryLog();
  const exitCode = await rollbackLastUpgrade({ ...options, log });
  return { exitCode, lines: log.lines, stateDir: options.config.stateDir };
}

/** A host that has upgraded once: `before` is where its repos were, `after` where they went. */
async function upgradedHost(config: Record<string, unknown> = {}) {
  const sandbox = await sandboxes.sandbox(config);
  const before = await heads(sandbox);
  await sandbox.pushUpstream('nix-config', 'configuration.nix', '# new\n', 'new');
  const run = await runInProcess(sandbox);
  expect(run.exitCode).toBe(0);
  return { sandbox, before, after: await heads(sandbox) };
}

describe('rollbackLastUpgrade', () => {
  it('exits 3 and changes nothing with no upgrade on record', async () => {
    const sandbox = await sandboxes.sandbox();
    const before = await heads(sandbox);
    const { exitCode, lines, stateDir } = await rollback(sandbox);
    expect(exitCode).toBe(3);
    expect(lines).toEqual([
      `error: no upgrade on record in ${stateDir} to roll back: nothing was changed`,
    ]);
    expect(await heads(sandbox)).toEqual(before);
    expect(await readRunRecords(stateDir)).toEqual([]);
  });

  it('records the rollback, holds the undone commits back, and refuses to do it twice', async () => {
    const { sandbox, before, after } = await upgradedHost();
    const [upgrade] = await readRunRecords((await hostOptions(sandbox)).config.stateDir);
    const first = await rollback(sandbox);
    expect(first.exitCode).toBe(0);
    expect(first.lines[0]).toBe(`rolling back the upgrade of ${upgrade?.startedAt}`);
    expect(await heads(sandbox)).toEqual(before);

    const [record] = await readRunRecords(first.stateDir);
    expect(record).toMatchObject({
      rolledBackByHand: upgrade?.id,
      result: 'rolled-back',
      exitCode: 0,
      running: false,
      repos: sandbox.repoNames.map((name) => ({
        repo: name,
        saved: before[name],
        final: before[name],
      })),
    });
    expect(record?.summary).toBe(
      `result: rolled back by hand: the upgrade of ${upgrade?.startedAt} is undone, every repo is at the commits it had before it, the system too`,
    );
    expect(await readRejectedCommitSets(first.stateDir)).toEqual([
      {
        commits: after,
        at: expect.any(String) as string,
        reason: 'rolled back by hand (xs-upgrade rollback)',
      },
    ]);

    const second = await rollback(sandbox);
    expect(second.exitCode).toBe(3);
    expect(second.lines).toEqual([
      `error: the last upgrade was already rolled back by hand on ${record?.startedAt}: nothing was changed`,
    ]);
    // The next run finds upstream at the set rolled back by hand, and is held back (exit 3).
    const next = await runInProcess(sandbox);
    expect(next.exitCode).toBe(3);
    expect(next.text).toContain('rolled back by hand (xs-upgrade rollback)');
    expect(await heads(sandbox)).toEqual(before);
  });

  it('says and records each step, and finds the upgrade behind later runs with nothing new', async () => {
    const { sandbox, before } = await upgradedHost();
    const quiet = await runInProcess(sandbox);
    expect(quiet.exitCode).toBe(0);
    const { exitCode, lines, stateDir } = await rollback(sandbox);
    expect(exitCode).toBe(0);
    expect(await heads(sandbox)).toEqual(before);
    expect(lines.filter((line) => line.startsWith('state '))).toEqual([
      'state rollingBack.resettingRepos',
      'state rollingBack.revertingSystem',
    ]);
    const [record] = await readRunRecords(stateDir);
    expect(record?.states.map((entry) => entry.state)).toEqual([
      'rollingBack.resettingRepos',
      'rollingBack.revertingSystem',
      'rolledBack',
    ]);
    expect(record).not.toHaveProperty('system');
  });

  it('on a Nix system: back on the generation from before the upgrade, recorded and said', async () => {
    const sandbox = await sandboxes.sandbox({}, { nix: true });
    const before = await heads(sandbox);
    await sandbox.pushUpstream(
      'nix-config',
      'configuration.nix',
      configurationNix('  # new\n'),
      'new',
    );
    const run = await runInProcess(sandbox);
    expect(run.exitCode, run.text).toBe(0);
    const { exitCode, lines, stateDir } = await rollback(sandbox);
    expect(exitCode, lines.join('\n')).toBe(0);
    expect(await heads(sandbox)).toEqual(before);
    const [record, upgrade] = await readRunRecords(stateDir);
    const saved = upgrade?.system?.saved;
    expect(saved?.generation).toBe(1);
    expect(record?.system?.saved).toEqual(saved);
    expect(record?.system?.final?.generation).toBe(1);
    expect(summaryOf(lines)).toEqual([
      `result: rolled back by hand: the upgrade of ${upgrade?.startedAt} is undone, every repo is at the commits it had before it, the system too (back on generation 1)`,
    ]);
  });

  it('refuses a repo with local changes and touches nothing', async () => {
    const { sandbox, after } = await upgradedHost();
    const file = join(sandbox.repoPath('nix-secrets'), 'secrets.yaml');
    await writeFile(file, 'edited by hand\n');
    const { exitCode, lines, stateDir } = await rollback(sandbox);
    expect(exitCode).toBe(3);
    expect(lines.at(-1)).toBe(
      `error: ${sandbox.repoPath('nix-secrets')} has uncommitted changes (M secrets.yaml): commit or stash them; nothing was changed`,
    );
    expect(await heads(sandbox)).toEqual(after);
    expect(await readFile(file, 'utf8')).toBe('edited by hand\n');
    expect(await readRejectedCommitSets(stateDir)).toEqual([]);
  });

  it('exits 5 and asks for manual recovery when the system rollback fails, then refuses again', async () => {
    const { sandbox, before } = await upgradedHost({
      rollbackSwitch: 'echo cannot roll back; exit 2',
    });
    const failed = await rollback(sandbox);
    expect(failed.exitCode).toBe(5);
    // The repos went back before the system rollback failed.
    expect(await heads(sandbox)).toEqual(before);
    const failure = 'rollback-switch failed with exit code 2: echo cannot roll back; exit 2';
    expect(summaryOf(failed.lines)).toEqual([
      `result: ROLLBACK FAILED: ${failure}; see docs/recovery.md`,
    ]);
    const [record] = await readRunRecords(failed.stateDir);
    expect(record).toMatchObject({
      result: 'rollback-failed',
      exitCode: 5,
      rollbackFailure: { state: 'rollingBack', message: failure },
    });
    expect(await readManualRecovery(failed.stateDir)).toMatchObject({
      runId: record?.id,
      reason: failure,
    });

    const again = await rollback(sandbox);
    expect(again.exitCode).toBe(5);
    // Refused as every command is while manual recovery is needed: a run of its own, recorded.
    expect(again.lines).toEqual([
      'result: REFUSED: a failed rollback still waits for manual recovery: nothing was run',
      expect.stringMatching(
        /^cause: a rollback failed on .*rollback-switch failed with exit code 2/,
      ) as string,
    ]);
    const [refused] = await readRunRecords(failed.stateDir);
    expect(refused).toMatchObject({ command: 'rollback', result: 'refused', exitCode: 5 });
  });
});
