/** The billing ledger's verification as the screens and the CLI see it (issue 7). */
export type LedgerFault = 'hash-mismatch' | 'broken-link' | 'gap' | 'duplicate-seq' | 'bad-content';

export interface LedgerChain {
  workstationId: string;
  /** Entries checked and found good. */
  entries: number;
}

export type LedgerCheck =
  | { ok: true; chains: LedgerChain[] }
  | { ok: false; workstationId: string; seq: number; reason: LedgerFault; chains: LedgerChain[] };

/* ---- Price list, invoices and payments (issue 7). Money is integer paise throughout. ---- */

export const PRICE_CATEGORIES = ['consultation', 'procedure', 'lab', 'medicine'] as const;
export type PriceCategory = (typeof PRICE_CATEGORIES)[number];

export interface PriceItem {
  id: string;
  /** e.g. "CONS-GEN". */
  code: string;
  name: string;
  category: PriceCategory;
  /** A consultation of one doctor, or null. */
  doctorId: string | null;
  /** May be ''. */
  department: string;
  pricePaise: number;
  /** 0, 500, 1200, 1800 or 2800 (0/5/12/18/28 %). */
  taxBp: number;
  /** 'YYYY-MM-DD'. */
  effectiveFrom: string;
  /** The day before the next version starts, or the last day before retirement; null = open. */
  effectiveTo: string | null;
  /** Effective on the asked date. */
  active: boolean;
}

/** Stored: draft/issued/void; partly-paid and paid are derived from the payments. */
export const INVOICE_STATUSES = ['draft', 'issued', 'partly-paid', 'paid', 'void'] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

export interface InvoiceLine {
  id: string;
  priceItemId: string | null;
  description: string;
  category: PriceCategory;
  quantity: number;
  unitPricePaise: number;
  discountPaise: number;
  taxBp: number;
  taxPaise: number;
  totalPaise: number;
}

export const PAYMENT_METHODS = ['cash', 'card', 'upi', 'insurance'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

export interface Payment {
  id: string;
  invoiceId: string;
  kind: 'payment' | 'refund';
  method: PaymentMethod;
  /** Positive; a refund reverses. */
  amountPaise: number;
  /** Cash only. */
  tenderedPaise: number | null;
  changePaise: number;
  /** Card last 4 / UPI ref / insurer claim number / refund reason. */
  reference: string;
  refundOf: string | null;
  userId: string;
  userName: string;
  workstationId: string;
  /** ms. */
  at: number;
}

export interface Invoice {
  id: string;
  /** "INV-<5-char workstation prefix>-000042", given at issue; '' while draft. */
  number: string;
  visitId: string;
  patientId: string;
  patientName: string;
  patientNumber: string;
  doctorName: string | null;
  status: InvoiceStatus;
  lines: InvoiceLine[];
  subtotalPaise: number;
  discountPaise: number;
  taxPaise: number;
  totalPaise: number;
  /** Payments minus refunds. */
  paidPaise: number;
  /** total − paid; 0 for void and draft. */
  balancePaise: number;
  createdAt: number;
  issuedAt: number | null;
  voidedAt: number | null;
  voidReason: string;
  payments: Payment[];
}

export interface InvoiceSummary {
  id: string;
  number: string;
  patientName: string;
  patientNumber: string;
  status: InvoiceStatus;
  totalPaise: number;
  balancePaise: number;
  createdAt: number;
}

export interface PatientBalance {
  patientId: string;
  outstandingPaise: number;
  invoices: {
    id: string;
    number: string;
    issuedAt: number | null;
    totalPaise: number;
    balancePaise: number;
  }[];
}

export interface DailyReportRow {
  workstationId: string;
  userId: string;
  userName: string;
  method: PaymentMethod;
  /** How many payments (refunds not counted). */
  payments: number;
  paidPaise: number;
  refundedPaise: number;
  netPaise: number;
}

export interface DailyReport {
  date: string;
  workstation: 'this' | 'all';
  rows: DailyReportRow[];
  totals: { method: PaymentMethod; paidPaise: number; refundedPaise: number; netPaise: number }[];
  grandTotalPaise: number;
  invoicesIssued: number;
  invoicesVoided: number;
}

export interface PaymentRecorded {
  invoice: Invoice;
  payment: Payment;
  changePaise: number;
}

export interface DailyReportCsv {
  fileName: string;
  csv: string;
}
