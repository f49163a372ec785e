import {
  type PrescriptionItem,
  type PrescriptionItemDraft,
  parseFrequency,
  suggestQuantity,
} from '../../../../src-shared/clinical/prescribing';
import {
  type Medicine,
  medicineById,
  type Route,
  searchFormulary,
} from '../../../../src-shared/clinical/reference';

/** One prescription row as the doctor types it. */
export interface RxRow {
  key: number;
  medicineId: string | null;
  name: string;
  form: string;
  strength: string;
  dose: string;
  route: Route;
  frequency: string;
  durationDays: string;
  quantity: string;
  /** The quantity is still the suggested one, so it follows dose, frequency and duration. */
  quantityAuto: boolean;
  instructions: string;
  /** Why this item is prescribed despite an allergy warning. */
  overrideReason: string;
}

let nextKey = 1;

export function emptyRow(): RxRow {
  return {
    key: nextKey++,
    medicineId: null,
    name: '',
    form: '',
    strength: '',
    dose: '',
    route: 'oral',
    frequency: '',
    durationDays: '',
    quantity: '',
    quantityAuto: true,
    instructions: '',
    overrideReason: '',
  };
}

export function rowFromItem(item: PrescriptionItem, overrideReason = ''): RxRow {
  return {
    ...emptyRow(),
    medicineId: item.medicineId,
    name: item.name || (item.medicineId ? (medicineById(item.medicineId)?.name ?? '') : ''),
    form: item.form,
    strength: item.strength,
    dose: item.dose,
    route: item.route,
    frequency: item.frequency,
    durationDays: item.durationDays === null ? '' : String(item.durationDays),
    quantity: item.quantity,
    quantityAuto: false,
    instructions: item.instructions,
    overrideReason,
  };
}

/** A formulary medicine whose name is exactly what was typed, case aside. */
export function exactMedicine(text: string): Medicine | undefined {
  const t = text.trim().toLowerCase();
  if (t === '') return undefined;
  return searchFormulary(t, 10).find((m) => m.name.toLowerCase() === t);
}

function durationOf(text: string): number | null {
  const t = text.trim();
  if (t === '') return null;
  // Anything but whole days goes to main as-is in spirit: a number it will refuse with its message.
  return /^\d+$/.test(t) ? Number(t) : -1;
}

export function itemOf(row: RxRow): PrescriptionItemDraft {
  return {
    medicineId: row.medicineId,
    name: row.name.trim(),
    form: row.form,
    strength: row.strength,
    dose: row.dose,
    route: row.route,
    frequency: row.frequency,
    durationDays: durationOf(row.durationDays),
    quantity: row.quantity,
    instructions: row.instructions,
  };
}

export function suggestedQuantity(row: RxRow): string {
  const duration = durationOf(row.durationDays);
  if (!parseFrequency(row.frequency).ok || (duration !== null && duration < 1)) return '';
  return (
    suggestQuantity({
      dose: row.dose,
      form: row.form,
      strength: row.strength,
      frequency: row.frequency,
      durationDays: duration,
    })?.text ?? ''
  );
}

/** Applies an edit, keeping the suggested quantity in step unless the doctor typed one. */
export function applyEdit(row: RxRow, patch: Partial<RxRow>): RxRow {
  const next = { ...row, ...patch };
  if ('quantity' in patch) next.quantityAuto = (patch.quantity ?? '').trim() === '';
  if (next.quantityAuto) next.quantity = suggestedQuantity(next);
  return next;
}

/** A typed medicine name: linked to the formulary when it names one, otherwise free text. */
export function withMedicineName(row: RxRow, text: string): RxRow {
  const m = exactMedicine(text);
  if (!m) return applyEdit(row, { name: text, medicineId: null });
  if (m.id === row.medicineId) return applyEdit(row, { name: text });
  const first = m.forms[0];
  return applyEdit(row, {
    name: text,
    medicineId: m.id,
    form: first?.form ?? '',
    strength: first?.strengths[0] ?? '',
    route: first?.route ?? row.route,
  });
}
