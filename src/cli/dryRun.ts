// --dry-run: the plan, state by state. Steps that only read run for real (repo state, what the
// remote has, via `git ls-remote`, which writes nothing); steps that write are only printed.
import { join } from 'node:path';
import { gitAt, gitMessage } from '../actors/git.js';
import { savedCommitsFile, snapshotRepo } from '../actors/snapshotRepos.js';
import { checkConditions } from '../actors/checkConditions.js';
import { checkRepos } from '../config/checkRepos.js';
import {
  commandText,
  conditionsConfigured,
  type CommandSpec,
  type ResolvedConfig,
} from '../config/resolve.js';
import type { Log } from '../log.js';
import { ExitCode } from '../errors.js';
import { hostname } from 'node:os';
import type { ClosureSpec } from '../config/resolve.js';
import { chooseClosure, type ClosureDecision } from '../closure/choose.js';
import { ClosureRefused, ClosureUnavailable } from '../closure/errors.js';
import { formatSize } from '../config/size.js';
import { currentLockHolder } from '../state/lock.js';
import { manualRecoveryLine, readManualRecovery } from '../state/manualRecovery.js';
import { findRejected, readRejectedCommitSets } from '../state/rejectedCommits.js';

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
  // The dry run exits with the code the run would have, so a script can act on it.
  const marker = await readManualRecovery(config.stateDir);
  if (marker) {
    print(`would refuse (exit 5): ${manualRecoveryLine(marker)}`);
    return ExitCode.rollbackFailed;
  }
  const holder = await currentLockHolder(config.stateDir);
  if (holder) {
    print(
      `would stop at once (exit 75): another run (pid ${holder.pid}, since ${holder.since}) holds the lock`,
    );
    return ExitCode.temporary;
  }
  const repoProblems = await checkRepos(config.repos);
  if (repoProblems.length > 0) {
    for (const problem of repoProblems) print(`would abort (exit 3): ${problem}`);
    return ExitCode.aborted;
  }
  if (conditionsConfigured(config)) {
    // Reading the clock, sysfs and nmcli writes nothing: the dry run checks them for real.
    const facts = await checkConditions(config, { ...deps, log: quietLog(print) });
    if (!facts.hold) {
      print(
        `would skip (exit 0): ${facts.reason ?? 'conditions'} (--ignore-conditions runs anyway)`,
      );
      return ExitCode.done;
    }
    print('checkingConditions: the maintenance window, power and network allow a run now');
  }
  print('hooksRunning:');
  commands(config.preUpdateHooks).forEach((line) => print(line));

  print('snapshotting:');
  let anythingNew = options.force || config.mode === 'remote';
  const upstream: Record<string, string> = {};
  for (const repo of config.repos) {
    try {
      const saved = await snapshotRepo(repo, deps);
      const remoteLine = await gitAt(repo.path, deps).raw([
        'ls-remote',
        '--heads',
        repo.remote,
        `refs/heads/${repo.branch}`,
      ]);
      const tip = remoteLine.split(/\s/)[0] ?? '';
      upstream[repo.name] = tip || saved.commit;
      const news =
        tip === ''
          ? `${repo.remote}/${repo.branch} not found`
          : tip === saved.commit
            ? 'up to date'
            : `new: ${tip.slice(0, 12)}`;
      if (tip !== '' && tip !== saved.commit) anythingNew = true;
      print(
        `  repo ${repo.name}: ${saved.commit.slice(0, 12)} on ${saved.branch}, clean; ${repo.remote}/${repo.branch}: ${news}`,
      );
    } catch (error) {
      exitCode = ExitCode.aborted;
      print(`  repo ${repo.name}: would abort (exit 3): ${gitMessage(error)}`);
    }
  }
  if (exitCode !== ExitCode.done) {
    print('the run would abort here, before anything changes (exit 3)');
    return exitCode;
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
  const held = options.force
    ? undefined
    : findRejected(await readRejectedCommitSets(config.stateDir), upstream);
  if (held) {
    print(
      `held back (exit 3): upstream is at commits that failed here on ${held.at} (${held.reason}); the run would stop here (use --force to try them)`,
    );
    return ExitCode.aborted;
  }
  const closure = config.system?.closure
    ? await closurePlan(config.system.closure, upstream, options.env, print)
    : undefined;
  if (typeof closure === 'number') return closure;
  if (closure === undefined && config.buildBeforeSwitch && config.build) {
    print('building:');
    commands([config.build]).forEach((line) => print(line));
  }
  print(`validating (on failure: ${config.onValidationFailure}):`);
  commands(config.validationChecks).forEach((line) => print(line));
  if (config.fleet) {
    const { fleet } = config;
    const where =
      'etcd' in fleet.backend
        ? `etcd ${fleet.backend.etcd.endpoints.join(',')}`
        : `FleetLock ${new URL(fleet.backend.fleetLock.url).origin}`;
    print('waitingForSlot:');
    print(
      `  would take a slot in group "${fleet.group}" on ${where} (waiting up to ${fleet.slotTimeoutMs < 120_000 ? `${Math.round(fleet.slotTimeoutMs / 1000)} s` : `${Math.round(fleet.slotTimeoutMs / 60_000)} min`}), released once healthy; after a failed switch: ${fleet.onFailure}`,
    );
  }
  print('switching:');
  if (closure) {
    print(`  would run nix-env --profile ${config.system?.profile ?? '?'} --set ${closure}`);
    print(`  would run ${closure}/bin/switch-to-configuration switch`);
  } else {
    commands([config.switch]).forEach((line) => print(line));
  }
  print('rollingBack, only on failure:');
  print('  would reset every repo to its saved commit');
  print(
    `  after a switch, would run ${config.rollbackSwitch ? commandText(config.rollbackSwitch) : `${commandText(config.switch)} (switch again on the restored repos)`}`,
  );
  return exitCode;
}

