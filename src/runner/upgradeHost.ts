// `xs-upgrade run`: one upgrade, as a run of the lifecycle. Its work: check the boot a reboot
// this host asked for, if one is pending (nothing is upgraded before that boot is checked); else
// the repos the config names, then the machine.
import { checkRepos } from '../config/checkRepos.js';
import { conditionsConfigured } from '../config/resolve.js';
import { ExitCode } from '../errors.js';
import { readBootCheck } from '../state/rebootState.js';
import { bootCheckDraft } from './bootCheck.js';
import type { UpgradeHostOptions } from './hostOptions.js';
import { runOnHost } from './lifecycle.js';
import { runMachine } from './machineRun.js';
import { startedSummary } from './startedSummary.js';

export type { UpgradeHostOptions } from './hostOptions.js';
export { rejectedSet } from './machineRun.js';

export async function upgradeHost(options: UpgradeHostOptions): Promise<number> {
  const { config, log } = options;
  return runOnHost(options, {
    command: 'run',
    goesOnAfterRecovery: (exitCode) => {
      if (exitCode === ExitCode.aborted || exitCode === ExitCode.rolledBack) {
        log.info('recovered: carrying on with a new run');
        return true;
      }
      log.error(
        'the unfinished run could not be recovered: not starting a new one (see docs/recovery.md)',
      );
      return false;
    },
    async work(run) {
      // A reboot this host asked for comes first: before it, upgrading again would make the boot
      // check expect the wrong generation; after it, the boot is checked before anything moves.
      const bootCheck = await readBootCheck(config.stateDir);
      if (bootCheck) {
        log.info(
          'a reboot this host asked for is pending or was just checked: not upgrading in this run',
        );
        return bootCheckDraft(options, bootCheck, run);
      }
      const record = run.recorder.record;
      if (options.skipValidation) record.skippedValidation = true;
      if (options.ignoreConditions && conditionsConfigured(config)) {
        record.ignoredConditions = true;
        log.warn(
          'CONDITIONS IGNORED (--ignore-conditions): running whatever the maintenance window, power and network say',
        );
      }
      // A config that is valid as written, on a host whose repos are not what it says: a failed
      // run like any other (recorded, notified, in the metrics), not exit 78.
      const problems = await checkRepos(config.repos);
      if (problems.length > 0) {
        return startedSummary.aborted(ExitCode.aborted, {
          state: 'starting',
          message: problems.join('; '),
          next: 'fix the repo paths on this host (or the config); the next run will try again',
        });
      }
      return runMachine(options, {
        recorder: run.recorder,
        stop: run.stop,
        fleet: await run.fleet(),
      });
    },
  });
}
