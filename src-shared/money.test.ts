import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatPaise,
  invoiceTotals,
  lineAmounts,
  MAX_RUPEES_PAISE,
  paiseToRupees,
  parseFormatted,
  parseRupees,
  RUPEES_PATTERN,
  rupeesProblem,
  TAX_BPS,
  taxOn,
} from './money.js';

const paise = fc.integer({ min: 0, max: MAX_RUPEES_PAISE });
const line = fc
  .record({
    quantity: fc.integer({ min: 1, max: 9999 }),
    unitPricePaise: fc.integer({ min: 0, max: 10_000_000 }),
    taxBp: fc.constantFrom(...TAX_BPS),
    discountShare: fc.integer({ min: 0, max: 100 }),
  })
  .map(({ discountShare, ...l }) => ({
    ...l,
    discountPaise: Math.floor((l.quantity * l.unitPricePaise * discountShare) / 100),
  }));

describe('rupee strings', () => {
  it('parse to paise without floats', () => {
    expect(parseRupees('150')).toBe(15_000);
    expect(parseRupees('150.5')).toBe(15_050);
    expect(parseRupees('150.50')).toBe(15_050);
    expect(parseRupees('0.05')).toBe(5);
    expect(parseRupees('0')).toBe(0);
    // 0.1 + 0.2 style float error would show here.
    expect(parseRupees('1234567.89')).toBe(123_456_789);
    expect(parseRupees('99999999.99')).toBe(MAX_RUPEES_PAISE);
  });

  it('name each kind of bad amount', () => {
    expect(rupeesProblem('10.005')).toBe('Use at most two decimals (paise)');
    expect(rupeesProblem('-5')).toBe('Must not be negative');
    expect(rupeesProblem('-5.50')).toBe('Must not be negative');
    expect(rupeesProblem('1e3')).toMatch(/Enter an amount/);
    expect(rupeesProblem('12,000')).toMatch(/Enter an amount/);
    expect(rupeesProblem('')).toMatch(/Enter an amount/);
    expect(rupeesProblem('.5')).toMatch(/Enter an amount/);
    expect(rupeesProblem('123456789')).toMatch(/At most/);
    expect(() => parseRupees('10.005')).toThrow(/two decimals/);
  });

  it('format with Indian digit grouping', () => {
    expect(formatPaise(123_450)).toBe('₹1,234.50');
    expect(formatPaise(5)).toBe('₹0.05');
    expect(formatPaise(0)).toBe('₹0.00');
    expect(formatPaise(10_000_000)).toBe('₹1,00,000.00');
    expect(formatPaise(1_234_567_800)).toBe('₹1,23,45,678.00');
    expect(formatPaise(-500)).toBe('-₹5.00');
    expect(paiseToRupees(15_050)).toBe('150.50');
    expect(paiseToRupees(-1_250)).toBe('-12.50');
    expect(() => formatPaise(1.5)).toThrow(/whole paise/);
  });

  it('parse ∘ format round-trips every amount (property)', () => {
    fc.assert(
      fc.property(paise, (p) => {
        expect(parseRupees(paiseToRupees(p))).toBe(p);
        expect(parseFormatted(formatPaise(p))).toBe(p);
        if (p > 0) expect(parseFormatted(formatPaise(-p))).toBe(-p);
        expect(RUPEES_PATTERN.test(paiseToRupees(p))).toBe(true);
      }),
    );
  });

  it('any accepted string parses to an integer (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{1,8}(\.\d{1,2})?$/), (s) => {
        expect(rupeesProblem(s)).toBeNull();
        expect(Number.isSafeInteger(parseRupees(s))).toBe(true);
      }),
    );
  });
});

describe('lines and totals', () => {
  it('tax rounds half up in integer arithmetic', () => {
    expect(taxOn(1_000, 500)).toBe(50);
    expect(taxOn(10, 500)).toBe(1); // 0.5 paise rounds up
    expect(taxOn(9, 500)).toBe(0); // 0.45 paise rounds down
    expect(taxOn(1_111, 1800)).toBe(200); // 199.98
    expect(taxOn(MAX_RUPEES_PAISE * 9999, 2800)).toBe(
      Number((BigInt(MAX_RUPEES_PAISE * 9999) * 2800n + 5000n) / 10000n),
    );
    expect(lineAmounts({ quantity: 3, unitPricePaise: 33_333, discountPaise: 999, taxBp: 1200 })).toEqual({
      grossPaise: 99_999,
      taxPaise: 11_880, // 99000 * 0.12
      totalPaise: 110_880,
    });
    expect(() => lineAmounts({ quantity: 1, unitPricePaise: 100, discountPaise: 101, taxBp: 0 })).toThrow(
      /larger than the line/,
    );
  });

  it('totals are the sums of the lines and never leave integers (property)', () => {
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 100 }), (lines) => {
        const t = invoiceTotals(lines);
        const each = lines.map(lineAmounts);
        expect(t.totalPaise).toBe(each.reduce((n, a) => n + a.totalPaise, 0));
        expect(t.taxPaise).toBe(each.reduce((n, a) => n + a.taxPaise, 0));
        expect(t.subtotalPaise - t.discountPaise + t.taxPaise).toBe(t.totalPaise);
        for (const v of [...Object.values(t), ...each.flatMap((a) => Object.values(a))])
          expect(Number.isSafeInteger(v)).toBe(true);
        for (const l of lines) {
          const base = l.quantity * l.unitPricePaise - l.discountPaise;
          const exact = (base * l.taxBp) / 10_000;
          const tax = lineAmounts(l).taxPaise;
          // Within half a paisa of the exact tax, rounding .5 up.
          expect(tax - exact).toBeLessThanOrEqual(0.5);
          expect(exact - tax).toBeLessThan(0.5);
        }
      }),
    );
  });
});
