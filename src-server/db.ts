import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import pg from 'pg';
import { serverSchema } from './schema';

/** One drizzle handle whichever driver is underneath: the SQL is the same PostgreSQL. */
export type ServerDb = PgDatabase<PgQueryResultHKT, typeof serverSchema>;

export type DbChoice = 'pglite' | { url: string };

export interface OpenedDb {
  db: ServerDb;
  kind: 'pglite' | 'postgres';
  close(): Promise<void>;
}

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations', import.meta.url));

/**
 * Opens the store and brings its schema up to date. PGlite lives in `dataDir` (in memory
 * when none is given, which tests use); PostgreSQL is reached through a pg pool.
 */
export async function openDatabase(choice: DbChoice, dataDir?: string): Promise<OpenedDb> {
  let opened: OpenedDb;
  if (choice === 'pglite') {
    if (dataDir) mkdirSync(dataDir, { recursive: true });
    const client = await PGlite.create(dataDir);
    opened = {
      db: drizzlePglite({ client, schema: serverSchema }) as unknown as ServerDb,
      kind: 'pglite',
      close: () => client.close(),
    };
  } else {
    const pool = new pg.Pool({ connectionString: choice.url, max: 10 });
    // An idle client losing its connection (database restarted) must not crash the
    // process; the next query gets a fresh connection or a proper error.
    pool.on('error', () => {});
    opened = {
      db: drizzleNodePg({ client: pool, schema: serverSchema }) as unknown as ServerDb,
      kind: 'postgres',
      close: () => pool.end(),
    };
  }
  try {
    await migrate(opened.db);
  } catch (err) {
    await opened.close().catch(() => {});
    throw err;
  }
  return opened;
}

// Arbitrary constant naming the advisory lock that serialises schema upgrades.
const MIGRATION_LOCK = 874_221_190;

/**
 * Applies drizzle-kit's migration files. drizzle's own migrator is not safe when several
 * server processes start together on one PostgreSQL (both race to create its bookkeeping
 * table), so this runner takes a transaction-scoped advisory lock first and then does what
 * drizzle's migrator does, in drizzle's own bookkeeping table, so drizzle-kit agrees.
 */
export async function migrate(db: ServerDb): Promise<number> {
  const files = readMigrationFiles({ migrationsFolder: MIGRATIONS_DIR });
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${MIGRATION_LOCK})`);
    await tx.execute(sql`create schema if not exists drizzle`);
    await tx.execute(sql`create table if not exists drizzle.__drizzle_migrations (
      id serial primary key, hash text not null, created_at bigint)`);
    const done = await tx.execute(sql`select max(created_at) as last from drizzle.__drizzle_migrations`);
    const rows = (done as unknown as { rows: { last: string | number | null }[] }).rows;
    const last = Number(rows[0]?.last ?? 0);
    let applied = 0;
    for (const m of files) {
      if (m.folderMillis <= last) continue;
      for (const statement of m.sql) {
        if (statement.trim()) await tx.execute(sql.raw(statement));
      }
      await tx.execute(
        sql`insert into drizzle.__drizzle_migrations (hash, created_at) values (${m.hash}, ${m.folderMillis})`,
      );
      applied++;
    }
    return applied;
  });
}
