import { z } from 'zod';

/**
 * String schemas shared by every channel. Control characters are refused (they have no
 * business in a clinic record and are a classic smuggling vector); text is NFC-normalised
 * so that the same name typed on two keyboards compares and indexes equal.
 */

// C0 and C1 controls except TAB, LF and CR; also DEL.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is this pattern's purpose
const CONTROL_MULTILINE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is this pattern's purpose
const CONTROL_SINGLE = /[\u0000-\u001F\u007F-\u009F]/;
// Unicode bidirectional overrides can make text display differently from what is stored.
const BIDI_OVERRIDES = /[\u202A-\u202E\u2066-\u2069]/;

export interface TextOptions {
  min?: number;
  max: number;
}

function base(max: number, pattern: RegExp) {
  return z
    .string({ error: 'Expected text' })
    .max(max, { error: `At most ${max} characters` })
    .refine((s) => !pattern.test(s), { error: 'Control characters are not allowed' })
    .refine((s) => !BIDI_OVERRIDES.test(s), { error: 'Text direction override characters are not allowed' })
    .transform((s) => s.normalize('NFC'));
}

/** One line of text: names, numbers, short labels. */
export function singleLine({ min = 0, max }: TextOptions) {
  return base(max, CONTROL_SINGLE).refine((s) => s.trim().length >= min, {
    error: min <= 1 ? 'Required' : `At least ${min} characters`,
  });
}

/** Free text that may span lines: notes, advice, availability. */
export function multiLine({ min = 0, max }: TextOptions) {
  return base(max, CONTROL_MULTILINE).refine((s) => s.trim().length >= min, {
    error: min <= 1 ? 'Required' : `At least ${min} characters`,
  });
}

/** Passwords are never normalised or inspected beyond length: they are hashed as typed. */
export const passwordInput = z
  .string({ error: 'Expected text' })
  .min(1, { error: 'Required' })
  .max(256, { error: 'At most 256 characters' });

export const usernameInput = z
  .string({ error: 'Expected text' })
  .min(3, { error: 'At least 3 characters' })
  .max(32, { error: 'At most 32 characters' })
  .regex(/^[a-z0-9][a-z0-9._-]*$/, {
    error: 'Use lower-case letters, digits, dot, dash or underscore, starting with a letter or digit',
  });

/** A 10-digit Indian mobile (optionally +91 or 0 in front) or an E.164 number. */
export function isValidPhone(raw: string): boolean {
  const compact = raw.replace(/[\s-]/g, '');
  if (/^(?:\+91|0)?[6-9]\d{9}$/.test(compact)) return true;
  return /^\+[1-9]\d{7,14}$/.test(compact);
}

export const phoneInput = z
  .string({ error: 'Expected text' })
  .max(20, { error: 'At most 20 characters' })
  .refine(isValidPhone, { error: 'Enter a 10-digit Indian mobile number or an international number like +441632960961' });

export const idInput = z.uuid({ error: 'Expected an id' });

export const emptyInput = z.strictObject({});
