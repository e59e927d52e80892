import { defineConfig } from 'vitest/config';

// The tests Stryker runs against each mutant (`npm run mutate`, stryker.config.mjs): the unit
// project, which imports src/ directly. The e2e project runs the built CLI (dist/), which a
// mutant of src/ never reaches, so it could not kill one.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**'],
    testTimeout: 20_000,
  },
});
