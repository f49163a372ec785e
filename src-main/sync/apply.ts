import { eq, sql } from 'drizzle-orm';
import { ClockDriftError, type HybridClock } from '../../src-shared/hlc.js';
import { isConflictText } from '../../src-shared/sync-schema.js';
import { DecryptionError } from '../crypto/envelope.js';
import type { ChangeCapture } from '../store/change-capture.js';
import { type Db, sqliteOf } from '../store/db.js';
import type { FieldCodec } from '../store/fields.js';
import type { MetaRepo } from '../store/meta-repo.js';
import type { PatientsRepo } from '../store/patients-repo.js';
import { conflictCopies } from '../store/schema.js';
import type { SecurityRepo } from '../store/security-repo.js';
import type { HeldChange, SyncRepo } from '../store/sync-repo.js';
import type { PageCheck } from './check-thread.js';
import { conflictCopyId, lostToUnseenOwnWrite, receivedWins } from './merge.js';
import { plainFits, ROW_ID, type SyncedTableInfo, syncedTable } from './tables.js';
import { mayBeNewer, type WaitingChange, WaitingRepo } from './waiting.js';

/** A pulled change with its value as bytes. */
export type IncomingChange = HeldChange;

export interface ApplyDeps {
  db: Db;
  repo: SyncRepo;
  codec: FieldCodec;
  hlc: HybridClock;
  capture: ChangeCapture;
  patients: PatientsRepo;
  security: SecurityRepo;
  meta: MetaRepo;
  now: () => number;
  /** This workstation's device id: its own changes come back in pulls and are skipped. */
  deviceId: string | null;
  /**
   * Whether this ring holds a key version: a change sealed under one it does not hold waits
   * (sync_waiting) until the version's wrap arrives. Absent: every change is tried.
   */
  hasKeyVersion?: (version: number) => boolean;
  /**
   * The table and column names this version of Kavach applies (default: the synced schema).
   * Injectable so a test can simulate an older version meeting a newer one's column.
   */
  knows?: (table: string, column: string) => boolean;
  /**
   * Joining: received patients are not indexed page by page; the engine builds the whole
   * blind index once when the join ends (PatientsRepo.rebuildIndex). Nobody can log in to
   * search before then.
   */
  deferIndex?: boolean;
  /**
   * The envelope-check thread's work on this page (check-thread.ts): envelopes stored as
   * received are then authenticated there while this thread writes, and settled before the
   * page commits. Absent: every check is done here, as it is for held and waiting changes.
   */
  precheck?: PageCheck;
}

const knowsSchema = (table: string, column: string) => syncedTable(table)?.columns.has(column) ?? false;

export interface ApplyReport {
  /** Fields written (to a row or, for rows not yet complete, to staging). */
  applied: number;
  /** Older than, or the same write as, what is here already. */
  stale: number;
  own: number;
  /** Unknown table or column, undecryptable envelope, or a value that does not fit. */
  rejected: number;
  /** Refused by the drift guard and kept for a later pass. */
  held: number;
  /** Held changes from earlier pages applied now. */
  released: number;
  /** Newly waiting for a key version or a newer schema (sync_waiting); not a clock problem. */
  waiting: number;
  /** Waiting changes taken up again now that their key version or column is known. */
  resumed: number;
  conflicts: number;
  /** Rows that could not be inserted or updated (for example a username already taken). */
  unstorable: number;
  /** How far ahead the furthest refused clock was, in minutes. */
  driftMinutes: number | null;
}

interface PendingField {
  clock: string;
  /** Plain columns: the decrypted value; envelope columns: the envelope as received. */
  stored: unknown;
  wire: Buffer;
  /** The opened value (JSON text), kept only where reindexing will need it. */
  text: string | null;
}

/** Patient columns the blind index is built from: a change to any other column leaves the
 *  index as it is. */
const INDEXED = new Set(['patient_number', 'given_names', 'family_name', 'birth', 'phones', 'national_id']);

interface PendingRow {
  info: SyncedTableInfo;
  rowId: string;
  fields: Map<string, PendingField>;
}

