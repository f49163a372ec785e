import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src-*/**/*.test.ts', 'scripts/**/*.test.ts', 'bench/**/*.test.ts'],
    environment: 'node',
    // Native modules (better-sqlite3, keytar) are happiest in child processes.
    pool: 'forks',
    // Two files at a time on the 2-core machines this runs on (Vitest's default is one fewer
    // than the cores): much of the suite waits on fsync, the network or child processes.
    maxWorkers: 2,
    // A throwaway PostgreSQL cluster for the sync server's suites (they also run on PGlite).
    globalSetup: ['src-server/testing/pg-global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
