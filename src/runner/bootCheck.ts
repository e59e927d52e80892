// `xs-upgrade boot-check`: after a reboot a run asked for (a oneshot unit ordered after
// multi-user.target runs it at every boot), is the host on the new generation, and healthy? Pass:
// the run that asked for the reboot ends "upgraded (rebooted into generation N)". Fail, or booted
// into something else: the profile goes back to the last good generation (as the boot default),
// the repos to their commits, and the host reboots once more; a second failed boot stops with
// exit 5 and what to do by hand (greenboot's idea, on the Nix profile).
import { readlink } from 'node:fs/promises';
import { resetRepos } from '../actors/resetRepos.js';
import { runCommand } from '../actors/runCommand.js';
import { runHealthChecks } from '../actors/runHealthChecks.js';
import { switchToGeneration } from '../actors/systemProfile.js';
import { ExitCode, describeError } from '../errors.js';
import {
  markManualRecoveryNeeded,
  readManualRecovery,
  manualRecoveryLine,
} from '../state/manualRecovery.js';
import {
  clearBootCheck,
  readBootCheck,
  rebootedSince,
  writeBootCheck,
  type BootCheck,
} from '../state/rebootState.js';
import { rejectCommitSet } from '../state/rejectedCommits.js';
import { readRunRecords, RunRecorder, type RunRecord } from '../state/runRecords.js';
import { bootId } from '../state/stepProcesses.js';
import type { SlotDecision } from '../fleet/hostSlot.js';
import {
  recoverUnfinishedRun,
  recordFor,
  reportRun,
  withRunLock,
  type UnstartedOutcome,
  prepareFleet,
  type UpgradeHostOptions,
} from './upgradeHost.js';
import { createRedactor } from '../redact.js';

export async function checkBoot(options: UpgradeHostOptions): Promise<number> {
  const { config, log } = options;
  return withRunLock(options, async (stop) => {
    const marker = await readManualRecovery(config.stateDir);
    if (marker) {
      log.error(manualRecoveryLine(marker));
      return ExitCode.rollbackFailed;
    }
    // A run killed between its reboot request and now is finished first (it never asks twice).
    await recoverUnfinishedRun(options, stop);
    const check = await readBootCheck(config.stateDir);
    if (!check) {
      log.info('no boot check pending: nothing to do');
      return ExitCode.done;
    }
    return performBootCheck(options, check);
  });
}

/**
 * The boot check itself, under the run lock: also what `run` does first when it finds one
 * pending (a timer with Persistent=true may fire at boot before the boot-check unit does).
 */
export async function performBootCheck(
  options: UpgradeHostOptions,
  check: BootCheck,
): Promise<number> {
  if (!(await rebootedSince(check, options.config.reboot.bootedSystem))) {
    options.log.info(
      `the host has not booted since the reboot into generation ${check.expected.generation} was asked for at ${check.requestedAt}: nothing to check yet`,
    );
    return ExitCode.done;
  }
  const problem = await bootProblem(options, check);
  const record = await runRecord(options, check.runId);
  if (problem === undefined) return passed(options, check, record);
  if (check.rollbackReboots >= 1) return failedTwice(options, check, record, problem);
  return rollBackAndReboot(options, check, record, problem);
}

/** Why the boot is not good: booted into another system, or a check failed; undefined if good. */
async function bootProblem(
  options: UpgradeHostOptions,
  check: BootCheck,
): Promise<string | undefined> {
  const { config, log } = options;
  const booted = await readlink(config.reboot.bootedSystem).catch(() => '(unreadable)');
  log.info(`booted ${booted}; expected generation ${check.expected.generation}`);
  if (booted !== check.expected.storePath) {
    return `booted ${booted}, not generation ${check.expected.generation} (${check.expected.storePath})`;
  }
  const deps = { log, env: options.env, signal: new AbortController().signal };
  try {
    await runHealthChecks([...config.healthChecks, ...config.bootChecks], deps);
    return undefined;
  } catch (error) {
    return describeError(error);
  }
}

