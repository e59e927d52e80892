// Runs the built CLI as a real subprocess, the way systemd or an operator would.
import { execa } from 'execa';
import { join } from 'node:path';
import { packageRoot } from '../../src/packageFiles.js';

export const cliPath = join(packageRoot, 'bin', 'xs-upgrade.js');

export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** The states the run logged, in order ("state <name>" lines). */
  states: string[];
}

export async function runCli(
  args: string[],
  options: { cwd?: string; env?: Record<string, string | undefined> } = {},
): Promise<CliRun> {
  const result = await execa('node', [cliPath, ...args], {
    cwd: options.cwd ?? packageRoot,
    env: { NO_COLOR: '1', JOURNAL_STREAM: undefined, ...options.env },
    reject: false,
    stdin: 'ignore',
  });
  const states = [...result.stdout.matchAll(/\bstate (\S+)/g)].map((match) => match[1] ?? '');
  return { exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr, states };
}
