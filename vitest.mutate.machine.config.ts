import { defineConfig } from 'vitest/config';

// The tests `npm run mutate:machine` runs against each mutant of the machine: the ones that import
// it. Any other unit test could not kill a machine mutant, and nearly every machine mutant is
// "static" (the definition is built when the module loads), so Stryker runs all of the tests it is
// given for each one: fewer files, shorter run.
export default defineConfig({
  test: {
    include: ['test/machine/**/*.test.ts', 'test/cli/graph.test.ts'],
    testTimeout: 20_000,
  },
});