async function passed(
  options: UpgradeHostOptions,
  check: BootCheck,
  record: RunRecord,
): Promise<number> {
  await clearBootCheck(options.config.stateDir);
  const generation = check.expected.generation;
  const backOnPrevious = check.rollbackReboots > 0;
  record.reboot = {
    ...record.reboot,
    requested: true,
    bootCheck: { at: new Date().toISOString(), passed: true, booted: check.expected.storePath },
  };
  const summary = backOnPrevious
    ? `result: rolled back (rebooted into generation ${generation}, the last good one, after the new generation failed its boot check)`
    : `result: upgraded (rebooted into generation ${generation})`;
  return finish(options, record, {
    // Back on the last good generation after a failed boot: the slot follows onFailure.
    slot: backOnPrevious ? 'after-failure' : 'release',
    ...(backOnPrevious
      ? {
          commits: Object.fromEntries(
            check.previousCommits.map((saved) => [saved.repo, saved.commit]),
          ),
        }
      : {}),
    result: backOnPrevious ? 'rolled-back' : 'upgraded',
    exitCode: ExitCode.done,
    lines: [summary, `system: generation ${generation}, booted and healthy`],
  });
}

/** The first failed boot: back to the last good generation and commits, and reboot once more. */
async function rollBackAndReboot(
  options: UpgradeHostOptions,
  check: BootCheck,
  record: RunRecord,
  problem: string,
): Promise<number> {
  const { config, log } = options;
  const deps = { log, env: options.env, signal: new AbortController().signal };
  log.report('error', `boot check failed: ${problem}`);
  try {
    await switchToGeneration(check.previous, deps, 'boot');
    await resetRepos(config.repos, check.previousCommits, deps);
    await writeBootCheck(config.stateDir, {
      ...check,
      expected: check.previous,
      requestedAt: new Date().toISOString(),
      bootId: bootId(),
      rollbackReboots: check.rollbackReboots + 1,
    });
    await rejectFailedCommits(options, record, problem);
    await runCommand(config.reboot.command, deps);
  } catch (error) {
    return failedTwice(
      options,
      check,
      record,
      `${problem}; and the rollback failed: ${describeError(error)}`,
    );
  }
  record.reboot = {
    ...record.reboot,
    requested: true,
    bootCheck: { at: new Date().toISOString(), passed: false, problem },
  };
  return finish(options, record, {
    // Rebooting again, into the last good generation: that boot's check decides.
    slot: 'keep-for-boot-check',
    rejects: true,
    commits: Object.fromEntries(check.previousCommits.map((saved) => [saved.repo, saved.commit])),
    result: 'rolled-back',
    exitCode: ExitCode.rolledBack,
    failure: { state: 'bootCheck', message: problem },
    lines: [
      `result: the boot into generation ${check.expected.generation} failed its check and was rolled back: generation ${check.previous.generation} is the boot default again, every repo is back at its saved commit, and the host reboots into it`,
      `cause: ${problem}`,
      'next: fix the cause upstream; these commits are not tried again here. The boot after this reboot is checked too',
    ],
  });
}

/** The boot after the automatic rollback failed too (or the rollback did): a person must look. */
async function failedTwice(
  options: UpgradeHostOptions,
  check: BootCheck,
  record: RunRecord,
  problem: string,
): Promise<number> {
  const { config } = options;
  await clearBootCheck(config.stateDir);
  const at = new Date().toISOString();
  await markManualRecoveryNeeded(config.stateDir, {
    since: at,
    runId: record.id,
    reason: `boot check failed after the automatic rollback reboot: ${problem}`,
  });
  record.rollbackFailure = { state: 'bootCheck', message: problem };
  record.reboot = {
    ...record.reboot,
    requested: true,
    bootCheck: { at, passed: false, problem },
  };
  const profile = check.previous.profile;
  return finish(options, record, {
    slot: 'hold-after-failure',
    result: 'rollback-failed',
    exitCode: ExitCode.rollbackFailed,
    failure: { state: 'bootCheck', message: problem },
    lines: [
      'result: ROLLBACK FAILED: the host did not come back healthy after one automatic rollback reboot: manual recovery needed',
      `cause: ${problem}`,
      `next: pick a generation that boots (\`nix-env -p ${profile} --list-generations\`; the last good one was ${check.previous.generation}), make it the default with \`nix-env -p ${profile} --switch-generation N\` and \`${profile}/bin/switch-to-configuration boot\`, reboot, put the repos back (docs/recovery.md), then \`xs-upgrade recover --confirm-manual-fix\``,
    ],
  });
}

