import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';

/**
 * Blind index: HMAC-SHA256 under the blind-index sub-key over a normalised token, truncated
 * to 16 bytes. What it leaks, by design: whether two rows share a token (equal names, equal
 * phone numbers, shared name prefixes when prefixes are indexed). It never leaves this
 * workstation: the sync wire carries envelopes only and a receiver rebuilds its own index.
 */
export const BLIND_INDEX_BYTES = 16;

export type TokenKind = 'name' | 'name-prefix' | 'phone' | 'national-id' | 'patient-number' | 'birth-year' | 'username';

const encoder = new TextEncoder();

/** Case- and diacritic-folded: "Nguyễn" and "NGUYEN" index alike. */
export function foldName(value: string): string {
  return value
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLocaleLowerCase('en-US')
    .normalize('NFC');
}

/** Name tokens: folded words split on anything that is not a letter or digit. */
export function nameTokens(value: string): string[] {
  return foldName(value)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => t.length > 0);
}

/** A phone number as its last 10 digits, so +91 98xxx and 098xxx match. */
export function phoneToken(value: string): string | null {
  const digits = value.replace(/\D/g, '');
  return digits.length >= 6 ? digits.slice(-10) : null;
}

export function digitsToken(value: string): string | null {
  const digits = value.replace(/\D/g, '');
  return digits.length > 0 ? digits : null;
}

export function blindIndex(key: Uint8Array, kind: TokenKind, token: string): Uint8Array {
  // The kind is part of the MAC input so a phone and an ID with equal digits do not collide.
  return hmac(sha256, key, encoder.encode(`${kind}\u0000${token}`)).subarray(0, BLIND_INDEX_BYTES);
}
