// --dry-run: the plan, state by state. Steps that only read run for real (repo state, what the
// remote has, via `git ls-remote`, which writes nothing); steps that write are only printed.
import { join } from 'node:path';
import { gitAt, gitMessage } from '../actors/git.js';
import { savedCommitsFile, snapshotRepo } from '../actors/snapshotRepos.js';
import { commandText, type CommandSpec, type ResolvedConfig } from '../config/resolve.js';
import { ExitCode } from '../errors.js';

export async function dryRun(
  config: ResolvedConfig,
  options: { env: NodeJS.ProcessEnv; force: boolean; print: (line: string) => void },
): Promise<number> {
  const { print } = options;
  const deps = { env: options.env, signal: new AbortController().signal };
  const commands = (specs: CommandSpec[]) =>
    specs.length === 0
      ? ['  (nothing to run)']
      : specs.map((spec) => `  would run ${spec.name}: ${commandText(spec)}`);
  let exitCode: number = ExitCode.done;

  print(`dry run of ${config.file}: commands that write are printed, not run`);
  print('hooksRunning:');
  commands(config.preUpdateHooks).forEach((line) => print(line));

  print('snapshotting:');
  let anythingNew = options.force || config.mode === 'remote';
  for (const repo of config.repos) {
    try {
      const saved = await snapshotRepo(repo, deps);
      const remoteLine = await gitAt(repo.path, deps).raw([
        'ls-remote',
        '--heads',
        repo.remote,
        `refs/heads/${repo.branch}`,
      ]);
      const upstream = remoteLine.split(/\s/)[0] ?? '';
      const news =
        upstream === ''
          ? `${repo.remote}/${repo.branch} not found`
          : upstream === saved.commit
            ? 'up to date'
            : `new: ${upstream.slice(0, 12)}`;
      if (upstream !== '' && upstream !== saved.commit) anythingNew = true;
      print(
        `  repo ${repo.name}: ${saved.commit.slice(0, 12)} on ${saved.branch}, clean; ${repo.remote}/${repo.branch}: ${news}`,
      );
    } catch (error) {
      exitCode = ExitCode.aborted;
      print(`  repo ${repo.name}: would abort: ${gitMessage(error)}`);
    }
  }
  print(`  would write ${join(config.stateDir, savedCommitsFile)}`);
  print('pulling:');
  print(
    config.repos.length === 0
      ? '  (no repos)'
      : `  would fetch and fast-forward ${config.repos.map((repo) => repo.name).join(', ')}`,
  );
  if (!anythingNew) {
    print('done: nothing new upstream; the run would stop here (use --force to build anyway)');
    return exitCode;
  }
  if (config.buildBeforeSwitch && config.build) {
    print('building:');
    commands([config.build]).forEach((line) => print(line));
  }
  print(`validating (on failure: ${config.onValidationFailure}):`);
  commands(config.validationChecks).forEach((line) => print(line));
  print('switching:');
  commands([config.switch]).forEach((line) => print(line));
  print('rollingBack, only on failure:');
  print('  would reset every repo to its saved commit');
  print(
    `  after a switch, would run ${config.rollbackSwitch ? commandText(config.rollbackSwitch) : `${commandText(config.switch)} (switch again on the restored repos)`}`,
  );
  return exitCode;
}
