import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // SQLite files and child processes: isolate test files in forks.
    pool: 'forks',
    testTimeout: 20_000,
    // In CI also write a JSON report, from which .ci/run prints "N passed, N failed".
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: process.env.CI ? { json: 'test-results/vitest.json' } : {},
  },
});
