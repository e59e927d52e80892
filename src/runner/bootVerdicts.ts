// What a boot check decides, as drafts of its run: passed (on the new generation, or on the last
// good one after a rollback reboot), the first failed boot (back to the last good generation and
// commits, one more reboot), and the second (a person must look).
import { resetRepos } from '../actors/resetRepos.js';
import { runCommand } from '../actors/runCommand.js';
import { switchToGeneration } from '../actors/systemProfile.js';
import { ExitCode, describeError } from '../errors.js';
import type { SlotDecision } from '../fleet/hostSlot.js';
import { clearBootCheck, writeBootCheck, type BootCheck } from '../state/rebootState.js';
import { rejectCommitSet } from '../state/rejectedCommits.js';
import { bootId } from '../state/stepProcesses.js';
import type { UpgradeHostOptions } from './hostOptions.js';
import type { HostState } from './hostState.js';
import type { RunDraft } from './outcome.js';

export function bootVerdicts(
  options: UpgradeHostOptions,
  check: BootCheck,
  before: HostState,
  runId: string,
) {
  const { config, log } = options;
  const saved = { repos: before.repos, ...(before.system ? { system: before.system } : {}) };
  const at = () => new Date().toISOString();
  /** Back on the last good generation after a failed boot: the slot follows onFailure. */
  const afterFailure: SlotDecision =
    config.fleet?.onFailure === 'hold' ? 'hold-after-failure' : 'release';

  return {
    async passed(): Promise<RunDraft> {
      await clearBootCheck(config.stateDir);
      const backOnPrevious = check.rollbackReboots > 0;
      const generation = check.expected.generation;
      return {
        result: backOnPrevious ? 'rollback-booted' : 'upgraded',
        exitCode: ExitCode.done,
        saved,
        reboot: {
          requested: true,
          bootCheck: { at: at(), passed: true, booted: check.expected.storePath },
        },
        ...(check.closure && !backOnPrevious ? { closure: check.closure } : {}),
        slot: {
          decision: backOnPrevious ? afterFailure : 'release',
          reason: backOnPrevious
            ? 'the new generation failed its boot check'
            : 'the boot check passed',
        },
        describe: (final) => ({
          level: 'info',
          lines: [
            backOnPrevious
              ? `result: rolled back (rebooted into generation ${generation}, the last good one, after the new generation failed its boot check)`
              : `result: upgraded (rebooted into generation ${generation})`,
            `system: generation ${final.system?.generation ?? '?'}, booted and healthy`,
          ],
        }),
      };
    },

    /** The first failed boot: back to the last good generation and commits, and reboot once more. */
    async rollBackAndReboot(problem: string): Promise<RunDraft> {
      const deps = { log, env: options.env, signal: new AbortController().signal };
      log.report('error', `boot check failed: ${problem}`);
      const commits = Object.fromEntries(
        before.repos.flatMap((repo) => (repo.commit ? [[repo.repo, repo.commit]] : [])),
      );
      const rejected =
        Object.keys(commits).length > 0
          ? { commits, at: at(), reason: `bootCheck: ${problem}`.slice(0, 300) }
          : undefined;
      try {
        await switchToGeneration(check.previous, deps, 'boot');
        await resetRepos(config.repos, check.previousCommits, deps);
        // On disk before the reboot command, which may end this process: the next boot's check
        // knows what to expect, and these commits are not tried again.
        await writeBootCheck(config.stateDir, {
          ...check,
          runId,
          expected: check.previous,
          requestedAt: at(),
          bootId: bootId(),
          rollbackReboots: check.rollbackReboots + 1,
        });
        if (rejected) await rejectCommitSet(config.stateDir, rejected);
        await runCommand(config.reboot.command, deps);
      } catch (error) {
        return this.failedTwice(`${problem}; and the rollback failed: ${describeError(error)}`);
      }
      return {
        result: 'rolled-back',
        exitCode: ExitCode.rolledBack,
        saved,
        failure: { state: 'bootCheck', message: problem },
        ...(rejected ? { rejected } : {}),
        reboot: { requested: true, bootCheck: { at: at(), passed: false, problem } },
        // Rebooting again, into the last good generation: that boot's check decides.
        slot: { decision: 'keep-for-boot-check', reason: problem },
        describe: () => ({
          level: 'error',
          lines: [
            `result: the boot into generation ${check.expected.generation} failed its check and was rolled back: generation ${check.previous.generation} is the boot default again, every repo is back at its saved commit, and the host reboots into it`,
            `cause: ${problem}`,
            'next: fix the cause upstream; these commits are not tried again here. The boot after this reboot is checked too',
          ],
        }),
      };
    },

    /** The boot after the automatic rollback failed too (or the rollback did): a person must look. */
    async failedTwice(problem: string): Promise<RunDraft> {
      await clearBootCheck(config.stateDir);
      const profile = check.previous.profile;
      return {
        result: 'rollback-failed',
        exitCode: ExitCode.rollbackFailed,
        saved,
        failure: { state: 'bootCheck', message: problem },
        rollbackFailure: {
          state: 'bootCheck',
          message: `boot check failed after the automatic rollback reboot: ${problem}`,
        },
        reboot: { requested: true, bootCheck: { at: at(), passed: false, problem } },
        slot: { decision: 'hold-after-failure', reason: problem },
        describe: () => ({
          level: 'error',
          lines: [
            'result: ROLLBACK FAILED: the host did not come back healthy after one automatic rollback reboot: manual recovery needed',
            `cause: ${problem}`,
            `next: pick a generation that boots (\`nix-env -p ${profile} --list-generations\`; the last good one was ${check.previous.generation}), make it the default with \`nix-env -p ${profile} --switch-generation N\` and \`${profile}/bin/switch-to-configuration boot\`, reboot, put the repos back (docs/recovery.md), then \`xs-upgrade recover --confirm-manual-fix\``,
          ],
        }),
      };
    },
  };
}
