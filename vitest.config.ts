import { defineConfig } from 'vitest/config';

// No test may depend on the machine's speed: every test is bounded by work (case counts,
// simulated ops), never by wall time, so the timeouts are only a backstop against a hang and
// are generous enough for a machine shared with other CPU-bound work.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 600_000,
    pool: 'forks',
  },
});
