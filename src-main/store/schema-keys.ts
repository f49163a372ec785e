import { blob, index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Key distribution over sync (src-main/keys/README.md, "Rotation on a syncing clinic").
 * Neither table is walked by the rotation job (keys/catalog.ts reads schema.ts only): a
 * wrap is only ever needed under the version it names, and held values may name versions
 * this workstation does not hold yet.
 */

/**
 * One row per clinic data key version made by a rotation: the new version's key wrapped
 * under the previous version's key. Synced and insert-only; the server stores it as it
 * stores every change, as ciphertext.
 */
export const keyWraps = sqliteTable('key_wraps', {
  // plaintext: 'v' + the version number; names no person.
  id: text('id').primaryKey(),
  // plaintext: key version numbers (the envelope headers carry them in the clear too).
  version: integer('version').notNull(),
  wrappedUnder: integer('wrapped_under').notNull(),
  // envelope: the new version's key sealed (AES-256-GCM, associated data binding clinic,
  // versions) under a sub-key of the previous version, then as a field envelope.
  wrappedKey: blob('wrapped_key', { mode: 'buffer' }).notNull(),
  // plaintext: when the rotation was made.
  createdAt: integer('created_at').notNull(),
  // plaintext: local bookkeeping (apply time).
  updatedAt: integer('updated_at'),
});

/**
 * Pulled changes this workstation cannot apply yet: sealed under a key version it does not
 * hold (its wrap has not arrived), or naming a table or column only a newer Kavach knows.
 * Applied as soon as the version arrives or after an upgrade. Never synced.
 */
export const syncWaiting = sqliteTable(
  'sync_waiting',
  {
    // plaintext: ids, sequence numbers, schema names, clocks, device id and timestamps.
    changeId: text('change_id').primaryKey(),
    seq: integer('seq').notNull(),
    tbl: text('tbl').notNull(),
    rowId: text('row_id').notNull(),
    col: text('col').notNull(),
    clock: text('clock').notNull(),
    deviceId: text('device_id').notNull(),
    // plaintext: why it waits ('key-version' or 'unknown-column').
    reason: text('reason', { enum: ['key-version', 'unknown-column'] }).notNull(),
    // plaintext: the key version its envelope names (reason 'key-version').
    keyVersion: integer('key_version'),
    heldAt: integer('held_at').notNull(),
    // envelope: the value as it arrived, still sealed.
    value: blob('value', { mode: 'buffer' }).notNull(),
  },
  (t) => [index('sync_waiting_seq').on(t.seq)],
);
