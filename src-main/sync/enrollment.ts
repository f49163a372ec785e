import { createHash, randomBytes } from 'node:crypto';
import { argon2idAsync } from '@noble/hashes/argon2.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { normalizeCode } from '../../src-shared/sync-wire.js';
import { associatedData, openBytes, sealBytes } from '../crypto/envelope.js';

/**
 * Enrollment codes and the key ring they carry (DESIGN.md §3). The code is 160 random bits;
 * the server stores only its SHA-256 and, separately, the clinic's key ring wrapped under a
 * key derived from the code by argon2id and HKDF. The server therefore holds both the hash
 * and the wrapped ring, and the code's entropy is what protects the ring: argon2id adds a
 * memory-hard cost on top of 2^160 guesses; it is not the only barrier.
 */

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const CODE_BYTES = 20;
/** Enrollment codes expire after this many seconds (the server accepts at most a day). */
export const ENROLLMENT_TTL_SECONDS = 12 * 60 * 60;
export const ENROLL_ARGON2 = { m: 19456, t: 2, p: 1 } as const;
const WRAP_FORMAT = 1;
const encoder = new TextEncoder();

export interface RingKey {
  version: number;
  cdk: Uint8Array;
}

export function encodeCrockford(bytes: Uint8Array): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = ((acc << 8) | b) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += CROCKFORD[(acc >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += CROCKFORD[(acc << (5 - bits)) & 31];
  return out;
}

/** 20 random bytes in Crockford base-32: 32 characters, ungrouped. */
export function newEnrollmentCode(): string {
  return encodeCrockford(randomBytes(CODE_BYTES));
}

/** What the server is told: hex SHA-256 of the normalised code. */
export function codeHash(code: string): string {
  return createHash('sha256').update(normalizeCode(code), 'utf8').digest('hex');
}

/**
 * The wrapping key: argon2id over the normalised code, salted by a fixed domain string and
 * the clinic id (so one code's work does not serve another clinic), then HKDF to separate
 * this use from any other derived from the same code.
 */
export async function enrollmentKey(code: string, clinicId: string): Promise<Uint8Array> {
  const salt = encoder.encode(`kavach/enrollment/v1|${clinicId}`);
  const stretched = await argon2idAsync(normalizeCode(code), salt, { ...ENROLL_ARGON2, dkLen: 32 });
  try {
    return hkdf(
      sha256,
      stretched,
      encoder.encode('kavach/enrollment-salt/v1'),
      encoder.encode('kavach/enrollment-wrap/v1'),
      32,
    );
  } finally {
    stretched.fill(0);
  }
}

function ringAad(clinicId: string): Uint8Array {
  return associatedData({ table: 'enrollment', column: 'key_ring', rowId: clinicId });
}

/** [u8 count] then per version [u16 version][32-byte CDK], sealed as a field envelope. */
export function wrapRing(key: Uint8Array, clinicId: string, ring: readonly RingKey[]): string {
  if (ring.length === 0 || ring.length > 255) throw new Error('Key ring size out of range');
  const plain = new Uint8Array(1 + ring.length * 34);
  plain[0] = ring.length;
  ring.forEach((k, i) => {
    if (k.cdk.length !== 32) throw new Error('Clinic data key must be 32 bytes');
    const at = 1 + i * 34;
    plain[at] = (k.version >> 8) & 0xff;
    plain[at + 1] = k.version & 0xff;
    plain.set(k.cdk, at + 2);
  });
  try {
    return Buffer.from(sealBytes(key, WRAP_FORMAT, plain, ringAad(clinicId))).toString('base64');
  } finally {
    plain.fill(0);
  }
}

/** Throws DecryptionError when the ring was not wrapped under this key for this clinic. */
export function unwrapRing(key: Uint8Array, clinicId: string, wrapped: string): RingKey[] {
  const plain = openBytes(
    (v) => (v === WRAP_FORMAT ? key : undefined),
    Buffer.from(wrapped, 'base64'),
    ringAad(clinicId),
    null,
  );
  try {
    const n = plain[0] ?? 0;
    if (n === 0 || plain.length !== 1 + n * 34) throw new Error('Malformed key ring');
    const out: RingKey[] = [];
    for (let i = 0; i < n; i++) {
      const at = 1 + i * 34;
      out.push({ version: (plain[at]! << 8) | plain[at + 1]!, cdk: plain.slice(at + 2, at + 34) });
    }
    return out;
  } finally {
    plain.fill(0);
  }
}
