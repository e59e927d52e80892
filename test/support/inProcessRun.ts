// One `xs-upgrade run` in the test's own process: `upgradeHost` with the sandbox's config, as the
// CLI calls it. Mutation testing only sees code the test process loads, so tests that should count
// there run hosts this way; the end-to-end suite runs the built CLI instead.
import { sandboxGitEnv, type Sandbox } from '../../demo/sandbox.js';
import { loadConfig } from '../../src/config/load.js';
import { upgradeHost, type UpgradeHostOptions } from '../../src/runner/upgradeHost.js';
import { memoryLog } from './memoryLog.js';

export async function hostOptions(sandbox: Sandbox): Promise<UpgradeHostOptions> {
  return {
    config: await loadConfig(sandbox.configFile, sandbox.dir),
    log: memoryLog(),
    env: { ...process.env, ...sandboxGitEnv, ...sandbox.env },
    version: '0.0.0-test',
    force: false,
    isTTY: false,
  };
}

/** The run's exit code and every line it logged. */
export async function runInProcess(
  sandbox: Sandbox,
  options: Partial<UpgradeHostOptions> = {},
): Promise<{ exitCode: number; lines: string[]; text: string }> {
  const log = memoryLog();
  const exitCode = await upgradeHost({ ...(await hostOptions(sandbox)), log, ...options });
  return { exitCode, lines: log.lines, text: log.lines.join('\n') };
}

/** The summary's lines: from the result on (the lines before are the states and the steps). */
export function summaryOf(lines: string[]): string[] {
  const start = lines.findIndex((line) => line.startsWith('result: '));
  return start === -1 ? [] : lines.slice(start);
}
