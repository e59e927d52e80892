// `npm run mutate:machine`: the machine alone (src/machine without the path generator), against
// the unit tests. About 50 minutes on 2 cores: nearly every mutant of the machine definition is
// "static" (it changes code run when the module loads), so each one runs every related test.
// `-- --incremental` reuses the last result (reports/stryker-incremental.json) for mutants whose
// code and tests did not change. Scores and survivors: docs/testing.md.
import base from './stryker.config.mjs';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  ...base,
  vitest: { configFile: 'vitest.mutate.machine.config.ts' },
  mutate: [
    'src/machine/upgradeMachine.ts',
    'src/machine/transitions.ts',
    'src/machine/statePath.ts',
  ],
  jsonReporter: { fileName: 'reports/mutation/machine.json' },
  htmlReporter: { fileName: 'reports/mutation/machine.html' },
};
