// The command line: parses arguments, loads the config, runs, prints, and returns the exit code.
// bin/xs-upgrade.js is the one place that hands it to the process.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { join, resolve } from 'node:path';
import type { ResolvedConfig } from '../config/resolve.js';
import { ConfigError, ExitCode, UsageError, XsUpgradeError, describeError } from '../errors.js';
import { createLog, drainedOf, isDrainable, type DrainableStream } from '../log.js';
import { packageRoot, readPackageJson } from '../packageFiles.js';
import { createRedactor } from '../redact.js';
import { sanitizeLine } from '../sanitize.js';
import type { GraphFormat } from './graph.js';

// Each command loads what it needs when it runs (`import()` below): `--version` and `--help` must
// not pay for ajv, xstate, git and the inspector.
const graphFormats: GraphFormat[] = ['mermaid', 'dot', 'json', 'markdown'];
type LoadOptions = Omit<import('../config/load.js').LoadOptions, 'fallback'> & {
  /** Fall back to $XS_UPGRADE_CONFIG, else the installed host's config. */
  fallback?: boolean;
};
const loadConfig = async (
  file: string | undefined,
  io: Pick<CliIo, 'cwd' | 'env'>,
  options?: LoadOptions & {
    /** Read the secrets the config names (commands that may notify, and validate). */
    secrets?: boolean;
  },
) => {
  const load = await import('../config/load.js');
  // status, history and fleet read an installed host's config when no other is named or found
  // ($XS_UPGRADE_CONFIG, else /etc/xs-upgrade/host.json); the commands that change a host never
  // fall back: their config is named, or (not as root) found where they are started.
  const fallback = options?.fallback
    ? (io.env.XS_UPGRADE_CONFIG ?? load.hostConfigFile)
    : undefined;
  const config = await load.loadConfig(file, io.cwd, {
    ...(options?.checkRepos === undefined ? {} : { checkRepos: options.checkRepos }),
    ...(fallback === undefined ? {} : { fallback }),
  });
  if (options?.secrets) {
    const { resolveSecretRefs } = await import('../config/secretRefs.js');
    const problems = await resolveSecretRefs(config, io.env);
    if (problems.length > 0)
      throw new ConfigError(problems.map((line) => `${config.file}: ${line}`));
  }
  // The etcd password lives in the environment the config names: redacted like every secret.
  const backend = config.fleet?.backend;
  const password =
    backend && 'etcd' in backend ? io.env[backend.etcd.passwordEnv ?? ''] : undefined;
  if (password) config.secrets.push(password);
  return config;
};
// A run checks the repos itself (a vanished repo is a failed run it records and reports).
const forRun = { checkRepos: false, secrets: true };
/** status, history and fleet: no repos needed, and the installed host's config as a fallback. */
const forReading = { checkRepos: false, fallback: true };
const stateFiles = async () => ({
  ...(await import('../state/lock.js')),
  ...(await import('../state/runRecords.js')),
  ...(await import('../state/manualRecovery.js')),
  ...(await import('../state/rebootState.js')),
  ...(await import('../state/fleetSlot.js')),
  ...(await import('../state/stateDirAccess.js')),
  ...(await import('../actors/snapshotRepos.js')),
  ...(await import('./history.js')),
});

export interface CliIo {
  argv: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: {
    write(text: string): unknown;
    isTTY?: boolean;
  } & Partial<DrainableStream>;
  stderr: { write(text: string): unknown; isTTY?: boolean };
}

interface RunCommandOptions {
  config?: string;
  force?: boolean;
  ignoreConditions?: boolean;
  skipValidation?: boolean;
  dryRun?: boolean;
  inspect?: string | boolean;
  inspectLog?: string;
  inspectHost?: string;
}

function positiveInteger(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new InvalidArgumentError('a whole number of at least 1');
  return value;
}

