import { blob, index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Billing (issue 7): the price list, invoices with their lines, and payments. Amounts are
 * integer paise in plaintext so that reports and the ledger can add them up in SQL (DESIGN.md
 * §4); whatever describes a patient's care or identifies a person (line descriptions, claim
 * numbers and payment references, void and refund reasons) is an envelope. All four tables
 * sync: price items, invoices and lines merge last-writer-wins per field; payments are
 * insert-only. An invoice's stored status is only draft/issued/void: partly-paid and paid are
 * derived from its payments, so two workstations taking payments offline never conflict.
 */

/** One version of a price item: a new price from a date is a new row with the same item id. */
export const priceItems = sqliteTable(
  'price_items',
  {
    // plaintext: random UUIDs (this version's row, and the item all its versions share).
    id: text('id').primaryKey(),
    itemId: text('item_id').notNull(),
    // plaintext: the clinic's own tariff (code, service name, category, department); it names
    // services offered to everyone, never a patient.
    code: text('code').notNull(),
    name: text('name').notNull(),
    category: text('category', { enum: ['consultation', 'procedure', 'lab', 'medicine'] }).notNull(),
    department: text('department').notNull(),
    // plaintext: a doctor's user id (a staff member's consultation fee), not a patient.
    doctorId: text('doctor_id'),
    // plaintext: amounts in paise and the tax rate in basis points, summed by reports.
    pricePaise: integer('price_paise').notNull(),
    taxBp: integer('tax_bp').notNull(),
    // plaintext: calendar dates ('YYYY-MM-DD') the version applies between.
    effectiveFrom: text('effective_from').notNull(),
    effectiveTo: text('effective_to'),
    // plaintext: the admin's user id and timestamps.
    createdBy: text('created_by').notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('price_items_item').on(t.itemId, t.effectiveFrom)],
);

/** An invoice for one visit. Its number is given when it is issued. */
export const invoices = sqliteTable(
  'invoices',
  {
    // plaintext: random UUID, and the visit's, patient's and doctor's ids (foreign keys).
    id: text('id').primaryKey(),
    visitId: text('visit_id').notNull(),
    patientId: text('patient_id').notNull(),
    doctorId: text('doctor_id'),
    // plaintext: 'INV-<workstation prefix>-<counter>' ('' while draft); says nothing of the
    // patient and is printed on receipts.
    number: text('number').notNull(),
    // plaintext: lifecycle status, stored as draft/issued/void only.
    status: text('status', { enum: ['draft', 'issued', 'void'] }).notNull(),
    // plaintext: amounts in paise, added up by reports and written to the ledger.
    subtotalPaise: integer('subtotal_paise').notNull(),
    discountPaise: integer('discount_paise').notNull(),
    taxPaise: integer('tax_paise').notNull(),
    totalPaise: integer('total_paise').notNull(),
    lineCount: integer('line_count').notNull(),
    // plaintext: the writing workstation's random node id, user ids, timestamps and the
    // clinic-zone days of issue and void (the daily report counts by day).
    workstationId: text('workstation_id').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: integer('created_at').notNull(),
    issuedAt: integer('issued_at'),
    issuedDay: text('issued_day'),
    voidedAt: integer('voided_at'),
    voidedDay: text('voided_day'),
    voidedBy: text('voided_by'),
    // envelope: why the invoice was voided (may describe the patient's care).
    voidReason: blob('void_reason', { mode: 'buffer' }),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    index('invoices_visit').on(t.visitId),
    index('invoices_patient').on(t.patientId),
    index('invoices_created').on(t.createdAt),
  ],
);

/** An invoice's lines. A draft's line removed by a later save is kept as a tombstone. */
export const invoiceLines = sqliteTable(
  'invoice_lines',
  {
    // plaintext: '<invoice id>:<position>' and the invoice's and price item's ids.
    id: text('id').primaryKey(),
    invoiceId: text('invoice_id').notNull(),
    position: integer('position').notNull(),
    priceItemId: text('price_item_id'),
    // envelope: what was done or dispensed (a test, a procedure, a medicine) describes care.
    description: blob('description', { mode: 'buffer' }).notNull(),
    // plaintext: the tariff category, amounts in paise and the tax rate, summed by reports.
    category: text('category', { enum: ['consultation', 'procedure', 'lab', 'medicine'] }).notNull(),
    quantity: integer('quantity').notNull(),
    unitPricePaise: integer('unit_price_paise').notNull(),
    discountPaise: integer('discount_paise').notNull(),
    taxBp: integer('tax_bp').notNull(),
    taxPaise: integer('tax_paise').notNull(),
    totalPaise: integer('total_paise').notNull(),
    // plaintext: tombstone flag (the line was removed from the draft).
    removed: integer('removed', { mode: 'boolean' }).notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('invoice_lines_invoice').on(t.invoiceId, t.position)],
);

/** Payments and refunds: insert-only (SQL triggers). A refund is a row of kind 'refund'. */
export const payments = sqliteTable(
  'payments',
  {
    // plaintext: random UUID, the invoice's id and, for a refund, the refunded payment's id
    // ('' for a payment: NOT NULL so the row is inserted only once every column has arrived).
    id: text('id').primaryKey(),
    invoiceId: text('invoice_id').notNull(),
    refundOf: text('refund_of').notNull(),
    // plaintext: kind, method and amounts in paise, summed by the daily report and the
    // ledger; tendered is 0 unless cash.
    kind: text('kind', { enum: ['payment', 'refund'] }).notNull(),
    method: text('method', { enum: ['cash', 'card', 'upi', 'insurance'] }).notNull(),
    amountPaise: integer('amount_paise').notNull(),
    tenderedPaise: integer('tendered_paise').notNull(),
    changePaise: integer('change_paise').notNull(),
    // envelope: card last 4, UPI reference, insurer's claim number or refund reason.
    reference: blob('reference', { mode: 'buffer' }).notNull(),
    // plaintext: staff user id, the workstation's random node id, the ledger entry's id,
    // the time and its clinic-zone day (the daily report groups by these).
    userId: text('user_id').notNull(),
    workstationId: text('workstation_id').notNull(),
    ledgerEntryId: text('ledger_entry_id').notNull(),
    at: integer('at').notNull(),
    day: text('day').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('payments_invoice').on(t.invoiceId), index('payments_day').on(t.day)],
);
