/**
 * Aadhaar numbers carry a Verhoeff check digit. Verhoeff catches every single-digit
 * mistake and every swap of two neighbouring digits, the two errors people make most when
 * copying a number off a card, so checking it here stops a mistyped ID before it is stored
 * and later fails to match the patient's real one.
 *
 * The tables are derived from their definitions rather than written out, so there is no
 * hand-copied 10×10 grid in which a single wrong entry could hide.
 */

/**
 * Multiplication in the dihedral group D5, the symmetries of a regular pentagon. Elements
 * 0–4 are the rotations r^k and 5–9 the reflections s·r^k. Rotations compose by adding
 * angles; a reflection reverses the direction of whatever rotation follows it, which is why
 * the second operand is subtracted when the first is a reflection. The group is not
 * commutative, and that is what lets the checksum notice two swapped digits.
 */
function d5(j: number, k: number): number {
  const jReflects = j >= 5;
  const kReflects = k >= 5;
  const jr = j % 5;
  const kr = k % 5;
  const rotation = jReflects ? (jr - kr + 5) % 5 : (jr + kr) % 5;
  return jReflects !== kReflects ? 5 + rotation : rotation;
}

const MULTIPLY: readonly (readonly number[])[] = Array.from({ length: 10 }, (_, j) =>
  Array.from({ length: 10 }, (_, k) => d5(j, k)),
);

/** Each element's inverse: the k that brings j back to the identity. */
const INVERSE: readonly number[] = MULTIPLY.map((row) => row.indexOf(0));

/**
 * Verhoeff's position permutation: one cycle of length 8 and one transposition,
 * (0 1 5 8 9 4 2 7)(3 6). Its order is 8, so the permutation applied at a position repeats
 * every 8 digits. Applying a different power at each position is what makes neighbouring
 * digits distinguishable after they are multiplied together.
 */
const SIGMA: readonly number[] = [1, 5, 7, 6, 2, 8, 3, 0, 9, 4];

const PERMUTE: readonly (readonly number[])[] = (() => {
  const rows: number[][] = [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]];
  for (let i = 1; i < 8; i++) rows.push(rows[i - 1]!.map((n) => SIGMA[n]!));
  return rows;
})();

function digitsOf(digits: string): number[] {
  if (!/^\d+$/.test(digits)) throw new RangeError('Expected a string of decimal digits');
  return Array.from(digits, (c) => c.charCodeAt(0) - 48);
}

/** Runs the checksum over digits that sit `offset` places left of the rightmost position. */
function checksum(digits: number[], offset: number): number {
  let c = 0;
  for (let i = 0; i < digits.length; i++) {
    const digit = digits[digits.length - 1 - i]!;
    c = MULTIPLY[c]![PERMUTE[(i + offset) % 8]![digit]!]!;
  }
  return c;
}

/** The Verhoeff check digit to append to `digits`. Throws RangeError on anything but 0–9. */
export function verhoeffCheckDigit(digits: string): number {
  // The digits will sit one place left of the check digit once it is appended.
  return INVERSE[checksum(digitsOf(digits), 1)]!;
}

/** True when the last digit of `digits` is the Verhoeff check digit of the rest. */
export function hasValidVerhoeff(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  return checksum(digitsOf(digits), 0) === 0;
}

// People type the number as printed on the card (4-4-4 groups) or copy it with hyphens.
const SEPARATORS = /[\s-]/g;

function compact(raw: string): string {
  return raw.replace(SEPARATORS, '');
}

/** Why a typed Aadhaar number is refused, or null when it is acceptable. */
export type AadhaarProblem = 'length' | 'leading-digit' | 'checksum';

export function aadhaarProblem(raw: string): AadhaarProblem | null {
  const digits = compact(raw);
  if (!/^\d{12}$/.test(digits)) return 'length';
  // UIDAI never issues numbers starting with 0 or 1; a leading 0/1 is a typing slip.
  if (digits[0] === '0' || digits[0] === '1') return 'leading-digit';
  return hasValidVerhoeff(digits) ? null : 'checksum';
}

/** Twelve digits once spaces and hyphens are removed, not starting 0 or 1, valid Verhoeff. */
export function isValidAadhaar(raw: string): boolean {
  return aadhaarProblem(raw) === null;
}

/**
 * The canonical 12-digit form, the one the store encrypts and blind-indexes. Throws
 * RangeError for an invalid number so that garbage can never be indexed by accident;
 * validate first (the patient schema does).
 */
export function normalizeAadhaar(raw: string): string {
  if (!isValidAadhaar(raw)) throw new RangeError('Not a valid Aadhaar number');
  return compact(raw);
}

/**
 * 'XXXX XXXX 1234': the last four digits only, the form UIDAI itself prints on masked
 * Aadhaar. Anything that is not 12 digits is masked completely: a display helper must
 * never throw in the middle of rendering, and a malformed value should not leak either.
 */
export function maskAadhaar(digits: string): string {
  const plain = compact(digits);
  if (!/^\d{12}$/.test(plain)) return 'XXXX XXXX XXXX';
  return `XXXX XXXX ${plain.slice(8)}`;
}
