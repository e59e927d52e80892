// The quick subset CI runs (`npm run mutate:machine`): the machine itself, against the unit
// tests, incrementally. test/mutation/machine.incremental.json holds the last full result; Stryker
// tests again only the mutants whose code or whose tests changed since, so CI takes minutes, not
// the ~35 min of a full run on 2 cores. A score under 90 % fails it (docs/testing.md).
import base from './stryker.config.mjs';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  ...base,
  mutate: [
    'src/machine/upgradeMachine.ts',
    'src/machine/transitions.ts',
    'src/machine/statePath.ts',
  ],
  incremental: true,
  incrementalFile: 'test/mutation/machine.incremental.json',
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: 'reports/mutation/machine.json' },
  thresholds: { high: 90, low: 85, break: 90 },
};
