import { randomUUID } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import { and, desc, eq, inArray, ne, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import type { PatientInput } from '../../src-shared/patient.js';
import { BLIND_INDEX_BYTES, blindIndexer, type TokenKind } from '../crypto/blind-index.js';
import { DecryptionError } from '../crypto/envelope.js';
import type { ChangeCapture, FieldChange } from './change-capture.js';
import { type Db, type Sqlite, sqliteOf } from './db.js';
import type { FieldCodec } from './fields.js';
import type { MetaRepo } from './meta-repo.js';
import { memoized, PATIENT_TOKEN_KINDS, type TokenHelper, tokensOf } from './patient-tokens.js';
import { blindIndex, patientHistory, patientPhotos, patients, visits } from './schema.js';

/** Input keys and the envelope columns that hold them, in one place for write and read. */
export const PATIENT_FIELDS = [
  ['givenNames', 'given_names'],
  ['familyName', 'family_name'],
  ['sex', 'sex'],
  ['birth', 'birth'],
  ['phones', 'phones'],
  ['address', 'address'],
  ['nationalId', 'national_id'],
  ['otherId', 'other_id'],
  ['bloodGroup', 'blood_group'],
  ['heightCm', 'height_cm'],
  ['weightKg', 'weight_kg'],
  ['preferredLanguage', 'preferred_language'],
  ['emergencyContacts', 'emergency_contacts'],
  ['bystander', 'bystander'],
  ['insurance', 'insurance'],
  ['allergies', 'allergies'],
  ['chronicConditions', 'chronic_conditions'],
  ['medicoLegal', 'medico_legal'],
  ['notes', 'notes'],
] as const;
const FIELDS = PATIENT_FIELDS;

export type FieldKey = (typeof FIELDS)[number][0];
export const FIELD_KEYS: readonly FieldKey[] = FIELDS.map(([key]) => key);
type StoredBirth = { kind: 'exact' | 'approximate'; date: string };

export type RegistrablePatient = Omit<PatientInput, 'birth'> & { birth: StoredBirth };

export interface StoredPatient extends Omit<PatientInput, 'birth'> {
  id: string;
  patientNumber: string;
  birth: StoredBirth;
  createdAt: number;
  updatedAt: number;
}

export type PatientBrief = Pick<
  StoredPatient,
  'id' | 'patientNumber' | 'givenNames' | 'familyName' | 'sex' | 'birth' | 'nationalId'
>;

export interface HistoryRow {
  field: FieldKey;
  kind: 'registered' | 'corrected';
  changedBy: string | null;
  changedAt: number;
  value: unknown;
}

export interface StoredPhoto {
  mime: 'image/jpeg' | 'image/png';
  base64: string;
}

export { MAX_PREFIX, MIN_PREFIX, namePrefixes } from './patient-tokens.js';

/** Patients per batch handed to the index build's helper thread. */
const HELPED_BATCH = 2_500;

/** The stored columns indexing reads. */
interface IndexedRow {
  patientNumber: string;
  givenNames: Buffer;
  familyName: Buffer;
  birth: Buffer;
  phones: Buffer;
  nationalId: Buffer;
}

export class PatientsRepo {
  constructor(
    private readonly db: Db,
    private readonly codec: FieldCodec,
    private readonly capture: ChangeCapture,
    private readonly meta: MetaRepo,
    private readonly blindKey: Uint8Array,
    private readonly numberPrefix: string,
    private readonly now: () => number,
  ) {}

  private indexer: ((kind: TokenKind, token: string) => Uint8Array) | null = null;

  token(kind: TokenKind, value: string): Buffer {
    this.indexer ??= blindIndexer(this.blindKey);
    return Buffer.from(this.indexer(kind, value));
  }

  register(p: RegistrablePatient, createdBy: string | null): { id: string; patientNumber: string } {
    const id = randomUUID();
    const at = this.now();
    const sealed = Object.fromEntries(
      FIELDS.map(([key, column]) => [key, this.codec.sealJson('patients', column, id, p[key as FieldKey])]),
    ) as Record<FieldKey, Buffer>;
    return this.db.transaction(() => {
      const counter = Number(this.meta.get('patient_counter') ?? '0') + 1;
      this.meta.set('patient_counter', String(counter));
      const patientNumber = `${this.numberPrefix}-${String(counter).padStart(5, '0')}`;
      this.db
        .insert(patients)
        .values({ id, patientNumber, ...sealed, createdBy, createdAt: at, updatedAt: at })
        .run();
      const changes: FieldChange<'patients'>[] = [
        { column: 'patient_number', plain: patientNumber },
        ...FIELDS.map(([key, column]) => ({ column, envelope: sealed[key] })),
        { column: 'created_by', plain: createdBy },
        { column: 'created_at', plain: at },
      ];
      this.capture.record('patients', id, changes);
      this.index(id, patientNumber, p);
      this.remember(
        id,
        FIELDS.map(([key]) => [key, p[key]]),
        'registered',
        createdBy,
        at,
      );
      return { id, patientNumber };
    });
  }

  /**
   * Writes the fields whose values differ from the stored record, each with its clock,
   * outbox entry and history row, and rebuilds the row's blind index: all in one
   * transaction. Returns the names of the changed fields (empty: nothing was written).
   */
  correct(current: StoredPatient, next: RegistrablePatient, by: string | null): FieldKey[] {
    const changed = FIELDS.filter(([key]) => JSON.stringify(current[key]) !== JSON.stringify(next[key]));
    if (changed.length === 0) return [];
    const at = this.now();
    const id = current.id;
    const sealed = changed.map(([key, column]) => ({
      key,
      column,
      envelope: this.codec.sealJson('patients', column, id, next[key as FieldKey]),
    }));
    this.db.transaction(() => {
      const set = Object.fromEntries(sealed.map((f) => [f.key, f.envelope]));
      this.db
        .update(patients)
        .set({ ...set, updatedAt: at })
        .where(eq(patients.id, id))
        .run();
      this.capture.record(
        'patients',
        id,
        sealed.map((f) => ({ column: f.column, envelope: f.envelope })),
      );
      this.remember(
        id,
        sealed.map((f) => [f.key, next[f.key as FieldKey]]),
        'corrected',
        by,
        at,
      );
      this.db.delete(blindIndex).where(eq(blindIndex.rowId, id)).run();
      this.index(id, current.patientNumber, next);
    });
    return changed.map(([key]) => key);
  }

  private remember(
    patientId: string,
    values: [FieldKey, unknown][],
    kind: 'registered' | 'corrected',
    by: string | null,
    at: number,
  ): void {
    const rows = values.map(([field, value]) => {
      const id = randomUUID();
      return {
        id,
        patientId,
        field,
        kind,
        changedBy: by,
        changedAt: at,
        value: this.codec.sealJson('patient_history', field, id, value),
      };
    });
    this.db.insert(patientHistory).values(rows).run();
  }

  /** Every recorded value of every field, newest first. */
  history(patientId: string): HistoryRow[] {
    const rows = this.db
      .select()
      .from(patientHistory)
      .where(eq(patientHistory.patientId, patientId))
      .orderBy(desc(patientHistory.changedAt))
      .all();
    return rows.map((r) => ({
      field: r.field as FieldKey,
      kind: r.kind,
      changedBy: r.changedBy,
      changedAt: r.changedAt,
      value: this.codec.openJson('patient_history', r.field, r.id, r.value),
    }));
  }

  setPhoto(patientId: string, photo: StoredPhoto | null): void {
    const at = this.now();
    const envelope = this.codec.sealJson('patient_photos', 'image', patientId, photo);
    this.db.transaction(() => {
      this.db
        .insert(patientPhotos)
        .values({ id: patientId, image: envelope, updatedAt: at })
        .onConflictDoUpdate({ target: patientPhotos.id, set: { image: envelope, updatedAt: at } })
        .run();
      this.capture.record('patient_photos', patientId, [{ column: 'image', envelope }]);
    });
  }

  photo(patientId: string): StoredPhoto | null {
    const row = this.db.select().from(patientPhotos).where(eq(patientPhotos.id, patientId)).get();
    return row
      ? this.codec.openJson<StoredPhoto | null>('patient_photos', 'image', patientId, row.image)
      : null;
  }

  /** The latest day each patient had a visit that was not cancelled. */
  lastVisits(ids: string[]): Map<string, string> {
    const out = new Map<string, string>();
    if (ids.length === 0) return out;
    const rows = this.db
      .select({ patientId: visits.patientId, day: visits.day })
      .from(visits)
      .where(and(inArray(visits.patientId, ids), ne(visits.status, 'cancelled')))
      .all();
    for (const r of rows) if ((out.get(r.patientId) ?? '') < r.day) out.set(r.patientId, r.day);
    return out;
  }

  private index(id: string, patientNumber: string, p: RegistrablePatient): void {
    const insert = this.insertToken();
    for (const [kind, value] of tokensOf(patientNumber, p)) insert.run(kind, this.token(kind, value), id);
  }

  private insertTokenStatement: Statement | null = null;

  /** better-sqlite3's own statement: sync indexes patients by the thousand, about twenty
   *  tokens each, and drizzle's placeholder filling cost more than the insert. (One
   *  statement per token, not one multi-row INSERT: SQLite ran those slower here.) */
  private insertToken(): Statement {
    if (!this.insertTokenStatement) {
      this.insertTokenStatement = this.client().prepare(
        'INSERT INTO blind_index (kind, token, row_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
      );
    }
    return this.insertTokenStatement;
  }

  private prepared: ReturnType<PatientsRepo['prepare']> | null = null;

  private statements() {
    this.prepared ??= this.prepare();
    return this.prepared;
  }

  /** Statements reindexing runs for every received patient, built once (building a drizzle
   *  query costs more than running it). */
  private prepare() {
    const p = sql.placeholder;
    return {
      deleteTokens: this.db
        .delete(blindIndex)
        .where(eq(blindIndex.rowId, p('id')))
        .prepare(),
      indexedFields: this.db
        .select({
          patientNumber: patients.patientNumber,
          givenNames: patients.givenNames,
          familyName: patients.familyName,
          birth: patients.birth,
          phones: patients.phones,
          nationalId: patients.nationalId,
        })
        .from(patients)
        .where(eq(patients.id, p('id')))
        .prepare(),
    };
  }

  /**
   * Rebuilds one patient's blind index from the stored record: sync writes rows this
   * workstation did not register, and the index never travels (DESIGN.md §4). `opened`
   * holds values the caller has already decrypted from these very envelopes (by column,
   * as JSON text), so they are not opened twice.
   */
  reindex(id: string, opened?: ReadonlyMap<string, string>): void {
    const s = this.statements();
    const r = s.indexedFields.get({ id });
    s.deleteTokens.run({ id });
    if (!r) return;
    this.index(id, r.patientNumber, this.openIndexed(id, r, opened));
  }

  /** The five indexed fields of a stored row, opened (or taken from `opened`, by column as
   *  JSON text): only these are opened, since sync reindexes every patient it receives. */
  private openIndexed(id: string, r: IndexedRow, opened?: ReadonlyMap<string, string>): RegistrablePatient {
    const open = <T>(column: string, value: Buffer): T => {
      const known = opened?.get(column);
      return (
        known !== undefined ? JSON.parse(known) : this.codec.openJson<T>('patients', column, id, value)
      ) as T;
    };
    return {
      givenNames: open<string>('given_names', r.givenNames),
      familyName: open<string>('family_name', r.familyName),
      birth: open<StoredBirth>('birth', r.birth),
      phones: open<RegistrablePatient['phones']>('phones', r.phones),
      nationalId: open<string>('national_id', r.nationalId),
    } as RegistrablePatient;
  }

  /**
   * Builds every patient's blind-index tokens afresh (call inside a transaction). A joining
   * workstation receives the whole clinic and indexes it once, here, at the end of the join
   * (sync/apply.ts, deferIndex) instead of row by row: each patient brings about twenty
   * tokens keyed by random HMACs, and inserting them as pages arrived dirtied pages all over
   * two large B-trees for every page committed; at 100,000 patients that was most of the
   * join. Here the tokens of up to `chunk` patients at a time are gathered in a temporary
   * table (kept in memory: temp_store, db.ts) and inserted in key order, with the row-id
   * index dropped meanwhile and created again at the end. A row whose fields do not open is
   * left out of the index, as reindex() leaves it; the security event is already recorded.
   * `helper`: a second thread that opens fields and keys tokens meanwhile (sync's check thread).
   */
  rebuildIndex(chunk = 50_000, helper?: TokenHelper): number {
    const client = this.client();
    const rowIndex = client
      .prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'blind_index_row'")
      .get() as { sql: string } | undefined;
    client
      .prepare(`DELETE FROM blind_index WHERE kind IN (${PATIENT_TOKEN_KINDS.map(() => '?').join(', ')})`)
      .run(...PATIENT_TOKEN_KINDS);
    if (rowIndex) client.exec('DROP INDEX blind_index_row');
    client.exec(
      'CREATE TEMP TABLE IF NOT EXISTS blind_index_build (kind TEXT NOT NULL, token BLOB NOT NULL, row_id TEXT NOT NULL)',
    );
    const add = client.prepare('INSERT INTO temp.blind_index_build (kind, token, row_id) VALUES (?, ?, ?)');
    const next = client.prepare(
      `SELECT rowid AS rid, id, patient_number AS patientNumber, given_names AS givenNames,
         family_name AS familyName, birth, phones, national_id AS nationalId
       FROM patients WHERE rowid > ? ORDER BY rowid LIMIT ?`,
    );
    const keyed = memoized((kind, value) => this.token(kind, value));
    type Row = IndexedRow & { rid: number; id: string };
    const here = (r: Row): boolean => {
      let p: RegistrablePatient;
      try {
        p = this.openIndexed(r.id, r);
      } catch (e) {
        if (e instanceof DecryptionError) return false;
        throw e;
      }
      for (const [kind, value] of tokensOf(r.patientNumber, p)) add.run(kind, keyed(kind, value), r.id);
      return true;
    };
    // With a helper thread, batches of patients go to it while this thread writes the tokens
    // of earlier ones; the next chunk is read and posted before this one is sorted in, so the
    // helper keeps working during the sort. Whatever it does not answer is done here.
    let helping = helper?.start(this.blindKey.slice()) ?? false;
    const postChunk = (rows: Row[]): { rows: Row[]; batch: number | null }[] => {
      const out: { rows: Row[]; batch: number | null }[] = [];
      for (let i = 0; i < rows.length; i += HELPED_BATCH) {
        const part = rows.slice(i, i + HELPED_BATCH);
        const batch = helping ? helper!.post(part) : null;
        if (batch === null) helping = false;
        out.push({ rows: part, batch });
      }
      return out;
    };
    let indexed = 0;
    try {
      let rows = next.all(0, chunk) as Row[];
      let posted = postChunk(rows);
      while (rows.length > 0) {
        const following = next.all(rows[rows.length - 1]!.rid, chunk) as Row[];
        const postedNext = postChunk(following);
        for (const part of posted) {
          const result = part.batch !== null && helping ? helper!.take(part.batch) : null;
          if (!result) {
            if (part.batch !== null) helping = false;
            for (const r of part.rows) if (here(r)) indexed++;
            continue;
          }
          for (let k = 0; k < result.rowOf.length; k++) {
            const token = Buffer.from(
              result.tokens.buffer,
              result.tokens.byteOffset + k * BLIND_INDEX_BYTES,
              BLIND_INDEX_BYTES,
            );
            add.run(PATIENT_TOKEN_KINDS[result.kinds[k]!]!, token, part.rows[result.rowOf[k]!]!.id);
          }
          indexed += part.rows.length - result.failed.length;
          // Rows the helper could not open are opened here, which records the security event.
          for (const i of result.failed) if (here(part.rows[i]!)) indexed++;
        }
        // WHERE true: SQLite's parser needs it before ON CONFLICT in an INSERT ... SELECT.
        client.exec(
          `INSERT INTO blind_index (kind, token, row_id)
             SELECT kind, token, row_id FROM temp.blind_index_build WHERE true ORDER BY kind, token, row_id
           ON CONFLICT DO NOTHING`,
        );
        client.exec('DELETE FROM temp.blind_index_build');
        rows = following;
        posted = postedNext;
      }
    } finally {
      // The helper forgets the blind-index key also when the build fails.
      helper?.end();
    }
    client.exec('DROP TABLE temp.blind_index_build');
    if (rowIndex) client.exec(rowIndex.sql);
    return indexed;
  }

  private client(): Sqlite {
    return sqliteOf(this.db, 'PatientsRepo');
  }

  /** Rows carrying every one of the given tokens of a kind (AND across tokens), at most
   *  `limit`: the database does the intersection and stops early. */
  idsWithAll(kind: TokenKind, values: string[], limit: number): string[] {
    const tokens = [...new Set(values)].map((v) => this.token(kind, v));
    if (tokens.length === 0) return [];
    if (tokens.length === 1) {
      return this.db
        .select({ rowId: blindIndex.rowId })
        .from(blindIndex)
        .where(and(eq(blindIndex.kind, kind), eq(blindIndex.token, tokens[0] as Buffer)))
        .limit(limit)
        .all()
        .map((r) => r.rowId);
    }
    return this.db
      .select({ rowId: blindIndex.rowId })
      .from(blindIndex)
      .where(and(eq(blindIndex.kind, kind), inArray(blindIndex.token, tokens)))
      .groupBy(blindIndex.rowId)
      .having(sql`count(*) = ${tokens.length}`)
      .limit(limit)
      .all()
      .map((r) => r.rowId);
  }

  /** Rows with token `a` of one kind and any of `b` of another (name prefix and birth
   *  years, for the duplicate check), joined in SQL and capped. */
  idsWithBoth(a: [TokenKind, string], b: [TokenKind, string[]], limit: number): string[] {
    if (b[1].length === 0) return [];
    const other = alias(blindIndex, 'other');
    return this.db
      .select({ rowId: blindIndex.rowId })
      .from(blindIndex)
      .innerJoin(other, eq(other.rowId, blindIndex.rowId))
      .where(
        and(
          eq(blindIndex.kind, a[0]),
          eq(blindIndex.token, this.token(a[0], a[1])),
          eq(other.kind, b[0]),
          inArray(
            other.token,
            b[1].map((v) => this.token(b[0], v)),
          ),
        ),
      )
      .limit(limit)
      .all()
      .map((r) => r.rowId);
  }

  idsWithAny(kind: TokenKind, values: string[]): string[] {
    if (values.length === 0) return [];
    const rows = this.db
      .select({ rowId: blindIndex.rowId })
      .from(blindIndex)
      .where(
        and(
          eq(blindIndex.kind, kind),
          inArray(
            blindIndex.token,
            values.map((v) => this.token(kind, v)),
          ),
        ),
      )
      .all();
    return [...new Set(rows.map((r) => r.rowId))];
  }

  byIds(ids: string[]): StoredPatient[] {
    if (ids.length === 0) return [];
    const rows = this.db.select().from(patients).where(inArray(patients.id, ids)).all();
    return rows.map((row) => this.decode(row));
  }

  /** Just what a search result shows: five fields decrypted instead of nineteen. */
  summariesByIds(ids: string[]): PatientBrief[] {
    if (ids.length === 0) return [];
    const rows = this.db
      .select({
        id: patients.id,
        patientNumber: patients.patientNumber,
        givenNames: patients.givenNames,
        familyName: patients.familyName,
        sex: patients.sex,
        birth: patients.birth,
        nationalId: patients.nationalId,
      })
      .from(patients)
      .where(inArray(patients.id, ids))
      .all();
    const open = <T>(row: { id: string }, column: string, value: Buffer) =>
      this.codec.openJson<T>('patients', column, row.id, value);
    return rows.map((r) => ({
      id: r.id,
      patientNumber: r.patientNumber,
      givenNames: open<string>(r, 'given_names', r.givenNames),
      familyName: open<string>(r, 'family_name', r.familyName),
      sex: open<StoredPatient['sex']>(r, 'sex', r.sex),
      birth: open<StoredBirth>(r, 'birth', r.birth),
      nationalId: open<string>(r, 'national_id', r.nationalId),
    }));
  }

  byId(id: string): StoredPatient | null {
    return this.byIds([id])[0] ?? null;
  }

  private decode(row: typeof patients.$inferSelect): StoredPatient {
    const values = Object.fromEntries(
      FIELDS.map(([key, column]) => [
        key,
        this.codec.openJson('patients', column, row.id, row[key] as Buffer),
      ]),
    );
    return {
      id: row.id,
      patientNumber: row.patientNumber,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
      ...values,
    } as StoredPatient;
  }
}
