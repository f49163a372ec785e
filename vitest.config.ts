import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src-*/**/*.test.ts', 'scripts/**/*.test.ts', 'bench/**/*.test.ts'],
    environment: 'node',
    // Native modules (better-sqlite3, keytar) are happiest in child processes.
    pool: 'forks',
    // A throwaway PostgreSQL cluster for the sync server's suites (they also run on PGlite).
    globalSetup: ['src-server/testing/pg-global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
