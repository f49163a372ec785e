import { createHash } from 'node:crypto';
import { desc, eq } from 'drizzle-orm';
import { canonicalJson } from '../../src-shared/clinical/prescribing.js';
import type { ChangeCapture } from '../store/change-capture.js';
import { type Db, sqliteOf } from '../store/db.js';
import { ledgerEntries } from '../store/schema.js';

/**
 * The billing ledger (issue 7): every issued invoice, payment, refund and void is one
 * insert-only entry in its workstation's SHA-256 hash chain. Each entry's hash covers the
 * previous entry's hash, the workstation id, its sequence number, kind, reference id, the
 * canonical content and its time, so editing, deleting or reordering rows breaks the chain
 * at the first entry touched. Chains travel through sync as ordinary insert-only rows.
 */

export const LEDGER_KINDS = ['invoice-issued', 'payment', 'refund', 'void'] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];

/** The previous hash of a chain's first entry. */
export const GENESIS_HASH = '0'.repeat(64);

export interface LedgerEntry {
  id: string;
  workstationId: string;
  seq: number;
  kind: LedgerKind;
  refId: string;
  /** Canonical JSON of the business content (amounts in integer paise, ids, never names). */
  content: string;
  prevHash: string;
  hash: string;
  createdAt: number;
}

/**
 * The entry's business content as canonical JSON: keys sorted, strings NFC, integers only
 * (amounts are paise; a fraction is refused rather than rounded), and a plain object at the
 * top so every entry's content has the same shape.
 */
export function canonicalLedgerContent(obj: Record<string, unknown>): string {
  if (typeof obj !== 'object' || obj === null || Object.getPrototypeOf(obj) !== Object.prototype)
    throw new TypeError('Ledger content must be a plain object');
  return canonicalJson(obj);
}

export interface HashInput {
  prevHash: string;
  workstationId: string;
  seq: number;
  kind: string;
  refId: string;
  content: string;
  createdAt: number;
}

const str = (s: string) => JSON.stringify(s.normalize('NFC'));
const int = (n: number) => {
  if (!Number.isSafeInteger(n)) throw new TypeError(`Canonical JSON allows integers only, not ${n}`);
  return String(n === 0 ? 0 : n);
};

/**
 * The bytes an entry's hash covers: canonical JSON (canonicalJson's output, keys in its
 * sorted order) of exactly these fields, written out directly because verification runs it
 * once per entry. Canonical JSON quotes and escapes every string, so no choice of ids or
 * content can make two different entries serialise to the same bytes.
 */
export function hashedText(e: HashInput): string {
  return `{"content":${str(e.content)},"createdAt":${int(e.createdAt)},"kind":${str(e.kind)},"prevHash":${str(e.prevHash)},"refId":${str(e.refId)},"seq":${int(e.seq)},"workstationId":${str(e.workstationId)}}`;
}

/** Lower-case hex SHA-256 of hashedText's UTF-8 bytes. */
export function entryHash(e: HashInput): string {
  return createHash('sha256').update(hashedText(e), 'utf8').digest('hex');
}

export class Ledger {
  constructor(
    private readonly db: Db,
    private readonly capture: ChangeCapture,
    private readonly nodeId: string,
    private readonly now: () => number,
  ) {
    if (nodeId.length === 0 || nodeId.includes('|') || nodeId.includes(':'))
      throw new Error('A ledger needs a node id without "|" or ":"');
  }

  /** Appends one entry to this workstation's chain, with its change capture, in one transaction. */
  append(kind: LedgerKind, refId: string, content: Record<string, unknown>): LedgerEntry {
    if (!LEDGER_KINDS.includes(kind)) throw new TypeError(`Unknown ledger kind ${String(kind)}`);
    if (typeof refId !== 'string' || refId.length === 0)
      throw new TypeError('A ledger entry needs a reference id');
    const canonical = canonicalLedgerContent(content);
    return this.db.transaction((tx) => {
      const last = tx
        .select({ seq: ledgerEntries.seq, hash: ledgerEntries.hash })
        .from(ledgerEntries)
        .where(eq(ledgerEntries.workstationId, this.nodeId))
        .orderBy(desc(ledgerEntries.seq))
        .limit(1)
        .get();
      const seq = (last?.seq ?? 0) + 1;
      const prevHash = last?.hash ?? GENESIS_HASH;
      const createdAt = this.now();
      const workstationId = this.nodeId;
      const hash = entryHash({ prevHash, workstationId, seq, kind, refId, content: canonical, createdAt });
      const entry: LedgerEntry = {
        id: `${workstationId}:${seq}`,
        workstationId,
        seq,
        kind,
        refId,
        content: canonical,
        prevHash,
        hash,
        createdAt,
      };
      tx.insert(ledgerEntries)
        .values({ ...entry, updatedAt: createdAt })
        .run();
      this.capture.record('ledger_entries', entry.id, [
        { column: 'workstation_id', plain: workstationId },
        { column: 'seq', plain: seq },
        { column: 'kind', plain: kind },
        { column: 'ref_id', plain: refId },
        { column: 'content', plain: canonical },
        { column: 'prev_hash', plain: prevHash },
        { column: 'hash', plain: hash },
        { column: 'created_at', plain: createdAt },
      ]);
      return entry;
    });
  }

