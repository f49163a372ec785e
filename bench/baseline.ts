import { randomBytes, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { isValidAadhaar, normalizeAadhaar } from '../src-shared/aadhaar.js';
import { HybridClock } from '../src-shared/hlc.js';
import {
  estimatedBirthDate,
  type PatientInputDraft,
  patientInputAt,
  todayIso,
} from '../src-shared/patient.js';
import type { PatientSummary } from '../src-shared/types.js';
import { type AuditFields, chainHash, GENESIS_HASH } from '../src-main/audit/chain.js';
import { nameTokens, phoneToken, type TokenKind } from '../src-main/crypto/blind-index.js';
import { summarize } from '../src-main/patients/handlers.js';
import { MIGRATIONS } from '../src-main/store/migrations.generated.js';
import { MAX_PREFIX, MIN_PREFIX, namePrefixes, PATIENT_FIELDS, type StoredPatient } from '../src-main/store/patients-repo.js';

/**
 * The plaintext baseline: what registration and search cost in a clinic app that stores the
 * same rows without encryption. Same tables, primary keys and indexes as Kavach's schema
 * (taken from the very migrations Kavach runs, with the patient and blind-index columns
 * typed TEXT instead of BLOB), same pragmas as src-main/store/db.ts, and the same work per
 * call: the registration schema (zod), a patient row, a per-field clock and an outbox row
 * for every synced column, the search tokens, and a hash-chained audit event committed after
 * the change as Kavach's router does. What it leaves out is exactly what Kavach adds: AES-GCM
 * envelopes, HMAC tokens, drizzle's query builder and the IPC router (injection scan, role
 * and idle checks, rate limit).
 */

// The same field-to-column list Kavach's repository writes.
const FIELDS = PATIENT_FIELDS;

const SEARCH_LIMIT = 50;

/** Kavach's DDL with envelopes replaced by plaintext: BLOB columns of patients and blind_index become TEXT. */
function plaintextDdl(): string[] {
  const out: string[] = [];
  for (const m of MIGRATIONS) {
    for (const statement of m.sql.split('--> statement-breakpoint')) {
      if (!statement.trim()) continue;
      out.push(
        /CREATE TABLE `(patients|blind_index)`/.test(statement)
          ? statement.replace(/ blob /g, ' text ')
          : statement,
      );
    }
  }
  return out;
}

type Row = Record<string, string | number | null>;

export class PlaintextBaseline {
  readonly sqlite: BetterSqlite3.Database;
  private readonly hlc: HybridClock;
  private readonly statements;
  private readonly userId = randomUUID();

  constructor(
    dataDir: string,
    private readonly now: () => number,
  ) {
    const Driver = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
    this.sqlite = new Driver(join(dataDir, 'baseline.db'));
    this.sqlite.pragma('journal_mode = WAL');
    this.sqlite.pragma('synchronous = FULL');
    this.sqlite.pragma('foreign_keys = ON');
    this.sqlite.pragma('busy_timeout = 5000');
    this.sqlite.pragma('secure_delete = ON');
    this.sqlite.pragma('trusted_schema = OFF');
    this.sqlite.transaction(() => {
      for (const statement of plaintextDdl()) this.sqlite.exec(statement);
    })();
    this.hlc = new HybridClock(randomBytes(8).toString('hex'), now);
    const columns = FIELDS.map(([, c]) => c);
    const db = this.sqlite;
    this.statements = {
      metaGet: db.prepare('SELECT value FROM meta WHERE key = ?').pluck(),
      metaSet: db.prepare(
        'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      ),
      insertPatient: db.prepare(
        `INSERT INTO patients (id, patient_number, ${columns.join(', ')}, created_by, created_at, updated_at)
         VALUES (?, ?, ${columns.map(() => '?').join(', ')}, ?, ?, ?)`,
      ),
      clock: db.prepare(
        'INSERT INTO field_clocks (tbl, row_id, col, clock) VALUES (?, ?, ?, ?) ON CONFLICT (tbl, row_id, col) DO UPDATE SET clock = excluded.clock',
      ),
      outbox: db.prepare(
        'INSERT INTO outbox (change_id, tbl, row_id, col, clock, value, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      token: db.prepare(
        'INSERT INTO blind_index (kind, token, row_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
      ),
      idsFor: db.prepare('SELECT row_id FROM blind_index WHERE kind = ? AND token = ?').pluck(),
      lastAudit: db.prepare('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1'),
      insertAudit: db.prepare(
        `INSERT INTO audit_events (seq, id, at, actor_user_id, actor_role, action, subject_type, subject_id, outcome, detail, prev_hash, hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
    };
  }

  /** The same steps as the patients.register handler with decision 'register-new'. */
  register(input: PatientInputDraft): string {
    const today = todayIso(this.now());
    const checked = patientInputAt(today).safeParse(input);
    if (!checked.success) throw new Error('baseline: generated patient failed validation');
    const p = checked.data;
    const birth =
      p.birth.kind === 'exact'
        ? { kind: 'exact' as const, date: p.birth.date }
        : { kind: 'approximate' as const, date: estimatedBirthDate(p.birth.ageYears, today) };
    const patient = { ...p, birth };
    const id = randomUUID();
    const at = this.now();
    const values = FIELDS.map(([key]) => JSON.stringify(patient[key]));
    const s = this.statements;
    this.sqlite.transaction(() => {
      const counter = Number((s.metaGet.get('patient_counter') as string | undefined) ?? '0') + 1;
      s.metaSet.run('patient_counter', String(counter));
      const patientNumber = `BASE0-${String(counter).padStart(5, '0')}`;
      s.insertPatient.run(id, patientNumber, ...values, this.userId, at, at);
      const changes: [string, string][] = [
        ['patient_number', JSON.stringify(patientNumber)],
        ...FIELDS.map(([, column], i): [string, string] => [column, values[i]!]),
        ['created_by', JSON.stringify(this.userId)],
        ['created_at', JSON.stringify(at)],
      ];
      for (const [column, value] of changes) {
        const clock = this.hlc.now();
        s.clock.run('patients', id, column, clock);
        s.outbox.run(randomUUID(), 'patients', id, column, clock, value, this.now());
      }
      s.metaSet.run('hlc_last', this.hlc.now());
      const tokens: [TokenKind, string][] = [
        ...namePrefixes(`${patient.givenNames} ${patient.familyName}`).map((t): [TokenKind, string] => [
          'name-prefix',
          t,
        ]),
        ['patient-number', patientNumber],
        ['birth-year', patient.birth.date.slice(0, 4)],
      ];
      for (const phone of patient.phones) {
        const t = phoneToken(phone.number);
        if (t) tokens.push(['phone', t]);
      }
      if (patient.nationalId) tokens.push(['national-id', normalizeAadhaar(patient.nationalId)]);
      for (const [kind, value] of tokens) s.token.run(kind, value, id);
    })();
    this.audit('patients.register', 'patient', id, { decision: 'register-new', reviewedCandidates: [] });
    return id;
  }

  /** The same steps as the patients.search handler: token lookups, rows, summaries, audit. */
  search(query: string): PatientSummary[] {
    const { kind, value } = classify(query);
    const ids =
      kind === 'name'
        ? this.idsWithAll(
            'name-prefix',
            [...new Set(value.split(/\s+/).flatMap((w) => namePrefixOf(w)))],
            SEARCH_LIMIT,
          )
        : this.idsWithAny(kind, [value]).slice(0, SEARCH_LIMIT);
    const today = todayIso(this.now());
    const found = this.byIds(ids)
      .map((p) => summarize(p, today))
      .sort((a, b) => a.name.localeCompare(b.name));
    this.audit('patients.search', 'patient-search', kind, { results: ids.length });
    return found;
  }

  close(): void {
    this.sqlite.close();
  }

  private idsWithAll(kind: TokenKind, values: string[], limit: number): string[] {
    let ids: Set<string> | null = null;
    for (const value of values) {
      const found = new Set(this.statements.idsFor.all(kind, value) as string[]);
      const previous: Set<string> | null = ids;
      const next: Set<string> =
        previous === null ? found : new Set([...previous].filter((x) => found.has(x)));
      if (next.size === 0) return [];
      ids = next;
    }
    return [...(ids ?? [])].slice(0, limit);
  }

  private idsWithAny(kind: TokenKind, values: string[]): string[] {
    if (values.length === 0) return [];
    const rows = this.sqlite
      .prepare(
        `SELECT row_id FROM blind_index WHERE kind = ? AND token IN (${values.map(() => '?').join(', ')})`,
      )
      .pluck()
      .all(kind, ...values) as string[];
    return [...new Set(rows)];
  }

  private byIds(ids: string[]): StoredPatient[] {
    if (ids.length === 0) return [];
    const rows = this.sqlite
      .prepare(`SELECT * FROM patients WHERE id IN (${ids.map(() => '?').join(', ')})`)
      .all(...ids) as Row[];
    return rows.map((row) => {
      const values = Object.fromEntries(
        FIELDS.map(([key, column]) => [key, JSON.parse(row[column] as string)]),
      );
      return {
        id: row.id,
        patientNumber: row.patient_number,
        createdAt: row.created_at,
        ...values,
      } as StoredPatient;
    });
  }

  private audit(
    action: string,
    subjectType: string,
    subjectId: string,
    detail: Record<string, unknown>,
  ): void {
    const s = this.statements;
    const last = s.lastAudit.get() as { seq: number; hash: string } | undefined;
    const fields: AuditFields = {
      seq: (last?.seq ?? 0) + 1,
      id: randomUUID(),
      at: this.now(),
      actorUserId: this.userId,
      actorRole: 'receptionist',
      action,
      subjectType,
      subjectId,
      outcome: 'ok',
      detail: JSON.stringify(detail),
    };
    const prevHash = last?.hash ?? GENESIS_HASH;
    const f = fields;
    s.insertAudit.run(
      f.seq,
      f.id,
      f.at,
      f.actorUserId,
      f.actorRole,
      f.action,
      f.subjectType,
      f.subjectId,
      f.outcome,
      f.detail,
      prevHash,
      chainHash(prevHash, f),
    );
  }
}

// The handler's query classification, repeated here because the handler does not export it.
function classify(query: string): {
  kind: 'national-id' | 'phone' | 'patient-number' | 'name';
  value: string;
} {
  const compact = query.replace(/[\s-]/g, '');
  if (/^\d{12}$/.test(compact) && isValidAadhaar(compact)) return { kind: 'national-id', value: compact };
  if (/^\+?\d{10,15}$/.test(compact)) return { kind: 'phone', value: phoneToken(compact) ?? compact };
  if (/^[0-9A-HJKMNP-TV-Z]{5}-\d{5,}$/i.test(query.trim()))
    return { kind: 'patient-number', value: query.trim().toUpperCase() };
  return { kind: 'name', value: query };
}

function namePrefixOf(word: string): string[] {
  return nameTokens(word)
    .filter((t) => [...t].length >= MIN_PREFIX)
    .map((t) => [...t].slice(0, MAX_PREFIX).join(''));
}
