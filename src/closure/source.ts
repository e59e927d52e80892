// Where the store path for the pulled commits comes from: a command that prints it (as NixOS's
// system.autoUpgrade storePathProvider), or a URL template CI publishes it under. Nothing published
// yet is an answer (undefined); a source that cannot be asked now is temporary; an answer that is
// not a NixOS system's store path is refused.
import { execa } from 'execa';
import { commandArgv, commandText, type ClosureSpec, type CommandSpec } from '../config/resolve.js';
import { deadlineSignal } from '../actors/deadline.js';
import { fetchFailure, httpTarget, readBounded } from '../httpTarget.js';
import { ClosureRefused, ClosureUnavailable } from './errors.js';
import { excerpt, isSystemPath } from './systemPath.js';

export interface SourceDeps {
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  /** This host's name, for {host} and XS_UPGRADE_HOST. */
  host: string;
}

/** How long the source may take to answer. */
const answerTimeoutMs = 60_000;
/** A store path is ~100 bytes; more than this is not an answer. */
const maxAnswer = 4096;

/** XS_UPGRADE_COMMIT_NIX_CONFIG for repo "nix-config". */
export const commitVariable = (repo: string) =>
  `XS_UPGRADE_COMMIT_${repo.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;

/** {host} and {REPO} in a URL template, each value URL-encoded. */
export function closureUrl(template: string, commits: Record<string, string>, host: string) {
  return template.replace(/\{([^{}]+)\}/g, (whole, name: string) => {
    const value = name === 'host' ? host : commits[name];
    return value === undefined ? whole : encodeURIComponent(value);
  });
}

export async function publishedClosure(
  spec: ClosureSpec,
  commits: Record<string, string>,
  deps: SourceDeps,
): Promise<string | undefined> {
  const answer =
    'command' in spec.source
      ? await askCommand(spec.source.command, commits, deps)
      : await askUrl(spec.source.url, commits, deps);
  if (answer === undefined) return undefined;
  const path = answer.split('\n')[0]?.trim() ?? '';
  if (path === '') return undefined;
  if (!isSystemPath(path)) {
    throw new ClosureRefused(
      `the closure source answered ${excerpt(path)}, which is not a NixOS system's store path (/nix/store/…-nixos-system-…)`,
      'make the closure source print the toplevel store path of the system built for these commits',
    );
  }
  return path;
}

async function askCommand(
  command: CommandSpec,
  commits: Record<string, string>,
  deps: SourceDeps,
): Promise<string | undefined> {
  const [file, ...args] = commandArgv(command);
  const variables = Object.fromEntries(
    Object.entries(commits).map(([repo, commit]) => [commitVariable(repo), commit]),
  );
  const result = await execa(file ?? '', args, {
    cwd: command.cwd,
    env: { ...deps.env, ...command.env, ...variables, XS_UPGRADE_HOST: deps.host },
    extendEnv: false,
    stdin: 'ignore',
    reject: false,
    timeout: command.timeoutMs ?? answerTimeoutMs,
    cancelSignal: deps.signal,
    maxBuffer: { stdout: maxAnswer, stderr: 64 * 1024 },
    stripFinalNewline: true,
  });
  if (result.exitCode === 0 && !result.isMaxBuffer) return result.stdout;
  const said = String(result.stderr).trim().split('\n').at(-1) ?? '';
  const why = result.timedOut
    ? 'took too long'
    : result.isMaxBuffer
      ? `printed more than ${maxAnswer} bytes`
      : `failed with exit code ${result.exitCode ?? '?'}`;
  throw new ClosureUnavailable(
    `the closure command ${why}${said ? ` (${excerpt(said)})` : ''}: ${commandText(command)}`,
  );
}

async function askUrl(
  template: string,
  commits: Record<string, string>,
  deps: SourceDeps,
): Promise<string | undefined> {
  const target = httpTarget(closureUrl(template, commits, deps.host));
  const origin = new URL(target.url).origin;
  const deadline = deadlineSignal(deps.signal, answerTimeoutMs);
  try {
    const response = await fetch(target.url, {
      headers: target.headers,
      signal: deadline.signal,
      redirect: 'error',
    });
    if (response.status === 404) {
      await response.body?.cancel();
      return undefined;
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new ClosureUnavailable(`the closure source ${origin} answered HTTP ${response.status}`);
    }
    return await readBounded(response, maxAnswer);
  } catch (error) {
    if (error instanceof ClosureUnavailable) throw error;
    throw new ClosureUnavailable(
      `the closure source ${origin} cannot be reached: ${fetchFailure(error)}`,
    );
  } finally {
    deadline.clear();
  }
}
