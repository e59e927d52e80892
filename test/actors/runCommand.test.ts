import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CommandFailedError,
  outputTailLines,
  runCommand,
  runCommandsConcurrently,
} from '../../src/actors/runCommand.js';
import type { CommandSpec } from '../../src/config/resolve.js';
import { memoryLog } from '../support/memoryLog.js';
import { processAlive } from '../support/processes.js';
import { rejectionOf } from '../support/rejection.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xs-upgrade-cmd-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const spec = (run: CommandSpec['run'], extra: Partial<CommandSpec> = {}): CommandSpec => ({
  name: 'step',
  run,
  env: {},
  cwd: dir,
  ...extra,
});

const failure = (promise: Promise<void>) => rejectionOf(promise, CommandFailedError);

describe('runCommand', () => {
  const deps = (log = memoryLog(), signal = new AbortController().signal) => ({
    log,
    env: process.env,
    signal,
    killGraceMs: 300,
  });

  it('streams stdout and stderr line by line under the step name', async () => {
    const log = memoryLog();
    await runCommand(spec({ shell: 'echo one; echo two >&2; echo three' }), deps(log));
    expect(log.output_.map(([, line]) => line).sort()).toEqual(['one', 'three', 'two']);
    expect(log.output_.every(([step]) => step === 'step')).toBe(true);
  });

  it('runs an argv without a shell', async () => {
    const log = memoryLog();
    await runCommand(spec({ argv: ['printf', '%s\\n', '$HOME; echo no'] }), deps(log));
    expect(log.output_).toEqual([['step', '$HOME; echo no']]);
  });

  it('passes env and cwd', async () => {
    const log = memoryLog();
    await runCommand(
      spec({ shell: 'echo "$GREETING from $(pwd)"' }, { env: { GREETING: 'hello' } }),
      deps(log),
    );
    expect(log.output_).toEqual([['step', `hello from ${dir}`]]);
  });

  it('fails with the exit code and keeps only the last lines of output', async () => {
    const error = await failure(
      runCommand(spec({ shell: 'for i in $(seq 1 120); do echo "line $i"; done; exit 3' }), deps()),
    );
    expect(error.message).toBe(
      'step failed with exit code 3: for i in $(seq 1 120); do echo "line $i"; done; exit 3',
    );
    expect(error.details.exitCode).toBe(3);
    expect(error.outputTail).toHaveLength(outputTailLines);
    expect(error.outputTail.at(-1)).toBe('line 120');
  });

  it('says when the program does not exist', async () => {
    const error = await failure(runCommand(spec({ argv: ['/nonexistent/xs-build'] }), deps()));
    expect(error.message).toMatch(
      /could not start \/nonexistent\/xs-build \(not found\): check the command/,
    );
  });

  it('says which command it runs, under its name', async () => {
    const log = memoryLog();
    await runCommand(spec({ argv: ['true'] }, { name: 'build' }), deps(log));
    expect(log.lines[0]).toBe('build: true');
  });

  it("gives the command only the environment it is given, not the test process's own", async () => {
    process.env.XS_UPGRADE_TEST_LEAK = 'leaked';
    try {
      const log = memoryLog();
      await runCommand(spec({ shell: 'echo "${XS_UPGRADE_TEST_LEAK:-unset}"' }), {
        ...deps(log),
        env: { PATH: process.env.PATH },
      });
      expect(log.output_).toEqual([['step', 'unset']]);
    } finally {
      delete process.env.XS_UPGRADE_TEST_LEAK;
    }
  });

  it('says when the program may not be run, and when a signal killed the command', async () => {
    const script = join(dir, 'build.sh');
    await writeFile(script, '#!/bin/sh\necho built\n', { mode: 0o644 });
    const denied = await failure(runCommand(spec({ argv: [script] }), deps()));
    expect(denied.message).toBe(
      `step could not start ${script} (permission denied): check the command in the config`,
    );
    const killed = await failure(runCommand(spec({ shell: 'echo dying; kill -9 $$' }), deps()));
    expect(killed.message).toBe('step was killed by SIGKILL: echo dying; kill -9 $$');
    expect(killed.details).toEqual({ signal: 'SIGKILL', timedOut: false, isCanceled: false });
    expect(killed.outputTail).toEqual(['dying']);
    const exited = await failure(runCommand(spec({ shell: 'exit 4' }), deps()));
    expect(exited.details).toEqual({ exitCode: 4, timedOut: false, isCanceled: false });
    expect(exited.name).toBe('CommandFailedError');
    expect(exited.command).toBe('step');
  });

  it('stops at once a command asked for after the run was interrupted', async () => {
    const log = memoryLog();
    const error = await failure(
      runCommand(spec({ shell: 'echo ran > ran.txt; sleep 5' }), deps(log, AbortSignal.abort())),
    );
    expect(error.details.isCanceled).toBe(true);
    expect(error.message).toBe(
      'step was stopped because the run was interrupted: echo ran > ran.txt; sleep 5',
    );
  });

  it('stops a command that runs past its timeout, children included', async () => {
    const log = memoryLog();
    const error = await failure(
      runCommand(
        spec({ shell: 'sleep 30 & echo "child $!"; wait' }, { timeoutMs: 200 }),
        deps(log),
      ),
    );
    expect(error.details.timedOut).toBe(true);
    expect(error.message).toMatch(/^step timed out after 200ms and was stopped/);
    const child = Number(/child (\d+)/.exec(log.lines.join('\n'))?.[1]);
    expect(child).toBeGreaterThan(0);
    expect(await processAlive(child)).toBe(false);
  });

  it('kills with SIGKILL a command that ignores SIGTERM', async () => {
    const error = await failure(
      runCommand(
        spec({ shell: 'trap "" TERM; while true; do sleep 0.05; done' }, { timeoutMs: 100 }),
        deps(),
      ),
    );
    expect(error.details.timedOut).toBe(true);
  });

  it('stops the command when the run is interrupted', async () => {
    const controller = new AbortController();
    const running = runCommand(
      spec({ shell: 'echo started; sleep 30' }),
      deps(memoryLog(), controller.signal),
    );
    setTimeout(() => controller.abort(), 100);
    const error = await failure(running);
    expect(error.details.isCanceled).toBe(true);
    expect(error.message).toMatch(/was stopped because the run was interrupted/);
  });

  it('keeps memory flat on large output: lines pass in blocks as they arrive, none lost or cut', async () => {
    const log = memoryLog();
    let lines = 0;
    let blocks = 0;
    let longest = 0;
    let wrong = 0;
    log.output = (_step, block) => {
      blocks += 1;
      longest = Math.max(longest, block.length);
      for (const line of block.split('\n')) {
        lines += 1;
        if (line !== '0123456789') wrong += 1;
      }
    };
    await runCommand(spec({ shell: 'yes 0123456789 | head -n 500000' }), deps(log));
    expect(lines).toBe(500_000);
    expect(wrong).toBe(0);
    // Many blocks, none holding the whole output: nothing waits for the command to end.
    expect(blocks).toBeGreaterThan(10);
    expect(longest).toBeLessThan(1024 * 1024);
  });

  it("holds the command back while the log's reader is behind, and lets it go when it catches up", async () => {
    const log = memoryLog();
    let release: () => void = () => undefined;
    const behind = new Promise<void>((resolve) => (release = resolve));
    let caughtUp = false;
    void behind.then(() => (caughtUp = true));
    log.backlog = () => (caughtUp ? undefined : behind);
    let lines = 0;
    log.output = (_step, block) => {
      lines += block.split('\n').length;
    };
    let finished = false;
    const running = runCommand(spec({ shell: 'yes 0123456789 | head -n 2000000' }), deps(log)).then(
      () => (finished = true),
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    // Paused after the first chunk: the command blocks on its full pipe, nothing piles up here.
    expect(finished).toBe(false);
    expect(lines).toBeLessThan(100_000);
    release();
    await running;
    expect(lines).toBe(2_000_000);
  });

  it('splits lines across chunks, multi-byte characters too, and keeps the last line without a newline', async () => {
    const log = memoryLog();
    const script = `printf 'a\\n'; sleep 0.05; printf 'b'; sleep 0.05; printf 'c\\nd\\303'; sleep 0.05; printf '\\251\\nlast'`;
    await runCommand(spec({ shell: script }), deps(log));
    expect(log.output_.map(([, line]) => line)).toEqual(['a', 'bc', 'dé', 'last']);
  });
});

describe('runCommandsConcurrently', () => {
  const deps = () => ({
    log: memoryLog(),
    env: process.env,
    signal: new AbortController().signal,
    killGraceMs: 300,
  });
  // Each check arrives at a barrier and waits for all four: it can only pass when they run at once.
  const barrier = (index: number) =>
    spec(
      {
        shell: `mkdir -p arrived && touch arrived/${index}; for t in $(seq 100); do [ "$(ls arrived | wc -l)" -ge 4 ] && exit 0; sleep 0.02; done; exit 1`,
      },
      { name: `check ${index}` },
    );

  it('runs up to the limit at once', async () => {
    await runCommandsConcurrently([0, 1, 2, 3].map(barrier), 4, deps());
  });

  it('with a limit of 1, runs them one after the other', async () => {
    const error = await failure(runCommandsConcurrently([0, 1, 2, 3].map(barrier), 1, deps()));
    expect(error.message).toMatch(/^check 0 failed with exit code 1/);
  });

  it('never runs more than the limit at once', async () => {
    // Each check fails if it finds more than two running beside it.
    const counted = (index: number) =>
      spec(
        {
          shell: `mkdir -p running && touch running/${index}; sleep 0.3; n=$(ls running | wc -l); rm running/${index}; [ "$n" -le 2 ]`,
        },
        { name: `check ${index}` },
      );
    await runCommandsConcurrently([0, 1, 2, 3, 4].map(counted), 2, deps());
  });

  it('runs nothing and says so when the run was interrupted before they started', async () => {
    const stopped = new AbortController();
    stopped.abort();
    const marker = join(dir, 'ran');
    await expect(
      runCommandsConcurrently(
        [0, 1].map(() => spec({ shell: `touch ${marker}` })),
        2,
        { ...deps(), signal: stopped.signal },
      ),
    ).rejects.toThrow('the checks were stopped because the run was interrupted');
    await expect(rm(marker)).rejects.toThrow(/ENOENT/);
    await runCommandsConcurrently([], 2, deps());
  });

  it('the first failure stops the checks still running', async () => {
    const started = performance.now();
    const error = await failure(
      runCommandsConcurrently(
        [
          spec({ shell: 'sleep 30' }, { name: 'slow' }),
          spec({ shell: 'sleep 0.1; exit 4' }, { name: 'failing' }),
        ],
        2,
        deps(),
      ),
    );
    expect(error.message).toMatch(/^failing failed with exit code 4/);
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});
