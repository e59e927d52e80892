import { defineConfig } from 'vitest/config';

// Two projects: `unit` (pure code, real child processes and small git repos: seconds) and `e2e`
// (the built CLI against sandbox hosts). `npm test` runs both; `npm run test:e2e` only the second.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/e2e/**'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
