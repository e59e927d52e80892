// What `validate` checks beyond the schema, on this host, all at once (one problem never hides
// another): that systemd understands the schedule, that each repo is a git work tree on the branch
// the config names, and that every program a command names can be
// found (a warning only: PATH under systemd is not the PATH of the shell that runs `validate`).
import { configCommands } from './commands.js';
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { programFiles } from './checkOwnership.js';
import { repoPathProblem } from './checkRepos.js';
import type { CommandSpec, ResolvedConfig } from './resolve.js';

export interface HostCheck {
  /** Things that make a run fail: `validate` exits 78. */
  problems: string[];
  /** Things that may: `validate` says so and exits 0. */
  warnings: string[];
}

/**
 * A program's exit and output. Node's own execFile, not execa: `validate` starts two or three
 * short processes, and execa alone would take longer to load than they take to run.
 */
function ask(
  file: string,
  args: string[],
  env?: NodeJS.ProcessEnv,
): Promise<{ exitCode: number; stdout: string; missing: boolean }> {
  return new Promise((resolve) => {
    execFile(file, args, { env: env ?? process.env }, (error, stdout) => {
      const code = (error as NodeJS.ErrnoException | null)?.code;
      resolve({
        exitCode: error ? (typeof code === 'number' ? code : 1) : 0,
        stdout: String(stdout),
        missing: code === 'ENOENT',
      });
    });
  });
}

/** The schedule as systemd reads it; undefined when fine or when systemd-analyze is not here. */
export async function scheduleProblem(config: ResolvedConfig): Promise<string | undefined> {
  const result = await ask('systemd-analyze', ['calendar', config.schedule]);
  if (result.exitCode === 0 || result.missing) return undefined;
  return `/schedule: ${JSON.stringify(config.schedule)} is not a systemd calendar expression (see \`man systemd.time\`, e.g. "04:00" or "Sun 03:00")`;
}

/** Refuses a schedule systemd would not understand (when systemd-analyze is there to ask). */
export async function checkSchedule(config: ResolvedConfig): Promise<void> {
  const problem = await scheduleProblem(config);
  if (problem) throw new ConfigError([`${config.file}: ${problem}`]);
}

export async function checkHost(
  config: ResolvedConfig,
  env: NodeJS.ProcessEnv,
): Promise<HostCheck> {
  const problems: string[] = [];
  // Every process at once: none depends on another.
  // A repo that is not there has no branch to ask about: its path problem is the one said.
  const [schedule, branches] = await Promise.all([
    scheduleProblem(config),
    Promise.all(
      config.repos.map(
        async (repo, index) =>
          (await repoPathProblem(repo, index)) ?? (await branchProblem(repo, index, env)),
      ),
    ),
  ]);
  if (schedule) problems.push(schedule);
  problems.push(...branches.filter((line): line is string => line !== undefined));
  if (config.fleet) {
    const { fleetProblems } = await import('../fleet/hostId.js');
    problems.push(...(await fleetProblems(config.fleet, env)).map((line) => `/fleet: ${line}`));
  }
  const warnings = (
    await Promise.all(
      configCommands(config).map(({ where, spec }) => missingProgram(where, spec, env)),
    )
  ).filter((line): line is string => line !== undefined);
  // As root, what a command runs is held to the ownership rule; code given inline cannot be.
  if (process.getuid?.() === 0) {
    const folder = config.metricsFile ? dirname(config.metricsFile) : undefined;
    const owner = folder ? (await stat(folder).catch(() => undefined))?.uid : undefined;
    if (folder && owner !== undefined && owner !== 0)
      warnings.push(
        `/metricsFile: ${folder} belongs to uid ${owner}, who can replace the metrics in it (root never writes through a link there): make it root's (\`chown root ${folder}\`) and give the collector read access`,
      );
    for (const { where, spec } of configCommands(config)) {
      if (programFiles(spec).unknown)
        warnings.push(
          `${where}: runs code given inline (\`-c\`), so which files it runs cannot be checked for ownership: put it in a root-owned script and name that`,
        );
    }
  }
  return { problems, warnings };
}

/** The repo's branch, as `run` will find it; undefined when it is the one the config names. */
async function branchProblem(
  repo: ResolvedConfig['repos'][number],
  index: number,
  env: NodeJS.ProcessEnv,
): Promise<string | undefined> {
  const result = await ask('git', ['-C', repo.path, 'symbolic-ref', '--quiet', '--short', 'HEAD'], {
    ...env,
    GIT_OPTIONAL_LOCKS: '0',
  });
  const branch = result.stdout.trim();
  if (result.exitCode !== 0 || branch === '')
    return `/repos/${index}: ${repo.path} has no branch checked out (HEAD is detached): run \`git -C ${repo.path} switch ${repo.branch}\``;
  if (branch !== repo.branch)
    return `/repos/${index}/branch: ${repo.path} is on branch "${branch}", the config says "${repo.branch}": run \`git -C ${repo.path} switch ${repo.branch}\` or set "branch"`;
  return undefined;
}

// A shell line's first word is not always a program: builtins and keywords need no PATH.
const shellWords = new Set(
  '! [ [[ : . { ( cd echo exit true false test printf read set export unset source eval exec command if for while until case trap wait shift local return'.split(
    ' ',
  ),
);

/** The program a command starts, when it can be told without running a shell. */
export function programOf(spec: CommandSpec): string | undefined {
  if ('argv' in spec.run) return spec.run.argv[0];
  const words = spec.run.shell.trim().split(/\s+/);
  // Leading VAR=value assignments set the environment of the program that follows.
  const first = words.find((word) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(word));
  if (!first || shellWords.has(first) || /[^\w@%+=:,./-]/.test(first)) return undefined;
  return first;
}

async function missingProgram(
  where: string,
  spec: CommandSpec,
  env: NodeJS.ProcessEnv,
): Promise<string | undefined> {
  const program = programOf(spec);
  if (!program) return undefined;
  const executable = (path: string) =>
    access(path, constants.X_OK).then(
      () => true,
      () => false,
    );
  if (program.includes('/')) {
    const path = isAbsolute(program) ? program : resolve(spec.cwd, program);
    return (await executable(path))
      ? undefined
      : `${where}: ${path} does not exist or is not executable: fix the command`;
  }
  const folders = (spec.env.PATH ?? env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const folder of folders) if (await executable(join(folder, program))) return undefined;
  return `${where}: program "${program}" is not on PATH here: the run would fail with exit code 127 (under systemd, PATH is the service's: add the program to it, or name it by its full path)`;
}
