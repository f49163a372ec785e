import { z } from 'zod';
import {
  type DailyReport,
  type DailyReportCsv,
  type Invoice,
  type InvoiceSummary,
  type LedgerCheck,
  PAYMENT_METHODS,
  type PatientBalance,
  type PaymentRecorded,
  PRICE_CATEGORIES,
  type PriceItem,
} from './billing.js';
import { type ChannelDef, channel } from './channel-def.js';
import { rupeesProblem, TAX_BPS } from './money.js';
import { calendarDateInput } from './patient.js';
import { emptyInput, idInput, singleLine } from './text.js';
import type { PrintableDocument } from './types.js';

/**
 * Amounts typed by a user arrive as decimal rupee strings ("150", "150.5", "150.50") and
 * stay strings here: main turns them into integer paise (money.ts), never into a float.
 */
export const rupeesInput = z
  .string({ error: 'Expected an amount' })
  .max(20, { error: 'At most 20 characters' })
  .superRefine((s, ctx) => {
    const problem = rupeesProblem(s);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** A rupee string, or '' (the price item's price; no tendered amount). */
export const rupeesOrEmptyInput = z
  .string({ error: 'Expected an amount' })
  .max(20, { error: 'At most 20 characters' })
  .superRefine((s, ctx) => {
    if (s === '') return;
    const problem = rupeesProblem(s);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** An integer string 1..9999. */
export const quantityInput = z
  .string({ error: 'Expected a quantity' })
  .max(6, { error: 'At most 9999' })
  .superRefine((s, ctx) => {
    const t = s.trim();
    if (/^-\d+$/.test(t) || /^0+$/.test(t)) {
      ctx.addIssue({ code: 'custom', message: 'Quantity must be at least 1' });
    } else if (!/^\d{1,4}$/.test(t)) {
      ctx.addIssue({ code: 'custom', message: 'Enter a whole number from 1 to 9999' });
    }
  });

export const priceCategoryInput = z.enum(PRICE_CATEGORIES, {
  error: 'Choose consultation, procedure, lab or medicine',
});
export const paymentMethodInput = z.enum(PAYMENT_METHODS, { error: 'Choose cash, card, UPI or insurance' });
export const taxBpInput = z.literal(TAX_BPS, { error: 'Choose a tax rate of 0, 5, 12, 18 or 28 %' });

export const priceSaveInput = z.strictObject({
  id: idInput.nullable(),
  code: singleLine({ min: 1, max: 24 }).refine((s) => /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(s), {
    error: 'Use letters, digits, dot, dash or underscore',
  }),
  name: singleLine({ min: 1, max: 120 }),
  category: priceCategoryInput,
  doctorId: idInput.nullable(),
  department: singleLine({ max: 60 }),
  price: rupeesInput,
  taxBp: taxBpInput,
  effectiveFrom: calendarDateInput,
});

export const invoiceLineInput = z.strictObject({
  priceItemId: idInput.nullable(),
  /** Used when priceItemId is null; otherwise ignored and the item's name used. */
  description: singleLine({ max: 120 }),
  quantity: quantityInput,
  /** '' = the price item's price on the visit's day. */
  unitPrice: rupeesOrEmptyInput,
  discount: rupeesInput,
});

export const saveDraftInput = z.strictObject({
  visitId: idInput,
  invoiceId: idInput.nullable(),
  lines: z
    .array(invoiceLineInput, { error: 'Expected a list of lines' })
    .min(1, { error: 'Add at least one line' })
    .max(100, { error: 'At most 100 lines' }),
});

export const recordPaymentInput = z.strictObject({
  invoiceId: idInput,
  method: paymentMethodInput,
  amount: rupeesInput,
  /** '' unless cash. */
  tendered: rupeesOrEmptyInput,
  /** Card last 4 / UPI reference / insurer's claim number (required for insurance). */
  reference: singleLine({ max: 60 }),
});

const reasonInput = singleLine({ min: 1, max: 200 });
const reportInput = z.strictObject({
  date: calendarDateInput,
  workstation: z.enum(['this', 'all'], { error: 'Choose this workstation or all' }),
});

/** Billing channels (issue 7): price list, invoices, payments, receipts, reports, ledger. */
export const billingContract = {
  'prices.list': channel<PriceItem[]>()({
    input: z.strictObject({ on: calendarDateInput.nullable(), includeInactive: z.boolean() }),
    access: ['admin', 'receptionist', 'doctor'],
    description: 'The price list on a date (null = today), optionally with inactive versions.',
    audit: 'none',
    perMinute: 300,
  }),
  'prices.save': channel<PriceItem>()({
    input: priceSaveInput,
    access: ['admin'],
    description:
      'Add a price item, or a new version of one from a date (the previous version ends the day before).',
    audit: 'admin',
    perMinute: 60,
  }),
  'prices.retire': channel<PriceItem>()({
    input: z.strictObject({ id: idInput, from: calendarDateInput }),
    access: ['admin'],
    description: 'Retire a price item from a date.',
    audit: 'admin',
    perMinute: 60,
  }),
  'invoices.forVisit': channel<Invoice | null>()({
    input: z.strictObject({ visitId: idInput }),
    access: ['receptionist', 'doctor'],
    description: 'The live (non-void) invoice of a visit, or null.',
    audit: 'personal-read',
    perMinute: 300,
  }),
  'invoices.get': channel<Invoice>()({
    input: z.strictObject({ id: idInput }),
    access: ['receptionist', 'doctor', 'admin'],
    description: 'One invoice with its lines and payments.',
    audit: 'personal-read',
    perMinute: 300,
  }),
  'invoices.list': channel<InvoiceSummary[]>()({
    input: z.strictObject({
      date: calendarDateInput.nullable(),
      patientId: idInput.nullable(),
      status: z.enum(['all', 'draft', 'open', 'paid', 'void'], { error: 'Choose a status' }),
    }),
    access: ['receptionist', 'admin'],
    description: 'Invoices by day, patient and status (open = issued or partly paid).',
    audit: 'personal-read',
    perMinute: 120,
  }),
  'invoices.saveDraft': channel<Invoice>()({
    input: saveDraftInput,
    access: ['receptionist'],
    description: 'Create or replace the lines of a visit’s draft invoice.',
    audit: 'personal-write',
    perMinute: 120,
  }),
  'invoices.issue': channel<Invoice>()({
    input: z.strictObject({ id: idInput }),
    access: ['receptionist'],
    description: 'Issue a draft invoice: give it its number and enter it in the ledger.',
    audit: 'personal-write',
    perMinute: 60,
  }),
  'invoices.void': channel<Invoice>()({
    input: z.strictObject({ id: idInput, reason: reasonInput }),
    access: ['receptionist', 'admin'],
    description: 'Void an invoice with nothing paid on it (refund the payments first).',
    audit: 'personal-write',
    perMinute: 30,
  }),
  'payments.record': channel<PaymentRecorded>()({
    input: recordPaymentInput,
    access: ['receptionist'],
    description: 'Take a payment against an issued invoice (cash with tendered amount and change).',
    audit: 'personal-write',
    perMinute: 120,
  }),
  'payments.refund': channel<Invoice>()({
    input: z.strictObject({ paymentId: idInput, amount: rupeesInput, reason: reasonInput }),
    access: ['receptionist', 'admin'],
    description: 'Refund part or all of a payment, by the payment’s method.',
    audit: 'personal-write',
    perMinute: 30,
  }),
  'billing.balance': channel<PatientBalance>()({
    input: z.strictObject({ patientId: idInput }),
    access: ['receptionist', 'doctor'],
    description: 'What a patient still owes across issued invoices.',
    audit: 'personal-read',
    perMinute: 300,
  }),
  'invoices.receipt': channel<PrintableDocument>()({
    input: z.strictObject({ invoiceId: idInput, paymentId: idInput.nullable() }),
    access: ['receptionist', 'admin'],
    description: 'The printable receipt (PDF) of an invoice, or of one payment on it.',
    audit: 'personal-read',
    perMinute: 60,
  }),
  'billing.dailyReport': channel<DailyReport>()({
    input: reportInput,
    access: ['admin', 'receptionist'],
    description: 'A day’s takings per workstation, user and method (payments minus refunds).',
    audit: 'admin',
    perMinute: 60,
  }),
  'billing.dailyReportCsv': channel<DailyReportCsv>()({
    input: reportInput,
    access: ['admin'],
    description: 'The daily report as CSV.',
    audit: 'admin',
    perMinute: 20,
  }),
  'billing.verifyLedger': channel<LedgerCheck>()({
    input: emptyInput,
    access: ['admin'],
    description: 'Check every workstation’s billing ledger chain and name the first bad entry.',
    audit: 'admin',
    perMinute: 10,
  }),
} as const satisfies Record<string, ChannelDef>;
