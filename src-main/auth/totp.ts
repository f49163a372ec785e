import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import {
  CROCKFORD,
  normalizeRecoveryCode,
  RECOVERY_CODE_COUNT,
  TOTP_DIGITS,
  TOTP_PERIOD_SECONDS,
} from '../../src-shared/second-factor.js';

/**
 * The second factor's pure rules: TOTP per RFC 6238 (HMAC-SHA1, 30 s, 6 digits, one step of
 * tolerance either side) through otpauth, and recovery codes. No I/O: callers store the
 * secret (as an envelope), the last accepted step and the hashed recovery codes.
 */

/** 160 bits, the HMAC-SHA1 block-size recommendation of RFC 4226 §4. */
const SECRET_BYTES = 20;
/** One step either side: a phone clock up to ~30 s off, or a code typed just as it turns. */
const WINDOW = 1;

function totpFor(secretBase32: string, label = 'Kavach', issuer = 'Kavach'): TOTP {
  return new TOTP({
    issuer,
    label,
    algorithm: 'SHA1',
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
    secret: Secret.fromBase32(secretBase32),
  });
}

export function newTotpSecret(): string {
  return new Secret({ buffer: randomBytes(SECRET_BYTES).buffer as ArrayBuffer }).base32;
}

/** The otpauth:// address an authenticator app reads from the QR code. */
export function totpUri(secretBase32: string, account: string, issuer: string): string {
  return totpFor(secretBase32, account, issuer).toString();
}

/** The time step (30 s period number) an instant falls in. */
export function stepAt(nowMs: number): number {
  return Math.floor(nowMs / 1000 / TOTP_PERIOD_SECONDS);
}

/** The code an app would show at `nowMs` (tests and the enrollment check use it). */
export function totpAt(secretBase32: string, nowMs: number): string {
  return totpFor(secretBase32).generate({ timestamp: nowMs });
}

export type TotpCheck = { ok: true; step: number } | { ok: false; reason: 'wrong' | 'replayed' };

/**
 * Accepts a code of the current step or one step either side, but only for a step later
 * than the last one accepted for this user: a code seen over a shoulder, or sent twice,
 * cannot be used again within its window.
 */
export function checkTotp(
  secretBase32: string,
  code: string,
  nowMs: number,
  lastStep: number | null,
): TotpCheck {
  const delta = totpFor(secretBase32).validate({ token: code, timestamp: nowMs, window: WINDOW });
  if (delta === null) return { ok: false, reason: 'wrong' };
  const step = stepAt(nowMs) + delta;
  if (lastStep !== null && step <= lastStep) return { ok: false, reason: 'replayed' };
  return { ok: true, step };
}

export interface StoredRecoveryCode {
  /** SHA-256 (hex) of the normalized code. */
  hash: string;
  usedAt: number | null;
}

/**
 * Plain SHA-256 is enough here, unlike for passwords: each code is 80 random bits chosen by
 * the machine, so there is no dictionary to try and 2^80 guesses are out of reach however
 * fast the hash. A slow hash (argon2id) would only slow down every login attempt.
 */
export function hashRecoveryCode(code: string): string {
  return createHash('sha256')
    .update(`kavach-recovery|${normalizeRecoveryCode(code)}`)
    .digest('hex');
}

function recoveryCode(): string {
  let out = '';
  for (let i = 0; i < 16; i++) {
    if (i > 0 && i % 4 === 0) out += '-';
    out += CROCKFORD[randomInt(32)];
  }
  return out;
}

/** Ten fresh codes to show the user once, and what to store. */
export function newRecoveryCodes(): { codes: string[]; stored: StoredRecoveryCode[] } {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, recoveryCode);
  return { codes, stored: codes.map((c) => ({ hash: hashRecoveryCode(c), usedAt: null })) };
}

export type RecoveryCheck = { ok: true; index: number } | { ok: false; reason: 'wrong' | 'reused' };

export function checkRecoveryCode(stored: readonly StoredRecoveryCode[], code: string): RecoveryCheck {
  const wanted = Buffer.from(hashRecoveryCode(code), 'hex');
  let found = -1;
  stored.forEach((c, i) => {
    if (timingSafeEqual(Buffer.from(c.hash, 'hex'), wanted)) found = i;
  });
  if (found < 0) return { ok: false, reason: 'wrong' };
  if (stored[found]!.usedAt !== null) return { ok: false, reason: 'reused' };
  return { ok: true, index: found };
}