  /** The newest entry of this workstation's chain, or null before the first. */
  head(): { seq: number; hash: string } | null {
    return (
      this.db
        .select({ seq: ledgerEntries.seq, hash: ledgerEntries.hash })
        .from(ledgerEntries)
        .where(eq(ledgerEntries.workstationId, this.nodeId))
        .orderBy(desc(ledgerEntries.seq))
        .limit(1)
        .get() ?? null
    );
  }
}

export type LedgerFault = 'hash-mismatch' | 'broken-link' | 'gap' | 'duplicate-seq' | 'bad-content';

export interface ChainSummary {
  workstationId: string;
  /** Entries checked and found good. */
  entries: number;
}

export type LedgerVerification =
  | { ok: true; chains: ChainSummary[] }
  | { ok: false; workstationId: string; seq: number; reason: LedgerFault; chains: ChainSummary[] };

interface RawRow {
  workstation_id: unknown;
  seq: unknown;
  kind: unknown;
  ref_id: unknown;
  content: unknown;
  prev_hash: unknown;
  hash: unknown;
  created_at: unknown;
}

const HEX64 = /^[0-9a-f]{64}$/;

/** Whether the content column holds what canonicalLedgerContent would have written. */
function contentIsCanonical(content: string): boolean {
  try {
    const parsed: unknown = JSON.parse(content);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return false;
    return canonicalJson(parsed) === content;
  } catch {
    return false;
  }
}

/**
 * Checks every workstation's chain in (workstation, seq) order, one row at a time from a
 * streaming cursor (constant memory), and names the first bad entry. Per entry, in order:
 * a repeated seq is 'duplicate-seq'; a seq other than the previous one plus one (or 1 to
 * start) is 'gap' (a deleted row); wrong types, an unknown kind or content that is not
 * canonical JSON is 'bad-content'; a previous hash other than the previous entry's hash
 * (or the genesis hash) is 'broken-link' (a reordered row, or a rewritten hash before it);
 * a stored hash other than the recomputed one is 'hash-mismatch' (an edited field).
 * Removing a chain's newest entries leaves no trace in the chain itself; the synced copies
 * on other workstations are what would show that.
 */
export function verifyLedger(db: Db): LedgerVerification {
  // drizzle has no streaming cursor; the better-sqlite3 connection underneath has one.
  const client = sqliteOf(db, 'verifyLedger');
  const rows = client
    .prepare(
      'SELECT workstation_id, seq, kind, ref_id, content, prev_hash, hash, created_at FROM ledger_entries ORDER BY workstation_id, seq',
    )
    .iterate() as IterableIterator<RawRow>;
  const chains: ChainSummary[] = [];
  let current: ChainSummary | null = null;
  let lastSeq = 0;
  let lastHash = GENESIS_HASH;
  const fail = (workstationId: string, seq: number, reason: LedgerFault): LedgerVerification => {
    // Leaving the loop early closes the cursor (the iterator's return()).
    return { ok: false, workstationId, seq, reason, chains };
  };
  for (const r of rows) {
    const workstationId = String(r.workstation_id);
    if (current === null || current.workstationId !== workstationId) {
      current = { workstationId, entries: 0 };
      chains.push(current);
      lastSeq = 0;
      lastHash = GENESIS_HASH;
    }
    const seq = typeof r.seq === 'number' && Number.isSafeInteger(r.seq) ? r.seq : Number.NaN;
    if (seq === lastSeq) return fail(workstationId, seq, 'duplicate-seq');
    if (seq !== lastSeq + 1) return fail(workstationId, Number.isNaN(seq) ? lastSeq + 1 : seq, 'gap');
    if (
      typeof r.workstation_id !== 'string' ||
      typeof r.kind !== 'string' ||
      !(LEDGER_KINDS as readonly string[]).includes(r.kind) ||
      typeof r.ref_id !== 'string' ||
      typeof r.content !== 'string' ||
      typeof r.prev_hash !== 'string' ||
      typeof r.hash !== 'string' ||
      typeof r.created_at !== 'number' ||
      !Number.isSafeInteger(r.created_at) ||
      !contentIsCanonical(r.content)
    )
      return fail(workstationId, seq, 'bad-content');
    if (r.prev_hash !== lastHash) return fail(workstationId, seq, 'broken-link');
    const expected = entryHash({
      prevHash: r.prev_hash,
      workstationId,
      seq,
      kind: r.kind,
      refId: r.ref_id,
      content: r.content,
      createdAt: r.created_at,
    });
    if (!HEX64.test(r.hash) || r.hash !== expected) return fail(workstationId, seq, 'hash-mismatch');
    current.entries++;
    lastSeq = seq;
    lastHash = r.hash;
  }
  return { ok: true, chains };
}
