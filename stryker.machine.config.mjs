// `npm run mutate:machine` (run by CI): the machine alone (src/machine without the path generator)
// against the tests that import it (vitest.mutate.machine.config.ts, quick files first). Nearly
// every machine mutant is "static" (it changes the definition, built when the module loads), so
// each one runs those tests until the first failure. CI fails below 90 %. Last score and time:
// docs/testing.md.
import base from './stryker.config.mjs';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  ...base,
  vitest: { configFile: 'vitest.mutate.machine.config.ts' },
  // Type-checked against src/machine alone: the machine's types are costly to check (XState's
  // generics), and re-checking everything that imports it made the checker the bottleneck
  // (measured: 3 min 17 s -> 1 min 48 s on the same 57 mutants, the same 26 rejected).
  tsconfigFile: 'tsconfig.mutate.machine.json',
  mutate: [
    'src/machine/upgradeMachine.ts',
    'src/machine/transitions.ts',
    'src/machine/statePath.ts',
  ],
  // One type checker and one test runner; once every mutant is checked, a second runner.
  concurrency: 2,
  // A mutant that loops (an eventless transition back to itself) is a kill by timeout; the whole
  // set of tests takes ~8 s, so a few seconds past that is plenty.
  timeoutMS: 5_000,
  thresholds: { high: 90, low: 85, break: 90 },
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: 'reports/mutation/machine.json' },
};
