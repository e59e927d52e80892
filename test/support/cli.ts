// Runs the built CLI as a real subprocess, the way systemd or an operator would.
import { execa, type ResultPromise } from 'execa';
import { chmod, cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { packageRoot } from '../../src/packageFiles.js';

export const cliPath = join(packageRoot, 'bin', 'xs-upgrade.js');

export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** The states the run logged, in order ("state <name>" lines). */
  states: string[];
}

/** The states a run logged ("state <name>" lines), in order. */
export const statesOf = (stdout: string) =>
  [...stdout.matchAll(/\bstate (\S+)/g)].map((match) => match[1] ?? '');

/** What a finished CLI process said, as the tests read it. */
function cliRunOf(result: { exitCode?: number; stdout: unknown; stderr: unknown }): CliRun {
  const stdout = String(result.stdout);
  return {
    exitCode: result.exitCode ?? -1,
    stdout,
    stderr: String(result.stderr),
    states: statesOf(stdout),
  };
}

export async function runCli(
  args: string[],
  options: {
    cwd?: string;
    env?: Record<string, string | undefined>;
    /** Run at this time of day on the real clock shifted by faketime ("2026-03-03 02:30:00"). */
    at?: string;
  } = {},
): Promise<CliRun> {
  const command = ['node', cliPath, ...args];
  const [file = 'node', ...rest] = options.at
    ? ['faketime', '-f', `@${options.at}`, ...command]
    : command;
  const result = await execa(file, rest, {
    cwd: options.cwd ?? packageRoot,
    env: { NO_COLOR: '1', JOURNAL_STREAM: undefined, ...options.env },
    reject: false,
    stdin: 'ignore',
  });
  return cliRunOf(result);
}

/**
 * Runs the CLI and sends it `signal` as soon as a line of its output matches `when`: how systemd
 * stops a unit, or an operator presses Ctrl-C, in the middle of a step.
 */
export async function runCliAndSignal(
  args: string[],
  options: { when: RegExp; signal?: NodeJS.Signals; env?: Record<string, string | undefined> },
): Promise<CliRun & { signalled: boolean }> {
  const { happened, ...run } = await runCliWhile(args, {
    when: options.when,
    then: (child) => {
      child.kill(options.signal ?? 'SIGTERM');
      return Promise.resolve();
    },
    ...(options.env ? { env: options.env } : {}),
  });
  return { ...run, signalled: happened };
}

const asNobody = ['--reuid=65534', '--regid=65534', '--clear-groups'];

let publicCli: Promise<string> | undefined;
let publicCopy: string | undefined;

/** Removes the public copy, if one was made (call it in afterAll). */
export async function removeCliForNobody(): Promise<void> {
  if (publicCopy) await rm(publicCopy, { recursive: true, force: true });
  publicCopy = undefined;
  publicCli = undefined;
}

/**
 * The built CLI where `nobody` can run it: this clone, when others may read it; else (a clone in
 * a 0700 home folder) a copy of what the CLI needs to run (bin, dist, schemas, package.json and
 * the production modules) in a temp folder, removed by `removeCliForNobody`.
 */
export function cliForNobody(): Promise<string> {
  publicCli ??= (async () => {
    const probe = await execa('setpriv', [...asNobody, 'test', '-r', cliPath], { reject: false });
    if (probe.exitCode === 0) return cliPath;
    const copy = await mkdtemp(join(tmpdir(), 'xs-upgrade-public-'));
    publicCopy = copy;
    await chmod(copy, 0o755);
    const modules = (
      await execa('npm', ['ls', '--omit=dev', '--all', '--parseable'], {
        cwd: packageRoot,
        reject: false,
      })
    ).stdout
      .split('\n')
      .filter((path) => path.startsWith(join(packageRoot, 'node_modules')));
    for (const path of [
      'package.json',
      'bin',
      'dist',
      'schemas',
      ...modules.map((module) => relative(packageRoot, module)),
    ]) {
      await cp(join(packageRoot, path), join(copy, path), { recursive: true });
    }
    await execa('chmod', ['-R', 'a+rX', copy]);
    return join(copy, 'bin', 'xs-upgrade.js');
  })();
  return publicCli;
}

/** Runs the built CLI as the user `nobody` (uid 65534), as an operator without root would. */
export async function runCliAsNobody(
  args: string[],
  env: Record<string, string> = {},
): Promise<CliRun> {
  const result = await execa('setpriv', [...asNobody, 'node', await cliForNobody(), ...args], {
    reject: false,
    stdin: 'ignore',
    cwd: '/',
    env: { HOME: '/', NO_COLOR: '1', ...env },
  });
  return cliRunOf(result);
}

/**
 * Starts `xs-upgrade run` and waits until a step writes its pid to `pidFile` (it then hangs
 * there); `kill()` then kills the run with SIGKILL, as the OOM killer or a power cut would.
 */
export async function runCliUntilPidFile(
  configFile: string,
  pidFile: string,
  env: Record<string, string> = {},
): Promise<{ pid: number; output: () => string; kill: () => Promise<void> }> {
  const child = execa('node', [cliPath, 'run', '--config', configFile], {
    reject: false,
    stdin: 'ignore',
    env: { ...env, NO_COLOR: '1' },
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let pid = 0;
  // Up to 30 s: a loaded 2-core CI machine builds slowly.
  for (let attempt = 0; attempt < 1500 && !pid; attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
  }
  return {
    pid,
    output: () => output,
    kill: async () => {
      child.kill('SIGKILL');
      await child;
    },
  };
}

/**
 * Runs the CLI and, the first time a line of its output matches `when`, awaits `then` while the
 * run goes on: how a test stops a server in the middle of a step.
 */
export async function runCliWhile(
  args: string[],
  options: {
    when: RegExp;
    then: (child: ResultPromise) => Promise<void>;
    env?: Record<string, string | undefined>;
  },
): Promise<CliRun & { happened: boolean }> {
  const child = execa('node', [cliPath, ...args], {
    cwd: packageRoot,
    env: { NO_COLOR: '1', JOURNAL_STREAM: undefined, ...options.env },
    reject: false,
    stdin: 'ignore',
  });
  let seen = '';
  let action: Promise<void> | undefined;
  child.stdout?.on('data', (chunk: Buffer) => {
    seen += chunk.toString();
    if (!action && options.when.test(seen)) action = options.then(child);
  });
  const result = await child;
  await action;
  return { ...cliRunOf(result), happened: action !== undefined };
}
