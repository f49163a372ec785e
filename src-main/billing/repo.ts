import { randomUUID } from 'node:crypto';
import { and, asc, desc, eq, gte, inArray, like, lt, ne, sql } from 'drizzle-orm';
import type { InvoiceLine, Payment, PaymentMethod, PriceCategory } from '../../src-shared/billing.js';
import type { ChangeCapture, FieldChange } from '../store/change-capture.js';
import type { Db } from '../store/db.js';
import type { FieldCodec } from '../store/fields.js';
import { ledgerEntries } from '../store/schema.js';
import { invoiceLines, invoices, payments } from '../store/schema-billing.js';
import { Ledger, type LedgerEntry } from './ledger.js';
import { PricesRepo } from './prices.js';

export type InvoiceRow = typeof invoices.$inferSelect;
type PaymentRow = typeof payments.$inferSelect;

/** A line as priced by the caller, ready to store. */
export interface PricedLine {
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

export interface Totals {
  subtotalPaise: number;
  discountPaise: number;
  taxPaise: number;
  totalPaise: number;
}

export interface StoredPayment extends Omit<Payment, 'userName'> {
  ledgerEntryId: string;
}

export interface NewPayment {
  invoiceId: string;
  kind: 'payment' | 'refund';
  method: PaymentMethod;
  amountPaise: number;
  tenderedPaise: number | null;
  changePaise: number;
  reference: string;
  refundOf: string | null;
  userId: string;
  day: string;
}

/** Keys in the ledger's content: ids and integer paise only, never a name. */
type LedgerContent = Record<string, string | number>;

/**
 * Invoices, their lines and payments (issue 7). Every write goes with its change capture,
 * and every issue, payment, refund and void with its ledger entry, in one transaction.
 */
export class BillingRepo {
  readonly prices: PricesRepo;
  readonly ledger: Ledger;

  constructor(
    private readonly db: Db,
    private readonly codec: FieldCodec,
    private readonly capture: ChangeCapture,
    readonly workstationId: string,
    private readonly numberPrefix: string,
    private readonly now: () => number,
  ) {
    this.prices = new PricesRepo(db, capture, now);
    this.ledger = new Ledger(db, capture, workstationId, now);
  }

  /* ---------------------------------------------------------------- reads */

  invoice(id: string): InvoiceRow | null {
    return this.db.select().from(invoices).where(eq(invoices.id, id)).get() ?? null;
  }

  /** The visit's invoice that is not void, if any (newest first should sync ever make two). */
  liveForVisit(visitId: string): InvoiceRow | null {
    return (
      this.db
        .select()
        .from(invoices)
        .where(and(eq(invoices.visitId, visitId), ne(invoices.status, 'void')))
        .orderBy(desc(invoices.createdAt))
        .get() ?? null
    );
  }

  forPatient(patientId: string): InvoiceRow[] {
    return this.db
      .select()
      .from(invoices)
      .where(eq(invoices.patientId, patientId))
      .orderBy(asc(invoices.createdAt))
      .all();
  }

  /** Invoices created in [from, to) ms, or all when null, newest first. */
  listRows(range: { from: number; to: number } | null, patientId: string | null): InvoiceRow[] {
    const conds = [];
    if (range) conds.push(gte(invoices.createdAt, range.from), lt(invoices.createdAt, range.to));
    if (patientId) conds.push(eq(invoices.patientId, patientId));
    return this.db
      .select()
      .from(invoices)
      .where(conds.length ? and(...conds) : undefined)
      .orderBy(desc(invoices.createdAt))
      .limit(500)
      .all();
  }

  lines(invoiceId: string): InvoiceLine[] {
    return this.db
      .select()
      .from(invoiceLines)
      .where(and(eq(invoiceLines.invoiceId, invoiceId), eq(invoiceLines.removed, false)))
      .orderBy(asc(invoiceLines.position))
      .all()
      .map((r) => ({
        id: r.id,
        priceItemId: r.priceItemId,
        description: this.codec.openJson<string>('invoice_lines', 'description', r.id, r.description),
        category: r.category,
        quantity: r.quantity,
        unitPricePaise: r.unitPricePaise,
        discountPaise: r.discountPaise,
        taxBp: r.taxBp,
        taxPaise: r.taxPaise,
        totalPaise: r.totalPaise,
      }));
  }

  private toPayment(r: PaymentRow): StoredPayment {
    return {
      id: r.id,
      invoiceId: r.invoiceId,
      kind: r.kind,
      method: r.method,
      amountPaise: r.amountPaise,
      tenderedPaise: r.method === 'cash' && r.kind === 'payment' ? r.tenderedPaise : null,
      changePaise: r.changePaise,
      reference: this.codec.openJson<string>('payments', 'reference', r.id, r.reference),
      refundOf: r.refundOf === '' ? null : r.refundOf,
      userId: r.userId,
      workstationId: r.workstationId,
      at: r.at,
      ledgerEntryId: r.ledgerEntryId,
    };
  }

