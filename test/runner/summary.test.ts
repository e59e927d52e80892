// The closing summary for outcomes the in-process runs (upgradeHost.test.ts) do not reach
// cheaply: each line as an operator reads it at 4 a.m. The config is the demo host's.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { ResolvedConfig } from '../../src/config/resolve.js';
import type { UpgradeOutput } from '../../src/machine/types.js';
import { packageRoot } from '../../src/packageFiles.js';
import type { RunReport } from '../../src/runner/runUpgrade.js';
import { formatSummary, resultLevel, upgradeDone } from '../../src/runner/summary.js';

let config: ResolvedConfig;
beforeAll(async () => {
  config = await loadConfig(join(packageRoot, 'configs', 'demo.json'), packageRoot, {
    checkRepos: false,
  });
});

const a = 'a'.repeat(40);
const b = 'b'.repeat(40);

function report(
  output: Partial<UpgradeOutput> & Pick<UpgradeOutput, 'result'>,
  states: string[],
  exitCode: number,
): RunReport {
  return {
    output: {
      savedCommits: [
        { repo: 'nix-config', branch: 'main', commit: a },
        { repo: 'nix-secrets', branch: 'main', commit: b },
      ],
      pulled: [],
      interrupted: false,
      switchStarted: false,
      ...output,
    },
    states: states.map((state) => ({ state, ms: 1 })),
    finalCommits: [
      { repo: 'nix-config', commit: a },
      { repo: 'nix-secrets', commit: b },
    ],
    exitCode,
  };
}

const repoLines = [
  'repo nix-config: saved aaaaaaaaaaaa -> now aaaaaaaaaaaa',
  'repo nix-secrets: saved bbbbbbbbbbbb -> now bbbbbbbbbbbb',
];

const summarize = (run: RunReport, extra: { killed?: { state: string; lastSeen: string } } = {}) =>
  formatSummary({ report: run, config, skippedValidation: false, rejected: false, ...extra });

