// `xs-upgrade rollback`: undo the last upgrade by hand. Every repo goes back to the commits it had
// before that upgrade, the system rollback runs, and the upgraded commit set is remembered as bad
// so the next run does not pull it again. The same actors as a run's rollingBack.
import { resetRepos } from '../actors/resetRepos.js';
import { rollbackSystem } from '../actors/rollbackSystem.js';
import { currentGeneration } from '../actors/systemProfile.js';
import { snapshotRepo } from '../actors/snapshotRepos.js';
import { ExitCode } from '../errors.js';
import { createRedactor } from '../redact.js';
import { gitAt } from '../actors/git.js';
import {
  manualRecoveryLine,
  markManualRecoveryNeeded,
  readManualRecovery,
} from '../state/manualRecovery.js';
import { rejectCommitSet } from '../state/rejectedCommits.js';
import { readRunRecords, RunRecorder } from '../state/runRecords.js';
import { recordFor, withRunLock, type UpgradeHostOptions } from './upgradeHost.js';

export async function rollbackLastUpgrade(options: UpgradeHostOptions): Promise<number> {
  const { config, log } = options;
  return withRunLock(options, async () => {
    const marker = await readManualRecovery(config.stateDir);
    if (marker) {
      log.error(manualRecoveryLine(marker));
      return ExitCode.rollbackFailed;
    }
    // The newest upgrade, or the newest rollback by hand if that came after it.
    const latest = (await readRunRecords(config.stateDir)).find(
      (record) => record.result === 'upgraded' || record.rolledBackByHand !== undefined,
    );
    if (latest?.rolledBackByHand !== undefined) {
      log.error(
        `the last upgrade was already rolled back by hand on ${latest.startedAt}: nothing was changed`,
      );
      return ExitCode.aborted;
    }
    const upgrade = latest;
    const targets = config.repos.map((repo) => ({
      repo,
      before: upgrade?.repos.find((entry) => entry.repo === repo.name)?.saved,
      after: upgrade?.repos.find((entry) => entry.repo === repo.name)?.final,
    }));
    if (!upgrade || targets.some((target) => !target.before)) {
      log.error(`no upgrade on record in ${config.stateDir} to roll back: nothing was changed`);
      return ExitCode.aborted;
    }
    log.info(`rolling back the upgrade of ${upgrade.startedAt}`);
    // As in a run's rollingBack, a stop request does not cut a rollback short.
    const deps = { log, env: options.env, signal: new AbortController().signal };
    // Refuse, as a run would, a repo with local changes: they are not ours to reset.
    try {
      await Promise.all(config.repos.map((repo) => snapshotRepo(repo, deps)));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log.error(
        message.endsWith('nothing was changed') ? message : `${message}: nothing was changed`,
      );
      return ExitCode.aborted;
    }

    const record = recordFor(options, false);
    const recorder = new RunRecorder(
      config.stateDir,
      record,
      (message) => log.warn(message),
      createRedactor(config.secrets),
    );
    record.rolledBackByHand = upgrade.id;
    const savedCommits = targets.map(({ repo, before }) => ({
      repo: repo.name,
      branch: repo.branch,
      commit: before ?? '',
    }));
    let exitCode: number = ExitCode.done;
    try {
      log.state('rollingBack.resettingRepos');
      recorder.stateEntered('rollingBack.resettingRepos', new Date(), undefined);
      await resetRepos(config.repos, savedCommits, deps);
      log.state('rollingBack.revertingSystem');
      recorder.stateEntered('rollingBack.revertingSystem', new Date(), undefined);
      await rollbackSystem(config, upgrade.system?.saved, deps);
      recorder.stateEntered('rolledBack', new Date(), undefined);
      record.result = 'rolled-back';
      record.summary = `result: rolled back by hand: the upgrade of ${upgrade.startedAt} is undone, every repo is at the commits it had before it, the system too${upgrade.system?.saved ? ` (back on generation ${upgrade.system.saved.generation})` : ''}`;
      log.info(record.summary);
    } catch (error) {
      recorder.stateEntered('rollbackFailed', new Date(), undefined);
      record.result = 'rollback-failed';
      record.rollbackFailure = {
        state: 'rollingBack',
        message: error instanceof Error ? error.message : String(error),
      };
      record.summary = `result: ROLLBACK FAILED: ${record.rollbackFailure.message}; see docs/recovery.md`;
      log.report('error', record.summary);
      exitCode = ExitCode.rollbackFailed;
    }
    record.running = false;
    record.endedAt = new Date().toISOString();
    record.exitCode = exitCode;
    record.repos = await Promise.all(
      targets.map(async ({ repo, before }) => {
        const now = await gitAt(repo.path, deps)
          .raw(['rev-parse', 'HEAD'])
          .then((text) => text.trim())
          .catch(() => '');
        return { repo: repo.name, saved: before ?? '', ...(now ? { final: now } : {}) };
      }),
    );
    const finalSystem = config.system ? await currentGeneration(config.system.profile) : undefined;
    if (upgrade.system?.saved || finalSystem) {
      record.system = {
        ...(upgrade.system?.saved ? { saved: upgrade.system.saved } : {}),
        ...(finalSystem ? { final: finalSystem } : {}),
      };
    }
    await recorder.finish();
    if (exitCode === ExitCode.rollbackFailed) {
      await markManualRecoveryNeeded(config.stateDir, {
        since: record.endedAt,
        runId: record.id,
        reason: record.rollbackFailure?.message ?? 'unknown',
      });
    }
    await rejectCommitSet(config.stateDir, {
      commits: Object.fromEntries(targets.map(({ repo, after }) => [repo.name, after ?? ''])),
      at: new Date().toISOString(),
      reason: 'rolled back by hand (xs-upgrade rollback)',
    });
    return exitCode;
  });
}
