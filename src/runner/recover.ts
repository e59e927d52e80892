// `xs-upgrade recover`: only the lifecycle's own recovery of a killed run (and, with
// --confirm-manual-fix, an operator's word that a failed rollback was put right by hand).
import { ExitCode } from '../errors.js';
import type { UpgradeHostOptions } from './hostOptions.js';
import { runOnHost } from './lifecycle.js';

export async function recoverHost(
  options: UpgradeHostOptions & { confirmManualFix?: boolean },
): Promise<number> {
  return runOnHost(options, {
    command: 'recover',
    confirmsManualFix: options.confirmManualFix ?? false,
    goesOnAfterRecovery: () => false,
    work: () => {
      options.log.info('nothing to recover: the last run finished');
      return Promise.resolve(ExitCode.done);
    },
  });
}
