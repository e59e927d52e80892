// `npm run mutate:rest`: everything `npm run mutate` covers except the machine (src/actors,
// src/config, src/fleet, src/runner), against the unit project. Static mutants are left out
// ("ignored"): they change code run when a module loads (tables, patterns), so each would run the
// whole unit project, ~40 s, and there are hundreds. The machine, where nearly every mutant is
// static, has its own run that keeps them (stryker.machine.config.mjs).
import base from './stryker.config.mjs';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  ...base,
  mutate: [
    'src/actors/**/*.ts',
    'src/config/**/*.ts',
    'src/fleet/**/*.ts',
    'src/runner/**/*.ts',
    '!src/**/*.generated.*',
  ],
  ignoreStatic: true,
  timeoutMS: 10_000,
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: 'reports/mutation/rest.json' },
};
