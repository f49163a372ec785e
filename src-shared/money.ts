/**
 * Money as integer paise (issue 7). Nothing here ever holds a rupee amount in a float:
 * rupee strings are split into whole and fraction digits, products that could pass 2^53
 * are done in BigInt, and tax rounds half up in integer arithmetic.
 */

/** What a user may type as an amount: up to 8 rupee digits and at most two paise digits. */
export const RUPEES_PATTERN = /^\d{1,8}(\.\d{1,2})?$/;

/** The largest amount a rupee string can carry: ₹99,999,999.99. */
export const MAX_RUPEES_PAISE = 9_999_999_999;

/** Why a typed amount is not acceptable, or null when it is. */
export function rupeesProblem(raw: string): string | null {
  const s = raw.trim();
  if (RUPEES_PATTERN.test(s)) return null;
  if (/^-\s*\d/.test(s)) return 'Must not be negative';
  if (/^\d{1,8}\.\d{3,}$/.test(s)) return 'Use at most two decimals (paise)';
  if (/^\d{9,}(\.\d*)?$/.test(s)) return 'At most ₹99,999,999.99';
  return 'Enter an amount in rupees, like 150 or 150.50';
}

/** '150' → 15000, '150.5' → 15050, '0.05' → 5. Throws on anything rupeesProblem refuses. */
export function parseRupees(raw: string): number {
  const s = raw.trim();
  const problem = rupeesProblem(s);
  if (problem) throw new RangeError(problem);
  const [whole = '0', frac = ''] = s.split('.');
  return Number.parseInt(whole, 10) * 100 + Number.parseInt(frac.padEnd(2, '0') || '0', 10);
}

function assertPaise(paise: number): void {
  if (!Number.isSafeInteger(paise)) throw new TypeError('Amounts are whole paise');
}

/** 15050 → '150.50' (no symbol, no grouping: CSV cells and the inverse of parseRupees). */
export function paiseToRupees(paise: number): string {
  assertPaise(paise);
  const sign = paise < 0 ? '-' : '';
  const abs = Math.abs(paise);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** Indian digit grouping: the last three digits, then pairs (12,34,567). */
function groupIndian(digits: string): string {
  if (digits.length <= 3) return digits;
  const head = digits.slice(0, -3);
  const tail = digits.slice(-3);
  return `${head.replace(/\B(?=(\d{2})+$)/g, ',')},${tail}`;
}

/** 123450 → '₹1,234.50'; 1234567800 → '₹1,23,45,678.00'; negatives as '-₹5.00'. */
export function formatPaise(paise: number): string {
  assertPaise(paise);
  const sign = paise < 0 ? '-' : '';
  const abs = Math.abs(paise);
  return `${sign}₹${groupIndian(String(Math.floor(abs / 100)))}.${String(abs % 100).padStart(2, '0')}`;
}

/** Reads a formatted amount back ('₹1,234.50' → 123450); the inverse of formatPaise. */
export function parseFormatted(text: string): number {
  const m = /^(-?)₹([\d,]+)\.(\d{2})$/.exec(text);
  if (!m) throw new RangeError('Not a formatted amount');
  const paise = Number.parseInt(m[2]!.replaceAll(',', ''), 10) * 100 + Number.parseInt(m[3]!, 10);
  return m[1] ? -paise : paise;
}

/** The tax rates a price item may carry, in basis points (0/5/12/18/28 %). */
export const TAX_BPS = [0, 500, 1200, 1800, 2800] as const;
export type TaxBp = (typeof TAX_BPS)[number];

/** round-half-up(base × bp / 10000) for a non-negative base, exactly (BigInt). */
export function taxOn(basePaise: number, bp: number): number {
  assertPaise(basePaise);
  if (!Number.isSafeInteger(bp) || bp < 0) throw new TypeError('Tax rates are whole basis points');
  if (basePaise < 0) throw new RangeError('Tax on a negative amount');
  return Number((BigInt(basePaise) * BigInt(bp) + 5000n) / 10000n);
}

export interface LineInput {
  quantity: number;
  unitPricePaise: number;
  discountPaise: number;
  taxBp: number;
}

export interface LineAmounts {
  grossPaise: number;
  taxPaise: number;
  totalPaise: number;
}

/** One line: quantity × unit price − discount, plus its tax. Refuses a discount over the line. */
export function lineAmounts(line: LineInput): LineAmounts {
  for (const n of [line.quantity, line.unitPricePaise, line.discountPaise]) assertPaise(n);
  const gross = line.quantity * line.unitPricePaise;
  assertPaise(gross);
  if (line.discountPaise < 0) throw new RangeError('A discount must not be negative');
  if (line.discountPaise > gross) throw new RangeError('Discount is larger than the line');
  const taxPaise = taxOn(gross - line.discountPaise, line.taxBp);
  return { grossPaise: gross, taxPaise, totalPaise: gross - line.discountPaise + taxPaise };
}

export interface Totals {
  subtotalPaise: number;
  discountPaise: number;
  taxPaise: number;
  totalPaise: number;
}

/** An invoice's totals: sums of its lines (subtotal before discount, tax after it). */
export function invoiceTotals(lines: readonly LineInput[]): Totals {
  const t: Totals = { subtotalPaise: 0, discountPaise: 0, taxPaise: 0, totalPaise: 0 };
  for (const line of lines) {
    const a = lineAmounts(line);
    t.subtotalPaise += a.grossPaise;
    t.discountPaise += line.discountPaise;
    t.taxPaise += a.taxPaise;
    t.totalPaise += a.totalPaise;
  }
  for (const v of Object.values(t)) assertPaise(v);
  return t;
}
