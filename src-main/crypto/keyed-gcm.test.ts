import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { gcm } from '@noble/ciphers/aes.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { forgetKey, KeyedGcm, keyedGcm } from './keyed-gcm.js';

const hex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function nodeSeal(key: Uint8Array, nonce: Uint8Array, pt: Uint8Array, aad: Uint8Array): Uint8Array {
  const c = createCipheriv('aes-256-gcm', key, nonce);
  c.setAAD(aad);
  return new Uint8Array(Buffer.concat([c.update(pt), c.final(), c.getAuthTag()]));
}

function nodeOpen(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array {
  const d = createDecipheriv('aes-256-gcm', key, nonce);
  d.setAAD(aad);
  d.setAuthTag(sealed.subarray(sealed.length - 16));
  return new Uint8Array(Buffer.concat([d.update(sealed.subarray(0, sealed.length - 16)), d.final()]));
}

// AES-256 cases 13-16 of McGrew and Viega, "The Galois/Counter Mode of Operation (GCM)",
// the test vectors NIST's GCM validation uses.
const K15 = 'feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308';
const P15 =
  'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255';
const C15 =
  '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad';
const VECTORS = [
  { k: '00'.repeat(32), iv: '00'.repeat(12), p: '', a: '', c: '', t: '530f8afbc74536b9a963b4f1c4cb738b' },
  {
    k: '00'.repeat(32),
    iv: '00'.repeat(12),
    p: '00'.repeat(16),
    a: '',
    c: 'cea7403d4d606b6e074ec5d3baf39d18',
    t: 'd0d1c8a799996bf0265b98b5d48ab919',
  },
  { k: K15, iv: 'cafebabefacedbaddecaf888', p: P15, a: '', c: C15, t: 'b094dac5d93471bdec1a502270e3cc6c' },
  {
    k: K15,
    iv: 'cafebabefacedbaddecaf888',
    p: P15.slice(0, 120),
    a: 'feedfacedeadbeeffeedfacedeadbeefabaddad2',
    c: C15.slice(0, 120),
    t: '76fc6ece0f4e1768cddf8853bb2d551b',
  },
];

describe('KeyedGcm (AES-256-GCM with the key state kept per key)', () => {
  it.each(VECTORS.map((v, i) => [13 + i, v] as const))('matches GCM test case %i', (_, v) => {
    const g = new KeyedGcm(hex(v.k));
    const sealed = g.seal(hex(v.iv), hex(v.p), hex(v.a));
    expect(toHex(sealed)).toBe(v.c + v.t);
    expect(toHex(g.open(hex(v.iv), sealed, hex(v.a)))).toBe(v.p);
  });

  it('seals exactly as noble’s gcm and node:crypto do, and opens what they seal', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 12, maxLength: 12 }),
        fc.uint8Array({ maxLength: 300 }),
        fc.uint8Array({ maxLength: 90 }),
        fc.nat(7),
        (key, nonce, pt, aad, offset) => {
          const g = keyedGcm(key);
          // Unaligned views, as envelopes are sliced out of a larger buffer.
          const shifted = new Uint8Array(pt.length + offset);
          shifted.set(pt, offset);
          const view = shifted.subarray(offset);
          const sealed = g.seal(nonce, view, aad);
          expect(toHex(sealed)).toBe(toHex(gcm(key, nonce, aad).encrypt(pt)));
          expect(toHex(sealed)).toBe(toHex(nodeSeal(key, nonce, pt, aad)));
          const fromNode = nodeSeal(key, nonce, pt, aad);
          const framed = new Uint8Array(fromNode.length + offset);
          framed.set(fromNode, offset);
          expect(toHex(g.open(nonce, framed.subarray(offset), aad))).toBe(toHex(pt));
          expect(toHex(nodeOpen(key, nonce, sealed, aad))).toBe(toHex(pt));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses a changed tag, ciphertext, nonce, AAD or length, and a different key', () => {
    const key = new Uint8Array(randomBytes(32));
    const nonce = new Uint8Array(randomBytes(12));
    const aad = new TextEncoder().encode('kavach/v1|patients|given_names|p1');
    const pt = new TextEncoder().encode('"Kavya"');
    const g = keyedGcm(key);
    const sealed = g.seal(nonce, pt, aad);
    for (let i = 0; i < sealed.length; i++) {
      const bad = sealed.slice();
      bad[i]! ^= 0x01;
      expect(() => g.open(nonce, bad, aad)).toThrow(/invalid tag/);
    }
    const otherNonce = nonce.slice();
    otherNonce[0]! ^= 0x80;
    expect(() => g.open(otherNonce, sealed, aad)).toThrow(/invalid tag/);
    expect(() =>
      g.open(nonce, sealed, new TextEncoder().encode('kavach/v1|patients|given_names|p2')),
    ).toThrow(/invalid tag/);
    expect(() => g.open(nonce, sealed.subarray(0, sealed.length - 1), aad)).toThrow(/invalid tag/);
    expect(() => g.open(nonce, sealed.subarray(0, 15), aad)).toThrow(/shorter than its tag/);
    expect(() => keyedGcm(new Uint8Array(randomBytes(32))).open(nonce, sealed, aad)).toThrow(/invalid tag/);
    expect(() => g.seal(new Uint8Array(16), pt, aad)).toThrow(/12-byte nonces/);
    expect(() => new KeyedGcm(new Uint8Array(16))).toThrow(/32-byte key/);
  });

  it('verifies without decrypting exactly when open() would open: what node:crypto seals, and no flipped byte', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 12, maxLength: 12 }),
        fc.uint8Array({ maxLength: 120 }),
        fc.uint8Array({ maxLength: 60 }),
        fc.nat(),
        (key, nonce, pt, aad, at) => {
          const g = keyedGcm(key);
          const sealed = nodeSeal(key, nonce, pt, aad);
          expect(g.verify(nonce, sealed, aad)).toBe(true);
          const bad = sealed.slice();
          bad[at % bad.length]! ^= 0x01 << (at % 8);
          expect(g.verify(nonce, bad, aad)).toBe(false);
          expect(() => g.open(nonce, bad, aad)).toThrow(/invalid tag/);
          expect(g.verify(nonce, sealed.subarray(0, sealed.length - 1), aad)).toBe(false);
          expect(g.verify(nonce, sealed.subarray(0, 15), aad)).toBe(false);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('reuses one state per key object and drops it when the key is wiped in place', () => {
    const key = new Uint8Array(randomBytes(32));
    const first = keyedGcm(key);
    expect(first.matches(key)).toBe(true);
    expect(keyedGcm(key)).toBe(first);
    const nonce = new Uint8Array(12);
    const pt = new Uint8Array([1, 2, 3]);
    const underOld = first.seal(nonce, pt, new Uint8Array());
    key.fill(0); // what KeyRing.wipe() does
    expect(first.matches(key)).toBe(false);
    const after = keyedGcm(key);
    expect(after).not.toBe(first);
    // The old state was zeroed, and the new one is the (zero) key's, not the old key's.
    expect(toHex(after.seal(nonce, pt, new Uint8Array()))).toBe(toHex(gcm(key, nonce).encrypt(pt)));
    expect(toHex(after.seal(nonce, pt, new Uint8Array()))).not.toBe(toHex(underOld));
  });
});

describe('forgetKey', () => {
  it('zeroes the kept state so the next use expands the key again', () => {
    const key = new Uint8Array(randomBytes(32));
    const first = keyedGcm(key);
    forgetKey(key);
    const nonce = new Uint8Array(12);
    // The forgotten state's tables are zero: it no longer produces this key's ciphertext.
    expect(toHex(first.seal(nonce, new Uint8Array(16), new Uint8Array()))).not.toBe(
      toHex(gcm(key, nonce).encrypt(new Uint8Array(16))),
    );
    const again = keyedGcm(key);
    expect(again).not.toBe(first);
    expect(toHex(again.seal(nonce, new Uint8Array(16), new Uint8Array()))).toBe(
      toHex(gcm(key, nonce).encrypt(new Uint8Array(16))),
    );
  });
});
