import { and, asc, count, eq, inArray, ne, notLike, sql } from 'drizzle-orm';
import type { Db } from '../store/db.js';
import { attachments, blindIndex, keyRing, meta } from '../store/schema.js';
import type { EnvelopeTable } from './catalog.js';

/**
 * SQL for key rotation and the recovery kit. Rotation walks tables whose names come from the
 * drizzle schema (keys/catalog.ts), never from input, so identifiers are quoted with
 * sql.identifier and every value is a bound parameter.
 */

const ROTATION_KEY = 'key_rotation';
const KIT_KEY = 'recovery_kit_exported_at';
/** Blind-index tokens under the new key wait under this kind prefix until the switch. */
const REKEY = 'rekey:';
/** Shared with vault/device-key.ts, which pins the blind index to it at start-up. */
export const INDEX_VERSION_KEY = 'blind_index_version';

type Row = Record<string, unknown> & { _rid: number };

/** Tables holding values sealed for another table's field (catalog.ts `carried`). */
const CARRIED = new Set(['outbox', 'sync_staging', 'sync_held']);

export class KeysRepo {
  constructor(private readonly db: Db) {}

  private getMeta(key: string): string | null {
    return this.db.select().from(meta).where(eq(meta.key, key)).get()?.value ?? null;
  }

  private setMeta(key: string, value: string): void {
    this.db
      .insert(meta)
      .values({ key, value })
      .onConflictDoUpdate({ target: meta.key, set: { value } })
      .run();
  }

  rotationState<T>(): T | null {
    const raw = this.getMeta(ROTATION_KEY);
    return raw === null ? null : (JSON.parse(raw) as T);
  }

  saveRotationState(state: unknown): void {
    this.setMeta(ROTATION_KEY, JSON.stringify(state));
  }

  kitExportedAt(): number | null {
    const raw = this.getMeta(KIT_KEY);
    return raw === null ? null : Number(raw);
  }

  recordKitExport(at: number): void {
    this.setMeta(KIT_KEY, String(at));
  }

  indexVersion(): number | null {
    const raw = this.getMeta(INDEX_VERSION_KEY);
    return raw === null ? null : Number(raw);
  }

  setIndexVersion(version: number): void {
    this.setMeta(INDEX_VERSION_KEY, String(version));
  }

  ringRows() {
    return this.db
      .select({ version: keyRing.version, status: keyRing.status, createdAt: keyRing.createdAt })
      .from(keyRing)
      .orderBy(asc(keyRing.version))
      .all();
  }

  deleteVersions(versions: number[]): void {
    if (versions.length > 0) this.db.delete(keyRing).where(inArray(keyRing.version, versions)).run();
  }

  count(table: string): number {
    const r = this.db.get<{ n: number }>(sql`SELECT count(*) AS n FROM ${sql.identifier(table)}`);
    return r?.n ?? 0;
  }

  /** The next rows after `afterRowid`, with the columns that place and hold envelopes. */
  batch(t: EnvelopeTable, afterRowid: number, limit: number): Row[] {
    const cols = [...new Set([...t.placeColumns, ...t.columns])].map((c) => sql.identifier(c));
    return this.db.all<Row>(
      sql`SELECT rowid AS _rid, ${sql.join(cols, sql`, `)} FROM ${sql.identifier(t.name)} WHERE rowid > ${afterRowid} ORDER BY rowid LIMIT ${limit}`,
    );
  }

  updateRow(table: string, rowid: number, values: [string, Buffer][]): void {
    const sets = values.map(([c, v]) => sql`${sql.identifier(c)} = ${v}`);
    this.db.run(sql`UPDATE ${sql.identifier(table)} SET ${sql.join(sets, sql`, `)} WHERE rowid = ${rowid}`);
  }

  /**
   * Insert-only tables (patient history, signed prescriptions) refuse UPDATE by trigger.
   * Re-sealing changes the ciphertext, never the content, so inside the caller's
   * transaction the UPDATE triggers are dropped and re-created from their own SQL: no other
   * write can run in between and a crash rolls both back.
   */
  withUpdatesAllowed(table: string, work: () => void): void {
    const triggers = this.db
      .all<{ name: string; sql: string }>(
        sql`SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ${table}`,
      )
      .filter((t) => /\bUPDATE\b/i.test(t.sql.split(/\bBEGIN\b/i)[0] ?? ''));
    for (const t of triggers) this.db.run(sql`DROP TRIGGER ${sql.identifier(t.name)}`);
    work();
    for (const t of triggers) this.db.run(sql.raw(t.sql));
  }

