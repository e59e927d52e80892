// A full disk, for real: the state dir on a small tmpfs, mounted (as root) in a mount namespace of
// its own (`unshare -m`), so nothing outside the test sees it and it goes when the test ends. The
// built CLI runs inside that namespace against a sandbox host whose repos sit on the real disk.
import { execa } from 'execa';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../../demo/sandbox.js';
import { cliPath } from '../support/cli.js';
import { useSandboxes } from '../support/sandboxes.js';

const use = useSandboxes();

/** The small file system's mount point inside the sandbox, and the state dir on it. */
const smallDisk = (sandbox: Sandbox) => join(sandbox.dir, 'small');
const stateDirOf = (sandbox: Sandbox) => join(smallDisk(sandbox), 'state');

interface Run {
  exitCode: number;
  stdout: string;
  stderr: string;
  states: string[];
}

/**
 * Runs `steps` (shell lines; a line `RUN [ARGS]` runs `xs-upgrade run` once) with a tmpfs of `sizeKb` mounted on
 * the sandbox's small disk, then copies what the state dir holds out of the namespace.
 */
async function onSmallDisk(sandbox: Sandbox, sizeKb: number, steps: string[]) {
  const out = join(sandbox.dir, 'out');
  const copy = join(sandbox.dir, 'state-copy');
  await mkdir(smallDisk(sandbox), { recursive: true });
  await mkdir(out, { recursive: true });
  await mkdir(copy, { recursive: true });
  let runs = 0;
  const lines = steps.map((step) =>
    step.replace(/^RUN(.*)$/, (_all, args: string) => {
      runs += 1;
      const at = join(out, String(runs));
      return `node ${cliPath} run --config ${sandbox.configFile}${args} > ${at}.stdout 2> ${at}.stderr; echo $? > ${at}.code`;
    }),
  );
  const script = [
    // Root's alone, as a state dir's folder must be (tmpfs is 1777 by default: anyone could make
    // the state dir there first, and xs-upgrade refuses that).
    `mount -t tmpfs -o size=${sizeKb}k,mode=0755 tmpfs ${smallDisk(sandbox)} || exit 90`,
    ...lines,
    `cp -a ${stateDirOf(sandbox)}/. ${copy}/ 2>/dev/null || true`,
  ].join('\n');
  const namespace = await execa('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script], {
    reject: false,
    env: { NO_COLOR: '1', JOURNAL_STREAM: undefined },
  });
  expect(namespace.exitCode, namespace.stderr).toBe(0);
  const results: Run[] = [];
  for (let index = 1; index <= runs; index += 1) {
    const read = (suffix: string) => readFile(join(out, `${index}.${suffix}`), 'utf8');
    const stdout = await read('stdout');
    results.push({
      exitCode: Number((await read('code')).trim()),
      stdout,
      stderr: await read('stderr'),
      // Only the log's own "state X" lines: a cause here names "the state dir".
      states: [...stdout.matchAll(/^\S+ state (\S+)/gm)].map((match) => match[1] ?? ''),
    });
  }
  return { runs: results, stateCopy: copy };
}

/** Every file left in a state dir, relative; and each JSON file parsed (a torn one throws). */
async function stateFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.push(path.slice(dir.length + 1));
    if (entry.name.endsWith('.json')) JSON.parse(await readFile(path, 'utf8'));
  }
  return files.sort();
}

