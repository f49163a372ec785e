import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { type BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3';
import { MIGRATIONS } from './migrations.generated.js';
import * as schema from './schema.js';

export type Db = BetterSQLite3Database<typeof schema>;
export type Sqlite = BetterSqlite3.Database;

/** The better-sqlite3 connection under a drizzle handle, for what drizzle does not offer
 *  (pragmas, streaming, statements prepared once); `who` names the caller in the error. */
export function sqliteOf(db: Db, who: string): Sqlite {
  const client = (db as Db & { $client?: Sqlite }).$client;
  if (!client) throw new Error(`${who} needs a better-sqlite3 store`);
  return client;
}

export const DB_FILE = 'kavach.db';

export class SchemaTooNewError extends Error {
  override readonly name = 'SchemaTooNewError';
  readonly code = 'SCHEMA_TOO_NEW';
  constructor(found: number, known: number) {
    super(
      `This database was written by a newer version of Kavach (schema ${found}, this version knows ${known}). Install the newer version; the database was not changed.`,
    );
  }
}

const MIGRATION_TABLE = `CREATE TABLE IF NOT EXISTS kavach_migrations (
  idx INTEGER PRIMARY KEY,
  tag TEXT NOT NULL,
  applied_at INTEGER NOT NULL
)`;

export interface OpenedStore {
  sqlite: Sqlite;
  db: Db;
  path: string;
  created: boolean;
}

function loadDriver(): typeof BetterSqlite3 {
  return createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
}

/** Opens (creating if needed) the workstation database with the pragmas DESIGN.md asks for. */
export function openStore(dataDir: string, now: () => number): OpenedStore {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, DB_FILE);
  const created = !existsSync(path);
  // Create the file ourselves so it is 0600 from its first byte; SQLite gives the -wal and
  // -shm files the same mode as the database file.
  closeSync(openSync(path, 'a', 0o600));
  chmodSync(path, 0o600);
  const Driver = loadDriver();
  const sqlite = new Driver(path);
  try {
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    // Deleted content is overwritten with zeros rather than left in free pages.
    sqlite.pragma('secure_delete = ON');
    sqlite.pragma('trusted_schema = OFF');
    // 64 MiB of page cache (SQLite's default is 2 MiB): the blind index and the sync clocks
    // are keyed by random ids, and an initial sync of a large clinic touches their pages
    // all over; a desktop has the memory.
    sqlite.pragma('cache_size = -65536');
    // Temporary tables and large sorts stay in memory, never in files beside the database.
    sqlite.pragma('temp_store = MEMORY');
    migrate(sqlite, now);
  } catch (e) {
    sqlite.close();
    throw e;
  }
  return { sqlite, db: drizzle(sqlite, { schema }), path, created };
}

export function latestSchemaVersion(): number {
  return MIGRATIONS.length === 0 ? 0 : Math.max(...MIGRATIONS.map((m) => m.idx)) + 1;
}

/** Applies pending drizzle-kit migrations in one transaction; refuses a newer database. */
export function migrate(sqlite: Sqlite, now: () => number): void {
  const known = latestSchemaVersion();
  const userVersion = sqlite.pragma('user_version', { simple: true }) as number;
  if (userVersion > known) throw new SchemaTooNewError(userVersion, known);
  const apply = sqlite.transaction(() => {
    sqlite.exec(MIGRATION_TABLE);
    const row = sqlite.prepare('SELECT max(idx) AS top FROM kavach_migrations').get() as {
      top: number | null;
    };
    const applied = row.top ?? -1;
    if (applied + 1 > known) throw new SchemaTooNewError(applied + 1, known);
    const record = sqlite.prepare('INSERT INTO kavach_migrations (idx, tag, applied_at) VALUES (?, ?, ?)');
    for (const m of MIGRATIONS) {
      if (m.idx <= applied) continue;
      for (const statement of m.sql.split('--> statement-breakpoint')) {
        if (statement.trim()) sqlite.exec(statement);
      }
      record.run(m.idx, m.tag, now());
    }
    sqlite.pragma(`user_version = ${known}`);
  });
  apply.immediate();
}
