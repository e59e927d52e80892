// Signals to a run in-process, as systemd (SIGTERM), a terminal (SIGINT) or a dropped SSH session
// (SIGHUP) would send them to the CLI, so that mutation testing sees the handlers. They are emitted
// on `process`, not sent by the OS: mutation testing runs tests in worker threads, where a real
// signal would reach the whole test runner instead of the run. The end-to-end suite sends real
// signals to the built CLI (test/e2e/unattended.test.ts).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRunRecords } from '../../src/state/runRecords.js';
import { runInProcess } from '../support/inProcessRun.js';
import { useSandboxes } from '../support/sandboxes.js';

const sandboxes = useSandboxes();
const signals = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;
const listeners = () => signals.map((signal) => process.listenerCount(signal));

describe('signals during a run', () => {
  it('SIGHUP carries on; SIGTERM stops the step and rolls back; a second signal waits for it', async () => {
    const sandbox = await sandboxes.sandbox({ build: 'echo $$ > build.pid; exec sleep 30' });
    const before = listeners();
    const saved = await sandbox.head('nix-config');
    await sandbox.pushUpstream('nix-config', 'configuration.nix', '# new\n', 'new');
    const running = runInProcess(sandbox);
    await expect
      .poll(
        async () => Number(await readFile(join(sandbox.dir, 'build.pid'), 'utf8').catch(() => 0)),
        {
          timeout: 20_000,
        },
      )
      .toBeGreaterThan(0);
    for (const signal of ['SIGHUP', 'SIGTERM', 'SIGINT'] as const) process.emit(signal, signal);
    const { exitCode, lines } = await running;
    expect(exitCode).toBe(4);
    expect(lines).toContain(
      'warning: SIGHUP received (the terminal went away): carrying on to the end',
    );
    expect(lines).toContain(
      'warning: SIGTERM received: stopping the running step and rolling back what moved',
    );
    expect(lines).toContain(
      'warning: SIGINT received again: the run is finishing its rollback, please wait',
    );
    const [record] = await readRunRecords(join(sandbox.dir, 'state'));
    expect(record).toMatchObject({ result: 'rolled-back', interrupted: true });
    // The repo that moved (pulled before the build) is back where it was.
    expect(await sandbox.head('nix-config')).toBe(saved);
    // The run's handlers are gone with it: a signal after the run is the process's own business.
    expect(listeners()).toEqual(before);
  });
});
