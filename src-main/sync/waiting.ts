import { and, asc, count, eq, isNull } from 'drizzle-orm';
import { getTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { isSyncedColumn } from '../../src-shared/sync-schema.js';
import type { Db } from '../store/db.js';
import * as schema from '../store/schema.js';
import * as schemaKeys from '../store/schema-keys.js';
import { syncWaiting } from '../store/schema-keys.js';
import type { HeldChange } from '../store/sync-repo.js';

/**
 * Pulled changes that cannot be applied yet, kept instead of dropped: sealed under a key
 * version whose wrap has not arrived, or naming a table or column only a newer Kavach knows.
 * They are tried again on every pulled page (and straight after a key version arrives).
 */
export type WaitReason = 'key-version' | 'unknown-column';

export interface WaitingChange extends HeldChange {
  reason: WaitReason;
  keyVersion: number | null;
}

/** Names a newer workstation may use: held when unknown. Anything else is refused outright. */
export const PLAUSIBLE_NAME = /^[a-z][a-z0-9_]{0,62}$/;

export class WaitingRepo {
  constructor(private readonly db: Db) {}

  wait(c: HeldChange, reason: WaitReason, keyVersion: number | null, at: number): void {
    this.db
      .insert(syncWaiting)
      .values({
        changeId: c.changeId,
        seq: c.seq,
        tbl: c.tbl,
        rowId: c.rowId,
        col: c.col,
        clock: c.clock,
        deviceId: c.deviceId,
        value: c.value,
        reason,
        keyVersion,
        heldAt: at,
      })
      .onConflictDoNothing()
      .run();
  }

  /** What the waiting changes wait for, one row per kind (few, however many changes wait). */
  groups(): { reason: WaitReason; keyVersion: number | null; tbl: string; col: string }[] {
    return this.db
      .selectDistinct({
        reason: syncWaiting.reason,
        keyVersion: syncWaiting.keyVersion,
        tbl: syncWaiting.tbl,
        col: syncWaiting.col,
      })
      .from(syncWaiting)
      .all();
  }

  /** The waiting changes of one group, in server order. */
  inGroup(g: { reason: WaitReason; keyVersion: number | null; tbl: string; col: string }): WaitingChange[] {
    const sameVersion =
      g.keyVersion === null ? isNull(syncWaiting.keyVersion) : eq(syncWaiting.keyVersion, g.keyVersion);
    return this.db
      .select({
        changeId: syncWaiting.changeId,
        seq: syncWaiting.seq,
        tbl: syncWaiting.tbl,
        rowId: syncWaiting.rowId,
        col: syncWaiting.col,
        clock: syncWaiting.clock,
        deviceId: syncWaiting.deviceId,
        value: syncWaiting.value,
        reason: syncWaiting.reason,
        keyVersion: syncWaiting.keyVersion,
      })
      .from(syncWaiting)
      .where(
        and(
          eq(syncWaiting.reason, g.reason),
          sameVersion,
          eq(syncWaiting.tbl, g.tbl),
          eq(syncWaiting.col, g.col),
        ),
      )
      .orderBy(asc(syncWaiting.seq))
      .all();
  }

  count(): number {
    return this.db.select({ n: count() }).from(syncWaiting).get()?.n ?? 0;
  }

  release(changeId: string): void {
    this.db.delete(syncWaiting).where(eq(syncWaiting.changeId, changeId)).run();
  }
}

let localColumns: Map<string, Set<string>> | null = null;

/** Every table of this workstation's schema with its columns (synced or not). */
function local(): Map<string, Set<string>> {
  if (!localColumns) {
    localColumns = new Map();
    for (const value of [...Object.values(schema), ...Object.values(schemaKeys)]) {
      if (!(value instanceof SQLiteTable)) continue;
      const config = getTableConfig(value);
      localColumns.set(config.name, new Set(config.columns.map((c) => c.name)));
    }
  }
  return localColumns;
}

/**
 * Whether a name this version does not sync could be a newer Kavach's table or column (held)
 * rather than a probe at local-only data (refused): a newer version never sends a column this
 * schema has but does not sync (a primary key, key_ring, a local bookkeeping column), nor
 * SQLite's own tables, nor names an object already has (constructor, __proto__).
 */
export function mayBeNewer(table: string, column: string, synced: boolean): boolean {
  if (!PLAUSIBLE_NAME.test(table) || !PLAUSIBLE_NAME.test(column)) return false;
  if (table.startsWith('sqlite_') || column in Object.prototype) return false;
  const cols = local().get(table);
  if (!cols) return true;
  if (!synced) return false;
  return !cols.has(column) || isSyncedColumn(table, column);
}