  payments(invoiceId: string): StoredPayment[] {
    return this.db
      .select()
      .from(payments)
      .where(eq(payments.invoiceId, invoiceId))
      .orderBy(asc(payments.at), sql`rowid`)
      .all()
      .map((r) => this.toPayment(r));
  }

  payment(id: string): StoredPayment | null {
    const r = this.db.select().from(payments).where(eq(payments.id, id)).get();
    return r ? this.toPayment(r) : null;
  }

  /** The clinic-zone day a payment was taken on. */
  paymentDay(id: string): string | null {
    return this.db.select({ day: payments.day }).from(payments).where(eq(payments.id, id)).get()?.day ?? null;
  }

  /** Payments minus refunds per invoice, summed in SQL without opening any envelope. */
  paidByInvoice(ids: string[]): Map<string, number> {
    const out = new Map<string, number>();
    if (ids.length === 0) return out;
    const rows = this.db
      .select({
        invoiceId: payments.invoiceId,
        paid: sql<number>`coalesce(sum(CASE WHEN ${payments.kind} = 'payment' THEN ${payments.amountPaise} ELSE -${payments.amountPaise} END), 0)`,
      })
      .from(payments)
      .where(inArray(payments.invoiceId, ids))
      .groupBy(payments.invoiceId)
      .all();
    for (const r of rows) out.set(r.invoiceId, Number(r.paid));
    return out;
  }

  /** What is still refundable of a payment. */
  refundable(paymentId: string): number {
    const p = this.db.select().from(payments).where(eq(payments.id, paymentId)).get();
    if (p?.kind !== 'payment') return 0;
    const r = this.db
      .select({ n: sql<number>`coalesce(sum(${payments.amountPaise}), 0)` })
      .from(payments)
      .where(and(eq(payments.refundOf, paymentId), eq(payments.kind, 'refund')))
      .get();
    return p.amountPaise - Number(r?.n ?? 0);
  }

  voidReason(row: InvoiceRow): string {
    return row.voidReason
      ? this.codec.openJson<string>('invoices', 'void_reason', row.id, row.voidReason)
      : '';
  }

  /** The ledger entry written for an invoice's issue, or a payment's id. */
  ledgerEntry(kind: LedgerEntry['kind'], refId: string): { id: string; hash: string } | null {
    return (
      this.db
        .select({ id: ledgerEntries.id, hash: ledgerEntries.hash })
        .from(ledgerEntries)
        .where(and(eq(ledgerEntries.kind, kind), eq(ledgerEntries.refId, refId)))
        .get() ?? null
    );
  }

  ledgerHashById(id: string): string | null {
    return (
      this.db.select({ hash: ledgerEntries.hash }).from(ledgerEntries).where(eq(ledgerEntries.id, id)).get()
        ?.hash ?? null
    );
  }

  /* --------------------------------------------------------------- writes */

  /** Creates a draft (invoiceId null) or replaces a draft's lines and totals. */
  saveDraft(
    d: { visitId: string; patientId: string; doctorId: string | null; by: string },
    invoiceId: string | null,
    lines: PricedLine[],
    totals: Totals,
  ): string {
    const at = this.now();
    return this.db.transaction(() => {
      const id = invoiceId ?? randomUUID();
      const money = { ...totals, lineCount: lines.length };
      if (invoiceId === null) {
        const row: InvoiceRow = {
          id,
          visitId: d.visitId,
          patientId: d.patientId,
          doctorId: d.doctorId,
          number: '',
          status: 'draft',
          ...money,
          workstationId: this.workstationId,
          createdBy: d.by,
          createdAt: at,
          issuedAt: null,
          issuedDay: null,
          voidedAt: null,
          voidedDay: null,
          voidedBy: null,
          voidReason: null,
          updatedAt: at,
        };
        this.db.insert(invoices).values(row).run();
        this.capture.record('invoices', id, [
          { column: 'visit_id', plain: row.visitId },
          { column: 'patient_id', plain: row.patientId },
          { column: 'doctor_id', plain: row.doctorId },
          { column: 'number', plain: '' },
          { column: 'status', plain: 'draft' },
          ...this.moneyChanges(money),
          { column: 'workstation_id', plain: row.workstationId },
          { column: 'created_by', plain: row.createdBy },
          { column: 'created_at', plain: row.createdAt },
        ]);
      } else {
        this.db
          .update(invoices)
          .set({ ...money, updatedAt: at })
          .where(eq(invoices.id, id))
          .run();
        this.capture.record('invoices', id, this.moneyChanges(money));
      }
      this.writeLines(id, lines, at);
      return id;
    });
  }

