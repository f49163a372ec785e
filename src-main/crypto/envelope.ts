import { randomBytes } from '@noble/ciphers/utils.js';
import { keyedGcm } from './keyed-gcm.js';

/**
 * Field envelope (DESIGN.md §4):
 *   [0x01 format][u16 key version, big-endian][12-byte nonce][ciphertext][16-byte tag]
 * AES-256-GCM with a random nonce per write. The associated data binds the ciphertext to
 * its place, so a value copied to another row or column fails to open. The cipher is
 * noble's AES and GHASH with the per-key state kept (keyed-gcm.ts): same bytes as gcm().
 */
export const ENVELOPE_FORMAT = 0x01;
const HEADER = 1 + 2;
const NONCE = 12;
const TAG = 16;
export const ENVELOPE_OVERHEAD = HEADER + NONCE + TAG;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export interface FieldPlace {
  table: string;
  column: string;
  rowId: string;
}

export function associatedData(place: FieldPlace): Uint8Array {
  const { table, column, rowId } = place;
  // A '|' inside a part would let two different places share associated data.
  if (table.includes('|') || column.includes('|') || rowId.includes('|'))
    throw new Error('Field place parts may not contain "|"');
  const text = `kavach/v1|${table}|${column}|${rowId}`;
  // Places are ASCII in practice (names from the schema, ids of a fixed alphabet), and a
  // received page opens thousands of them: copying ASCII directly is the same bytes as
  // UTF-8 and several times cheaper than TextEncoder for strings this short.
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7f) return encoder.encode(text);
    out[i] = c;
  }
  return out;
}

export type DecryptFailureReason = 'malformed' | 'unknown-format' | 'unknown-key-version' | 'authentication';

/** Raised whenever an envelope cannot be opened; never replaced by garbage or ''. */
export class DecryptionError extends Error {
  override readonly name = 'DecryptionError';
  readonly code = 'DECRYPTION_FAILED';
  constructor(
    readonly reason: DecryptFailureReason,
    readonly place: FieldPlace | null,
  ) {
    super(
      place
        ? `Could not decrypt ${place.table}.${place.column} (${reason})`
        : `Could not decrypt an envelope (${reason})`,
    );
  }
}

export function sealBytes(
  key: Uint8Array,
  version: number,
  plaintext: Uint8Array,
  aad: Uint8Array,
): Uint8Array {
  if (key.length !== 32) throw new Error('Field key must be 32 bytes');
  if (!Number.isInteger(version) || version < 1 || version > 0xffff) throw new Error('Bad key version');
  const nonce = randomBytes(NONCE);
  const sealed = keyedGcm(key).seal(nonce, plaintext, aad);
  const out = new Uint8Array(HEADER + NONCE + sealed.length);
  out[0] = ENVELOPE_FORMAT;
  out[1] = (version >> 8) & 0xff;
  out[2] = version & 0xff;
  out.set(nonce, HEADER);
  out.set(sealed, HEADER + NONCE);
  return out;
}

/** The key version an envelope claims, without opening it. */
export function envelopeVersion(envelope: Uint8Array): number {
  if (envelope.length < ENVELOPE_OVERHEAD) throw new DecryptionError('malformed', null);
  if (envelope[0] !== ENVELOPE_FORMAT) throw new DecryptionError('unknown-format', null);
  return (envelope[1]! << 8) | envelope[2]!;
}

/** The key, nonce and sealed part of an envelope, or the typed error opening would give. */
function parts(
  keyForVersion: (version: number) => Uint8Array | undefined,
  envelope: Uint8Array,
  place: FieldPlace | null,
): { key: Uint8Array; nonce: Uint8Array; sealed: Uint8Array } {
  if (envelope.length < ENVELOPE_OVERHEAD) throw new DecryptionError('malformed', place);
  if (envelope[0] !== ENVELOPE_FORMAT) throw new DecryptionError('unknown-format', place);
  const version = (envelope[1]! << 8) | envelope[2]!;
  const key = keyForVersion(version);
  if (!key) throw new DecryptionError('unknown-key-version', place);
  return { key, nonce: envelope.subarray(HEADER, HEADER + NONCE), sealed: envelope.subarray(HEADER + NONCE) };
}

export function openBytes(
  keyForVersion: (version: number) => Uint8Array | undefined,
  envelope: Uint8Array,
  aad: Uint8Array,
  place: FieldPlace | null,
): Uint8Array {
  const { key, nonce, sealed } = parts(keyForVersion, envelope, place);
  try {
    return keyedGcm(key).open(nonce, sealed, aad);
  } catch {
    throw new DecryptionError('authentication', place);
  }
}

/** Throws exactly as openBytes would for an envelope that does not open; decrypts nothing. */
export function verifyBytes(
  keyForVersion: (version: number) => Uint8Array | undefined,
  envelope: Uint8Array,
  aad: Uint8Array,
  place: FieldPlace | null,
): void {
  const { key, nonce, sealed } = parts(keyForVersion, envelope, place);
  if (!keyedGcm(key).verify(nonce, sealed, aad)) throw new DecryptionError('authentication', place);
}

export function encodeText(value: string): Uint8Array {
  return encoder.encode(value);
}

export function decodeText(bytes: Uint8Array, place: FieldPlace | null): string {
  try {
    return decoder.decode(bytes);
  } catch {
    throw new DecryptionError('malformed', place);
  }
}
