import { gcm } from '@noble/ciphers/aes.js';
import { randomBytes } from '@noble/ciphers/utils.js';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { cardFingerprint } from '../../src-shared/referral-card.js';
import { FINGERPRINT_WORDS } from './words.js';

/**
 * Referral packages between clinics (issue 8). Pure functions, no I/O.
 *
 * Layout:  ['KVRF'][u32 header length][header JSON][ciphertext][64-byte Ed25519 signature]
 * The header names the format, the package id, sender and recipient fingerprints, the
 * ephemeral X25519 public key, the HKDF salt, the GCM nonce, the ciphertext's length and its
 * SHA-256. The key is HKDF-SHA256(X25519(ephemeral, recipient), salt, info) where info binds
 * both fingerprints, both public keys and the header bytes; the header bytes are also GCM's
 * associated data. The signature is by the sender's Ed25519 key over a domain string, the
 * header and the ciphertext, so nothing in the package can change without the check failing.
 */

export const REFERRAL_FORMAT = 'KAVACH-REFERRAL-1';
const MAGIC = new Uint8Array([0x4b, 0x56, 0x52, 0x46]); // 'KVRF'
const SIG_DOMAIN = new TextEncoder().encode('kavach/referral-signature/v1\n');
const KDF_DOMAIN = 'kavach/referral-key/v1';
const SIGNATURE = 64;
const NONCE = 12;
const MAX_HEADER = 4096;
/** The largest package accepted, sealed or opened (the mailbox uses the same cap). */
export const MAX_PACKAGE_BYTES = 25 * 1024 * 1024;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export interface KeyPair {
  secretKey: Uint8Array;
  publicKey: Uint8Array;
}

/** A clinic's long-term keys: X25519 to receive (encryption), Ed25519 to send (signing). */
export interface ClinicKeys {
  encryption: KeyPair;
  signing: KeyPair;
}

export function generateClinicKeys(): ClinicKeys {
  const e = x25519.keygen();
  const s = ed25519.keygen();
  return {
    encryption: { secretKey: e.secretKey, publicKey: e.publicKey },
    signing: { secretKey: s.secretKey, publicKey: s.publicKey },
  };
}

/** The public halves again from the secret ones (a stored identity is checked against them). */
export function publicKeysOf(encryptionSecret: Uint8Array, signingSecret: Uint8Array): ClinicKeys {
  return {
    encryption: { secretKey: encryptionSecret, publicKey: x25519.getPublicKey(encryptionSecret) },
    signing: { secretKey: signingSecret, publicKey: ed25519.getPublicKey(signingSecret) },
  };
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

export { cardFingerprint };

/** The fingerprint's first eight bytes as eight words, for comparing out of band. */
export function fingerprintWords(fingerprint: string): string[] {
  if (!/^[0-9a-f]{64}$/.test(fingerprint)) throw new Error('Not a fingerprint');
  const bytes = Buffer.from(fingerprint, 'hex');
  return [...bytes.subarray(0, 8)].map((b) => FINGERPRINT_WORDS[b]!);
}

export interface ReferralHeader {
  format: typeof REFERRAL_FORMAT;
  id: string;
  /** Sender's and recipient's card fingerprints (hex SHA-256). */
  from: string;
  to: string;
  /** base64 */
  ephemeral: string;
  salt: string;
  nonce: string;
  createdAt: number;
  /** Ciphertext length in bytes and its SHA-256 (hex): truncation and tampering are named. */
  length: number;
  digest: string;
}

export type ReferralRefusal =
  | 'malformed'
  | 'truncated'
  | 'too-large'
  | 'wrong-recipient'
  | 'unknown-sender'
  | 'unconfirmed-sender'
  | 'tampered'
  | 'bad-signature'
  | 'undecryptable';

const MESSAGES: Record<ReferralRefusal, string> = {
  malformed: 'This file is not a Kavach referral package.',
  truncated: 'This referral package is incomplete (it was cut short in transfer).',
  'too-large': 'This referral package is larger than 25 MB.',
  'wrong-recipient': 'This referral was addressed to another clinic, not this one.',
  'unknown-sender': 'This referral comes from a clinic whose card has not been imported here.',
  'unconfirmed-sender':
    'This referral comes from a clinic whose card has not been confirmed yet: compare its fingerprint words and confirm it first.',
  tampered: 'This referral package was altered after it was sent.',
  'bad-signature': "This referral package's signature does not match the sending clinic's card.",
  undecryptable: "This referral could not be decrypted with this clinic's key.",
};

/** A refused package: `reason` is stable for code and audit, the message fit to show. */
export class ReferralError extends Error {
  override readonly name = 'ReferralError';
  constructor(readonly reason: ReferralRefusal) {
    super(MESSAGES[reason]);
  }
}

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

function fromB64(value: unknown, length: number): Uint8Array {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(value))
    throw new ReferralError('malformed');
  const bytes = new Uint8Array(Buffer.from(value, 'base64'));
  if (bytes.length !== length) throw new ReferralError('malformed');
  return bytes;
}

