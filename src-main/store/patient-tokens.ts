import { normalizeAadhaar } from '../../src-shared/aadhaar.js';
import { nameTokens, phoneToken, type TokenKind } from '../crypto/blind-index.js';

/**
 * Which blind-index tokens a patient has, before keying (DESIGN.md §4). Kept apart from the
 * repository so the sync helper thread can compute them for a joining workstation's index
 * build without a database (sync/check-worker.ts).
 */

/** Name prefixes are indexed from 2 to 12 characters: enough to search as you type. */
export const MIN_PREFIX = 2;
export const MAX_PREFIX = 12;

export function namePrefixes(names: string): string[] {
  const out = new Set<string>();
  for (const token of nameTokens(names)) {
    const chars = [...token];
    for (let n = MIN_PREFIX; n <= Math.min(chars.length, MAX_PREFIX); n++)
      out.add(chars.slice(0, n).join(''));
  }
  return [...out];
}

/** The token kinds a patient's index holds (tokensOf); others (staff) are not touched. */
export const PATIENT_TOKEN_KINDS: readonly TokenKind[] = [
  'name-prefix',
  'patient-number',
  'birth-year',
  'phone',
  'national-id',
];

/** The fields a patient's tokens come from, as opened. */
export interface IndexedFields {
  givenNames: string;
  familyName: string;
  birth: { date: string };
  phones: { number: string }[];
  nationalId: string;
}

/** The envelope columns holding IndexedFields, in the order they are opened. */
export const INDEXED_COLUMNS = [
  ['givenNames', 'given_names'],
  ['familyName', 'family_name'],
  ['birth', 'birth'],
  ['phones', 'phones'],
  ['nationalId', 'national_id'],
] as const;

/** A patient's blind-index tokens, before keying: kind and normalised value. */
export function tokensOf(patientNumber: string, p: IndexedFields): [TokenKind, string][] {
  const tokens: [TokenKind, string][] = [
    ...namePrefixes(`${p.givenNames} ${p.familyName}`).map((t): [TokenKind, string] => ['name-prefix', t]),
    ['patient-number', patientNumber.toUpperCase()],
    ['birth-year', p.birth.date.slice(0, 4)],
  ];
  for (const phone of p.phones) {
    const t = phoneToken(phone.number);
    if (t) tokens.push(['phone', t]);
  }
  if (p.nationalId) tokens.push(['national-id', normalizeAadhaar(p.nationalId)]);
  return tokens;
}

/** Distinct tokens an index build keeps keyed at once (about 100 bytes each). */
const TOKEN_MEMO = 500_000;

/**
 * `key` with each distinct (kind, value) keyed once: patients share most short name prefixes,
 * birth years and the like. The memo is bounded; at the bound it starts again.
 */
export function memoized<T>(
  key: (kind: TokenKind, value: string) => T,
): (kind: TokenKind, value: string) => T {
  const memo = new Map<string, T>();
  return (kind, value) => {
    const k = `${kind}\u0000${value}`;
    let t = memo.get(k);
    if (t === undefined) {
      if (memo.size >= TOKEN_MEMO) memo.clear();
      t = key(kind, value);
      memo.set(k, t);
    }
    return t;
  };
}

/** A stored patient's indexed envelopes, as the index build reads them. */
export interface IndexRow {
  id: string;
  patientNumber: string;
  givenNames: Uint8Array;
  familyName: Uint8Array;
  birth: Uint8Array;
  phones: Uint8Array;
  nationalId: Uint8Array;
}

/**
 * Keyed tokens of a batch of rows: token k (BLIND_INDEX_BYTES bytes at k * that) is of kind
 * PATIENT_TOKEN_KINDS[kinds[k]] and belongs to row rowOf[k]; `failed` lists the rows whose
 * fields did not open or did not make tokens (the caller handles them itself).
 */
export interface TokenBatch {
  kinds: Uint8Array;
  tokens: Uint8Array;
  rowOf: Int32Array;
  failed: Int32Array;
}

/**
 * Computes the tokens of batches of patients on another thread while the index build writes
 * them (sync/check-thread.ts). Every answer may be null: the caller then does that batch itself.
 */
export interface TokenHelper {
  /** Hands over a copy of the blind-index key (wiped here once sent); false: no help. */
  start(blindKey: Uint8Array): boolean;
  /** Starts a batch; its number, or null when it could not be posted. */
  post(rows: IndexRow[]): number | null;
  /** The batch's tokens, waiting for them; null when the helper failed or stalled. */
  take(batch: number): TokenBatch | null;
  /** The helper forgets the key. */
  end(): void;
}
