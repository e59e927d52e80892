// `xs-upgrade recover` in-process on sandbox hosts: nothing to do, a failed rollback that waits for
// an operator (refused, then confirmed), and a run cut off by a power loss in the middle of its
// build. test/e2e/crash.test.ts kills the built CLI with SIGKILL in every state; these call the
// runner so that mutation testing sees the recovery.
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../../demo/sandbox.js';
import { readSavedCommits } from '../../src/actors/snapshotRepos.js';
import { formatStatus } from '../../src/cli/history.js';
import { recoverHost } from '../../src/runner/recover.js';
import { lockFileName } from '../../src/state/lock.js';
import { readManualRecovery } from '../../src/state/manualRecovery.js';
import { readRunRecords } from '../../src/state/runRecords.js';
import { stepProcessesFile } from '../../src/state/stepProcesses.js';
import { hostOptions, runInProcess, summaryOf } from '../support/inProcessRun.js';
import { memoryLog } from '../support/memoryLog.js';
import { useSandboxes } from '../support/sandboxes.js';

const sandboxes = useSandboxes();

async function recover(sandbox: Sandbox, confirmManualFix = false) {
  const options = await hostOptions(sandbox);
  const log = memoryLog();
  const exitCode = await recoverHost({ ...options, log, confirmManualFix });
  return { exitCode, lines: log.lines, stateDir: options.config.stateDir };
}

const heads = async (sandbox: Sandbox) => ({
  config: await sandbox.head('nix-config'),
  secrets: await sandbox.head('nix-secrets'),
});