function kdfInfo(header: Uint8Array, h: ReferralHeader, recipientPublic: Uint8Array): Uint8Array {
  const prefix = encoder.encode(`${KDF_DOMAIN}|${h.from}|${h.to}|${h.ephemeral}|${b64(recipientPublic)}|`);
  const out = new Uint8Array(prefix.length + header.length);
  out.set(prefix);
  out.set(header, prefix.length);
  return out;
}

function signedBytes(header: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  const out = new Uint8Array(SIG_DOMAIN.length + 4 + header.length + ciphertext.length);
  out.set(SIG_DOMAIN);
  new DataView(out.buffer).setUint32(SIG_DOMAIN.length, header.length);
  out.set(header, SIG_DOMAIN.length + 4);
  out.set(ciphertext, SIG_DOMAIN.length + 4 + header.length);
  return out;
}

export interface SealInput {
  sender: { keys: ClinicKeys; fingerprint: string };
  recipient: { encryptionPublic: Uint8Array; fingerprint: string };
  payload: Uint8Array;
  id: string;
  createdAt: number;
}

export function sealReferral(input: SealInput): Uint8Array {
  const eph = x25519.keygen();
  const salt = randomBytes(32);
  const nonce = randomBytes(NONCE);
  const ctLength = input.payload.length + 16;
  // The key and GCM's associated data bind the header without its digest (the digest is of
  // the ciphertext, so it comes after); the signature covers the full header.
  const base: KeyHeader = {
    format: REFERRAL_FORMAT,
    id: input.id,
    from: input.sender.fingerprint,
    to: input.recipient.fingerprint,
    ephemeral: b64(eph.publicKey),
    salt: b64(salt),
    nonce: b64(nonce),
    createdAt: input.createdAt,
    length: ctLength,
  };
  const key = deriveKey(eph.secretKey, input.recipient.encryptionPublic, base);
  const ciphertext = gcm(key, nonce, encoder.encode(JSON.stringify(base))).encrypt(input.payload);
  key.fill(0);
  eph.secretKey.fill(0);
  const header: ReferralHeader = { ...base, digest: hex(sha256(ciphertext)) };
  const headerBytes = encoder.encode(JSON.stringify(header));
  const signature = ed25519.sign(signedBytes(headerBytes, ciphertext), input.sender.keys.signing.secretKey);
  const out = new Uint8Array(MAGIC.length + 4 + headerBytes.length + ciphertext.length + SIGNATURE);
  out.set(MAGIC);
  new DataView(out.buffer).setUint32(MAGIC.length, headerBytes.length);
  out.set(headerBytes, MAGIC.length + 4);
  out.set(ciphertext, MAGIC.length + 4 + headerBytes.length);
  out.set(signature, out.length - SIGNATURE);
  if (out.length > MAX_PACKAGE_BYTES) throw new ReferralError('too-large');
  return out;
}

type KeyHeader = Omit<ReferralHeader, 'digest'>;

function deriveKey(
  secret: Uint8Array,
  peerPublic: Uint8Array,
  h: KeyHeader,
  recipientPublic = peerPublic,
): Uint8Array {
  const shared = x25519.getSharedSecret(secret, peerPublic);
  const headerBytes = encoder.encode(JSON.stringify(h));
  const key = hkdf(
    sha256,
    shared,
    fromB64(h.salt, 32),
    kdfInfo(headerBytes, h as ReferralHeader, recipientPublic),
    32,
  );
  shared.fill(0);
  return key;
}

export interface ParsedPackage {
  header: ReferralHeader;
  headerBytes: Uint8Array;
  ciphertext: Uint8Array;
  signature: Uint8Array;
}

