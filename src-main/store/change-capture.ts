import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { HybridClock } from '../../src-shared/hlc.js';
import { SYNCED_TABLES, type SyncedColumn, type SyncedTable } from '../../src-shared/sync-schema.js';
import type { Db } from './db.js';
import type { FieldCodec } from './fields.js';
import type { MetaRepo } from './meta-repo.js';
import { fieldClocks, outbox } from './schema.js';

export type FieldChange<T extends SyncedTable> = {
  column: SyncedColumn<T>;
  /** For envelope columns: the very envelope written to the row. */
  envelope?: Buffer;
  /** For plain columns: the value written to the row. */
  plain?: string | number | boolean | null;
};

/**
 * Records synced field changes: per-field clock and an outbox entry, stamped by the hybrid
 * logical clock. Callers invoke it inside the same transaction that writes the row, so the
 * row, its clocks and the outbox commit or roll back together.
 */
export class ChangeCapture {
  constructor(
    private readonly db: Db,
    private readonly clock: HybridClock,
    private readonly codec: FieldCodec,
    private readonly metaRepo: MetaRepo,
    private readonly now: () => number,
  ) {}

  record<T extends SyncedTable>(table: T, rowId: string, changes: FieldChange<T>[]): void {
    if (changes.length === 0) return;
    const kinds = SYNCED_TABLES[table] as Record<string, 'envelope' | 'plain'>;
    const at = this.now();
    const rows = changes.map((change) => {
      const kind = kinds[change.column];
      if (!kind) throw new Error(`Column ${table}.${change.column} is not synced`);
      return { col: change.column, value: this.wireValue(table, rowId, change, kind), clock: this.clock.now() };
    });
    // One statement per table however many fields changed: a registration touches about
    // twenty columns, and per-field statements were most of its time.
    this.db
      .insert(fieldClocks)
      .values(rows.map((r) => ({ tbl: table, rowId, col: r.col, clock: r.clock })))
      .onConflictDoUpdate({ target: [fieldClocks.tbl, fieldClocks.rowId, fieldClocks.col], set: { clock: sql`excluded.clock` } })
      .run();
    this.db
      .insert(outbox)
      .values(rows.map((r) => ({ changeId: randomUUID(), tbl: table, rowId, col: r.col, clock: r.clock, value: r.value, createdAt: at })))
      .run();
    this.metaRepo.set('hlc_last', this.clock.latest);
  }

  private wireValue<T extends SyncedTable>(
    table: T,
    rowId: string,
    change: FieldChange<T>,
    kind: 'envelope' | 'plain',
  ): Buffer {
    if (kind === 'envelope') {
      if (!change.envelope) throw new Error(`Column ${table}.${change.column} needs an envelope`);
      return change.envelope;
    }
    // Plain locally, sealed on the wire: the server stores ciphertext only.
    return this.codec.sealJson(table, change.column, rowId, change.plain ?? null);
  }
}