describe('recoverHost', () => {
  it('nothing to recover, nothing to confirm', async () => {
    const sandbox = await sandboxes.sandbox();
    expect(await recover(sandbox)).toMatchObject({
      exitCode: 0,
      lines: ['nothing to recover: the last run finished'],
    });
    expect((await recover(sandbox, true)).lines).toEqual([
      'no failed rollback waits for an operator: nothing to confirm',
      'nothing to recover: the last run finished',
    ]);
  });

  it('a failed rollback: refused until an operator confirms the fix, then runs go ahead', async () => {
    const sandbox = await sandboxes.sandbox({
      switch: 'sh bin/switch.sh; exit 1',
      rollbackSwitch: 'echo "cannot roll back"; exit 2',
    });
    await sandbox.pushUpstream('nix-config', 'configuration.nix', '# new\n', 'new');
    const failed = await runInProcess(sandbox);
    expect(failed.exitCode, failed.text).toBe(5);
    const marker = await readManualRecovery((await hostOptions(sandbox)).config.stateDir);
    expect(marker).toBeDefined();

    const refused = await recover(sandbox);
    expect(refused.exitCode).toBe(5);
    expect(summaryOf(refused.lines)[0]).toBe(
      'result: REFUSED: a failed rollback still waits for manual recovery: nothing was run',
    );
    expect(summaryOf(refused.lines)[1]).toMatch(/^cause: /);
    const [record] = await readRunRecords(refused.stateDir);
    expect(record).toMatchObject({ result: 'refused', exitCode: 5, running: false });
    expect(record?.summary).toBe(
      'result: REFUSED: a failed rollback still waits for manual recovery: nothing was run',
    );

    const confirmed = await recover(sandbox, true);
    expect(confirmed).toMatchObject({
      exitCode: 0,
      lines: [
        'result: manual recovery confirmed by an operator (--confirm-manual-fix): runs go ahead again',
        'nothing to recover: the last run finished',
      ],
    });
    expect(await readManualRecovery(confirmed.stateDir)).toBeUndefined();
    const [confirmation] = await readRunRecords(confirmed.stateDir);
    expect(confirmation).toMatchObject({
      result: 'recovery-confirmed',
      exitCode: 0,
      running: false,
      forced: false,
      summary:
        'result: manual recovery confirmed by an operator (--confirm-manual-fix): runs go ahead again',
    });
    expect(Date.parse(confirmation?.endedAt ?? '')).toBeGreaterThan(0);
  });

  describe('a power loss in the middle of the build', () => {
    /**
     * A host whose run lost power while building: its state dir as the run left it on disk (every
     * file is written whole, or not at all), without the lock (not durable: after a power loss
     * no run holds it) and with no process left; its repos at the commits it had pulled.
     */
    async function poweredOffHost() {
      const sandbox = await sandboxes.sandbox();
      const { dir } = sandbox;
      const stateDir = (await hostOptions(sandbox)).config.stateDir;
      await writeFile(
        join(sandbox.repoPath('nix-config'), '.git', 'info', 'exclude'),
        'local.nix\n',
      );
      await writeFile(join(sandbox.repoPath('nix-config'), 'local.nix'), '# my local edits\n');
      const saved = await heads(sandbox);
      await sandbox.writeConfig({
        build: `if [ -e ${dir}/.hang-once ]; then rm ${dir}/.hang-once; echo $$ > ${dir}/hang.pid; exec sleep 30; fi; sh bin/build.sh`,
      });
      await sandbox.pushUpstream('nix-config', 'configuration.nix', '# new\n', 'new config');
      await writeFile(join(dir, '.hang-once'), '');
      const running = runInProcess(sandbox);
      const hangPid = await waitFor(async () => {
        const pid = Number((await readFile(join(dir, 'hang.pid'), 'utf8').catch(() => '')).trim());
        const steps = await readFile(join(stateDir, stepProcessesFile), 'utf8').catch(() => '');
        return pid > 0 && steps.includes(`"pid": ${pid},`) ? pid : undefined;
      });
      // The power goes: what is on disk now is what the next boot finds.
      const pulled = await heads(sandbox);
      const atPowerLoss = join(dir, 'state-at-power-loss');
      await cp(stateDir, atPowerLoss, { recursive: true });
      await rm(join(atPowerLoss, lockFileName), { force: true });
      // Here the run goes on (its build stopped, it rolls back); the host it ran on does not.
      process.kill(hangPid, 'SIGKILL');
      await running;
      await rm(stateDir, { recursive: true, force: true });
      await cp(atPowerLoss, stateDir, { recursive: true });
      for (const name of sandbox.repoNames) {
        const commit = name === 'nix-config' ? pulled.config : pulled.secrets;
        await sandbox.git(['reset', '--quiet', '--hard', commit], sandbox.repoPath(name));
      }
      expect(await sandbox.head('nix-config')).not.toBe(saved.config);
      return { sandbox, saved, stateDir };
    }

    it('recover puts every repo back, says where the run was cut off, and records it', async () => {
      const { sandbox, saved, stateDir } = await poweredOffHost();
      // Before: status says the run crashed, where every repo was saved, and what to do.
      const [crashed] = await readRunRecords(stateDir);
      const savedFile = await readSavedCommits(stateDir);
      const before = formatStatus(crashed, undefined, undefined, undefined, null, savedFile?.repos);
      expect(before[1]).toMatch(/: crashed$/);
      expect(before).toContain(`  ${'nix-config'.padEnd(16)} saved ${saved.config.slice(0, 12)}`);
      expect(before.at(-1)).toBe(
        '  next: `xs-upgrade recover` puts back what it moved now (the next run does it first anyway)',
      );
      const recovered = await recover(sandbox);
      expect(recovered.exitCode, recovered.lines.join('\n')).toBe(4);
      expect(recovered.lines[0]).toMatch(
        /^warning: found a run that was killed \(pid \d+, in building since \d{4}-\S+Z\): recovering it first$/,
      );
      // It recovered something: it does not also say there was nothing to recover.
      expect(recovered.lines).not.toContain('nothing to recover: the last run finished');
      expect(await heads(sandbox)).toEqual(saved);
      expect(await readFile(join(sandbox.repoPath('nix-config'), 'local.nix'), 'utf8')).toBe(
        '# my local edits\n',
      );
      expect(summaryOf(recovered.lines)[1]).toMatch(
        /^cause: killed \(SIGKILL, out of memory or power loss\) in building, last heard of at \d{4}-\S+Z; finished by the recovery of \d{4}-\S+Z$/,
      );
      const [record] = await readRunRecords(stateDir);
      expect(record).toMatchObject({
        recovered: true,
        interrupted: false,
        killed: { state: 'building' },
        running: false,
        exitCode: 4,
      });
      expect(Date.parse(record?.killed?.lastSeen ?? '')).toBeGreaterThan(0);
      // The state it died in and the one it was resumed in are one visit, not two.
      const states = record?.states.map((visit) => visit.state) ?? [];
      expect(states.filter((state) => state === 'building')).toEqual(['building']);
      expect(states.slice(states.indexOf('building'))).toEqual([
        'building',
        'rollingBack.resettingRepos',
        'rolledBack',
      ]);
      expect((await recover(sandbox)).lines).toEqual(['nothing to recover: the last run finished']);
    });

    it('the next run recovers first, then carries on and upgrades', async () => {
      const { sandbox } = await poweredOffHost();
      const run = await runInProcess(sandbox);
      expect(run.exitCode, run.text).toBe(0);
      expect(run.text).toContain('found a run that was killed');
      expect(run.text).toContain('recovered: carrying on with a new run');
      // The recovery's summary, then the new run's.
      expect(run.lines.filter((line) => line.startsWith('result: '))).toEqual([
        expect.stringMatching(/^result: failed in building and rolled back/),
        expect.stringMatching(/^result: upgraded/),
      ]);
      expect(await sandbox.head('nix-config')).toBe(await sandbox.remoteHead('nix-config'));
    });
  });
});

async function waitFor<T>(probe: () => Promise<T | undefined>): Promise<T> {
  for (let attempt = 0; attempt < 750; attempt += 1) {
    const found = await probe();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('timed out waiting');
}
