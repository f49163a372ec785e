import { GHASH } from '@noble/ciphers/_polyval.js';
import { unsafe } from '@noble/ciphers/aes.js';

/**
 * AES-256-GCM (NIST SP 800-38D, 96-bit nonces only) for the field envelopes, built from
 * @noble/ciphers' own AES block function, its GCTR (`ctr32`) and its GHASH, with the
 * key-dependent state kept per key instead of rebuilt per call.
 *
 * Why: `gcm(key, nonce, aad)` expands the AES key and builds GHASH's multiplication table
 * (128 doublings plus the window table) on every call. For a 40-byte field that set-up is
 * almost all of the ≈ 26 µs an open costs here, and opening fields is what limits an initial
 * sync (issue 4). The expanded key and the table depend only on the key, so they are made
 * once per clinic data key and reused; every per-message step is noble's code, unchanged.
 *
 * The output is byte-for-byte what `gcm()` produces: keyed-gcm.test.ts checks it against
 * noble's gcm and node:crypto on random keys, nonces, AAD and lengths, the NIST test
 * vectors, and that a changed tag, ciphertext, nonce or AAD fails.
 *
 * Key material: the state is held in a WeakMap keyed by the key's own Uint8Array, so it
 * lives no longer than the key object. KeyRing.wipe() zeroes its keys in place; every use
 * compares the key bytes with the first round keys (for AES-256 they are the key itself),
 * and a wiped or altered key drops its state (zeroed) and is expanded afresh.
 */

const BLOCK = 16;
const TAG = 16;
const NONCE = 12;
/** GHASH table window: 8 bits (the table noble builds for messages over 64 KiB, and the
 *  fastest per block); built once per key, so its size costs nothing per call. */
const TABLE_FOR_LENGTH = 64 * 1024 + 1;

/** noble's GHASH, reused: one key's table serves every message, and blocks go straight to
 *  its block step as 32-bit words (the byte-array path allocates a view per call). */
class ReusableGhash extends GHASH {
  reset(): void {
    this.s0 = 0;
    this.s1 = 0;
    this.s2 = 0;
    this.s3 = 0;
  }

  /** bytes[start, end) as whole blocks, the last one zero-padded (GCM pads A and C). */
  absorb(bytes: Uint8Array, start: number, end: number): void {
    let o = start;
    const blocks = Math.floor((end - start) / BLOCK);
    if (blocks >= 4 && HOST_IS_LE && (bytes.byteOffset + start) % 4 === 0) {
      // Long input, aligned, little-endian host: read the words through one view.
      const w = new Uint32Array(bytes.buffer, bytes.byteOffset + start, blocks * 4);
      for (let i = 0; i < w.length; i += 4) this._updateBlock(w[i]!, w[i + 1]!, w[i + 2]!, w[i + 3]!);
      o += blocks * BLOCK;
    }
    for (; o + BLOCK <= end; o += BLOCK)
      this._updateBlock(le32(bytes, o), le32(bytes, o + 4), le32(bytes, o + 8), le32(bytes, o + 12));
    if (o < end) {
      const w = [0, 0, 0, 0];
      for (let i = 0; o + i < end; i++) w[i >> 2]! |= bytes[o + i]! << (8 * (i & 3));
      this._updateBlock(w[0]!, w[1]!, w[2]!, w[3]!);
    }
  }

  absorbWords(s0: number, s1: number, s2: number, s3: number): void {
    this._updateBlock(s0, s1, s2, s3);
  }

  /** The current value as four little-endian words (what digestInto writes as bytes). */
  words(): [number, number, number, number] {
    return [this.s0, this.s1, this.s2, this.s3];
  }
}

const HOST_IS_LE = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Bytes as little-endian 32-bit words: how noble's AES and GHASH read blocks (u32 views,
 *  byte-swapped on big-endian hosts), so this is the same on every host. */
function le32(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}

function bswap32(n: number): number {
  return (((n & 0xff) << 24) | ((n & 0xff00) << 8) | ((n >>> 8) & 0xff00) | (n >>> 24)) >>> 0;
}

export class KeyedGcm {
  private readonly xk: Uint32Array;
  private readonly ghash: ReusableGhash;

  constructor(key: Uint8Array) {
    if (key.length !== 32) throw new Error('AES-256-GCM needs a 32-byte key');
    this.xk = unsafe.expandKeyLE(key);
    // H = E_K(0^128), as bytes for GHASH's constructor.
    const h = unsafe.encrypt(this.xk, 0, 0, 0, 0);
    const hBytes = new Uint8Array(BLOCK);
    const hv = new DataView(hBytes.buffer);
    for (const [i, w] of [h.s0, h.s1, h.s2, h.s3].entries()) hv.setUint32(i * 4, w, true);
    this.ghash = new ReusableGhash(hBytes, TABLE_FOR_LENGTH);
    hBytes.fill(0);
  }

