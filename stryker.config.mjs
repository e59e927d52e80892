// Mutation testing (`npm run mutate`, docs/testing.md): Stryker changes the code one small way at
// a time (a condition, a target, a string) and runs the unit tests; a change no test notices is a
// "survivor", a bug the suite would let through. The base of the two runs `npm run mutate` makes:
// stryker.machine.config.mjs (the machine, also in CI) and stryker.rest.config.mjs (the rest).
// `npx stryker run` alone mutates all of it in one run, static mutants included: hours.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutate.config.ts' },
  checkers: ['typescript'],
  // The type checker rejects mutants that would not compile. It checks each against the source
  // alone (not the tests and scripts), several times faster than the whole project
  // (docs/testing.md); a mutant that breaks only a test's types then runs, and is killed or not.
  tsconfigFile: 'tsconfig.mutate.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  coverageAnalysis: 'perTest',
  mutate: [
    'src/machine/**/*.ts',
    'src/actors/**/*.ts',
    'src/config/**/*.ts',
    'src/fleet/**/*.ts',
    'src/runner/**/*.ts',
    '!src/**/*.generated.*',
  ],
  concurrency: 2,
  timeoutMS: 20_000,
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: '.stryker-tmp',
  // Stryker puts `// @ts-nocheck` atop files in the sandbox (mutants need not type-check there;
  // vitest does not check types): not atop the generated files, which a test compares with what
  // the schema generates.
  disableTypeChecks: '{src,test}/**/!(*.generated).{js,ts}',
  // Runs side by side (`--tempDirName .stryker-tmp-NAME`) would copy each other's sandboxes.
  ignorePatterns: ['.stryker-tmp*', 'reports', 'dist'],
  cleanTempDir: 'always',
};
