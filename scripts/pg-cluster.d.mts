// Types for scripts/pg-cluster.mjs, imported by the server tests' Vitest global setup.
export interface PgCluster {
  /** postgres://postgres@127.0.0.1:PORT/kavach_test */
  url: string;
  port: number;
  dir: string;
  /** Stops the cluster and deletes its files; safe to call twice. */
  stop(): void;
}
export function findPgBin(): string;
export function startCluster(options?: { database?: string }): Promise<PgCluster>;
