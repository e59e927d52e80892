// `xs-upgrade boot-check`: after a reboot a run asked for (a oneshot unit ordered after
// multi-user.target runs it at every boot), is the host on the new generation, and healthy? It is
// a run of its own, with its own record that links to the run whose reboot it checks (that
// record is never changed). Pass: "upgraded (rebooted into generation N)". Fail, or booted into
// something else: the profile goes back to the last good generation (as the boot default), the
// repos to their commits, and the host reboots once more; a second failed boot stops with exit 5
// and what to do by hand (greenboot's idea, on the Nix profile).
import { readlink } from 'node:fs/promises';
import { runHealthChecks } from '../actors/runHealthChecks.js';
import { ExitCode, describeError } from '../errors.js';
import { readBootCheck, rebootedSince, type BootCheck } from '../state/rebootState.js';
import { bootVerdicts } from './bootVerdicts.js';
import type { UpgradeHostOptions } from './hostOptions.js';
import { measureHost } from './hostState.js';
import { runOnHost, type RunContext } from './lifecycle.js';
import type { RunDraft } from './outcome.js';

export async function checkBoot(options: UpgradeHostOptions): Promise<number> {
  return runOnHost(options, {
    command: 'boot-check',
    // A run killed between its reboot request and now is finished first (it never asks twice).
    goesOnAfterRecovery: () => true,
    async work(run) {
      const check = await readBootCheck(options.config.stateDir);
      if (!check) {
        options.log.info('no boot check pending: nothing to do');
        return ExitCode.done;
      }
      return bootCheckDraft(options, check, run);
    },
  });
}

/**
 * The boot check itself, as a run's work: also what `run` does first when it finds one pending
 * (a timer with Persistent=true may fire at boot before the boot-check unit does).
 */
export async function bootCheckDraft(
  options: UpgradeHostOptions,
  check: BootCheck,
  run: RunContext,
): Promise<RunDraft | number> {
  if (!(await rebootedSince(check, options.config.reboot.bootedSystem))) {
    options.log.info(
      `the host has not booted since the reboot into generation ${check.expected.generation} was asked for at ${check.requestedAt}: nothing to check yet`,
    );
    return ExitCode.done;
  }
  const record = run.recorder.record;
  record.command = 'boot-check';
  record.checks = check.runId;
  // Where the host is before this run moves anything: what its record calls "saved".
  const before = await measureHost(options.config, options.env);
  const problem = await bootProblem(options, check);
  const verdicts = bootVerdicts(options, check, before, record.id);
  if (problem === undefined) return verdicts.passed();
  if (check.rollbackReboots >= 1) return verdicts.failedTwice(problem);
  return verdicts.rollBackAndReboot(problem);
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
