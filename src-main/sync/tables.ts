import { getTableColumns } from 'drizzle-orm';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { type ColumnKind, SYNCED_TABLES, type SyncedTable } from '../../src-shared/sync-schema.js';
import {
  appointments,
  chartItems,
  clinicSettings,
  conflictCopies,
  consultations,
  doctorLeave,
  doctorSchedules,
  ledgerEntries,
  patientPhotos,
  patients,
  prescriptions,
  users,
  visits,
} from '../store/schema.js';
import { invoiceLines, invoices, payments, priceItems } from '../store/schema-billing.js';
import { keyWraps } from '../store/schema-keys.js';
import { clinicCards, clinicIdentity } from '../store/schema-referral.js';

/**
 * What the applier needs to know about each synced table, taken from the drizzle schema so
 * that a received table or column name is only ever used to look up one of these objects,
 * never pasted into SQL.
 */
export interface SyncedColumnInfo {
  /** drizzle's property name for the column, used with the query builder. */
  key: string;
  kind: ColumnKind;
  column: SQLiteColumn;
}

export interface SyncedTableInfo {
  name: SyncedTable;
  table: SQLiteTable;
  /** The primary key column: the wire's rowId. */
  pk: SQLiteColumn;
  pkKey: string;
  columns: ReadonlyMap<string, SyncedColumnInfo>;
  /** Synced NOT NULL columns: a new row is inserted once all of these have arrived. */
  required: readonly string[];
  /** Local bookkeeping column filled with the apply time, when the table has one. */
  updatedAtKey: string | null;
}

const DRIZZLE_TABLES: Record<SyncedTable, SQLiteTable> = {
  users,
  clinic_settings: clinicSettings,
  patients,
  patient_photos: patientPhotos,
  visits,
  doctor_schedules: doctorSchedules,
  doctor_leave: doctorLeave,
  appointments,
  conflict_copies: conflictCopies,
  chart_items: chartItems,
  consultations,
  prescriptions,
  ledger_entries: ledgerEntries,
  price_items: priceItems,
  invoices,
  invoice_lines: invoiceLines,
  payments,
  key_wraps: keyWraps,
  clinic_identity: clinicIdentity,
  clinic_cards: clinicCards,
};

function describe(name: SyncedTable): SyncedTableInfo {
  const table = DRIZZLE_TABLES[name];
  const kinds = SYNCED_TABLES[name] as Record<string, ColumnKind>;
  const columns = new Map<string, SyncedColumnInfo>();
  let pk: SQLiteColumn | null = null;
  let pkKey = '';
  let updatedAtKey: string | null = null;
  for (const [key, column] of Object.entries(getTableColumns(table)) as [string, SQLiteColumn][]) {
    if (column.primary) {
      pk = column;
      pkKey = key;
    }
    const kind = kinds[column.name];
    if (kind) columns.set(column.name, { key, kind, column });
    else if (column.name === 'updated_at') updatedAtKey = key;
    else if (!column.primary && column.notNull) {
      // A NOT NULL column that neither travels nor is filled locally could never be inserted.
      throw new Error(`Synced table ${name} has a NOT NULL column ${column.name} that does not sync`);
    }
  }
  if (!pk) throw new Error(`Synced table ${name} has no single-column primary key`);
  for (const c of Object.keys(kinds))
    if (!columns.has(c)) throw new Error(`Synced column ${name}.${c} is not in the schema`);
  const required = [...columns.values()].filter((c) => c.column.notNull).map((c) => c.column.name);
  return { name, table, pk, pkKey, columns, required, updatedAtKey };
}

const INFO = new Map<string, SyncedTableInfo>(
  (Object.keys(SYNCED_TABLES) as SyncedTable[]).map((name) => [name, describe(name)]),
);

/** A received row id this version accepts (the wire's pattern, at most 120 characters). */
export const ROW_ID = /^[A-Za-z0-9:_-]{1,120}$/;

/** The table's description, or null for any name that is not a synced table. */
export function syncedTable(name: string): SyncedTableInfo | null {
  return Object.hasOwn(SYNCED_TABLES, name) ? (INFO.get(name) ?? null) : null;
}

/**
 * Whether a decrypted plain value fits its column: right JS type, null only where allowed,
 * one of the enum's values where there is an enum. A value that does not fit is not written.
 */
export function plainFits(info: SyncedColumnInfo, value: unknown): boolean {
  const c = info.column;
  if (value === null) return !c.notNull;
  switch (c.dataType) {
    case 'string': {
      if (typeof value !== 'string') return false;
      const allowed = c.enumValues as readonly string[] | undefined;
      return !allowed || allowed.length === 0 || allowed.includes(value);
    }
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    default:
      return false;
  }
}
