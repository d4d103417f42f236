import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // SQLite files and child processes: isolate test files in forks.
    pool: 'forks',
    testTimeout: 20_000,
  },
});
