// Running as root, the config decides what runs as root: refuse one that another user could
// change, or that points at a command, script or repo (its git config and hooks run as root too)
// another user could change. A file is safe when it and every folder above it belong to root and
// are writable by no one else (a sticky folder such as /tmp only protects what root owns in it).
import { configCommands } from './commands.js';
import type { Stats } from 'node:fs';
import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { gitConfigFiles } from './gitConfigFiles.js';
import type { CommandSpec, ResolvedConfig } from './resolve.js';

/** Programs whose first argument is the script that really runs. */
const interpreters = new Set([
  'sh',
  'bash',
  'dash',
  'zsh',
  'node',
  'python3',
  'python',
  'perl',
  'ruby',
]);

export async function checkOwnership(config: ResolvedConfig): Promise<string[]> {
  const targets: { where: string; path: string }[] = [
    { where: 'the config file', path: config.file },
  ];
  for (const [index, repo] of config.repos.entries()) {
    const where = `/repos/${index}/path`;
    const gitDir = join(repo.path, '.git');
    targets.push(
      { where, path: repo.path },
      { where, path: gitDir },
      { where, path: join(gitDir, 'config') },
    );
    const hooks = join(gitDir, 'hooks');
    targets.push({ where, path: hooks });
    // git runs a hook by its exact name, never a `*.sample` file (the folder itself is checked,
    // so nobody else can rename one into place).
    for (const hook of await readdir(hooks).catch(() => [] as string[])) {
      if (!hook.endsWith('.sample')) targets.push({ where, path: join(hooks, hook) });
    }
    // What git reads and runs beyond these: included config files, core.hooksPath, programs
    // config values start, the git dir a .git file points at.
    for (const file of await gitConfigFiles(repo.path)) {
      targets.push({ where: `${where} (${file.what})`, path: file.path });
    }
  }
  for (const { where, spec } of configCommands(config)) {
    for (const path of programFiles(spec).files) targets.push({ where, path });
    // The folder it runs in, when not the config's own (checked with the config file): a relative
    // path there, or a shell's `./x`, resolves under it.
    if (spec.cwd !== dirname(config.file))
      targets.push({ where: `${where} (cwd)`, path: spec.cwd });
  }
  // The state dir says what a recovery resets and which commits are skipped; whoever could write
  // it (or create it first, where it is not there yet) could steer root.
  targets.push({ where: 'the state dir (stateDir)', path: await nearestExisting(config.stateDir) });
  const cached = cachedInspect();
  const problems = await Promise.all(
    targets.map(({ where, path }) => problemWith(where, path, cached)),
  );
  return [...new Set(problems.filter((problem): problem is string => problem !== undefined))];
}

/** The path itself, or the folder above it that exists: what decides who may create it. */
async function nearestExisting(path: string): Promise<string> {
  for (let current = path; ; current = dirname(current)) {
    if (
      await lstat(current).then(
        () => true,
        () => false,
      )
    )
      return current;
    if (dirname(current) === current) return current;
  }
}

/**
 * The files a command runs that can be named: the program, an interpreter's script (after its
 * options), the program `env` starts; and whether some of what it runs cannot be told (`sh -c`,
 * `python3 -c`, a program found on PATH is fine: PATH's folders are root's).
 */
export function programFiles(spec: CommandSpec): { files: string[]; unknown: boolean } {
  let words = 'shell' in spec.run ? spec.run.shell.trim().split(/\s+/) : [...spec.run.argv];
  // `env [-i] [VAR=value...] program ...` runs `program`.
  if (words[0] === 'env' || words[0]?.endsWith('/env')) {
    words = words.slice(1);
    while (words[0] !== undefined && (words[0].startsWith('-') || /^[A-Za-z_]\w*=/.test(words[0])))
      words = words.slice(1);
  }
  const [program, ...rest] = words;
  const files: string[] = [];
  let unknown = false;
  if (program?.includes('/')) files.push(program);
  const base = program?.split('/').at(-1);
  if (base && interpreters.has(base)) {
    // Options first (`bash -e script`); `-c` or `-e` with code means the code is inline.
    const inline = rest.findIndex(
      (word) => word === '-c' || (base !== 'bash' && base !== 'sh' && word === '-e'),
    );
    const script = rest.find((word) => !word.startsWith('-'));
    if (inline !== -1) unknown = true;
    else if (script) files.push(script);
  }
  return {
    files: files.map((file) => (isAbsolute(file) ? file : resolve(spec.cwd, file))),
    unknown,
  };
}

/**
 * Whether another user could change `path` (it, a folder above it, a link on the way): checked
 * before a config is read at all, since reading a JavaScript config runs it.
 */
export async function pathOwnershipProblem(
  where: string,
  path: string,
): Promise<string | undefined> {
  return problemWith(where, path, cachedInspect());
}

/** Every target shares its folders up to / with the others: each path is asked about once. */
function cachedInspect(): Inspect {
  const stats = new Map<string, Promise<Stats | undefined>>();
  const links = new Map<string, Promise<string | undefined>>();
  return {
    stat: (path) => remembered(stats, path, () => stat(path).catch(() => undefined)),
    linkTarget: (path) =>
      remembered(links, path, async () =>
        (await lstat(path).catch(() => undefined))?.isSymbolicLink()
          ? realpath(path).catch(() => undefined)
          : undefined,
      ),
  };
}

interface Inspect {
  stat(path: string): Promise<Stats | undefined>;
  /** Where a symbolic link leads in the end (every link on the way resolved); else undefined. */
  linkTarget(path: string): Promise<string | undefined>;
}

function remembered<T>(cache: Map<string, Promise<T>>, key: string, ask: () => Promise<T>) {
  let answer = cache.get(key);
  if (!answer) {
    answer = ask();
    cache.set(key, answer);
  }
  return answer;
}

async function problemWith(
  where: string,
  path: string,
  inspect: Inspect,
  /** Set when `path` is a folder above the file asked about, reached through a link. */
  above = false,
): Promise<string | undefined> {
  const info = await inspect.stat(path);
  if (!info) return undefined; // missing files are reported elsewhere, or are not files at all
  for (let current = path; ; current = dirname(current)) {
    const isAbove = above || current !== path;
    const entry = current === path ? info : await inspect.stat(current);
    const reason = entry && writableByOthers(entry, isAbove);
    // Name the path at fault (a folder, for everything in it), once.
    if (reason) {
      return `${where}: ${current} can be changed by other users (${reason}), and the config runs as root: \`chown root ${current} && chmod go-w ${current}\``;
    }
    // A link is as safe as the folders it sits in (who may replace it: the walk goes on up) and
    // the folders of what it leads to (the stat above followed it, but checked only the end).
    const target = await inspect.linkTarget(current);
    const beyond =
      target === undefined ? undefined : await problemWith(where, target, inspect, isAbove);
    if (beyond) return beyond;
    if (dirname(current) === current) return undefined;
  }
}

function writableByOthers(entry: Stats, isAncestor: boolean): string | undefined {
  if (entry.uid !== 0) return `owned by uid ${entry.uid}`;
  const sticky = (entry.mode & 0o1000) !== 0;
  if (entry.mode & 0o002 && !(isAncestor && sticky)) return 'writable by everyone';
  if (entry.mode & 0o020 && entry.gid !== 0 && !(isAncestor && sticky))
    return `writable by group ${entry.gid}`;
  return undefined;
}