export async function main(io: CliIo): Promise<number> {
  let exitCode: number = ExitCode.done;
  // Every line printed here may hold text from elsewhere (a record's summary, the fleet store, an
  // error's message): one line each, no control characters (src/sanitize.ts).
  const errorLine = (message: string) => io.stderr.write(`xs-upgrade: ${sanitizeLine(message)}\n`);
  const printLines = (lines: string[]) =>
    io.stdout.write(`${lines.map((line) => sanitizeLine(line)).join('\n')}\n`);
  const version = (readPackageJson('package.json') as { version: string }).version;
  const configOption = () =>
    new Option(
      '-c, --config <file>',
      'the host config (JSON or YAML); default: searched in the current folder',
    );

  // Every line a run writes passes the redactor: secrets the config marks never reach the log.
  const runLog = (config: ResolvedConfig) => {
    const redact = createRedactor(config.secrets);
    return createLog({
      write: (text) => io.stdout.write(redact(text)),
      ...(isDrainable(io.stdout) ? { drained: drainedOf(io.stdout) } : {}),
      env: io.env,
      isTTY: Boolean(io.stdout.isTTY),
    });
  };

  /** What every command that changes the host needs. */
  const hostOptions = (config: ResolvedConfig) => ({
    config,
    log: runLog(config),
    env: io.env,
    version,
    force: false,
    isTTY: Boolean(io.stdout.isTTY),
  });

  const program = new Command('xs-upgrade')
    .description(
      'Upgrade a git-managed host safely: pull, build, check, switch, or roll everything back.',
    )
    .version(version, '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // One prefix for every error line xs-upgrade prints, whoever found the problem.
      outputError: (text, write) => write(text.replace(/^error: /, 'xs-upgrade: ')),
    })
    .showSuggestionAfterError()
    .addHelpText(
      'after',
      '\nExit codes: 0 done, 3 not upgraded and host untouched (aborted, or held back), 4 rolled back,\n5 rollback failed (manual recovery), 64 bad command line, 70 internal error,\n75 temporary (another run holds the lock, the network failed, or no fleet slot), 77 permission\ndenied, 78 invalid config.',
    );

  program
    .command('run')
    .description('upgrade this host now')
    .addOption(configOption())
    .option(
      '--force',
      'build and switch even when nothing is new, or upstream is at commits that failed before',
    )
    .option(
      '--ignore-conditions',
      'run even outside the maintenance window, on battery or metered (logged, recorded)',
    )
    .option(
      '--skip-validation',
      'switch without running validationChecks (logged loudly, kept in the run record)',
    )
    .option('--dry-run', 'print what each state would run; run nothing that writes')
    .option(
      '--inspect [ws-url]',
      'stream the run to the Stately inspector (alone: start a local relay)',
    )
    .option('--inspect-log <file>', 'write every inspection event to a file as JSON lines')
    .option(
      '--inspect-host <address>',
      "where --inspect's relay listens (default 127.0.0.1; another address lets anyone who reaches it watch the run)",
    )
    .action(async (options: RunCommandOptions) => {
      const config = await loadConfig(options.config, io, forRun);
      if (options.dryRun) {
        const { dryRun } = await import('./dryRun.js');
        exitCode = await dryRun(config, {
          env: io.env,
          force: options.force ?? false,
          print: (line) => printLines([createRedactor(config.secrets)(line)]),
        });
        return;
      }
      const { upgradeHost } = await import('../runner/upgradeHost.js');
      exitCode = await upgradeHost({
        ...hostOptions(config),
        force: options.force ?? false,
        skipValidation: options.skipValidation ?? false,
        ignoreConditions: options.ignoreConditions ?? false,
        ...(options.inspect === undefined ? {} : { inspect: options.inspect }),
        ...(options.inspectLog === undefined ? {} : { inspectLog: options.inspectLog }),
        ...(options.inspectHost === undefined ? {} : { inspectHost: options.inspectHost }),
      });
    });

  program
    .command('recover')
    .description('finish the recovery of a run that was killed: put back what it had moved')
    .addOption(configOption())
    .option(
      '--confirm-manual-fix',
      'after a failed rollback (exit 5): say the host was put back by hand, so runs go ahead again',
    )
    .action(async (options: { config?: string; confirmManualFix?: boolean }) => {
      const config = await loadConfig(options.config, io, forRun);
      const { recoverHost } = await import('../runner/recover.js');
      exitCode = await recoverHost({
        ...hostOptions(config),
        confirmManualFix: options.confirmManualFix ?? false,
      });
    });

  program
    .command('boot-check')
    .description(
      'after a reboot a run asked for: check the boot (generation, health); roll back once if bad',
    )
    .addOption(configOption())
    .action(async (options: { config?: string }) => {
      const config = await loadConfig(options.config, io, forRun);
      const { checkBoot } = await import('../runner/bootCheck.js');
      exitCode = await checkBoot(hostOptions(config));
    });

  program
    .command('rollback')
    .description(
      'undo the last upgrade: repos back to their commits before it, then the system rollback',
    )
    .addOption(configOption())
    .action(async (options: { config?: string }) => {
      const config = await loadConfig(options.config, io, forRun);
      const { rollbackLastUpgrade } = await import('../runner/manualRollback.js');
      exitCode = await rollbackLastUpgrade(hostOptions(config));
    });

  program
    .command('status')
    .description('the last run, and whether a run is in progress')
    .addOption(configOption())
    .option('--json', 'print JSON')
    .action(async (options: { config?: string; json?: boolean }) => {
      const config = await loadConfig(options.config, io, forReading);
      const state = await stateFiles();
      await state.assertStateDirReadable(config.stateDir);
      const [lastRun] = await state.readRunRecords(config.stateDir, 1);
      const holder = await state.currentLockHolder(config.stateDir);
      const manualRecovery = await state.readManualRecovery(config.stateDir);
      const reboot = {
        pending: (await state.readRebootPendingNow(config.stateDir)) ?? null,
        bootCheck: (await state.readBootCheck(config.stateDir)) ?? null,
      };
      const fleetSlot = (await state.readHeldSlot(config.stateDir)) ?? null;
      const saved = await state.readSavedCommits(config.stateDir);
      if (options.json) {
        io.stdout.write(
          `${JSON.stringify({ running: holder ?? null, manualRecoveryNeeded: manualRecovery ?? null, reboot, fleetSlot, lastRun: lastRun ?? null }, null, 2)}\n`,
        );
      } else {
        printLines(
          state.formatStatus(lastRun, holder, manualRecovery, reboot, fleetSlot, saved?.repos),
        );
      }
    });

  program
    .command('history')
    .description('a table of recent runs, newest first')
    .addOption(configOption())
    .option('--json', 'print JSON')
    .addOption(
      new Option('-n, --limit <count>', 'how many runs').default(20).argParser(positiveInteger),
    )
    .action(async (options: { config?: string; json?: boolean; limit: number }) => {
      const config = await loadConfig(options.config, io, forReading);
      const { readRunRecords, currentLockHolder, formatHistory, assertStateDirReadable } =
        await stateFiles();
      await assertStateDirReadable(config.stateDir);
      const records = await readRunRecords(config.stateDir, options.limit);
      const holder = await currentLockHolder(config.stateDir);
      if (options.json) io.stdout.write(`${JSON.stringify(records, null, 2)}\n`);
      else printLines(formatHistory(records, holder?.pid));
    });

  program
    .command('validate')
    .description(
      'check a config, the repos, the schedule and the programs it names, then exit (0 valid, 78 invalid)',
    )
    .addOption(configOption())
    .action(async (options: { config?: string }) => {
      // The repos are checked with everything else below, so that one missing repo hides nothing.
      const config = await loadConfig(options.config, io, { checkRepos: false, secrets: true });
      const { checkHost } = await import('../config/checkHost.js');
      const { problems, warnings } = await checkHost(config, io.env);
      if (config.system) {
        // A profile that is not one: told from the config, so 78 here (a run stops at exit 3).
        const { readGeneration } = await import('../actors/systemProfile.js');
        await readGeneration(config.system.profile).catch((error: unknown) =>
          problems.push(`/system/profile: ${describeError(error)}`),
        );
      }
      for (const warning of warnings) errorLine(`warning: ${config.file}: ${warning}`);
      if (problems.length > 0) {
        throw new ConfigError(problems.map((line) => `${config.file}: ${line}`));
      }
      io.stdout.write(
        `${config.file}: valid (${config.mode} mode, ${config.repos.length} repos${warnings.length > 0 ? `, ${warnings.length} warning${warnings.length === 1 ? '' : 's'}` : ''})\n`,
      );
    });

  program
    .command('systemd')
    .description(
      'write xs-upgrade.service and xs-upgrade.timer for this config (and xs-upgrade-boot-check.service with reboot, xs-upgrade-watch.service with fleet.etcd)',
    )
    .addOption(configOption())
    .option('-o, --out <dir>', 'where to write the units', '.')
    .option(
      // Not --env-file: Node 20 reads that flag itself, wherever it stands on the command line.
      '--environment-file <file>',
      'EnvironmentFile= for the units: a root-only file of VAR=value secrets (absolute path)',
    )
    .option(
      '--credential <name:file>',
      'LoadCredential= for the units, for {"credential": NAME} in the config (repeatable)',
      (value: string, list: string[]) => [...list, value],
      [] as string[],
    )
    .action(
      async (options: {
        config?: string;
        out: string;
        environmentFile?: string;
        credential: string[];
      }) => {
        const config = await loadConfig(options.config, io);
        const { unitSecretsOf } = await import('./systemdUnits.js');
        const secrets = unitSecretsOf(options.environmentFile, options.credential);
        const { renderUnits, writeUnits } = await import('./systemdUnits.js');
        const { checkSchedule } = await import('../config/checkHost.js');
        await checkSchedule(config);
        const files = await writeUnits(
          resolve(io.cwd, options.out),
          renderUnits(
            config,
            { node: process.execPath, script: join(packageRoot, 'bin', 'xs-upgrade.js') },
            secrets,
          ),
        );
        io.stdout.write(
          `${files.map((file) => `wrote ${file}`).join('\n')}\n` +
            `install: cp ${files.join(' ')} /etc/systemd/system/ && systemctl daemon-reload && systemctl enable --now xs-upgrade.timer${files.some((file) => file.endsWith('xs-upgrade-boot-check.service')) ? ' && systemctl enable xs-upgrade-boot-check.service' : ''}\n` +
            (files.some((file) => file.endsWith('xs-upgrade-watch.service'))
              ? 'optional, to start a recall without waiting for the timer: systemctl enable --now xs-upgrade-watch.service\n'
              : '') +
            // /etc/systemd/system is read-only on NixOS: units come from the system configuration.
            'on NixOS: do not copy units; enable services.xs-upgrade from nix/module.nix instead (docs/nixos.md)\n',
        );
      },
    );

  const fleetCommand = program
    .command('fleet')
    .description("the fleet's slots on its coordinator (etcd or FleetLock): see docs/fleet.md");
  /** The config's fleet section, or exit 78 naming what to add. */
  const fleetOf = async (file: string | undefined) => {
    const config = await loadConfig(file, io, forReading);
    if (!config.fleet) {
      throw new XsUpgradeError(
        `${config.file} has no "fleet" section: add one naming the coordinator (docs/fleet.md)`,
        ExitCode.config,
      );
    }
    return { config, fleet: config.fleet, admin: await import('../fleet/admin.js') };
  };
  /** A commit set's id as an argument, or exit 64 saying what one looks like. */
  const setIdArgument = (id: string) => {
    if (!/^[0-9a-f]{12}$/.test(id)) {
      throw new UsageError(`${id}: a commit set id is 12 hex digits, as \`fleet status\` shows`);
    }
    return id;
  };
  const noSuchSet = (id: string) =>
    new XsUpgradeError(
      `no commit set ${id} in the fleet's records (see \`xs-upgrade fleet status\`)`,
      ExitCode.usage,
    );
  /** A group named on the command line, or exit 64. */
  const groupOption = async (group: string) => {
    const { groupPattern } = await import('../fleet/store/keys.js');
    if (!groupPattern.test(group)) {
      throw new UsageError(`--group ${group}: a group name is letters, digits, "." and "-"`);
    }
    return group;
  };
  /** A duration option in milliseconds, or exit 64 with `hint`. */
  const durationOption = async (flag: string, value: string, hint: string) => {
    const { parseDuration } = await import('../config/duration.js');
    try {
      return parseDuration(value);
    } catch {
      throw new UsageError(`${flag} ${value}: ${hint}`);
    }
  };
  fleetCommand
    .command('status')
    .description(
      "per group: slots and holders, each host's last run; the commit sets proven and rejected",
    )
    .addOption(configOption())
    .option('--json', 'print JSON')
    .option('--html <file>', 'write one self-contained page (no scripts, no network) to FILE')
    .action(async (options: { config?: string; json?: boolean; html?: string }) => {
      const { config, fleet, admin } = await fleetOf(options.config);
      const view = await admin.fleetStatus(fleet, io.env);
      const redact = createRedactor(config.secrets);
      if (options.html !== undefined) {
        const { renderFleetPage } = await import('./fleetPage.js');
        const { writeFile } = await import('node:fs/promises');
        const { outputFileProblem, overwriteNoFollow } = await import('../actors/stateFile.js');
        const file = resolve(io.cwd, options.html);
        await writeFile(file, redact(renderFleetPage(view, new Date())), {
          flag: overwriteNoFollow,
        }).catch((error: unknown) => {
          throw new XsUpgradeError(
            `cannot write ${file}: ${outputFileProblem(error)}`,
            ExitCode.usage,
          );
        });
        io.stdout.write(`wrote ${file}\n`);
        return;
      }
      if (options.json) {
        io.stdout.write(`${redact(JSON.stringify(view, null, 2))}\n`);
        return;
      }
      const { formatFleetStatus } = await import('./fleet.js');
      const { fleetHostId } = await import('../fleet/hostId.js');
      const id = await fleetHostId(fleet.id).catch(() => undefined);
      printLines(formatFleetStatus(view, fleet.group, id).map((line) => redact(line)));
      for (const warning of view.warnings) io.stderr.write(`warning: ${sanitizeLine(warning)}\n`);
    });
  fleetCommand
    .command('forgive')
    .description(
      'lift the fleet-wide quarantine of a commit set a host rejected: it may be tried again',
    )
    .argument('<set>', "the set's id, as `fleet status` and the held-back line show it")
    .addOption(configOption())
    .action(async (id: string, options: { config?: string }) => {
      const { fleet, admin } = await fleetOf(options.config);
      const found = await admin.forgiveSet(fleet, io.env, setIdArgument(id));
      if (!found) throw noSuchSet(id);
      const { describeSet } = await import('./fleet.js');
      printLines([
        found.forgiven
          ? `forgave ${id}: every host may try it again`
          : `${id} was not quarantined: nothing to forgive`,
        ...describeSet(found.set),
      ]);
    });
  fleetCommand
    .command('watch')
    .description(
      "watch the fleet's store and start the upgrade when a recall, or a set proven for this host, concerns it (xs-upgrade-watch.service); runs until stopped",
    )
    .addOption(configOption())
    .option(
      '--start <command>',
      'the shell command that starts the upgrade',
      'systemctl start --no-block xs-upgrade.service',
    )
    .option('--interval <duration>', 'read the store again this often without any change', '60s')
    .action(async (options: { config?: string; start: string; interval: string }) => {
      const { config, fleet } = await fleetOf(options.config);
      if (!('etcd' in fleet.backend)) {
        throw new UsageError('fleet watch needs fleet.etcd: FleetLock keeps no rollout records');
      }
      const intervalMs = await durationOption(
        '--interval',
        options.interval,
        'give a duration such as "60s" or "5m"',
      );
      if (intervalMs < 1000) throw new UsageError('--interval: at least 1s');
      const { runStartCommand, watchFleet } = await import('../fleet/watch.js');
      const log = runLog(config);
      const stop = new AbortController();
      const onSignal = () => {
        log.info('stopping the watch');
        stop.abort();
      };
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
      try {
        await watchFleet({
          config,
          env: io.env,
          log,
          intervalMs,
          signal: stop.signal,
          start: () => runStartCommand(options.start, io.env),
        });
      } finally {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
      }
    });
  /** --group G or --all, as a pause's scope; neither: this config's group. */
  const pauseScope = async (
    fleet: { group: string },
    options: { group?: string; all?: boolean },
  ) => {
    if (options.group !== undefined && options.all) {
      throw new UsageError('give --group or --all, not both');
    }
    if (options.all) return { all: true as const };
    return { group: await groupOption(options.group ?? fleet.group) };
  };
  const reasonOf = (reason: string | undefined) => {
    const text = (reason ?? '').trim();
    if (text.length > 1000 || /[\u0000-\u001f\u007f-\u009f]/.test(text)) {
      throw new UsageError('--reason: one line of at most 1000 characters');
    }
    return text;
  };
  fleetCommand
    .command('pause')
    .description(
      'stop a group (or every group) from taking any new commit set until `fleet resume`; runs go on and report, they just take nothing new',
    )
    .addOption(configOption())
    .option('--group <group>', "the group to pause; default: this config's fleet.group")
    .option('--all', 'pause every group')
    .option('--reason <text>', 'why, shown by `status`, `fleet status` and every held run')
    .action(
      async (options: { config?: string; group?: string; all?: boolean; reason?: string }) => {
        const { fleet, admin } = await fleetOf(options.config);
        const scope = await pauseScope(fleet, options);
        const pause = await admin.pauseFleet(fleet, io.env, scope, {
          by: admin.operatorName(fleet, io.env),
          reason: reasonOf(options.reason),
        });
        const { pauseText } = await import('../fleet/store/fleetRecords.js');
        printLines([
          `${pauseText(pause)}: it takes nothing new until \`xs-upgrade fleet resume${'all' in scope ? ' --all' : ` --group ${scope.group}`}\``,
        ]);
      },
    );
  fleetCommand
    .command('resume')
    .description('lift a pause: the group (or every group) takes new commit sets again')
    .addOption(configOption())
    .option('--group <group>', "the group to resume; default: this config's fleet.group")
    .option('--all', 'lift the pause of every group (a pause of one group stays)')
    .action(async (options: { config?: string; group?: string; all?: boolean }) => {
      const { fleet, admin } = await fleetOf(options.config);
      const scope = await pauseScope(fleet, options);
      const lifted = await admin.resumeFleet(fleet, io.env, scope);
      const what = 'all' in scope ? 'every group' : `group ${scope.group}`;
      printLines([lifted ? `resumed ${what}` : `${what} was not paused: nothing to resume`]);
    });
  fleetCommand
    .command('abort')
    .description(
      'reject a commit set fleet-wide in your name: no host takes it, until `fleet forgive`',
    )
    .argument('<set>', "the set's id, as `fleet status` shows it")
    .addOption(configOption())
    .option('--reason <text>', 'why, shown with every line that names the set')
    .action(async (id: string, options: { config?: string; reason?: string }) => {
      const { fleet, admin } = await fleetOf(options.config);
      const set = await admin.abortSet(fleet, io.env, setIdArgument(id), {
        by: admin.operatorName(fleet, io.env),
        reason: reasonOf(options.reason) || 'aborted by an operator',
      });
      if (!set) throw noSuchSet(id);
      const { describeSet } = await import('./fleet.js');
      printLines([
        `aborted ${id}: no host takes it until \`xs-upgrade fleet forgive ${id}\``,
        ...describeSet(set),
      ]);
    });
  fleetCommand
    .command('release')
    .description(
      'free the slot a host holds (after a failure, with onFailure "hold"): the rollout goes on',
    )
    .addOption(configOption())
    .requiredOption('--id <id>', 'the host whose slot to free (as `fleet status` shows it)')
    .option('--group <group>', "its group; default: this config's fleet.group")
    .action(async (options: { config?: string; id: string; group?: string }) => {
      const { config, fleet, admin } = await fleetOf(options.config);
      const group = options.group ?? fleet.group;
      const held = await admin.releaseFleetSlot(fleet, io.env, options.id, group);
      // This host's own record of a held slot goes too, when it is this host's slot.
      const { fleetHostId } = await import('../fleet/hostId.js');
      const own = await fleetHostId(fleet.id).catch(() => undefined);
      if (own === options.id) {
        const { clearHeldSlot } = await import('../state/fleetSlot.js');
        await clearHeldSlot(config.stateDir).catch(() => undefined);
      }
      io.stdout.write(
        held
          ? `released the slot of ${options.id} in group ${group}\n`
          : `${options.id} held no slot in group ${group}: nothing to release\n`,
      );
    });
  fleetCommand
    .command('set-slots')
    .description('how many hosts of a group may switch at once (0 pauses the rollout)')
    .argument('<count>', 'the number of slots', (text: string) => {
      const value = Number(text);
      if (!Number.isInteger(value) || value < 0 || value > 10_000)
        throw new InvalidArgumentError('a whole number from 0 to 10000');
      return value;
    })
    .addOption(configOption())
    .option('--group <group>', "the group; default: this config's fleet.group")
    .action(async (count: number, options: { config?: string; group?: string }) => {
      const { fleet, admin } = await fleetOf(options.config);
      const group = await groupOption(options.group ?? fleet.group);
      const semaphore = await admin.setFleetSlots(fleet, io.env, group, count);
      io.stdout.write(
        `group ${group}: ${semaphore.slots} slot${semaphore.slots === 1 ? '' : 's'}, ${semaphore.holders.length} held\n`,
      );
    });

  fleetCommand
    .command('enroll')
    .description(
      'give a host its own etcd role: it writes only its own keys (report, proofs, rejections, slot claim) and reads the rest',
    )
    .argument('<id>', "the host's fleet id (its fleet.id, or its /etc/machine-id)")
    .addOption(configOption())
    .option('--group <group>', "the host's group; default: this config's fleet.group")
    .option(
      '--apply',
      "create the role (and with --password-env the user) with this config's etcd user, which must be root",
    )
    .option(
      '--password-env <name>',
      "the environment variable holding the new user's password (with --apply)",
    )
    .action(
      async (
        id: string,
        options: { config?: string; group?: string; apply?: boolean; passwordEnv?: string },
      ) => {
        const { fleet, admin } = await fleetOf(options.config);
        const { hostIdPattern } = await import('../fleet/store/keys.js');
        if (!hostIdPattern.test(id)) {
          throw new UsageError(`${id}: a host id is letters, digits, ".", "_", ":" and "-"`);
        }
        const group = await groupOption(options.group ?? fleet.group);
        if (!('etcd' in fleet.backend)) {
          throw new UsageError('fleet enroll needs fleet.etcd: FleetLock has no roles');
        }
        const enrol = admin.enrolment(fleet.backend.etcd.prefix, id, group);
        if (!options.apply) {
          printLines(admin.enrolmentCommands(enrol, id));
          return;
        }
        const password =
          options.passwordEnv === undefined ? undefined : io.env[options.passwordEnv];
        if (options.passwordEnv !== undefined && !password) {
          throw new UsageError(`--password-env ${options.passwordEnv}: that variable is not set`);
        }
        const { userCreated } = await admin.enrollHost(fleet, io.env, enrol, password);
        io.stdout.write(
          `enrolled ${id} in group ${group}: role ${enrol.role}${password === undefined ? '' : userCreated ? `, user ${enrol.role} created` : `, user ${enrol.role} (already there) given the role`}\n`,
        );
      },
    );
  fleetCommand
    .command('prune')
    .description(
      "delete fleet records nobody needs: proofs closed and rejections forgiven before --older-than, unreadable records, the old layout's keys",
    )
    .addOption(configOption())
    .option(
      '--older-than <duration>',
      'how old a closed proof or forgiven rejection must be',
      '30d',
    )
    .option('--dry-run', 'list what would be deleted, delete nothing')
    .action(async (options: { config?: string; olderThan: string; dryRun?: boolean }) => {
      const { fleet, admin } = await fleetOf(options.config);
      const olderThan = await durationOption(
        '--older-than',
        options.olderThan,
        'a duration such as 30d or 12h',
      );
      const { deleted } = await admin.pruneFleet(fleet, io.env, olderThan, options.dryRun ?? false);
      printLines([
        ...deleted.map((key) => `${options.dryRun ? 'would delete' : 'deleted'} ${key}`),
        `${deleted.length} key${deleted.length === 1 ? '' : 's'} ${options.dryRun ? 'to delete' : 'deleted'}`,
      ]);
    });

  program
    .command('graph')
    .description('print the upgrade machine as Mermaid, Graphviz DOT, Stately JSON or Markdown')
    .addOption(
      new Option('-f, --format <format>', 'output format').choices(graphFormats).default('mermaid'),
    )
    .addOption(configOption().makeOptionMandatory(false))
    .addHelpText(
      'after',
      "\nWith --config, Mermaid and DOT show only the transitions that config's policy can take.",
    )
    .action(async (options: { format: GraphFormat; config?: string }) => {
      const config =
        options.config === undefined ? undefined : await loadConfig(options.config, io, forRun);
      const policy = config && {
        mode: config.mode,
        buildBeforeSwitch: config.buildBeforeSwitch,
        onValidationFailure: config.onValidationFailure,
        healthChecks: config.healthChecks.length > 0,
        reboot: config.reboot.when,
        conditions: (await import('../config/resolve.js')).conditionsConfigured(config),
        fleet: config.fleet !== undefined,
        closure: config.system?.closure !== undefined,
      };
      const { renderGraph } = await import('./graph.js');
      io.stdout.write(renderGraph(options.format, policy));
    });

  try {
    await program.parseAsync(io.argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed the message already; help and version are not errors.
      return error.exitCode === 0 ? ExitCode.done : ExitCode.usage;
    }
    if (error instanceof XsUpgradeError) {
      for (const line of error.message.split('\n')) errorLine(line);
      return error.exitCode;
    }
    // Anything else is a bug in xs-upgrade; still one line, never a stack trace.
    errorLine(`internal error: ${describeError(error)} (please report this)`);
    return ExitCode.internal;
  }
  return exitCode;
}
