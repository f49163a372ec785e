import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  type ClinicKeys,
  cardFingerprint,
  fingerprintWords,
  generateClinicKeys,
  openReferral,
  parseReferral,
  ReferralError,
  type ReferralRefusal,
  sealReferral,
} from './crypto.js';
import { FINGERPRINT_WORDS } from './words.js';

interface Clinic {
  keys: ClinicKeys;
  fingerprint: string;
}

function clinic(): Clinic {
  const keys = generateClinicKeys();
  return { keys, fingerprint: cardFingerprint(keys.encryption.publicKey, keys.signing.publicKey) };
}

const a = clinic();
const b = clinic();
const c = clinic();
const payload = new TextEncoder().encode(
  JSON.stringify({ resourceType: 'Bundle', note: 'Nguyễn Thị Minh, <5 mg' }),
);

function seal(from: Clinic, to: Clinic, body = payload): Uint8Array {
  return sealReferral({
    sender: from,
    recipient: { encryptionPublic: to.keys.encryption.publicKey, fingerprint: to.fingerprint },
    payload: body,
    id: randomUUID(),
    createdAt: 1_700_000_000_000,
  });
}

/** Opens as `to`, who knows the listed cards (all confirmed unless named in `unconfirmed`). */
function open(pkg: Uint8Array, to: Clinic, known: Clinic[] = [a, b, c], unconfirmed: Clinic[] = []) {
  return openReferral(pkg, {
    self: {
      fingerprint: to.fingerprint,
      encryptionSecret: to.keys.encryption.secretKey,
      encryptionPublic: to.keys.encryption.publicKey,
    },
    sender: (fp) => {
      const k = known.find((x) => x.fingerprint === fp);
      return k ? { signingPublic: k.keys.signing.publicKey, confirmed: !unconfirmed.includes(k) } : null;
    },
  });
}

function refusal(fn: () => unknown): ReferralRefusal | 'accepted' | 'other' {
  try {
    fn();
    return 'accepted';
  } catch (e) {
    return e instanceof ReferralError ? e.reason : 'other';
  }
}

const headerEnd = (pkg: Uint8Array) => 8 + new DataView(pkg.buffer, pkg.byteOffset).getUint32(4);

describe('referral packages', () => {
  it('round-trips a payload from A to B, and names sender and recipient in the header', () => {
    const pkg = seal(a, b);
    const opened = open(pkg, b);
    expect(Buffer.from(opened.payload).equals(Buffer.from(payload))).toBe(true);
    expect(opened.header.from).toBe(a.fingerprint);
    expect(opened.header.to).toBe(b.fingerprint);
    expect(opened.header.format).toBe('KAVACH-REFERRAL-1');
    // The payload is not readable in the package.
    expect(Buffer.from(pkg).includes(Buffer.from('Bundle'))).toBe(false);
  });

  it('a third clinic cannot open it, even with the header rewritten to name it', () => {
    const pkg = seal(a, b);
    expect(refusal(() => open(pkg, c))).toBe('wrong-recipient');
    // C swaps its own fingerprint into the header: the signature no longer matches and, even
    // were it re-signed, C's key does not derive B's key.
    const text = Buffer.from(pkg).toString('latin1').replace(b.fingerprint, c.fingerprint);
    expect(refusal(() => open(new Uint8Array(Buffer.from(text, 'latin1')), c))).toBe('bad-signature');
  });

  it('refuses an unknown sender and an unconfirmed sender, each by name', () => {
    const pkg = seal(a, b);
    expect(refusal(() => open(pkg, b, [c]))).toBe('unknown-sender');
    expect(refusal(() => open(pkg, b, [a, c], [a]))).toBe('unconfirmed-sender');
  });

  it('refuses a package signed by another key than the claimed sender', () => {
    // C builds a package to B claiming to be A: fingerprint of A, C's signing key.
    const forged = sealReferral({
      sender: { keys: c.keys, fingerprint: a.fingerprint },
      recipient: { encryptionPublic: b.keys.encryption.publicKey, fingerprint: b.fingerprint },
      payload,
      id: randomUUID(),
      createdAt: 1,
    });
    expect(refusal(() => open(forged, b))).toBe('bad-signature');
  });

  it('names a flipped ciphertext byte as tampering and a flipped signature byte as a bad signature', () => {
    const pkg = seal(a, b);
    const inCipher = pkg.slice();
    inCipher[headerEnd(pkg) + 3]! ^= 0x01;
    expect(refusal(() => open(inCipher, b))).toBe('tampered');
    const inSig = pkg.slice();
    inSig[pkg.length - 10]! ^= 0x80;
    expect(refusal(() => open(inSig, b))).toBe('bad-signature');
  });

  it('refuses every single flipped byte, never opening an altered package', () => {
    const pkg = seal(a, b, new Uint8Array(40).fill(7));
    const seen = new Set<string>();
    for (let i = 0; i < pkg.length; i++) {
      const bad = pkg.slice();
      bad[i]! ^= 0x04;
      const r = refusal(() => open(bad, b));
      expect(r, `byte ${i}`).not.toBe('accepted');
      expect(r, `byte ${i}`).not.toBe('other');
      seen.add(r);
    }
    expect(seen.has('tampered')).toBe(true);
    expect(seen.has('bad-signature')).toBe(true);
    expect(seen.has('malformed')).toBe(true);
  });

  it('names truncation anywhere, and refuses trailing bytes and foreign files', () => {
    const pkg = seal(a, b);
    for (const cut of [1, 64, pkg.length - headerEnd(pkg), pkg.length - 10, pkg.length - 6]) {
      expect(refusal(() => open(pkg.subarray(0, pkg.length - cut), b))).toBe('truncated');
    }
    const longer = new Uint8Array(pkg.length + 1);
    longer.set(pkg);
    expect(refusal(() => open(longer, b))).toBe('malformed');
    expect(refusal(() => open(new TextEncoder().encode('{"resourceType":"Bundle"}'), b))).toBe('malformed');
    expect(refusal(() => open(new Uint8Array(0), b))).toBe('malformed');
  });

  it('uses a fresh ephemeral key per package', () => {
    const x = parseReferral(seal(a, b)).header;
    const y = parseReferral(seal(a, b)).header;
    expect(x.ephemeral).not.toBe(y.ephemeral);
    expect(x.salt).not.toBe(y.salt);
  });
});

describe('clinic card fingerprints', () => {
  it('are SHA-256 over both public keys, shown as eight words from a 256-word list', () => {
    expect(new Set(FINGERPRINT_WORDS).size).toBe(256);
    expect(FINGERPRINT_WORDS.every((w) => /^[a-z]{3,9}$/.test(w))).toBe(true);
    expect(a.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    const words = fingerprintWords(a.fingerprint);
    expect(words).toHaveLength(8);
    expect(words[0]).toBe(FINGERPRINT_WORDS[Number.parseInt(a.fingerprint.slice(0, 2), 16)]);
    // Either key changing changes the fingerprint.
    expect(cardFingerprint(a.keys.encryption.publicKey, b.keys.signing.publicKey)).not.toBe(a.fingerprint);
    expect(cardFingerprint(b.keys.encryption.publicKey, a.keys.signing.publicKey)).not.toBe(a.fingerprint);
  });
});
