import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';

/**
 * Blind index: HMAC-SHA256 under the blind-index sub-key over a normalised token, truncated
 * to 16 bytes. What it leaks, by design: whether two rows share a token (equal names, equal
 * phone numbers, shared name prefixes when prefixes are indexed). It never leaves this
 * workstation: the sync wire carries envelopes only and a receiver rebuilds its own index.
 */
export const BLIND_INDEX_BYTES = 16;

export type TokenKind =
  | 'name'
  | 'name-prefix'
  | 'phone'
  | 'national-id'
  | 'patient-number'
  | 'birth-year'
  | 'username';

const encoder = new TextEncoder();

/**
 * Combining diacritics in the blocks Latin, Greek and Cyrillic use (the same blocks
 * src-shared/similarity.ts folds), and only where they sit on a letter of those scripts.
 * Indic vowel signs, viramas and nuktas are combining marks too, but they are letters of
 * the name: stripping them would make सीता and सत, or two different Tamil names, one token.
 */
const DIACRITICS_ON_LATIN_GREEK_CYRILLIC =
  /(?<=[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}]\p{M}*)[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+/gu;

/** Case- and diacritic-folded, NFC: "Nguyễn" and "NGUYEN" index alike; "सीता" and "सत" do not. */
export function foldName(value: string): string {
  return value
    .normalize('NFKD')
    .replace(DIACRITICS_ON_LATIN_GREEK_CYRILLIC, '')
    .toLocaleLowerCase('en-US')
    .normalize('NFC');
}

/**
 * Name tokens: folded words split on anything that is not a letter, mark or digit. Marks
 * stay inside the word: a Devanagari vowel sign is not a word boundary.
 */
export function nameTokens(value: string): string[] {
  return foldName(value)
    .split(/[^\p{L}\p{M}\p{N}]+/u)
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

/**
 * The same tokens as blindIndex() under one key, with the HMAC's keyed state computed once
 * and cloned per token: sync reindexes tens of thousands of patients, about twenty tokens
 * each, and keying HMAC is half its cost for inputs this short.
 */
export function blindIndexer(key: Uint8Array): (kind: TokenKind, token: string) => Uint8Array {
  const keyed = hmac.create(sha256, key);
  return (kind, token) =>
    keyed
      .clone()
      .update(encoder.encode(`${kind}\u0000${token}`))
      .digest()
      .subarray(0, BLIND_INDEX_BYTES);
}
