import { createHash, randomBytes } from 'node:crypto';
import { normalizeCode } from '../src-shared/sync-wire';

/** Crockford's base-32 alphabet: no I, L, O or U, so a code read aloud is unambiguous. */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CODE_BYTES = 20;
const CODE_CHARS = 32;
const CODE_SHAPE = /^[0-9A-HJKMNP-TV-Z]{32}$/;

export function encodeCrockford(bytes: Uint8Array): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += CROCKFORD[(acc >>> (bits - 5)) & 31];
      bits -= 5;
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out += CROCKFORD[(acc << (5 - bits)) & 31];
  return out;
}

/** A fresh one-time code: 160 random bits, 32 characters, not yet grouped for display. */
export function newCode(): string {
  const code = encodeCrockford(randomBytes(CODE_BYTES));
  if (code.length !== CODE_CHARS) throw new Error('code length');
  return code;
}

/** Whether a typed code could be a code at all once normalised (cheap refusal of noise). */
export function isWellFormedCode(typed: string): boolean {
  return CODE_SHAPE.test(normalizeCode(typed));
}

/**
 * What the server stores and looks up: hex SHA-256 of the normalised code. Workstations
 * hash the same way when they register an enrollment, so both sides must agree on this.
 */
export function hashCode(typed: string): string {
  return sha256Hex(normalizeCode(typed));
}

/** A device token: 32 random bytes as base64url (43 characters). */
export function newDeviceToken(): string {
  return randomBytes(32).toString('base64url');
}

export const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export function hashToken(token: string): string {
  return sha256Hex(token);
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