describe('formatSummary', () => {
  it('a fetch that failed for now: nothing moved, the network named, warned not erred', () => {
    const run = report(
      {
        result: 'fetch-failed',
        failure: {
          state: 'pulling',
          message: 'cannot fetch origin/main: connection refused',
          next: 'nothing to fix on this host',
        },
      },
      ['hooksRunning', 'snapshotting', 'pulling', 'fetchFailed'],
      75,
    );
    expect(summarize(run)).toEqual({
      level: 'warn',
      lines: [
        'result: fetch failed (temporary): nothing was moved, the host is untouched',
        'cause: cannot fetch origin/main: connection refused',
        'next: nothing to fix on this host',
        ...repoLines,
        'states: hooksRunning -> snapshotting -> pulling -> fetchFailed',
      ],
    });
  });

  it('no fleet slot, and a run that was killed', () => {
    const noSlot = report(
      { result: 'no-slot', failure: { state: 'waitingForSlot', message: 'no slot within 1h' } },
      [
        'pulling',
        'building',
        'validating',
        'waitingForSlot',
        'rollingBack.resettingRepos',
        'rolledBack',
      ],
      75,
    );
    const lines = summarize(noSlot).lines;
    expect(lines.slice(0, 3)).toEqual([
      'result: no fleet slot (temporary): every repo is back at its saved commit, nothing was switched',
      'cause: no slot within 1h',
      'next: the next run tries again',
    ]);
    const killed = report(
      {
        result: 'aborted',
        interrupted: true,
        failure: { state: 'preUpdateHooks', message: 'killed' },
      },
      ['hooksRunning', 'aborted'],
      3,
    );
    expect(
      summarize(killed, { killed: { state: 'hooksRunning', lastSeen: 'now' } }).lines.slice(0, 3),
    ).toEqual([
      'result: aborted in preUpdateHooks before any change: the host is untouched',
      'cause: killed',
      'next: find out why the run was killed (`journalctl -u xs-upgrade -b`; `dmesg` for the OOM killer); the next run will try again',
    ]);
    expect(summarize(killed).lines[2]).toBe('next: nothing to fix; the next run will try again');
  });

  it('skipped by the conditions, before anything or after the pull', () => {
    expect(
      summarize(
        report(
          { result: 'skipped', skipReason: 'outside the maintenance window' },
          ['checkingConditions', 'skipped'],
          0,
        ),
      ).lines[0],
    ).toBe(
      'result: skipped (outside the maintenance window): nothing was done; the next run tries again',
    );
    expect(
      summarize(
        report(
          { result: 'skipped', skipReason: 'on battery' },
          ['pulling', 'recheckingConditions', 'rollingBack.resettingRepos', 'skipped'],
          0,
        ),
      ).lines[0],
    ).toBe(
      'result: skipped (on battery): every repo is back at its saved commit, nothing was switched; the next run tries again',
    );
  });

  it('a failed rollback: manual recovery, where the saved commits are, how to say it is fixed', () => {
    const run = report(
      {
        result: 'rollback-failed',
        failure: { state: 'switching', message: 'switch failed', outputTail: ['a', 'b'] },
        rollbackFailure: { state: 'rollingBack', message: 'reset failed' },
      },
      ['switching', 'rollingBack.resettingRepos', 'rollbackFailed'],
      5,
    );
    expect(summarize(run)).toEqual({
      level: 'error',
      lines: [
        'result: ROLLBACK FAILED: manual recovery needed',
        'cause: switching: switch failed',
        'rollback: reset failed',
        `next: put each repo back at the saved commit below (also in ${join(config.stateDir, 'saved-commits.json')}), then run the rollback switch; see docs/recovery.md. Runs are refused until then: afterwards, \`xs-upgrade recover --confirm-manual-fix\``,
        'last 2 lines of switching output:',
        '  | a',
        '  | b',
        ...repoLines,
        'states: switching -> rollingBack.resettingRepos -> rollbackFailed',
      ],
    });
  });

  it('a reboot: asked for, pending outside the window, or not needed', () => {
    const states = ['switching', 'checkingReboot', 'rebooting'];
    const asked = summarize(
      report({ result: 'rebooting', reboot: { requested: true } }, states, 0),
    );
    expect(asked.lines[0]).toBe(
      'result: upgraded, rebooting: the new configuration is checked and switched; the boot into it is checked by `xs-upgrade boot-check`',
    );
    expect(asked.lines[1]).toMatch(/^reboot: asked for \(.*\); a boot check is pending$/);
    const earlier = summarize(
      report(
        { result: 'rebooting', reboot: { requested: true } },
        ['checkingReboot', 'rebooting'],
        0,
      ),
    );
    expect(earlier.lines[0]).toBe(
      'result: rebooting into the system an earlier run upgraded to; the boot into it is checked by `xs-upgrade boot-check`',
    );
    const pending = summarize(
      report(
        {
          result: 'upgraded',
          reboot: {
            requested: false,
            kernelChanged: true,
            pending: 'outside the reboot window 03:00-05:00',
          },
        },
        ['switching', 'checkingReboot', 'done'],
        0,
      ),
    );
    expect(pending.lines[1]).toBe(
      'reboot: pending (outside the reboot window 03:00-05:00): a run inside the window will reboot',
    );
    const unknown = summarize(
      report(
        {
          result: 'upgraded',
          reboot: {
            requested: false,
            uncertain: true,
            pending: 'cannot tell whether a reboot is needed',
          },
        },
        ['switching', 'checkingReboot', 'done'],
        0,
      ),
    );
    expect(unknown.lines[1]).toBe(
      'reboot: cannot tell whether a reboot is needed: reboot by hand if the kernel changed',
    );
    const notNeeded = summarize(
      report(
        { result: 'upgraded', reboot: { requested: false, kernelChanged: false } },
        ['switching', 'checkingReboot', 'done'],
        0,
      ),
    );
    expect(notNeeded.lines[1]).toBe(
      'reboot: not needed (the kernel, initrd and kernel modules are unchanged)',
    );
  });

  it('a validation failure that was only notified, on a run that ended otherwise', () => {
    const run = report(
      {
        result: 'rolled-back',
        failure: { state: 'healthChecking', message: 'health check web failed' },
        validationFailure: { state: 'validating', message: 'check lint failed' },
      },
      [
        'validating',
        'switching',
        'healthChecking',
        'rollingBack.resettingRepos',
        'rollingBack.revertingSystem',
        'rolledBack',
      ],
      4,
    );
    const lines = summarize(run).lines;
    expect(lines[0]).toBe(
      'result: failed in healthChecking and rolled back: every repo is back at its saved commit, the system too',
    );
    expect(lines).toContain('warning: validation failed and was ignored: check lint failed');
    expect(lines[2]).toBe('next: fix the cause above; the next run will try again');
  });
});