  private moneyChanges(m: Totals & { lineCount: number }): FieldChange<'invoices'>[] {
    return [
      { column: 'subtotal_paise', plain: m.subtotalPaise },
      { column: 'discount_paise', plain: m.discountPaise },
      { column: 'tax_paise', plain: m.taxPaise },
      { column: 'total_paise', plain: m.totalPaise },
      { column: 'line_count', plain: m.lineCount },
    ];
  }

  /** Lines are rows '<invoice>:<position>'; positions past the new end become tombstones. */
  private writeLines(invoiceId: string, lines: PricedLine[], at: number): void {
    const existing = new Map(
      this.db
        .select({ id: invoiceLines.id, removed: invoiceLines.removed })
        .from(invoiceLines)
        .where(eq(invoiceLines.invoiceId, invoiceId))
        .all()
        .map((r) => [r.id, r.removed]),
    );
    lines.forEach((l, position) => {
      const id = `${invoiceId}:${position}`;
      const description = this.codec.sealJson('invoice_lines', 'description', id, l.description);
      const values = {
        priceItemId: l.priceItemId,
        description,
        category: l.category,
        quantity: l.quantity,
        unitPricePaise: l.unitPricePaise,
        discountPaise: l.discountPaise,
        taxBp: l.taxBp,
        taxPaise: l.taxPaise,
        totalPaise: l.totalPaise,
        removed: false,
        updatedAt: at,
      };
      if (existing.has(id)) this.db.update(invoiceLines).set(values).where(eq(invoiceLines.id, id)).run();
      else
        this.db
          .insert(invoiceLines)
          .values({ id, invoiceId, position, ...values })
          .run();
      const placed: FieldChange<'invoice_lines'>[] = existing.has(id)
        ? []
        : [
            { column: 'invoice_id', plain: invoiceId },
            { column: 'position', plain: position },
          ];
      this.capture.record('invoice_lines', id, [
        ...placed,
        { column: 'price_item_id', plain: l.priceItemId },
        { column: 'description', envelope: description },
        { column: 'category', plain: l.category },
        { column: 'quantity', plain: l.quantity },
        { column: 'unit_price_paise', plain: l.unitPricePaise },
        { column: 'discount_paise', plain: l.discountPaise },
        { column: 'tax_bp', plain: l.taxBp },
        { column: 'tax_paise', plain: l.taxPaise },
        { column: 'total_paise', plain: l.totalPaise },
        { column: 'removed', plain: false },
      ]);
    });
    for (const [id, removed] of existing) {
      const position = Number(id.slice(invoiceId.length + 1));
      if (removed || position < lines.length) continue;
      this.db.update(invoiceLines).set({ removed: true, updatedAt: at }).where(eq(invoiceLines.id, id)).run();
      this.capture.record('invoice_lines', id, [{ column: 'removed', plain: true }]);
    }
  }

  /** The next 'INV-<prefix>-NNNNNN' of this workstation (its numbers only it gives). */
  private nextNumber(): string {
    const head = `INV-${this.numberPrefix}-`;
    const last = this.db
      .select({ number: invoices.number })
      .from(invoices)
      .where(like(invoices.number, `${head}%`))
      .orderBy(desc(invoices.number))
      .get();
    const n = last ? Number.parseInt(last.number.slice(head.length), 10) + 1 : 1;
    return `${head}${String(n).padStart(6, '0')}`;
  }

  issue(row: InvoiceRow, day: string): void {
    const at = this.now();
    this.db.transaction(() => {
      const number = this.nextNumber();
      this.db
        .update(invoices)
        .set({
          status: 'issued',
          number,
          issuedAt: at,
          issuedDay: day,
          workstationId: this.workstationId,
          updatedAt: at,
        })
        .where(eq(invoices.id, row.id))
        .run();
      this.capture.record('invoices', row.id, [
        { column: 'status', plain: 'issued' },
        { column: 'number', plain: number },
        { column: 'issued_at', plain: at },
        { column: 'issued_day', plain: day },
        { column: 'workstation_id', plain: this.workstationId },
      ]);
      const content: LedgerContent = {
        invoiceId: row.id,
        number,
        visitId: row.visitId,
        totalPaise: row.totalPaise,
        taxPaise: row.taxPaise,
        discountPaise: row.discountPaise,
        lineCount: row.lineCount,
      };
      this.ledger.append('invoice-issued', row.id, content);
    });
  }

