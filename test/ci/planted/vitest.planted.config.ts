// Runs only the planted suites of test/ci/planted (for test/ci/summary.test.ts).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: __dirname,
    include: ['*.planted.ts'],
    pool: 'forks',
  },
});