describe('a full disk under the state dir (tmpfs in its own mount namespace)', () => {
  it('a run that cannot save its state before the pull moves nothing, and says why in one line', async () => {
    const sandbox = await use.sandbox();
    const filler = join(smallDisk(sandbox), 'filler');
    // Another program fills the disk after the run has started: the hook stands in for it.
    await sandbox.writeConfig({
      stateDir: stateDirOf(sandbox),
      preUpdateHooks: [`head -c 1M /dev/zero > ${filler} || true`],
    });
    const before = await sandbox.head('nix-config');
    await sandbox.pushUpstream('nix-config', 'new.txt', 'new\n', 'new');

    const { runs, stateCopy } = await onSmallDisk(sandbox, 64, ['RUN']);
    const [run] = runs;
    // Which write meets the full disk first depends on how the pages fall: the saved commits
    // (the snapshot ends the run: aborted, exit 3) or the state the pull needs on disk (the pull
    // does not start; the run ends rolled back, exit 4). Either way nothing moved.
    expect([3, 4], run?.stdout).toContain(run?.exitCode);
    expect(run?.states, run?.stdout).not.toContain('building');
    const cause = run?.stdout.split('\n').filter((line) => line.includes('cause:')) ?? [];
    expect(cause).toHaveLength(1);
    expect(cause[0]).toContain(
      `cannot write the state dir ${stateDirOf(sandbox)}: no space left on the device: free some space there`,
    );
    expect(run?.stdout).not.toMatch(/repo "nix-config": \S+ -> /);
    expect(await sandbox.head('nix-config')).toBe(before);
    // Nothing half-written: no temp file, no empty lock, every JSON file whole.
    const files = await stateFiles(stateCopy);
    expect(files.filter((file) => file.endsWith('.tmp') || file === 'lock')).toEqual([]);
  });

  it('a build that fills the disk rolls back cleanly, and the next run is not misled', async () => {
    const sandbox = await use.sandbox();
    const result = join(smallDisk(sandbox), 'result');
    // The build writes its output onto the same small disk, runs out of space and fails.
    await sandbox.writeConfig({
      stateDir: stateDirOf(sandbox),
      build: `head -c 4M /dev/zero > ${result}`,
    });
    const before = {
      config: await sandbox.head('nix-config'),
      secrets: await sandbox.head('nix-secrets'),
    };
    const upstream = await sandbox.pushUpstream('nix-config', 'new.txt', 'new\n', 'new');

    const { runs, stateCopy } = await onSmallDisk(sandbox, 256, [
      'RUN',
      // What an operator does about it: free the space, and the timer runs again.
      `cp -a ${stateDirOf(sandbox)}/. ${join(sandbox.dir, 'after-first')}/ 2>/dev/null || mkdir -p ${join(sandbox.dir, 'after-first')}`,
      `rm -f ${result}`,
      `sed -i 's#head -c 4M /dev/zero#head -c 4k /dev/zero#' ${sandbox.configFile}`,
      'RUN',
      'RUN --force',
    ]);
    const [first, second, forced] = runs;
    expect(first?.exitCode, first?.stdout).toBe(4);
    expect(first?.states).toContain('rollingBack.resettingRepos');
    expect(first?.stdout).toMatch(/No space left on device/i);
    // After the first run, before any other: nothing torn, nothing left unfinished to recover.
    const afterFirst = await stateFiles(join(sandbox.dir, 'after-first'));
    expect(afterFirst.filter((file) => file.endsWith('.tmp'))).toEqual([]);
    expect(afterFirst).not.toContain('current-run.json');

    // The failed build was remembered whole (a build failure is the commits' until upstream moves
    // or --force says otherwise), and nothing else was read from a torn or stale file.
    expect(second?.exitCode, second?.stdout).toBe(3);
    expect(second?.states).toEqual(['hooksRunning', 'snapshotting', 'pulling', 'heldBack']);
    expect(second?.stdout).toContain('cause: building: build failed with exit code 1');
    expect(second?.stdout).not.toMatch(/recover/i);
    expect(forced?.exitCode, forced?.stdout).toBe(0);
    expect(forced?.states.at(-1)).toBe('done');
    expect(await sandbox.head('nix-config')).toBe(upstream);
    expect(await sandbox.head('nix-secrets')).toBe(before.secrets);
    expect(before.config).not.toBe(upstream);
    expect((await stateFiles(stateCopy)).filter((file) => file.endsWith('.tmp'))).toEqual([]);
  });
});