  /** Voids an invoice; an issued one gets a ledger entry, a draft does not. */
  void(row: InvoiceRow, reason: string, by: string, day: string): void {
    const at = this.now();
    const sealed = this.codec.sealJson('invoices', 'void_reason', row.id, reason);
    this.db.transaction(() => {
      this.db
        .update(invoices)
        .set({
          status: 'void',
          voidedAt: at,
          voidedDay: day,
          voidedBy: by,
          voidReason: sealed,
          updatedAt: at,
        })
        .where(eq(invoices.id, row.id))
        .run();
      this.capture.record('invoices', row.id, [
        { column: 'status', plain: 'void' },
        { column: 'voided_at', plain: at },
        { column: 'voided_day', plain: day },
        { column: 'voided_by', plain: by },
        { column: 'void_reason', envelope: sealed },
      ]);
      if (row.status === 'issued')
        this.ledger.append('void', row.id, {
          invoiceId: row.id,
          number: row.number,
          totalPaise: row.totalPaise,
        });
    });
  }

  /** Writes a payment or refund and its ledger entry; returns the stored payment. */
  addPayment(p: NewPayment): StoredPayment {
    const id = randomUUID();
    const at = this.now();
    const reference = this.codec.sealJson('payments', 'reference', id, p.reference);
    return this.db.transaction(() => {
      const content: LedgerContent = {
        paymentId: id,
        invoiceId: p.invoiceId,
        method: p.method,
        amountPaise: p.amountPaise,
        ...(p.kind === 'payment'
          ? { tenderedPaise: p.tenderedPaise ?? 0, changePaise: p.changePaise }
          : { refundOf: p.refundOf ?? '' }),
      };
      const entry = this.ledger.append(p.kind, id, content);
      const row: PaymentRow = {
        id,
        invoiceId: p.invoiceId,
        refundOf: p.refundOf ?? '',
        kind: p.kind,
        method: p.method,
        amountPaise: p.amountPaise,
        tenderedPaise: p.tenderedPaise ?? 0,
        changePaise: p.changePaise,
        reference,
        userId: p.userId,
        workstationId: this.workstationId,
        ledgerEntryId: entry.id,
        at,
        day: p.day,
        updatedAt: at,
      };
      this.db.insert(payments).values(row).run();
      this.capture.record('payments', id, [
        { column: 'invoice_id', plain: row.invoiceId },
        { column: 'refund_of', plain: row.refundOf },
        { column: 'kind', plain: row.kind },
        { column: 'method', plain: row.method },
        { column: 'amount_paise', plain: row.amountPaise },
        { column: 'tendered_paise', plain: row.tenderedPaise },
        { column: 'change_paise', plain: row.changePaise },
        { column: 'reference', envelope: reference },
        { column: 'user_id', plain: row.userId },
        { column: 'workstation_id', plain: row.workstationId },
        { column: 'ledger_entry_id', plain: row.ledgerEntryId },
        { column: 'at', plain: row.at },
        { column: 'day', plain: row.day },
      ]);
      return this.toPayment(row);
    });
  }

  /* -------------------------------------------------------------- reports */

  /** A day's payments and refunds grouped by workstation, user and method, in SQL. */
  dayTotals(day: string, workstationId: string | null) {
    const conds = [eq(payments.day, day)];
    if (workstationId) conds.push(eq(payments.workstationId, workstationId));
    return this.db
      .select({
        workstationId: payments.workstationId,
        userId: payments.userId,
        method: payments.method,
        payments: sql<number>`sum(CASE WHEN ${payments.kind} = 'payment' THEN 1 ELSE 0 END)`,
        paidPaise: sql<number>`coalesce(sum(CASE WHEN ${payments.kind} = 'payment' THEN ${payments.amountPaise} ELSE 0 END), 0)`,
        refundedPaise: sql<number>`coalesce(sum(CASE WHEN ${payments.kind} = 'refund' THEN ${payments.amountPaise} ELSE 0 END), 0)`,
      })
      .from(payments)
      .where(and(...conds))
      .groupBy(payments.workstationId, payments.userId, payments.method)
      .orderBy(asc(payments.workstationId), asc(payments.userId), asc(payments.method))
      .all();
  }

  /** Invoices issued and voided on a day (by the workstation that issued them, when given). */
  dayCounts(day: string, workstationId: string | null): { issued: number; voided: number } {
    const ws = workstationId ? eq(invoices.workstationId, workstationId) : undefined;
    const count = (cond: ReturnType<typeof eq>) =>
      Number(
        this.db
          .select({ n: sql<number>`count(*)` })
          .from(invoices)
          .where(ws ? and(cond, ws) : cond)
          .get()?.n ?? 0,
      );
    return { issued: count(eq(invoices.issuedDay, day)), voided: count(eq(invoices.voidedDay, day)) };
  }
}
