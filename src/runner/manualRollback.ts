// `xs-upgrade rollback`: undo the last upgrade by hand, as a run of the lifecycle. Every repo goes
// back to the commits it had before that upgrade, the system rollback runs, and the upgraded
// commit set is remembered as bad so the next run does not pull it again. The same actors as a
// run's rollingBack.
import { resetRepos } from '../actors/resetRepos.js';
import { rollbackSystem } from '../actors/rollbackSystem.js';
import { snapshotRepo } from '../actors/snapshotRepos.js';
import { ExitCode } from '../errors.js';
import { readRunRecords } from '../state/runRecords.js';
import type { UpgradeHostOptions } from './hostOptions.js';
import { runOnHost, type RunContext } from './lifecycle.js';
import type { RunDraft } from './outcome.js';

export async function rollbackLastUpgrade(options: UpgradeHostOptions): Promise<number> {
  return runOnHost(options, {
    command: 'rollback',
    goesOnAfterRecovery: (exitCode) =>
      exitCode === ExitCode.aborted || exitCode === ExitCode.rolledBack,
    work: (run) => rollBack(options, run),
  });
}

async function rollBack(options: UpgradeHostOptions, run: RunContext): Promise<RunDraft | number> {
  const { config, log } = options;
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

  const { recorder } = run;
  recorder.record.rolledBackByHand = upgrade.id;
  const savedCommits = targets.map(({ repo, before }) => ({
    repo: repo.name,
    branch: repo.branch,
    commit: before ?? '',
  }));
  const enter = (state: string) => {
    log.state(state);
    recorder.stateEntered(state, new Date(), undefined);
  };
  const common = {
    saved: {
      repos: savedCommits,
      ...(upgrade.system?.saved ? { system: upgrade.system.saved } : {}),
    },
    rejected: {
      commits: Object.fromEntries(targets.map(({ repo, after }) => [repo.name, after ?? ''])),
      at: new Date().toISOString(),
      reason: 'rolled back by hand (xs-upgrade rollback)',
    },
  };
  try {
    enter('rollingBack.resettingRepos');
    await resetRepos(config.repos, savedCommits, deps);
    enter('rollingBack.revertingSystem');
    await rollbackSystem(config, upgrade.system?.saved, deps);
    recorder.stateEntered('rolledBack', new Date(), undefined);
  } catch (error) {
    recorder.stateEntered('rollbackFailed', new Date(), undefined);
    const message = error instanceof Error ? error.message : String(error);
    return {
      ...common,
      result: 'rollback-failed',
      exitCode: ExitCode.rollbackFailed,
      rollbackFailure: { state: 'rollingBack', message },
      describe: () => ({
        level: 'error',
        lines: [`result: ROLLBACK FAILED: ${message}; see docs/recovery.md`],
      }),
    };
  }
  const generation = upgrade.system?.saved?.generation;
  return {
    ...common,
    result: 'rolled-back',
    exitCode: ExitCode.done,
    describe: () => ({
      level: 'info',
      lines: [
        `result: rolled back by hand: the upgrade of ${upgrade.startedAt} is undone, every repo is at the commits it had before it, the system too${generation === undefined ? '' : ` (back on generation ${generation})`}`,
      ],
    }),
  };
}
