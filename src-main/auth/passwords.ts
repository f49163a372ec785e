import { timingSafeEqual } from 'node:crypto';
import { randomBytes } from '@noble/ciphers/utils.js';
import { argon2idAsync } from '@noble/hashes/argon2.js';
import { isCommonPassword } from './common-passwords.js';

/**
 * argon2id from @noble/hashes at OWASP's floor (m = 19 MiB, t = 2, p = 1), encoded in the
 * PHC string format so parameters can be raised later without breaking stored hashes.
 */
export const ARGON2_PARAMS = { m: 19456, t: 2, p: 1 } as const;
const HASH_BYTES = 32;
const SALT_BYTES = 16;

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64').replace(/=+$/, '');

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const { m, t, p } = ARGON2_PARAMS;
  const hash = await argon2idAsync(password, salt, { m, t, p, dkLen: HASH_BYTES });
  return `$argon2id$v=19$m=${m},t=${t},p=${p}$${b64(salt)}$${b64(hash)}`;
}

export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const m = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/.exec(encoded);
  if (!m) return false;
  const salt = Buffer.from(m[4]!, 'base64');
  const expected = Buffer.from(m[5]!, 'base64');
  const actual = await argon2idAsync(password, salt, {
    m: Number(m[1]),
    t: Number(m[2]),
    p: Number(m[3]),
    dkLen: expected.length,
  });
  return expected.length === actual.length && timingSafeEqual(expected, Buffer.from(actual));
}

/** A hash of a random password, verified against when a username is unknown, so the
 *  response time does not reveal which usernames exist. */
let decoy: Promise<string> | null = null;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(Buffer.from(randomBytes(24)).toString('base64'));
  return decoy;
}

export const PASSWORD_RULES =
  'At least 10 characters, not your username, and not a commonly used password.';

/** Null when acceptable, else the reason in words for the field. */
export function passwordProblem(password: string, username: string): string | null {
  if ([...password].length < 10) return 'Use at least 10 characters';
  const lower = password.toLowerCase();
  const user = username.toLowerCase();
  if (user.length > 0 && (lower === user || lower.includes(user))) return 'The password must not contain the username';
  if (isCommonPassword(password)) return 'This password is too common; choose another';
  return null;
}
