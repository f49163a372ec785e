import {
  formatPaise,
  lineAmounts,
  parseRupees as parseShared,
  rupeesProblem,
} from '../../../../src-shared/money';

/**
 * Money on the billing screens, on top of the shared money module: integer paise, never
 * floating point. Amounts the user types are rupee strings; main checks them again.
 */

/** "150.5" → 15050; null when main would refuse it. */
export function parseRupees(text: string): number | null {
  return rupeesProblem(text) === null ? parseShared(text) : null;
}

/** "3" → 3; null outside 1..9999. */
export function parseQuantity(text: string): number | null {
  const t = text.trim();
  if (!/^\d{1,4}$/.test(t)) return null;
  const n = Number(t);
  return n >= 1 ? n : null;
}

/** 15050 → "150.50", 15000 → "150": how an amount is put back into an input. */
export function paiseToInput(paise: number): string {
  const whole = Math.floor(paise / 100);
  const frac = paise % 100;
  return frac === 0 ? String(whole) : `${whole}.${String(frac).padStart(2, '0')}`;
}

/** "₹1,23,456.50". */
export const formatRupees = formatPaise;

export interface TypedLine {
  quantity: string;
  unitPrice: string;
  discount: string;
  taxBp: number;
}

/** A typed line's amounts, or null while any of its inputs is not yet a valid amount. */
export function typedLineAmounts(line: TypedLine) {
  const quantity = parseQuantity(line.quantity);
  const unitPricePaise = parseRupees(line.unitPrice);
  const discountPaise = line.discount.trim() === '' ? 0 : parseRupees(line.discount);
  if (quantity === null || unitPricePaise === null || discountPaise === null) return null;
  try {
    return { ...lineAmounts({ quantity, unitPricePaise, discountPaise, taxBp: line.taxBp }), discountPaise };
  } catch {
    return null;
  }
}

/** 1800 → "18 %". */
export function taxLabel(bp: number): string {
  return `${bp / 100} %`;
}

/** Today on this workstation as 'YYYY-MM-DD'. */
export function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
