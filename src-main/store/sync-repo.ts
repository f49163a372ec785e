import type { Statement } from 'better-sqlite3';
import { and, asc, count, eq, inArray, isNull, sql } from 'drizzle-orm';
import { type Db, sqliteOf } from './db.js';
import {
  conflictCopies,
  fieldClocks,
  outbox,
  syncHeld,
  syncOwnTextWrites,
  syncStaging,
  syncState,
} from './schema.js';

export type SyncStateKey =
  | 'server_url'
  | 'device_id'
  | 'device_name'
  | 'clinic_id'
  | 'clinic_name'
  | 'cursor'
  | 'latest'
  | 'joining'
  | 'initial_start'
  | 'last_sync_at';

export interface OutboxEntry {
  changeId: string;
  tbl: string;
  rowId: string;
  col: string;
  clock: string;
  value: Buffer;
}

export interface HeldChange extends OutboxEntry {
  seq: number;
  deviceId: string;
}

const p = sql.placeholder;
/** Clocks per multi-row insert (4 parameters each, far below SQLite's limit). */
const SET_CLOCKS_CHUNK = 50;

/** SQL for the sync engine's own tables; the engine itself holds no SQL. */
export class SyncRepo {
  private statements: ReturnType<SyncRepo['prepare']> | null = null;

  constructor(private readonly db: Db) {}

  /** The statements run once per received row or field, built once: building a drizzle
   *  query costs more than running it. */
  private prepare() {
    return {
      rowClocks: this.db
        .select({ col: fieldClocks.col, clock: fieldClocks.clock })
        .from(fieldClocks)
        .where(and(eq(fieldClocks.tbl, p('tbl')), eq(fieldClocks.rowId, p('rowId'))))
        .prepare(),
      setClock: this.db
        .insert(fieldClocks)
        .values({ tbl: p('tbl'), rowId: p('rowId'), col: p('col'), clock: p('clock') })
        .onConflictDoUpdate({
          target: [fieldClocks.tbl, fieldClocks.rowId, fieldClocks.col],
          set: { clock: sql`excluded.clock` },
        })
        .prepare(),
      staged: this.db
        .select({ col: syncStaging.col, value: syncStaging.value })
        .from(syncStaging)
        .where(and(eq(syncStaging.tbl, p('tbl')), eq(syncStaging.rowId, p('rowId'))))
        .prepare(),
      stage: this.db
        .insert(syncStaging)
        .values({ tbl: p('tbl'), rowId: p('rowId'), col: p('col'), value: p('value') })
        .onConflictDoUpdate({
          target: [syncStaging.tbl, syncStaging.rowId, syncStaging.col],
          set: { value: sql`excluded.value` },
        })
        .prepare(),
      unstage: this.db
        .delete(syncStaging)
        .where(and(eq(syncStaging.tbl, p('tbl')), eq(syncStaging.rowId, p('rowId'))))
        .prepare(),
    };
  }

  private get q() {
    this.statements ??= this.prepare();
    return this.statements;
  }

  get(key: SyncStateKey): string | null {
    return this.db.select().from(syncState).where(eq(syncState.key, key)).get()?.value ?? null;
  }

  set(key: SyncStateKey, value: string): void {
    this.db
      .insert(syncState)
      .values({ key, value })
      .onConflictDoUpdate({ target: syncState.key, set: { value } })
      .run();
  }

  delete(key: SyncStateKey): void {
    this.db.delete(syncState).where(eq(syncState.key, key)).run();
  }

  cursor(): number {
    return Number(this.get('cursor') ?? '0');
  }

  pendingCount(): number {
    return this.db.select({ n: count() }).from(outbox).where(isNull(outbox.sentAt)).get()?.n ?? 0;
  }

  /** Unsent changes in clock order, at most `limit` of them. */
  pending(limit: number): OutboxEntry[] {
    return this.db
      .select({
        changeId: outbox.changeId,
        tbl: outbox.tbl,
        rowId: outbox.rowId,
        col: outbox.col,
        clock: outbox.clock,
        value: outbox.value,
      })
      .from(outbox)
      .where(isNull(outbox.sentAt))
      .orderBy(asc(outbox.clock))
      .limit(limit)
      .all();
  }

  markSent(changeIds: string[], at: number): void {
    this.db.transaction(() => {
      for (let i = 0; i < changeIds.length; i += 500) {
        this.db
          .update(outbox)
          .set({ sentAt: at })
          .where(inArray(outbox.changeId, changeIds.slice(i, i + 500)))
          .run();
      }
    });
  }

  /** Every field clock of one row, by column. */
  rowClocks(tbl: string, rowId: string): Map<string, string> {
    return new Map(this.q.rowClocks.all({ tbl, rowId }).map((r) => [r.col, r.clock]));
  }

  fieldClock(tbl: string, rowId: string, col: string): string | null {
    return (
      this.db
        .select({ clock: fieldClocks.clock })
        .from(fieldClocks)
        .where(and(eq(fieldClocks.tbl, tbl), eq(fieldClocks.rowId, rowId), eq(fieldClocks.col, col)))
        .get()?.clock ?? null
    );
  }

  /** Several clocks of one row (a new patient brings about twenty), in one statement per
   *  up to 50 clocks instead of one per clock. */
  setClocks(tbl: string, rowId: string, clocks: [string, string][]): void {
    for (let i = 0; i < clocks.length; i += SET_CLOCKS_CHUNK) {
      const part = clocks.slice(i, i + SET_CLOCKS_CHUNK);
      const args: string[] = [];
      for (const [col, clock] of part) args.push(tbl, rowId, col, clock);
      this.setClocksStatement(part.length).run(...args);
    }
  }

