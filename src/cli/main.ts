// The command line: parses arguments, loads the config, runs, prints, and returns the exit code.
// bin/xs-upgrade.js is the one place that hands it to the process.
import { Command, CommanderError, Option } from 'commander';
import { loadConfig } from '../config/load.js';
import { ExitCode, XsUpgradeError, describeError } from '../errors.js';
import { createLog } from '../log.js';
import { readPackageJson } from '../packageFiles.js';
import { dryRun } from './dryRun.js';
import { graphFormats, renderGraph, type GraphFormat } from './graph.js';
import { runUpgrade } from './runUpgrade.js';
import { formatSummary } from './summary.js';

export interface CliIo {
  argv: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
}

interface RunCommandOptions {
  config?: string;
  force?: boolean;
  dryRun?: boolean;
  inspect?: string | boolean;
  inspectLog?: string;
}

export async function main(io: CliIo): Promise<number> {
  let exitCode: number = ExitCode.done;
  const errorLine = (message: string) => io.stderr.write(`xs-upgrade: ${message}\n`);
  const version = (readPackageJson('package.json') as { version: string }).version;
  const configOption = () =>
    new Option(
      '-c, --config <file>',
      'the host config (JSON or YAML); default: searched in the current folder',
    );

  const program = new Command('xs-upgrade')
    .description(
      'Upgrade a git-managed host safely: pull, build, check, switch, or roll everything back.',
    )
    .version(version, '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .showSuggestionAfterError()
    .addHelpText(
      'after',
      '\nExit codes: 0 done, 3 aborted (host untouched), 4 rolled back, 5 rollback failed (manual recovery),\n64 bad command line, 70 internal error, 75 another run holds the lock, 78 invalid config.',
    );

  program
    .command('run')
    .description('upgrade this host now')
    .addOption(configOption())
    .option('--force', 'build and switch even when no repo has a new commit')
    .option('--dry-run', 'print what each state would run; run nothing that writes')
    .option(
      '--inspect [ws-url]',
      'stream the run to the Stately inspector (alone: start a local relay)',
    )
    .option('--inspect-log <file>', 'write every inspection event to a file as JSON lines')
    .action(async (options: RunCommandOptions) => {
      const config = await loadConfig(options.config, io.cwd);
      if (options.dryRun) {
        exitCode = await dryRun(config, {
          env: io.env,
          force: options.force ?? false,
          print: (line) => io.stdout.write(`${line}\n`),
        });
        return;
      }
      const log = createLog({
        write: (text) => io.stdout.write(text),
        env: io.env,
        isTTY: Boolean(io.stdout.isTTY),
      });
      // Loaded only when asked for: most runs never pay for the inspector's modules.
      const inspection =
        options.inspect || options.inspectLog
          ? await (
              await import('./inspect.js')
            ).startInspection({
              ...(options.inspect === undefined ? {} : { inspect: options.inspect }),
              ...(options.inspectLog === undefined ? {} : { inspectLog: options.inspectLog }),
              log,
              print: (line) => log.info(line),
            })
          : undefined;
      log.info(`xs-upgrade ${version}: upgrading with ${config.file}`);
      const report = await runUpgrade({
        config,
        log,
        env: io.env,
        force: options.force ?? false,
        ...(inspection ? { inspect: inspection.observer } : {}),
      });
      const summary = formatSummary(report, config);
      const failed = report.exitCode !== ExitCode.done;
      for (const line of summary) {
        if (failed && line.startsWith('result:')) log.error(line);
        else log.info(line);
      }
      exitCode = report.exitCode;
      if (inspection?.relayUrl && io.stdout.isTTY) {
        log.info(
          `the relay keeps this run for the inspector at ${inspection.relayUrl}; press Ctrl-C to stop it`,
        );
        await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
      }
      await inspection?.close();
    });

  program
    .command('validate')
    .description('check a config and the repos it names, then exit (0 valid, 78 invalid)')
    .addOption(configOption())
    .action(async (options: { config?: string }) => {
      const config = await loadConfig(options.config, io.cwd);
      io.stdout.write(
        `${config.file}: valid (${config.mode} mode, ${config.repos.length} repos)\n`,
      );
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
      const policy =
        options.config === undefined ? undefined : await loadConfig(options.config, io.cwd);
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
