import { BLIND_INDEX_BYTES, type TokenKind } from '../crypto/blind-index.js';
import { associatedData, decodeText, openBytes } from '../crypto/envelope.js';
import {
  INDEXED_COLUMNS,
  type IndexedFields,
  type IndexRow,
  PATIENT_TOKEN_KINDS,
  type TokenBatch,
  tokensOf,
} from '../store/patient-tokens.js';

/** Index rows as they travel to the helper thread: the envelopes back to back in one buffer. */
export interface PackedRows {
  ids: string[];
  numbers: string[];
  /** Row i's column j (INDEXED_COLUMNS order) is bytes[offsets[5i + j], offsets[5i + j + 1]). */
  offsets: Int32Array;
  bytes: Uint8Array;
}

const COLUMNS = INDEXED_COLUMNS.length;

export function packRows(rows: IndexRow[]): PackedRows {
  const offsets = new Int32Array(rows.length * COLUMNS + 1);
  let total = 0;
  rows.forEach((r, i) => {
    INDEXED_COLUMNS.forEach(([key], j) => {
      offsets[i * COLUMNS + j] = total;
      total += r[key].length;
    });
  });
  offsets[rows.length * COLUMNS] = total;
  const bytes = new Uint8Array(total);
  rows.forEach((r, i) => {
    INDEXED_COLUMNS.forEach(([key], j) => {
      bytes.set(r[key], offsets[i * COLUMNS + j]!);
    });
  });
  return { ids: rows.map((r) => r.id), numbers: rows.map((r) => r.patientNumber), offsets, bytes };
}

/**
 * The keyed tokens of packed rows (the helper thread's half of PatientsRepo.rebuildIndex):
 * each indexed envelope opened for its place, the tokens made by the same tokensOf, keyed by
 * `keyed`. A row that fails anywhere is listed in `failed` and left to the caller, which
 * opens it again itself and so records the failure as a security event.
 */
export function tokenBatch(
  rows: PackedRows,
  keyFor: (version: number) => Uint8Array | undefined,
  keyed: (kind: TokenKind, value: string) => Uint8Array,
): TokenBatch {
  const kinds: number[] = [];
  const rowOf: number[] = [];
  const failed: number[] = [];
  const parts: Uint8Array[] = [];
  for (let i = 0; i < rows.ids.length; i++) {
    const rowId = rows.ids[i]!;
    let tokens: [TokenKind, string][];
    try {
      const fields: Record<string, unknown> = {};
      INDEXED_COLUMNS.forEach(([key, column], j) => {
        const envelope = rows.bytes.subarray(
          rows.offsets[i * COLUMNS + j]!,
          rows.offsets[i * COLUMNS + j + 1]!,
        );
        const place = { table: 'patients', column, rowId };
        fields[key] = JSON.parse(
          decodeText(openBytes(keyFor, envelope, associatedData(place), place), place),
        );
      });
      tokens = tokensOf(rows.numbers[i]!, fields as unknown as IndexedFields);
    } catch {
      failed.push(i);
      continue;
    }
    for (const [kind, value] of tokens) {
      kinds.push(PATIENT_TOKEN_KINDS.indexOf(kind));
      rowOf.push(i);
      parts.push(keyed(kind, value));
    }
  }
  const tokens = new Uint8Array(parts.length * BLIND_INDEX_BYTES);
  for (let k = 0; k < parts.length; k++) tokens.set(parts[k]!, k * BLIND_INDEX_BYTES);
  return {
    kinds: Uint8Array.from(kinds),
    tokens,
    rowOf: Int32Array.from(rowOf),
    failed: Int32Array.from(failed),
  };
}