interface Runnable {
  run(values: Record<string, unknown>): unknown;
  get(values: Record<string, unknown>): unknown;
  all(values: Record<string, unknown>): unknown;
}

/**
 * Prepared statements per table and column set, built once per database: a received page
 * runs the same few shapes thousands of times, and building a drizzle query costs more than
 * running it. Names come from the schema description, never from the wire.
 */
const statements = new WeakMap<Db, Map<string, Runnable>>();

function statement(db: Db, key: string, build: () => Runnable): Runnable {
  let cache = statements.get(db);
  if (!cache) {
    cache = new Map();
    statements.set(db, cache);
  }
  let s = cache.get(key);
  if (!s) {
    s = build();
    cache.set(key, s);
  }
  return s;
}

/** `{ key: placeholder }` for the given columns' drizzle keys, plus updated_at when present. */
function placeholders(info: SyncedTableInfo, cols: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const col of cols) out[info.columns.get(col)!.key] = sql.placeholder(col);
  if (info.updatedAtKey) out[info.updatedAtKey] = sql.placeholder('updated_at');
  return out;
}

function isConstraintError(e: unknown): boolean {
  const code = e instanceof Error ? (e as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT');
}

/**
 * How SQLite is asked to write a page that is one of many in a row (joining, or back after a
 * long time offline), and what it goes back to afterwards (src-main/store/db.ts).
 *
 * - synchronous NORMAL: the page's commit is not fsynced on its own. A power cut can then
 *   lose the last pages applied, never corrupt the file, and the cursor goes with them in
 *   the same transaction, so they are simply pulled again. The next FULL commit (any local
 *   write) syncs the write-ahead log up to and including them.
 * - wal_autocheckpoint 100,000 pages (400 MiB of write-ahead log at most) instead of 1,000:
 *   received rows and clocks are keyed by random ids, so every page dirties pages all over
 *   their B-trees, and each checkpoint copies them back into the database and fsyncs it. At
 *   100,000 patients, checkpoints every 20,000 pages still cost 11 s of a 75 s join; every
 *   100,000 pages, 9.5 s of 69 s. The last page of a catch-up commits under the usual
 *   setting, which checkpoints what is left once.
 */
const BULK_PRAGMAS = { synchronous: 'NORMAL', wal_autocheckpoint: '100000' } as const;
const USUAL_PRAGMAS = { synchronous: 'FULL', wal_autocheckpoint: '1000' } as const;

function setPragmas(db: Db, values: Record<string, string>): void {
  const client = sqliteOf(db, 'applying a page in bulk');
  for (const [name, value] of Object.entries(values)) client.pragma(`${name} = ${value}`);
}

/**
 * Applies one pulled page inside one SQLite transaction together with the cursor, so a crash
 * leaves either the whole page and its cursor or neither (DESIGN.md §5). A bad change (an
 * unknown name, a tampered envelope, a wildly wrong clock) is skipped or held; it never
 * aborts the page. `bulk`: more pages follow at once (see BULK_PRAGMAS).
 */
export function applyPage(
  d: ApplyDeps,
  after: number,
  next: number,
  latest: number,
  changes: IncomingChange[],
  bulk = false,
): ApplyReport | null {
  const apply = (deps: ApplyDeps) => applyInTransaction(deps, after, next, latest, changes);
  if (!bulk) return applyChecked(d, apply);
  setPragmas(d.db, BULK_PRAGMAS);
  try {
    return applyChecked(d, apply);
  } finally {
    setPragmas(d.db, USUAL_PRAGMAS);
  }
}

/** Thrown inside a page's transaction when the helper thread did not confirm every envelope
 *  it was given: the page is rolled back and applied again with every check done here. */
class RecheckHere extends Error {}

function applyChecked(d: ApplyDeps, apply: (deps: ApplyDeps) => ApplyReport | null): ApplyReport | null {
  if (!d.precheck) return apply(d);
  try {
    return apply(d);
  } catch (e) {
    if (!(e instanceof RecheckHere)) throw e;
    // A tampered envelope (or a stalled helper): the page again, the way it was always done,
    // which records each failure as a security event and skips only the bad changes.
    return apply({ ...d, precheck: undefined });
  }
}

function applyInTransaction(
  d: ApplyDeps,
  after: number,
  next: number,
  latest: number,
  changes: IncomingChange[],
): ApplyReport | null {
  return d.db.transaction(
    () => {
      // Another pass got here first (a periodic pass racing the long-poll): nothing to do.
      if (d.repo.cursor() !== after) return null;
      const run = new PageRun(d);
      if (d.repo.heldCount() > 0) for (const h of d.repo.held()) run.take(h, true);
      run.resumeWaiting();
      run.prefetch(changes);
      for (const c of changes) run.take(c, false);
      run.finish();
      if (run.deferred.length > 0 && !d.precheck!.settle(run.deferred, (c) => authentic(d, c)))
        throw new RecheckHere();
      d.repo.set('cursor', String(Math.max(after, next)));
      d.repo.set('latest', String(latest));
      d.meta.set('hlc_last', d.hlc.latest);
      return run.report;
    },
    { behavior: 'immediate' },
  );
}

/**
 * Applies the waiting changes that can be applied now (a key version arrived, or this
 * version knows their column), in one transaction, without moving the cursor.
 */
export function applyWaiting(d: ApplyDeps): ApplyReport {
  return d.db.transaction(
    () => {
      const run = new PageRun(d);
      run.resumeWaiting();
      run.finish();
      d.meta.set('hlc_last', d.hlc.latest);
      return run.report;
    },
    { behavior: 'immediate' },
  );
}

/** Whether a received envelope is authentic for its place (a failure is recorded by the codec). */
function authentic(d: ApplyDeps, c: IncomingChange): boolean {
  try {
    d.codec.verify(c.tbl, c.col, c.rowId, c.value);
    return true;
  } catch (e) {
    if (e instanceof DecryptionError) return false;
    throw e;
  }
}

/** The key version an envelope's header names, or null when it has no valid header. */
function headerVersion(value: Uint8Array): number | null {
  if (value.length < 3 || value[0] !== 0x01) return null;
  return (value[1]! << 8) | value[2]!;
}

class PageRun {
  readonly report: ApplyReport = {
    applied: 0,
    stale: 0,
    own: 0,
    rejected: 0,
    held: 0,
    released: 0,
    conflicts: 0,
    unstorable: 0,
    driftMinutes: null,
    waiting: 0,
    resumed: 0,
  };
  private readonly waitingRepo: WaitingRepo;
  private readonly knows: (table: string, column: string) => boolean;
  private readonly rows = new Map<string, PendingRow>();
  private readonly clocks = new Map<string, Map<string, string>>();
  /** What prefetch read about a row before the page touched it. */
  private readonly known = new Map<string, { exists: boolean; staged: boolean }>();
  /** Slots of this page's changes whose envelopes the check thread authenticates. */
  readonly deferred: number[] = [];

  constructor(private readonly d: ApplyDeps) {
    this.waitingRepo = new WaitingRepo(d.db);
    this.knows = d.knows ?? knowsSchema;
  }

  /** Waiting changes whose key version is here now, or whose column this version knows. */
  resumeWaiting(): void {
    const has = this.d.hasKeyVersion ?? (() => true);
    const ready = this.waitingRepo
      .groups()
      .filter((g) =>
        g.reason === 'key-version' ? g.keyVersion !== null && has(g.keyVersion) : this.knows(g.tbl, g.col),
      )
      .flatMap((g) => this.waitingRepo.inGroup(g))
      .sort((x, y) => x.seq - y.seq);
    for (const w of ready) {
      this.waitingRepo.release(w.changeId);
      this.report.resumed++;
      this.take(w, false);
    }
  }

  /** Kept in sync_waiting (the page goes on); counted in sync.status as held. */
  private wait(c: IncomingChange, reason: WaitingChange['reason'], keyVersion: number | null): void {
    this.waitingRepo.wait(c, reason, keyVersion, this.d.now());
    this.report.waiting++;
  }

  take(c: IncomingChange, fromHeld: boolean): void {
    const d = this.d;
    if (c.deviceId === d.deviceId && !fromHeld) {
      this.report.own++;
      return;
    }
    // Names are checked against the schema before anything else touches them.
    const info = syncedTable(c.tbl);
    const col = info?.columns.get(c.col);
    const known = info && col && this.knows(c.tbl, c.col);
    if (!known || !ROW_ID.test(c.rowId)) {
      if (fromHeld) d.repo.release(c.changeId);
      // A newer workstation's table or column waits for an upgrade; anything else is refused.
      if (ROW_ID.test(c.rowId) && mayBeNewer(c.tbl, c.col, info !== null))
        this.wait(c, 'unknown-column', null);
      else this.report.rejected++;
      return;
    }
    // Sealed under a key version whose wrap has not arrived: it waits, unopened. (A header
    // that names a version falsely fails authentication once that version is here.)
    const version = headerVersion(c.value);
    if (version !== null && d.hasKeyVersion && !d.hasKeyVersion(version)) {
      if (fromHeld) d.repo.release(c.changeId);
      this.wait(c, 'key-version', version);
      return;
    }
    try {
      d.hlc.receive(c.clock);
    } catch (e) {
      if (!(e instanceof ClockDriftError)) {
        this.report.rejected++;
        if (fromHeld) d.repo.release(c.changeId);
        return;
      }
      const minutes = Math.round((e.remoteWall - e.localWall) / 60_000);
      this.report.driftMinutes = Math.max(this.report.driftMinutes ?? 0, minutes);
      if (!fromHeld) d.repo.hold(c, d.now());
      this.report.held++;
      return;
    }
    if (fromHeld) {
      d.repo.release(c.changeId);
      this.report.released++;
    }
    const rowKey = `${info.name}\u0000${c.rowId}`;
    const clocks = this.clocksOf(rowKey, info.name, c.rowId);
    const local = clocks.get(c.col) ?? null;
    const wins = receivedWins(local, c.clock);
    const conflictText = isConflictText(info.name, c.col);
    // A stale value of an ordinary column need not even be opened.
    if (!wins && (!conflictText || local === c.clock)) {
      this.report.stale++;
      return;
    }
    // The value is needed as text for a plain column (stored opened), for a losing clinical
    // text (its conflict copy) and for the blind index; any other envelope is stored as it
    // came and only has to prove itself authentic, which needs no decryption.
    const keepText = info.name === 'patients' && INDEXED.has(c.col) && !d.deferIndex;
    const needText = !wins || col.kind === 'plain' || keepText;
    let text: string | null = null;
    try {
      const slot = needText ? undefined : d.precheck?.slotOf(c);
      if (needText) text = d.codec.openText(info.name, c.col, c.rowId, c.value);
      else if (slot !== undefined) this.deferred.push(slot);
      else d.codec.verify(info.name, c.col, c.rowId, c.value);
    } catch (e) {
      // FieldCodec has already recorded the security event; the rest of the page goes on.
      if (e instanceof DecryptionError) {
        this.report.rejected++;
        return;
      }
      throw e;
    }
    if (!wins) {
      this.report.stale++;
      this.keepLosingText(info.name, c, text!);
      return;
    }
    let stored: unknown = c.value;
    if (col.kind === 'plain') {
      const value = parseJson(text!);
      if (value === undefined || !plainFits(col, value)) {
        this.report.rejected++;
        return;
      }
      stored = value;
    }
    let row = this.rows.get(rowKey);
    if (!row) {
      row = { info, rowId: c.rowId, fields: new Map() };
      this.rows.set(rowKey, row);
    }
    row.fields.set(c.col, { clock: c.clock, stored, wire: c.value, text: keepText ? text : null });
    clocks.set(c.col, c.clock);
    this.report.applied++;
  }

  finish(): void {
    const d = this.d;
    const reindex: PendingRow[] = [];
    for (const row of this.rows.values()) {
      const existed = this.exists(row);
      const stored = existed ? this.update(row) : this.insertOrStage(row);
      d.repo.setClocks(
        row.info.name,
        row.rowId,
        [...row.fields].map(([col, f]) => [col, f.clock]),
      );
      // A new row always (its indexed fields may have waited in staging); an updated one
      // only when an indexed field changed.
      if (
        stored &&
        row.info.name === 'patients' &&
        (!existed || [...row.fields.keys()].some((c) => INDEXED.has(c)))
      )
        reindex.push(row);
    }
    if (d.deferIndex) return;
    for (const row of reindex) {
      const opened = new Map<string, string>();
      for (const [col, f] of row.fields) if (f.text !== null) opened.set(col, f.text);
      try {
        d.patients.reindex(row.rowId, opened);
      } catch (e) {
        if (!(e instanceof DecryptionError)) throw e;
      }
    }
  }

  /**
   * Reads, for every row a page touches, its field clocks, whether it exists and whether it
   * has fields in staging, with a few queries per table instead of three per row (an initial
   * sync brings rows by the thousand). Rows not read here (held or waiting changes taken up
   * again) are still looked up one by one.
   */
  prefetch(changes: IncomingChange[]): void {
    const byTable = new Map<string, Set<string>>();
    for (const c of changes) {
      if (!syncedTable(c.tbl) || !ROW_ID.test(c.rowId)) continue;
      let ids = byTable.get(c.tbl);
      if (!ids) {
        ids = new Set();
        byTable.set(c.tbl, ids);
      }
      ids.add(c.rowId);
    }
    for (const [tbl, idSet] of byTable) {
      const info = syncedTable(tbl)!;
      const ids = [...idSet].filter((id) => !this.clocks.has(`${tbl}\u0000${id}`));
      if (ids.length === 0) continue;
      const clocks = this.d.repo.clocksOfRows(tbl, ids);
      const staged = this.d.repo.stagedRows(tbl, ids);
      // The ids go in as one JSON array (json_each): one prepared statement per table.
      const q = statement(this.d.db, `present|${tbl}`, () =>
        this.d.db
          .select({ id: info.pk })
          .from(info.table)
          .where(sql`${info.pk} IN (SELECT value FROM json_each(${sql.placeholder('ids')}))`)
          .prepare(),
      );
      const rows = q.all({ ids: JSON.stringify(ids) }) as { id: string }[];
      const present = new Set(rows.map((r) => r.id));
      for (const id of ids) {
        const rowKey = `${tbl}\u0000${id}`;
        this.clocks.set(rowKey, clocks.get(id) ?? new Map());
        this.known.set(rowKey, { exists: present.has(id), staged: staged.has(id) });
      }
    }
  }

  private clocksOf(rowKey: string, table: string, rowId: string): Map<string, string> {
    let clocks = this.clocks.get(rowKey);
    if (!clocks) {
      clocks = this.d.repo.rowClocks(table, rowId);
      this.clocks.set(rowKey, clocks);
    }
    return clocks;
  }

  private exists(row: PendingRow): boolean {
    const { table, pk, name } = row.info;
    const known = this.known.get(`${name}\u0000${row.rowId}`);
    if (known) return known.exists;
    const q = statement(this.d.db, `exists|${name}`, () =>
      this.d.db
        .select({ id: pk })
        .from(table)
        .where(eq(pk, sql.placeholder('id')))
        .prepare(),
    );
    return q.get({ id: row.rowId }) !== undefined;
  }

  /** Values by column name (plus updated_at and the row id) for a prepared statement. */
  private params(values: Map<string, unknown>, rowId: string): Record<string, unknown> {
    const out: Record<string, unknown> = Object.fromEntries(values);
    out.updated_at = this.d.now();
    out.id = rowId;
    return out;
  }

  private update(row: PendingRow): boolean {
    const { info } = row;
    const values = new Map([...row.fields].map(([col, f]) => [col, f.stored]));
    const cols = [...values.keys()].sort();
    const q = statement(this.d.db, `update|${info.name}|${cols.join(',')}`, () =>
      this.d.db
        .update(info.table)
        .set(placeholders(info, cols) as never)
        .where(eq(info.pk, sql.placeholder('id')))
        .prepare(),
    );
    return this.guarded(() => q.run(this.params(values, row.rowId)));
  }

  /**
   * A row not here yet: its fields wait in staging until every NOT NULL column has arrived
   * (possibly over several pages), then the row is inserted and its staging removed.
   */
  private insertOrStage(row: PendingRow): boolean {
    const d = this.d;
    const { info, rowId } = row;
    const values = new Map<string, unknown>();
    // Read in prefetch: no staging for this row, so nothing to read or remove.
    const hadStaging = this.known.get(`${info.name}\u0000${rowId}`)?.staged ?? true;
    const staged = hadStaging ? d.repo.staged(info.name, rowId) : new Map<string, Buffer>();
    for (const [col, envelope] of staged) {
      if (row.fields.has(col)) continue;
      const c = info.columns.get(col);
      if (!c) continue;
      if (c.kind === 'envelope') values.set(col, envelope);
      else {
        const v = this.openStaged(info.name, col, rowId, envelope);
        if (v !== undefined && plainFits(c, v)) values.set(col, v);
      }
    }
    for (const [col, f] of row.fields) values.set(col, f.stored);
    const stage = () => {
      d.repo.stageAll(
        info.name,
        rowId,
        [...row.fields].map(([col, f]) => [col, f.wire]),
      );
      return false;
    };
    if (!info.required.every((c) => values.has(c))) return stage();
    const cols = [...values.keys()].sort();
    const q = statement(d.db, `insert|${info.name}|${cols.join(',')}`, () =>
      d.db
        .insert(info.table)
        .values({ ...placeholders(info, cols), [info.pkKey]: sql.placeholder('id') } as never)
        .prepare(),
    );
    const inserted = this.guarded(() => {
      q.run(this.params(values, rowId));
      if (hadStaging) d.repo.unstage(info.name, rowId);
    });
    return inserted || stage();
  }

  /** A staged plain value, opened again (it was checked when staged; a failure only skips it). */
  private openStaged(table: string, col: string, rowId: string, envelope: Buffer): unknown {
    try {
      return parseJson(this.d.codec.openText(table, col, rowId, envelope));
    } catch (e) {
      if (e instanceof DecryptionError) return undefined;
      throw e;
    }
  }

  /** Runs a write in a savepoint; a constraint clash keeps the page going and is counted. */
  private guarded(write: () => unknown): boolean {
    try {
      this.d.db.transaction(write);
      return true;
    } catch (e) {
      if (!isConstraintError(e)) throw e;
      this.report.unstorable++;
      return false;
    }
  }

  private keepLosingText(table: string, c: IncomingChange, json: string): void {
    const d = this.d;
    if (!lostToUnseenOwnWrite(c.clock, d.repo.ownTextWrites(table, c.rowId, c.col))) return;
    const id = conflictCopyId(table, c.rowId, c.col, c.clock);
    if (d.repo.conflictCopyExists(id) || this.rows.has(`conflict_copies\u0000${id}`)) return;
    const value = parseJson(json);
    const text = typeof value === 'string' ? value : json;
    const envelope = d.codec.sealText('conflict_copies', 'text', id, text);
    const at = d.now();
    const row = { sourceTable: table, sourceRowId: c.rowId, sourceColumn: c.col, lostClock: c.clock };
    d.db
      .insert(conflictCopies)
      .values({ id, ...row, text: envelope, createdAt: at, updatedAt: at })
      .run();
    d.capture.record('conflict_copies', id, [
      { column: 'source_table', plain: table },
      { column: 'source_row_id', plain: c.rowId },
      { column: 'source_column', plain: c.col },
      { column: 'lost_clock', plain: c.clock },
      { column: 'text', envelope },
      { column: 'created_at', plain: at },
    ]);
    this.report.conflicts++;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
