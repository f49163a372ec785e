import { getTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { FieldPlace } from '../crypto/envelope.js';
import * as coreSchema from '../store/schema.js';
import * as billingSchema from '../store/schema-billing.js';
import * as interopSchema from '../store/schema-interop.js';
import * as keysSchema from '../store/schema-keys.js';
import * as referralSchema from '../store/schema-referral.js';

/** Every schema file (drizzle.config.ts reads schema.ts and schema-*.ts; catalog.test.ts
 *  checks this list against the folder). */
export const SCHEMA_MODULES: Record<string, object> = {
  'schema.ts': coreSchema,
  'schema-billing.ts': billingSchema,
  'schema-interop.ts': interopSchema,
  'schema-keys.ts': keysSchema,
  'schema-referral.ts': referralSchema,
};

/**
 * Where envelopes live, derived from the drizzle schema so a table added later is walked by
 * rotation without anyone remembering to list it: every BLOB column is an envelope except
 * the two named below. Each envelope is sealed for a place (DESIGN.md §4), and re-sealing
 * must reuse exactly that place, so the tables whose place is not (table, column, primary
 * key) say how to find it.
 */

/** BLOB columns that are not field envelopes under the clinic data key. */
const NOT_ENVELOPES: Record<string, string> = {
  // wrapped under the device key; rotation adds and removes these rows itself.
  key_ring: 'wrapped_cdk',
  // truncated HMAC tokens; rebuilt under the new blind-index key at the end of a rotation.
  blind_index: 'token',
  // a new key version sealed under the version before it: other workstations open it with
  // that older version, so it must never be re-sealed (keys/distribution.ts).
  key_wraps: 'wrapped_key',
  // changes as received, some under a key version this ring does not hold yet; they are
  // opened with the version they name once it arrives (old versions stay on syncing clinics).
  sync_waiting: 'value',
};

type Row = Record<string, unknown>;

export interface EnvelopeTable {
  name: string;
  /** The envelope columns (SQL names). */
  columns: string[];
  /** Plain columns the place is computed from. */
  placeColumns: string[];
  place(row: Row, column: string): FieldPlace;
}

/** The value sealed for the field it carries (outbox, staging and held sync values). */
const carried = (row: Row): FieldPlace => ({
  table: String(row.tbl),
  column: String(row.col),
  rowId: String(row.row_id),
});

const SPECIAL: Record<string, Pick<EnvelopeTable, 'placeColumns' | 'place'>> = {
  outbox: { placeColumns: ['tbl', 'col', 'row_id'], place: carried },
  sync_staging: { placeColumns: ['tbl', 'col', 'row_id'], place: carried },
  sync_held: { placeColumns: ['tbl', 'col', 'row_id'], place: carried },
  // sealed as ('patient_history', <patient column>, <history id>): patients-repo.ts.
  patient_history: {
    placeColumns: ['id', 'field'],
    place: (row) => ({ table: 'patient_history', column: String(row.field), rowId: String(row.id) }),
  },
};

export function envelopeTables(): EnvelopeTable[] {
  const out: EnvelopeTable[] = [];
  for (const value of Object.values(SCHEMA_MODULES).flatMap((m) => Object.values(m))) {
    if (!(value instanceof SQLiteTable)) continue;
    const config = getTableConfig(value);
    const columns = config.columns
      .filter((c) => c.columnType.includes('Blob') && NOT_ENVELOPES[config.name] !== c.name)
      .map((c) => c.name);
    if (columns.length === 0) continue;
    const special = SPECIAL[config.name];
    if (special) {
      out.push({ name: config.name, columns, ...special });
      continue;
    }
    const pk = config.columns.filter((c) => c.primary);
    if (pk.length !== 1 || config.primaryKeys.length > 0) {
      throw new Error(`keys/catalog.ts: say how the envelopes of ${config.name} are placed`);
    }
    const key = pk[0]!.name;
    out.push({
      name: config.name,
      columns,
      placeColumns: [key],
      place: (row, column) => ({ table: config.name, column, rowId: String(row[key]) }),
    });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
