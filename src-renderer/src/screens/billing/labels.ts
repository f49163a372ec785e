import type { InvoiceStatus, PaymentMethod, PriceCategory } from '../../../../src-shared/billing';

export const STATUS_LABELS: Record<InvoiceStatus, string> = {
  draft: 'Draft',
  issued: 'Issued',
  'partly-paid': 'Partly paid',
  paid: 'Paid',
  void: 'Void',
};

export const METHOD_LABELS: Record<PaymentMethod, string> = {
  cash: 'Cash',
  card: 'Card',
  upi: 'UPI',
  insurance: 'Insurance',
};

export const METHOD_OPTIONS: readonly { value: PaymentMethod; label: string }[] = [
  { value: 'cash', label: 'Cash' },
  { value: 'card', label: 'Card' },
  { value: 'upi', label: 'UPI' },
  { value: 'insurance', label: 'Insurance' },
];

/** What the reference field holds for each method (cash has none). */
export const REFERENCE_LABELS: Record<PaymentMethod, string | null> = {
  cash: null,
  card: 'Card last 4 digits',
  upi: 'UPI reference',
  insurance: 'Insurer claim number',
};

export const CATEGORY_LABELS: Record<PriceCategory, string> = {
  consultation: 'Consultation',
  procedure: 'Procedure',
  lab: 'Lab test',
  medicine: 'Medicine',
};

export const CATEGORY_OPTIONS: readonly { value: PriceCategory; label: string }[] = [
  { value: 'consultation', label: 'Consultation' },
  { value: 'procedure', label: 'Procedure' },
  { value: 'lab', label: 'Lab test' },
  { value: 'medicine', label: 'Medicine' },
];

export const TAX_OPTIONS: readonly { value: string; label: string }[] = [
  { value: '0', label: '0 %' },
  { value: '500', label: '5 %' },
  { value: '1200', label: '12 %' },
  { value: '1800', label: '18 %' },
  { value: '2800', label: '28 %' },
];
