import { describe, expect, it } from 'vitest';
import {
  aadhaarProblem,
  hasValidVerhoeff,
  isValidAadhaar,
  maskAadhaar,
  normalizeAadhaar,
  verhoeffCheckDigit,
} from './aadhaar.js';

/** Builds a valid number from 11 digits by appending the computed check digit. */
function withCheckDigit(eleven: string): string {
  return eleven + String(verhoeffCheckDigit(eleven));
}

// Prefixes chosen to cover every leading digit 2–9 and repeated digits, where a weak
// checksum would be most likely to miss a swap.
const VALID = ['23456789012', '98765432109', '55555555555', '70000000001', '31415926535', '44111122223'].map(
  withCheckDigit,
);

describe('Verhoeff check digit', () => {
  it('matches published worked examples', () => {
    // From Verhoeff's algorithm as commonly documented: 236 -> 2363, 12345 -> 123451,
    // 123456789012 -> 1234567890120.
    expect(verhoeffCheckDigit('236')).toBe(3);
    expect(verhoeffCheckDigit('12345')).toBe(1);
    expect(verhoeffCheckDigit('123456789012')).toBe(0);
    expect(hasValidVerhoeff('2363')).toBe(true);
    expect(hasValidVerhoeff('2364')).toBe(false);
  });

  it('gives exactly one valid check digit for each prefix', () => {
    for (const eleven of ['23456789012', '99999999999', '80808080808']) {
      const valid = Array.from({ length: 10 }, (_, d) => d).filter((d) => hasValidVerhoeff(eleven + d));
      expect(valid).toEqual([verhoeffCheckDigit(eleven)]);
    }
  });

  it('refuses non-digit input instead of computing nonsense', () => {
    expect(() => verhoeffCheckDigit('12a4')).toThrow(RangeError);
    expect(() => verhoeffCheckDigit('')).toThrow(RangeError);
    expect(hasValidVerhoeff('')).toBe(false);
  });
});

describe('isValidAadhaar', () => {
  it('accepts numbers completed with their check digit', () => {
    for (const n of VALID) expect(isValidAadhaar(n)).toBe(true);
  });

  it('rejects every single-digit substitution of a valid number', () => {
    for (const n of VALID) {
      for (let pos = 0; pos < 12; pos++) {
        for (let d = 0; d <= 9; d++) {
          if (String(d) === n[pos]) continue;
          const wrong = n.slice(0, pos) + d + n.slice(pos + 1);
          expect(isValidAadhaar(wrong), `${n} -> ${wrong}`).toBe(false);
        }
      }
    }
  });

  it('rejects every swap of two different neighbouring digits', () => {
    let swaps = 0;
    for (const n of VALID) {
      for (let pos = 0; pos < 11; pos++) {
        if (n[pos] === n[pos + 1]) continue;
        const swapped = n.slice(0, pos) + n[pos + 1] + n[pos] + n.slice(pos + 2);
        expect(isValidAadhaar(swapped), `${n} -> ${swapped}`).toBe(false);
        swaps++;
      }
    }
    // Guards against the loop silently testing nothing.
    expect(swaps).toBeGreaterThan(40);
  });

  it('accepts the number however it is spaced or hyphenated', () => {
    const n = VALID[0]!;
    const grouped = `${n.slice(0, 4)} ${n.slice(4, 8)} ${n.slice(8)}`;
    expect(isValidAadhaar(grouped)).toBe(true);
    expect(isValidAadhaar(grouped.replaceAll(' ', '-'))).toBe(true);
    expect(isValidAadhaar(`  ${grouped.replaceAll(' ', '  ')} `)).toBe(true);
    expect(isValidAadhaar(`${n.slice(0, 6)}\u00a0${n.slice(6)}`)).toBe(true);
  });

  it('rejects wrong lengths, letters and other separators', () => {
    const n = VALID[0]!;
    expect(isValidAadhaar(n.slice(0, 11))).toBe(false);
    expect(isValidAadhaar(`${n}0`)).toBe(false);
    expect(isValidAadhaar(withCheckDigit(n))).toBe(false);
    expect(isValidAadhaar('')).toBe(false);
    expect(isValidAadhaar(`${n.slice(0, 4)}.${n.slice(4)}`)).toBe(false);
    expect(isValidAadhaar(`${n.slice(0, 11)}x`)).toBe(false);
    expect(aadhaarProblem(n.slice(0, 11))).toBe('length');
  });

  it('rejects numbers starting with 0 or 1 even when the check digit is right', () => {
    const zero = withCheckDigit('02345678901');
    const one = withCheckDigit('12345678901');
    expect(hasValidVerhoeff(zero)).toBe(true);
    expect(hasValidVerhoeff(one)).toBe(true);
    expect(isValidAadhaar(zero)).toBe(false);
    expect(aadhaarProblem(one)).toBe('leading-digit');
  });

  it('names a checksum failure as such', () => {
    const n = VALID[0]!;
    const wrongLast = n.slice(0, 11) + String((Number(n[11]) + 1) % 10);
    expect(aadhaarProblem(wrongLast)).toBe('checksum');
    expect(aadhaarProblem(n)).toBeNull();
  });
});

describe('normalizeAadhaar and maskAadhaar', () => {
  it('normalizes to twelve plain digits', () => {
    const n = VALID[1]!;
    expect(normalizeAadhaar(`${n.slice(0, 4)} ${n.slice(4, 8)}-${n.slice(8)}`)).toBe(n);
    expect(normalizeAadhaar(n)).toMatch(/^[2-9]\d{11}$/);
  });

  it('refuses to normalize an invalid number', () => {
    expect(() => normalizeAadhaar('1234 5678 9012')).toThrow(RangeError);
  });

  it('shows only the last four digits', () => {
    expect(maskAadhaar('234567890123')).toBe('XXXX XXXX 0123');
    expect(maskAadhaar('2345 6789 0123')).toBe('XXXX XXXX 0123');
  });

  it('masks malformed values completely rather than leaking part of them', () => {
    expect(maskAadhaar('23456789')).toBe('XXXX XXXX XXXX');
    expect(maskAadhaar('')).toBe('XXXX XXXX XXXX');
  });
});
