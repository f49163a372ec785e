import type { TestProject } from 'vitest/node';
import { type PgCluster, startCluster } from '../../scripts/pg-cluster.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The throwaway cluster's URL, or '' when it could not start (see kavachPgError). */
    kavachDatabaseUrl: string;
    kavachPgError: string;
  }
}

/**
 * Vitest global setup: one throwaway PostgreSQL cluster for the whole run (about a second
 * to start), so the server's suites can run against it beside PGlite. It never fails the
 * run by itself: a cluster that cannot start is reported by each PostgreSQL test, which
 * then FAILS (never skips) with the reason. KAVACH_TEST_DATABASE_URL, when set, is used
 * instead of starting a cluster.
 */
export default async function setup(project: TestProject): Promise<() => void> {
  const given = process.env.KAVACH_TEST_DATABASE_URL;
  if (given) {
    project.provide('kavachDatabaseUrl', given);
    project.provide('kavachPgError', '');
    return () => {};
  }
  let cluster: PgCluster | null = null;
  try {
    cluster = await startCluster();
    project.provide('kavachDatabaseUrl', cluster.url);
    project.provide('kavachPgError', '');
  } catch (err) {
    project.provide('kavachDatabaseUrl', '');
    project.provide('kavachPgError', (err as Error).message);
  }
  return () => cluster?.stop();
}