/**
 * The closure a run would take, looked up for real (the source, the caches and the store are only
 * read; gcCommand is not run): its store path, size and signer. A number: the exit code the run
 * would stop with. Undefined: no closure, the run builds here (fallback "build").
 */
async function closurePlan(
  spec: ClosureSpec,
  upstream: Record<string, string>,
  env: NodeJS.ProcessEnv,
  print: (line: string) => void,
): Promise<string | number | undefined> {
  print('fetchingClosure:');
  const { gcCommand, ...readOnly } = spec;
  let decision: ClosureDecision;
  try {
    decision = await chooseClosure(readOnly, upstream, {
      env,
      signal: new AbortController().signal,
      log: quietLog(print),
      host: hostname(),
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof ClosureUnavailable) {
      print(`  would stop (exit 75, temporary): ${message}`);
      return ExitCode.temporary;
    }
    if (error instanceof ClosureRefused) {
      print(`  would abort (exit 3): ${message}`);
      if (gcCommand && /not enough space/.test(message)) {
        print(`  (the run would first run ${gcCommand.name}: ${commandText(gcCommand)})`);
      }
      return ExitCode.aborted;
    }
    throw error;
  }
  if ('waiting' in decision) {
    print(`  ${decision.waiting}: the run would stop here, nothing moved (exit 0)`);
    return ExitCode.done;
  }
  if ('build' in decision) {
    print(`  ${decision.build}`);
    return undefined;
  }
  if ('heldBack' in decision) {
    print(`  held back (exit 3): ${decision.heldBack.by ?? 'a host'} rejected this closure`);
    return ExitCode.aborted;
  }
  const { storePath, substituter, signedBy, closureBytes, fetchBytes } = decision.closure;
  print(`  closure ${storePath}, signed by ${signedBy.join(', ')}`);
  print(
    `  would fetch ${formatSize(fetchBytes)} of its ${formatSize(closureBytes)} from ${substituter} (the rest is in the store)`,
  );
  return decision.closure.storePath;
}

/** A log for the checks the dry run makes: what they say becomes a line of the plan. */
function quietLog(print: (line: string) => void): Log {
  const say = (message: string) => print(`  ${message}`);
  return {
    state: () => undefined,
    info: say,
    warn: say,
    error: say,
    report: (_level, message) => say(message),
    output: (_step, block) => block.split('\n').forEach(say),
    flush: () => undefined,
  };
}