/**
 * The fleet slot the upgrade kept through the reboot: released, held or kept, as the boot went;
 * and with etcd, the boot's verdict reported: a proof, or a rejection of the commits.
 */
async function settleFleet(
  options: UpgradeHostOptions,
  record: RunRecord,
  outcome: BootOutcome,
): Promise<string[]> {
  const fleet = await prepareFleet(options);
  if (!fleet) return [];
  try {
    const { onFailure } = fleet.slot.fleet;
    const decision = outcome.slot;
    const chosen =
      decision === 'after-failure'
        ? onFailure === 'hold'
          ? 'hold-after-failure'
          : 'release'
        : decision;
    const lines = [await fleet.slot.apply(chosen, outcome.failure?.message ?? outcome.result)];
    const finals = Object.fromEntries(
      record.repos.flatMap((repo) => (repo.final ? [[repo.repo, repo.final]] : [])),
    );
    const healthy = outcome.result === 'upgraded';
    const reported = await fleet.rollout?.report({
      commits: outcome.commits ?? finals,
      result: outcome.result,
      at: new Date().toISOString(),
      healthy,
      ...(outcome.rejects && Object.keys(finals).length > 0
        ? {
            rejected: {
              commits: finals,
              reason: createRedactor(options.config.secrets)(
                `bootCheck: ${outcome.failure?.message ?? '?'}`.slice(0, 300),
              ),
            },
          }
        : {}),
    });
    return reported ? [...lines, reported] : lines;
  } finally {
    await fleet.slot.close();
    await fleet.rollout?.close();
  }
}

/** The commits of the upgrade whose boot failed are not tried again. */
async function rejectFailedCommits(
  options: UpgradeHostOptions,
  record: RunRecord,
  problem: string,
): Promise<void> {
  const commits = Object.fromEntries(
    record.repos.flatMap((repo) => (repo.final ? [[repo.repo, repo.final]] : [])),
  );
  if (Object.keys(commits).length === 0) return;
  await rejectCommitSet(options.config.stateDir, {
    commits,
    at: new Date().toISOString(),
    reason: `bootCheck: ${problem}`.slice(0, 300),
  });
}

/** The record of the run that asked for the reboot (a new one if it is gone). */
async function runRecord(options: UpgradeHostOptions, id: string): Promise<RunRecord> {
  const found = (await readRunRecords(options.config.stateDir)).find((record) => record.id === id);
  return found ?? recordFor(options, false);
}

/** How a boot check ended, and what it means for the fleet. */
type BootOutcome = UnstartedOutcome & {
  lines: string[];
  slot: SlotDecision | 'after-failure';
  /** The boot failed for the new commits' sake: the fleet hears they are bad. */
  rejects?: boolean;
  /** What the host runs now, when not the upgrade's commits (after a rollback). */
  commits?: Record<string, string>;
};

async function finish(
  options: UpgradeHostOptions,
  record: RunRecord,
  outcome: BootOutcome,
): Promise<number> {
  outcome.lines.push(...(await settleFleet(options, record, outcome)));
  record.result = outcome.result;
  record.exitCode = outcome.exitCode;
  record.summary = outcome.lines[0] ?? '';
  if (outcome.failure) record.failure = outcome.failure;
  record.running = false;
  record.endedAt = new Date().toISOString();
  await new RunRecorder(options.config.stateDir, record, (message) =>
    options.log.warn(message),
  ).save();
  await reportRun(options, record, outcome);
  return outcome.exitCode;
}