  /** True while `key` is the key this state was made from (not wiped, not changed). */
  matches(key: Uint8Array): boolean {
    if (key.length !== 32) return false;
    for (let i = 0; i < 8; i++) if (this.xk[i] !== le32(key, i * 4)) return false;
    return true;
  }

  /** ciphertext ‖ tag, as noble's gcm(key, nonce, aad).encrypt(plaintext). */
  seal(nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
    const out = new Uint8Array(plaintext.length + TAG);
    this.ctr(nonce, plaintext, 0, plaintext.length, out);
    const tag = this.tagWords(nonce, aad, out, plaintext.length);
    for (let i = 0; i < 16; i++) out[plaintext.length + i] = (tag[i >> 2]! >>> (8 * (i & 3))) & 0xff;
    return out;
  }

  /** The plaintext, or an Error when the tag does not match (nothing decrypted then). */
  open(nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array {
    if (sealed.length < TAG) throw new Error('aes-gcm: ciphertext shorter than its tag');
    if (!this.verify(nonce, sealed, aad)) throw new Error('aes-gcm: invalid tag');
    const n = sealed.length - TAG;
    const out = new Uint8Array(n);
    this.ctr(nonce, sealed, 0, n, out);
    return out;
  }

  /**
   * Whether `sealed` (ciphertext ‖ tag) is authentic under this key, nonce and AAD, without
   * decrypting it: what open() checks before it decrypts anything. For a received value
   * that is stored as the envelope it came in and not read now.
   */
  verify(nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): boolean {
    if (sealed.length < TAG) return false;
    const n = sealed.length - TAG;
    const tag = this.tagWords(nonce, aad, sealed, n);
    let diff = 0;
    for (let i = 0; i < 4; i++) diff |= tag[i]! ^ le32(sealed, n + i * 4);
    return diff === 0;
  }

  /** Zeroes the expanded key and the GHASH table. */
  destroy(): void {
    this.xk.fill(0);
    this.ghash.destroy();
  }

  private nonceWords(nonce: Uint8Array): [number, number, number] {
    if (nonce.length !== NONCE) throw new Error('aes-gcm: this build takes 12-byte nonces only');
    return [le32(nonce, 0), le32(nonce, 4), le32(nonce, 8)];
  }

  /** GCTR from inc32(J0): counter block = nonce ‖ big-endian 32-bit counter starting at 2. */
  private ctr(nonce: Uint8Array, src: Uint8Array, from: number, to: number, dst: Uint8Array): void {
    const [n0, n1, n2] = this.nonceWords(nonce);
    let counter = 2;
    for (let o = from; o < to; o += BLOCK, counter = (counter + 1) >>> 0) {
      const k = unsafe.encrypt(this.xk, n0, n1, n2, bswap32(counter));
      const ks = [k.s0, k.s1, k.s2, k.s3];
      const end = Math.min(BLOCK, to - o);
      for (let i = 0; i < end; i++)
        dst[o - from + i] = src[o + i]! ^ ((ks[i >> 2]! >>> (8 * (i & 3))) & 0xff);
    }
  }

  /** GHASH_H(A, C) xor E_K(J0), as four little-endian words. */
  private tagWords(nonce: Uint8Array, aad: Uint8Array, ct: Uint8Array, ctLength: number): number[] {
    if (aad.length >= 2 ** 29 || ctLength >= 2 ** 29) throw new Error('aes-gcm: input too long');
    const [n0, n1, n2] = this.nonceWords(nonce);
    const g = this.ghash;
    g.reset();
    g.absorb(aad, 0, aad.length);
    g.absorb(ct, 0, ctLength);
    // len(A) ‖ len(C) in bits, each 64-bit big-endian; the high words are zero here.
    g.absorbWords(0, bswap32(aad.length * 8), 0, bswap32(ctLength * 8));
    const s = g.words();
    const m = unsafe.encrypt(this.xk, n0, n1, n2, bswap32(1));
    return [(s[0] ^ m.s0) >>> 0, (s[1] ^ m.s1) >>> 0, (s[2] ^ m.s2) >>> 0, (s[3] ^ m.s3) >>> 0];
  }
}

const cache = new WeakMap<Uint8Array, KeyedGcm>();

/** The reusable AES-256-GCM state for this key object (see the module comment). */
export function keyedGcm(key: Uint8Array): KeyedGcm {
  const cached = cache.get(key);
  if (cached?.matches(key)) return cached;
  cached?.destroy();
  const fresh = new KeyedGcm(key);
  cache.set(key, fresh);
  return fresh;
}

/** Zeroes and drops the state kept for this key, for a key that is about to be wiped. */
export function forgetKey(key: Uint8Array): void {
  cache.get(key)?.destroy();
  cache.delete(key);
}