function parseHeader(bytes: Uint8Array): ReferralHeader {
  let h: unknown;
  try {
    h = JSON.parse(decoder.decode(bytes));
  } catch {
    throw new ReferralError('malformed');
  }
  if (!h || typeof h !== 'object' || Array.isArray(h)) throw new ReferralError('malformed');
  const r = h as Record<string, unknown>;
  const keys = ['format', 'id', 'from', 'to', 'ephemeral', 'salt', 'nonce', 'createdAt', 'length', 'digest'];
  if (Object.keys(r).join(',') !== keys.join(',')) throw new ReferralError('malformed');
  const fp = /^[0-9a-f]{64}$/;
  if (
    r.format !== REFERRAL_FORMAT ||
    typeof r.id !== 'string' ||
    !/^[0-9a-f-]{36}$/.test(r.id) ||
    typeof r.from !== 'string' ||
    !fp.test(r.from) ||
    typeof r.to !== 'string' ||
    !fp.test(r.to) ||
    typeof r.digest !== 'string' ||
    !fp.test(r.digest) ||
    !Number.isSafeInteger(r.createdAt) ||
    !Number.isSafeInteger(r.length) ||
    (r.length as number) < 16
  )
    throw new ReferralError('malformed');
  fromB64(r.ephemeral, 32);
  fromB64(r.salt, 32);
  fromB64(r.nonce, NONCE);
  return r as unknown as ReferralHeader;
}

/** Splits a package and checks its framing; says nothing about who sent it. */
export function parseReferral(pkg: Uint8Array): ParsedPackage {
  if (pkg.length > MAX_PACKAGE_BYTES) throw new ReferralError('too-large');
  if (pkg.length < MAGIC.length + 4) {
    throw new ReferralError(
      MAGIC.every((b, i) => i >= pkg.length || pkg[i] === b) && pkg.length > 0 ? 'truncated' : 'malformed',
    );
  }
  if (!MAGIC.every((b, i) => pkg[i] === b)) throw new ReferralError('malformed');
  const headerLength = new DataView(pkg.buffer, pkg.byteOffset, pkg.byteLength).getUint32(MAGIC.length);
  if (headerLength < 2 || headerLength > MAX_HEADER) throw new ReferralError('malformed');
  const start = MAGIC.length + 4;
  if (pkg.length < start + headerLength) throw new ReferralError('truncated');
  const headerBytes = pkg.subarray(start, start + headerLength);
  const header = parseHeader(headerBytes);
  const expected = start + headerLength + header.length + SIGNATURE;
  if (pkg.length < expected) throw new ReferralError('truncated');
  if (pkg.length > expected) throw new ReferralError('malformed');
  const ciphertext = pkg.subarray(start + headerLength, start + headerLength + header.length);
  return { header, headerBytes, ciphertext, signature: pkg.subarray(expected - SIGNATURE) };
}

export interface SenderCard {
  signingPublic: Uint8Array;
  confirmed: boolean;
}

export interface OpenInput {
  self: { fingerprint: string; encryptionSecret: Uint8Array; encryptionPublic: Uint8Array };
  /** The imported card with this fingerprint, or null. */
  sender(fingerprint: string): SenderCard | null;
}

/**
 * Checks in this order, each with its own refusal: framing (malformed, truncated), addressed
 * to us (wrong-recipient), sender's card known and confirmed, ciphertext matches the signed
 * digest (tampered), the signature (bad-signature), then decryption (undecryptable).
 */
export function openReferral(
  pkg: Uint8Array,
  input: OpenInput,
): { header: ReferralHeader; payload: Uint8Array } {
  const p = parseReferral(pkg);
  if (p.header.to !== input.self.fingerprint) throw new ReferralError('wrong-recipient');
  const card = input.sender(p.header.from);
  if (!card) throw new ReferralError('unknown-sender');
  if (!card.confirmed) throw new ReferralError('unconfirmed-sender');
  if (hex(sha256(p.ciphertext)) !== p.header.digest) throw new ReferralError('tampered');
  let valid = false;
  try {
    valid = ed25519.verify(p.signature, signedBytes(p.headerBytes, p.ciphertext), card.signingPublic);
  } catch {
    valid = false;
  }
  if (!valid) throw new ReferralError('bad-signature');
  const { digest: _digest, ...base } = p.header;
  const key = deriveKey(
    input.self.encryptionSecret,
    fromB64(p.header.ephemeral, 32),
    base,
    input.self.encryptionPublic,
  );
  try {
    const payload = gcm(key, fromB64(p.header.nonce, NONCE), encoder.encode(JSON.stringify(base))).decrypt(
      p.ciphertext,
    );
    return { header: p.header, payload };
  } catch {
    throw new ReferralError('undecryptable');
  } finally {
    key.fill(0);
  }
}