  private readonly setClocksBySize = new Map<number, Statement>();

  private setClocksStatement(n: number): Statement {
    let s = this.setClocksBySize.get(n);
    if (!s) {
      // A prepared statement per row count: drizzle would build the query on every call.
      s = sqliteOf(this.db, 'SyncRepo').prepare(
        `INSERT INTO field_clocks (tbl, row_id, col, clock) VALUES ${Array(n).fill('(?, ?, ?, ?)').join(', ')} ` +
          'ON CONFLICT (tbl, row_id, col) DO UPDATE SET clock = excluded.clock',
      );
      this.setClocksBySize.set(n, s);
    }
    return s;
  }

  /** Every field clock of many rows of one table, by row id (one query for a pulled page). */
  clocksOfRows(tbl: string, rowIds: string[]): Map<string, Map<string, string>> {
    const out = new Map<string, Map<string, string>>();
    for (const id of rowIds) out.set(id, new Map());
    const rows = this.manyRows().clocks.all(tbl, JSON.stringify(rowIds)) as {
      rowId: string;
      col: string;
      clock: string;
    }[];
    for (const r of rows) out.get(r.rowId)?.set(r.col, r.clock);
    return out;
  }

  /** Which of these rows have fields waiting in staging. */
  stagedRows(tbl: string, rowIds: string[]): Set<string> {
    const rows = this.manyRows().staged.all(tbl, JSON.stringify(rowIds)) as { rowId: string }[];
    return new Set(rows.map((r) => r.rowId));
  }

  private many: { clocks: Statement; staged: Statement } | null = null;

  /**
   * The two per-page lookups, prepared once: the row ids go in as one JSON array bound to a
   * parameter (json_each), so a page of any size is one statement run, not a drizzle query
   * built for every 500 ids (query building took several seconds of a 100,000-patient join).
   */
  private manyRows(): { clocks: Statement; staged: Statement } {
    if (!this.many) {
      const client = sqliteOf(this.db, 'SyncRepo');
      this.many = {
        clocks: client.prepare(
          'SELECT row_id AS rowId, col, clock FROM field_clocks WHERE tbl = ? AND row_id IN (SELECT value FROM json_each(?))',
        ),
        staged: client.prepare(
          'SELECT DISTINCT row_id AS rowId FROM sync_staging WHERE tbl = ? AND row_id IN (SELECT value FROM json_each(?))',
        ),
      };
    }
    return this.many;
  }

  /** Fields of a row that is not complete yet. */
  stageAll(tbl: string, rowId: string, values: [string, Buffer][]): void {
    for (const [col, value] of values) this.q.stage.run({ tbl, rowId, col, value });
  }

  staged(tbl: string, rowId: string): Map<string, Buffer> {
    return new Map(this.q.staged.all({ tbl, rowId }).map((r) => [r.col, r.value]));
  }

  stagedRowCount(): number {
    return this.db.selectDistinct({ t: syncStaging.tbl, r: syncStaging.rowId }).from(syncStaging).all()
      .length;
  }

  unstage(tbl: string, rowId: string): void {
    this.q.unstage.run({ tbl, rowId });
  }

  hold(c: HeldChange, at: number): void {
    this.db
      .insert(syncHeld)
      .values({ ...c, heldAt: at })
      .onConflictDoNothing()
      .run();
  }

  held(): HeldChange[] {
    return this.db
      .select({
        changeId: syncHeld.changeId,
        seq: syncHeld.seq,
        tbl: syncHeld.tbl,
        rowId: syncHeld.rowId,
        col: syncHeld.col,
        clock: syncHeld.clock,
        deviceId: syncHeld.deviceId,
        value: syncHeld.value,
      })
      .from(syncHeld)
      .orderBy(asc(syncHeld.seq))
      .all();
  }

  heldCount(): number {
    return this.db.select({ n: count() }).from(syncHeld).get()?.n ?? 0;
  }

  release(changeId: string): void {
    this.db.delete(syncHeld).where(eq(syncHeld.changeId, changeId)).run();
  }

  rememberOwnTextWrite(tbl: string, rowId: string, col: string, clock: string, base: string | null): void {
    this.db.insert(syncOwnTextWrites).values({ tbl, rowId, col, clock, base }).onConflictDoNothing().run();
  }

  /** This workstation's own edits of one free-text field (see sync/merge.ts). */
  ownTextWrites(tbl: string, rowId: string, col: string): { clock: string; base: string | null }[] {
    const w = syncOwnTextWrites;
    return this.db
      .select({ clock: w.clock, base: w.base })
      .from(w)
      .where(and(eq(w.tbl, tbl), eq(w.rowId, rowId), eq(w.col, col)))
      .all();
  }

  conflictCopyExists(id: string): boolean {
    if (this.db.select({ id: conflictCopies.id }).from(conflictCopies).where(eq(conflictCopies.id, id)).get())
      return true;
    return this.staged('conflict_copies', id).size > 0;
  }

  conflictCopies(sourceRowId: string) {
    return this.db
      .select()
      .from(conflictCopies)
      .where(eq(conflictCopies.sourceRowId, sourceRowId))
      .orderBy(asc(conflictCopies.createdAt))
      .all();
  }
}
