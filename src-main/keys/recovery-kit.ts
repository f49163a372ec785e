import { randomBytes } from 'node:crypto';
import { argon2idAsync } from '@noble/hashes/argon2.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { associatedData, DecryptionError, openBytes, sealBytes } from '../crypto/envelope.js';

/**
 * The recovery kit (DESIGN.md §3): every clinic data key version, wrapped under a key derived
 * from a recovery passphrase the admin chooses (argon2id, then HKDF for this one use). It is
 * a small JSON text file the admin keeps offline; the database never holds the passphrase,
 * the derived key or the kit. Without a kit, losing every workstation's keychain loses the
 * data.
 *
 * File: { "kavachRecoveryKit": 1, "createdAt": ISO time, "clinic": name, "versions": [..],
 *         "kdf": { "alg": "argon2id", "m", "t", "p", "salt": base64 }, "ring": base64 }
 * ring = field envelope (format slot 1) over [u8 count] then per version [u16 version][32-byte
 * CDK], associated data kavach/v1|recovery_kit|key_ring|<salt>.
 */

export const KIT_ARGON2 = { m: 32768, t: 2, p: 1 } as const;
const KIT_FORMAT = 1;
const encoder = new TextEncoder();

export interface KitKey {
  version: number;
  cdk: Uint8Array;
}

export class RecoveryKitError extends Error {
  override readonly name = 'RecoveryKitError';
  constructor(
    readonly reason: 'malformed' | 'wrong-passphrase' | 'not-this-clinic' | 'outdated',
    message: string,
  ) {
    super(message);
  }
}

interface KitFile {
  kavachRecoveryKit: number;
  createdAt: string;
  clinic: string | null;
  versions: number[];
  kdf: { alg: 'argon2id'; m: number; t: number; p: number; salt: string };
  ring: string;
}

async function kitKey(
  passphrase: string,
  salt: Uint8Array,
  kdf: { m: number; t: number; p: number },
): Promise<Uint8Array> {
  const stretched = await argon2idAsync(passphrase.normalize('NFC'), salt, { ...kdf, dkLen: 32 });
  try {
    return hkdf(
      sha256,
      stretched,
      encoder.encode('kavach/recovery-kit-salt/v1'),
      encoder.encode('kavach/recovery-kit-wrap/v1'),
      32,
    );
  } finally {
    stretched.fill(0);
  }
}

const aad = (salt: string) => associatedData({ table: 'recovery_kit', column: 'key_ring', rowId: salt });

export async function sealKit(
  passphrase: string,
  keys: readonly KitKey[],
  clinic: string | null,
  at: number,
): Promise<Buffer> {
  if (keys.length === 0 || keys.length > 255) throw new Error('Key ring size out of range');
  const salt = randomBytes(16);
  const saltText = salt.toString('base64');
  const plain = new Uint8Array(1 + keys.length * 34);
  plain[0] = keys.length;
  keys.forEach((k, i) => {
    const o = 1 + i * 34;
    plain[o] = (k.version >> 8) & 0xff;
    plain[o + 1] = k.version & 0xff;
    plain.set(k.cdk, o + 2);
  });
  const key = await kitKey(passphrase, salt, KIT_ARGON2);
  try {
    const file: KitFile = {
      kavachRecoveryKit: KIT_FORMAT,
      createdAt: new Date(at).toISOString(),
      clinic,
      versions: keys.map((k) => k.version),
      kdf: { alg: 'argon2id', ...KIT_ARGON2, salt: saltText },
      ring: Buffer.from(sealBytes(key, KIT_FORMAT, plain, aad(saltText))).toString('base64'),
    };
    return Buffer.from(`${JSON.stringify(file, null, 2)}\n`, 'utf8');
  } finally {
    key.fill(0);
    plain.fill(0);
  }
}

function parseKit(bytes: Uint8Array): KitFile {
  const malformed = () => new RecoveryKitError('malformed', 'This file is not a Kavach recovery kit.');
  let f: KitFile;
  try {
    f = JSON.parse(Buffer.from(bytes).toString('utf8')) as KitFile;
  } catch {
    throw malformed();
  }
  const k = f?.kdf;
  const sane =
    f?.kavachRecoveryKit === KIT_FORMAT &&
    typeof f.ring === 'string' &&
    k?.alg === 'argon2id' &&
    typeof k.salt === 'string' &&
    [k.m, k.t, k.p].every((n) => Number.isInteger(n)) &&
    // Bounds keep a crafted kit from asking for gigabytes or hours.
    k.m >= 19456 &&
    k.m <= 1 << 20 &&
    k.t >= 2 &&
    k.t <= 10 &&
    k.p >= 1 &&
    k.p <= 4;
  if (!sane) throw malformed();
  return f;
}

/** The key versions in a kit; RecoveryKitError when it is not a kit or the passphrase is wrong. */
export async function openKit(bytes: Uint8Array, passphrase: string): Promise<KitKey[]> {
  const f = parseKit(bytes);
  const key = await kitKey(passphrase, Buffer.from(f.kdf.salt, 'base64'), f.kdf);
  let plain: Uint8Array;
  try {
    plain = openBytes(
      (v) => (v === KIT_FORMAT ? key : undefined),
      Buffer.from(f.ring, 'base64'),
      aad(f.kdf.salt),
      null,
    );
  } catch (e) {
    if (e instanceof DecryptionError) {
      throw new RecoveryKitError(
        'wrong-passphrase',
        'The recovery passphrase is wrong, or the file was altered. Nothing was changed.',
      );
    }
    throw e;
  } finally {
    key.fill(0);
  }
  try {
    const n = plain[0] ?? 0;
    if (n === 0 || plain.length !== 1 + n * 34)
      throw new RecoveryKitError('malformed', 'This file is not a Kavach recovery kit.');
    const out: KitKey[] = [];
    for (let i = 0; i < n; i++) {
      const o = 1 + i * 34;
      out.push({ version: (plain[o]! << 8) | plain[o + 1]!, cdk: plain.slice(o + 2, o + 34) });
    }
    return out;
  } finally {
    plain.fill(0);
  }
}
