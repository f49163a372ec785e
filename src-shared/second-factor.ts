import { z } from 'zod';

/**
 * The second factor's input shapes, shared by the contract and the screens. A TOTP code is
 * six digits (RFC 6238, 30 s steps); a recovery code is sixteen Crockford base-32
 * characters, shown in four groups of four.
 */

export const TOTP_DIGITS = 6;
export const TOTP_PERIOD_SECONDS = 30;
export const RECOVERY_CODE_COUNT = 10;

const TOTP_MESSAGE = 'Enter the 6 digits from your authenticator app';
const EITHER_MESSAGE = 'Enter the 6-digit code from your authenticator app, or a recovery code';

/** Crockford base 32: no I, L, O or U, so codes survive being read aloud or handwritten. */
export const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** Upper case, separators dropped, the letters people mistake for digits read as digits. */
export function normalizeRecoveryCode(raw: string): string {
  return raw.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
}

export function isRecoveryCode(raw: string): boolean {
  return /^[0-9A-HJKMNP-TV-Z]{16}$/.test(normalizeRecoveryCode(raw));
}

export function isTotpCode(raw: string): boolean {
  return /^\d{6}$/.test(raw.replace(/\s/g, ''));
}

/** Six digits; a space in the middle, as apps display them, is allowed and dropped. */
export const totpCodeInput = z
  .string({ error: TOTP_MESSAGE })
  .max(20, { error: TOTP_MESSAGE })
  .refine(isTotpCode, { error: TOTP_MESSAGE })
  .transform((s) => s.replace(/\s/g, ''));

/** A TOTP code or a recovery code. */
export const secondFactorCodeInput = z
  .string({ error: EITHER_MESSAGE })
  .max(40, { error: EITHER_MESSAGE })
  .refine((s) => isTotpCode(s) || isRecoveryCode(s), { error: EITHER_MESSAGE });
