import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  BLIND_INDEX_BYTES,
  blindIndex,
  blindIndexer,
  foldName,
  nameTokens,
  phoneToken,
} from './blind-index.js';
import { KeyRing } from './keyring.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('blind index', () => {
  it('the precomputed indexer gives HMAC-SHA256 tokens, the same as blindIndex, for every call', () => {
    const key = randomBytes(32);
    const indexer = blindIndexer(key);
    for (const [kind, token] of [
      ['phone', '9876543210'],
      ['name-prefix', 'as'],
      ['name-prefix', 'asha'],
      ['phone', '9876543210'],
    ] as const) {
      const expected = createHmac('sha256', key)
        .update(`${kind}\u0000${token}`)
        .digest()
        .subarray(0, BLIND_INDEX_BYTES);
      expect(hex(indexer(kind, token))).toBe(expected.toString('hex'));
      expect(hex(blindIndex(key, kind, token))).toBe(expected.toString('hex'));
    }
  });

  it('folds case and diacritics', () => {
    expect(foldName('Nguyễn Thị MINH')).toBe('nguyen thi minh');
    expect(nameTokens("Mary-Anne O'Brien")).toEqual(['mary', 'anne', 'o', 'brien']);
    expect(nameTokens('प्रिया शर्मा')).toHaveLength(2);
  });

  it('gives Latin names typed with or without diacritics one token', () => {
    const key = KeyRing.generate().ring.blindIndexKey();
    const token = (name: string) => nameTokens(name).map((t) => hex(blindIndex(key, 'name', t)));
    expect(token('Nguyễn')).toEqual(token('nguyen'));
    expect(token('NGUYỄN')).toEqual(token('Nguyen'));
    expect(token('José')).toEqual(token('jose'));
    // Precomposed and decomposed é are the same name.
    expect(token('Jos\u00e9')).toEqual(token('Jose\u0301'));
  });

  it('keeps Indic vowel signs: names differing only in a matra are different tokens', () => {
    const key = KeyRing.generate().ring.blindIndexKey();
    const token = (name: string) => nameTokens(name).map((t) => hex(blindIndex(key, 'name', t)));
    expect(nameTokens('सीता')).toEqual(['सीता']);
    expect(token('सीता')).not.toEqual(token('सता'));
    expect(token('सीता')).not.toEqual(token('सत'));
    expect(token('राम')).not.toEqual(token('रम'));
    expect(token('प्रिया')).not.toEqual(token('प्रया'));
    // Tamil and Malayalam vowel signs too.
    expect(token('சீதா')).not.toEqual(token('சதா'));
    expect(token('മീര')).not.toEqual(token('മര'));
  });

  it('gives a Devanagari name typed NFD or NFC one token', () => {
    const key = KeyRing.generate().ring.blindIndexKey();
    const token = (name: string) => nameTokens(name).map((t) => hex(blindIndex(key, 'name', t)));
    // Kanimozhi in Devanagari: ऩ and ऴ are precomposed in NFC, letter + nukta in NFD.
    const nfc = 'कऩिमॊऴि'.normalize('NFC');
    const nfd = nfc.normalize('NFD');
    expect(nfd).not.toBe(nfc);
    expect(token(nfd)).toEqual(token(nfc));
    expect(foldName(nfd)).toBe(nfc);
    // क़ typed as one code point (U+0958) or as क + nukta: one name.
    expect(token('\u0958\u093e\u0926\u093f\u0930')).toEqual(token('\u0915\u093c\u093e\u0926\u093f\u0930'));
    // The nukta is kept, so क़ादिर and कादिर stay apart.
    expect(token('\u0958\u093e\u0926\u093f\u0930')).not.toEqual(token('\u0915\u093e\u0926\u093f\u0930'));
  });

  it('reduces phones to their last ten digits', () => {
    expect(phoneToken('+91 98765 43210')).toBe('9876543210');
    expect(phoneToken('09876543210')).toBe('9876543210');
    expect(phoneToken('12')).toBeNull();
  });

  it('is deterministic per key, differs across keys and kinds, and is truncated', () => {
    const a = KeyRing.generate().ring.blindIndexKey();
    const b = KeyRing.generate().ring.blindIndexKey();
    const t1 = blindIndex(a, 'name', 'asha');
    expect(t1).toHaveLength(BLIND_INDEX_BYTES);
    expect(hex(blindIndex(a, 'name', 'asha'))).toBe(hex(t1));
    expect(hex(blindIndex(b, 'name', 'asha'))).not.toBe(hex(t1));
    expect(hex(blindIndex(a, 'phone', 'asha'))).not.toBe(hex(t1));
  });
});