  /** Envelopes in one column whose header does not name `version` (the scan before retiring). */
  countNotVersion(table: string, column: string, version: number): number {
    const header = Buffer.from([0x01, (version >> 8) & 0xff, version & 0xff]);
    const c = sql.identifier(column);
    // Values carried for key_wraps stay under the version before the one they carry (rotation.ts).
    const carried = CARRIED.has(table) ? sql` AND tbl != ${'key_wraps'}` : sql``;
    const r = this.db.get<{ n: number }>(
      sql`SELECT count(*) AS n FROM ${sql.identifier(table)} WHERE ${c} IS NOT NULL AND substr(${c}, 1, 3) != ${header}${carried}`,
    );
    return r?.n ?? 0;
  }

  attachmentsAfter(afterRowid: number, limit: number) {
    return this.db.all<{ _rid: number; id: string; key_version: number; file_sha256: string }>(
      sql`SELECT rowid AS _rid, id, key_version, file_sha256 FROM attachments WHERE rowid > ${afterRowid} ORDER BY rowid LIMIT ${limit}`,
    );
  }

  attachment(id: string) {
    return this.db.select().from(attachments).where(eq(attachments.id, id)).get() ?? null;
  }

  setAttachmentFile(id: string, keyVersion: number, fileSha256: string): void {
    this.db.update(attachments).set({ keyVersion, fileSha256 }).where(eq(attachments.id, id)).run();
  }

  attachmentsNotVersion(version: number): number {
    return (
      this.db.select({ n: count() }).from(attachments).where(ne(attachments.keyVersion, version)).get()?.n ??
      0
    );
  }

  /** The next patients with the envelopes their blind index is built from. */
  patientsForIndex(afterRowid: number, limit: number) {
    return this.db.all<{ _rid: number; id: string } & Record<string, Buffer>>(
      sql`SELECT rowid AS _rid, id, given_names, family_name, birth, phones, national_id FROM patients WHERE rowid > ${afterRowid} ORDER BY rowid LIMIT ${limit}`,
    );
  }

  /**
   * Runs `reindex` (which replaces the row's tokens with ones under the new key), moves
   * those under a 'rekey:' kind no search asks for, and puts the row's current tokens back.
   */
  rekeyTokens(rowId: string, reindex: () => void): void {
    const current = this.db
      .select()
      .from(blindIndex)
      .where(and(eq(blindIndex.rowId, rowId), notLike(blindIndex.kind, `${REKEY}%`)))
      .all();
    reindex();
    this.db.run(
      sql`UPDATE blind_index SET kind = ${REKEY} || kind WHERE row_id = ${rowId} AND kind NOT LIKE ${`${REKEY}%`}`,
    );
    for (const t of current) this.db.insert(blindIndex).values(t).onConflictDoNothing().run();
  }

  /** Tokens an abandoned rebuild left under the 'rekey:' kind (a newer version arrived). */
  dropRekeyTokens(): void {
    this.db.run(sql`DELETE FROM blind_index WHERE kind LIKE ${`${REKEY}%`}`);
  }

  patientsWithoutRekeyTokens(): string[] {
    return this.db
      .all<{ id: string }>(
        sql`SELECT id FROM patients p WHERE NOT EXISTS (SELECT 1 FROM blind_index b WHERE b.row_id = p.id AND b.kind LIKE ${`${REKEY}%`})`,
      )
      .map((r) => r.id);
  }

  /** The new tokens replace the old ones (inside the caller's transaction). */
  switchToRekeyTokens(): void {
    this.db.run(sql`DELETE FROM blind_index WHERE kind NOT LIKE ${`${REKEY}%`}`);
    this.db.run(
      sql`UPDATE blind_index SET kind = substr(kind, ${REKEY.length + 1}) WHERE kind LIKE ${`${REKEY}%`}`,
    );
  }
}