describe('formatSummary: the system, the repos, and how a rollback ended', () => {
  const generation = (number: number) => ({
    profile: '/nix/var/nix/profiles/system',
    generation: number,
    storePath: `/nix/store/${String(number).repeat(32)}-nixos-system`,
  });
  const rolledBack = (states: string[], more: Partial<UpgradeOutput> = {}) =>
    report(
      {
        result: 'rolled-back',
        failure: { state: 'healthChecking', message: 'health check web failed' },
        savedSystem: generation(41),
        ...more,
      },
      ['switching', 'healthChecking', ...states, 'rolledBack'],
      4,
    );

  it('the system back on its generation after the system rollback; unchanged without one', () => {
    const back = rolledBack(['rollingBack.resettingRepos', 'rollingBack.revertingSystem']);
    const lines = summarize({ ...back, finalSystem: generation(41) }).lines;
    expect(lines[0]).toBe(
      'result: failed in healthChecking and rolled back: every repo is back at its saved commit, the system too',
    );
    expect(lines).toContain('system: back on generation 41');
    const reposOnly = rolledBack(['rollingBack.resettingRepos']);
    const unchanged = summarize({ ...reposOnly, finalSystem: generation(41) }).lines;
    expect(unchanged[0]).toBe(
      'result: failed in healthChecking and rolled back: every repo is back at its saved commit',
    );
    expect(unchanged).toContain('system: generation 41 (unchanged)');
    const none = summarize(report({ result: 'nothing-new' }, ['pulling'], 0)).lines;
    expect(none.some((line) => line.startsWith('system:'))).toBe(false);
  });

  it('a repo that moved is marked, one with no commit known says so', () => {
    const upgraded = report({ result: 'upgraded', switchStarted: true }, ['switching'], 0);
    upgraded.finalCommits = [{ repo: 'nix-config', commit: 'c'.repeat(40) }];
    const lines = summarize(upgraded).lines;
    expect(lines).toContain('repo nix-config: saved aaaaaaaaaaaa -> now cccccccccccc  (moved)');
    expect(lines).toContain('repo nix-secrets: saved bbbbbbbbbbbb -> now (none)');
  });

  it("a stopped run's rollback says there is nothing to fix; a failure that knows what to do says it", () => {
    const stopped = summarize(
      rolledBack(['rollingBack.resettingRepos'], { interrupted: true }),
    ).lines;
    expect(stopped[2]).toBe('next: nothing to fix; the next run will try again');
    const told = summarize(
      rolledBack(['rollingBack.resettingRepos'], {
        failure: {
          state: 'switching',
          message: 'switch failed',
          next: 'free some disk space, then run again',
        },
      }),
    ).lines;
    expect(told[2]).toBe('next: free some disk space, then run again');
    const aborted = summarize(
      report(
        { result: 'aborted', failure: { state: 'building', message: 'x', next: 'see the log' } },
        ['building'],
        3,
      ),
    ).lines;
    expect(aborted.slice(0, 3)).toEqual([
      'result: aborted in building before any change: the host is untouched',
      'cause: x',
      'next: see the log',
    ]);
  });

  it('the last lines of output of the failed step, except when the run ended well', () => {
    const tail = { state: 'building', message: 'build failed', outputTail: ['error: x'] };
    const failed = summarize(report({ result: 'aborted', failure: tail }, ['building'], 3)).lines;
    expect(failed).toEqual(
      expect.arrayContaining(['last line of building output:', '  | error: x']),
    );
    const many = { ...tail, outputTail: ['one', 'two'] };
    const more = summarize(report({ result: 'aborted', failure: many }, ['building'], 3)).lines;
    expect(more).toEqual(
      expect.arrayContaining(['last 2 lines of building output:', '  | one', '  | two']),
    );
    for (const result of ['upgraded', 'nothing-new'] as const) {
      const quiet = summarize(report({ result, failure: tail }, ['building'], 0)).lines;
      expect(quiet.some((line) => line.includes('output:'))).toBe(false);
    }
  });

  it('a validation failure notified, said as notified', () => {
    const notifying = { ...config, onValidationFailure: 'notify' as const };
    const run = report(
      {
        result: 'aborted',
        failure: { state: 'switching', message: 'x' },
        validationFailure: { state: 'validating', message: 'check lint failed' },
      },
      ['validating', 'switching'],
      3,
    );
    const lines = formatSummary({
      report: run,
      config: notifying,
      skippedValidation: false,
      rejected: false,
    }).lines;
    expect(lines).toContain('warning: validation failed and was notified: check lint failed');
  });
});

describe('upgradeDone and resultLevel', () => {
  const facts = {
    states: ['building', 'validating', 'switching', 'healthChecking'],
    skippedValidation: false,
    checksConfigured: true,
    onValidationFailure: 'notify',
  };
  it('says exactly how the new configuration got switched', () => {
    expect(upgradeDone(facts)).toBe('built, checked and switched and found healthy');
    expect(upgradeDone({ ...facts, states: ['switching'] })).toBe('checked and switched');
    expect(upgradeDone({ ...facts, skippedValidation: true })).toBe(
      'built and switched WITHOUT checks (--skip-validation) and found healthy',
    );
    expect(upgradeDone({ ...facts, states: ['switching'], skippedValidation: true })).toBe(
      'switched WITHOUT checks (--skip-validation)',
    );
    expect(
      upgradeDone({
        ...facts,
        validationFailure: { state: 'validating', message: 'x', command: 'lint' },
      }),
    ).toBe(
      'built and switched although check "lint" failed (onValidationFailure: notify) and found healthy',
    );
    expect(
      upgradeDone({
        ...facts,
        states: ['switching'],
        validationFailure: { state: 'validating', message: 'x' },
      }),
    ).toBe('switched although a validation check failed (onValidationFailure: notify)');
    expect(upgradeDone({ ...facts, checksConfigured: false })).toBe(
      'built and switched and found healthy (no validation checks configured)',
    );
    expect(upgradeDone({ ...facts, states: [], checksConfigured: false })).toBe(
      'switched (no validation checks configured)',
    );
  });

  it('warns of temporary trouble, errs on the rest, and is quiet on success', () => {
    expect(resultLevel('upgraded', 0)).toBe('info');
    expect(resultLevel('fetch-failed', 75)).toBe('warn');
    expect(resultLevel('no-slot', 75)).toBe('warn');
    expect(resultLevel('held-back', 3)).toBe('error');
    expect(resultLevel('rolled-back', 4)).toBe('error');
  });
});
