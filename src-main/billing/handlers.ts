import { Buffer } from 'node:buffer';
import type { InvoiceSummary } from '../../src-shared/billing.js';
import {
  formatPaise,
  invoiceTotals,
  lineAmounts,
  MAX_RUPEES_PAISE,
  parseRupees,
} from '../../src-shared/money.js';
import { addDays } from '../../src-shared/schedule.js';
import { requireVisit } from '../doctor/handlers.js';
import { Failure } from '../ipc/failure.js';
import type { Handlers, Services } from '../ipc/handler-types.js';
import { requirePatient } from '../patients/records.js';
import { verifyLedger } from './ledger.js';
import { receiptFor } from './receipt.js';
import type { PricedLine } from './repo.js';
import { dailyReport, dailyReportCsv } from './report.js';
import { balanceOf, derivedStatus, requireInvoice, toInvoice, toSummaries } from './view.js';

type BillingChannel =
  | 'prices.list'
  | 'prices.save'
  | 'prices.retire'
  | 'invoices.forVisit'
  | 'invoices.get'
  | 'invoices.list'
  | 'invoices.saveDraft'
  | 'invoices.issue'
  | 'invoices.void'
  | 'payments.record'
  | 'payments.refund'
  | 'billing.balance'
  | 'invoices.receipt'
  | 'billing.dailyReport'
  | 'billing.dailyReportCsv'
  | 'billing.verifyLedger';

const NEEDS_ATTENTION = 'Some fields need attention.';

function refuse(fields: Record<string, string>): never {
  throw new Failure('VALIDATION', NEEDS_ATTENTION, fields);
}

/** ms bounds of a calendar day in this computer's zone (the clinic's, as todayIso uses). */
function dayRange(day: string): { from: number; to: number } {
  return { from: Date.parse(`${day}T00:00:00`), to: Date.parse(`${addDays(day, 1)}T00:00:00`) };
}

type DraftLine = {
  priceItemId: string | null;
  description: string;
  quantity: string;
  unitPrice: string;
  discount: string;
};

/** Prices each line on the visit's day; every problem is reported on its own field. */
function priceLines(s: Services, day: string, input: DraftLine[]): PricedLine[] {
  const fields: Record<string, string> = {};
  const out: PricedLine[] = [];
  for (const [i, l] of input.entries()) {
    const at = (f: string, message: string) => {
      fields[`lines.${i}.${f}`] ??= message;
    };
    const quantity = Number.parseInt(l.quantity.trim(), 10);
    const discountPaise = parseRupees(l.discount);
    // Stored as typed (the injection corpus reads it back byte for byte); blank is refused.
    let description = l.description;
    let category: PricedLine['category'] = 'procedure';
    let taxBp = 0;
    let unitPricePaise: number | null = l.unitPrice === '' ? null : parseRupees(l.unitPrice);
    if (l.priceItemId !== null) {
      const item = s.billing.prices.on(l.priceItemId, day);
      if (!item) {
        at('priceItemId', `Not on the price list on ${day}`);
        continue;
      }
      description = item.name;
      category = item.category;
      taxBp = item.taxBp;
      unitPricePaise ??= item.pricePaise;
    } else {
      if (description.trim() === '') at('description', 'Describe the line');
      if (unitPricePaise === null) at('unitPrice', 'Enter a price');
    }
    if (unitPricePaise === null || description.trim() === '') continue;
    if (quantity * unitPricePaise > MAX_RUPEES_PAISE) {
      at('quantity', `The line comes to more than ${formatPaise(MAX_RUPEES_PAISE)}`);
      continue;
    }
    if (discountPaise > quantity * unitPricePaise) {
      at('discount', 'Discount is larger than the line');
      continue;
    }
    const amounts = lineAmounts({ quantity, unitPricePaise, discountPaise, taxBp });
    out.push({
      priceItemId: l.priceItemId,
      description,
      category,
      quantity,
      unitPricePaise,
      discountPaise,
      taxBp,
      taxPaise: amounts.taxPaise,
      totalPaise: amounts.totalPaise,
    });
  }
  if (Object.keys(fields).length > 0) refuse(fields);
  return out;
}

const subjectOf = (ctx: Parameters<Handlers['invoices.get']>[0], row: { id: string; patientId: string }) =>
  ctx.subject('invoice', row.id, { patientId: row.patientId });

export const billingHandlers: Pick<Handlers, BillingChannel> = {
  'prices.list': ({ services: s }, input) =>
    s.billing.prices.list(input.on ?? s.today(), input.includeInactive),

  'prices.save': (ctx, input) => {
    const s = ctx.services;
    if (input.doctorId !== null && s.users.access(input.doctorId)?.role !== 'doctor')
      refuse({ doctorId: 'Not a doctor of this clinic' });
    const item = s.billing.prices.save(input, ctx.session.userId!, s.today());
    ctx.subject('price-item', item.id, {
      code: item.code,
      from: input.effectiveFrom,
      pricePaise: item.pricePaise,
    });
    return item;
  },

  'prices.retire': (ctx, input) => {
    const item = ctx.services.billing.prices.retire(input.id, input.from, ctx.services.today());
    ctx.subject('price-item', item.id, { code: item.code, retiredFrom: input.from });
    return item;
  },

  'invoices.forVisit': (ctx, input) => {
    const s = ctx.services;
    requireVisit(s, input.visitId);
    const row = s.billing.liveForVisit(input.visitId);
    if (!row) return null;
    subjectOf(ctx, row);
    return toInvoice(s, row);
  },

  'invoices.get': (ctx, input) => {
    const row = requireInvoice(ctx.services, input.id);
    subjectOf(ctx, row);
    return toInvoice(ctx.services, row);
  },

  'invoices.list': (ctx, input): InvoiceSummary[] => {
    const s = ctx.services;
    const rows = s.billing.listRows(input.date ? dayRange(input.date) : null, input.patientId);
    const wanted = {
      all: () => true,
      draft: (x: InvoiceSummary) => x.status === 'draft',
      open: (x: InvoiceSummary) => x.status === 'issued' || x.status === 'partly-paid',
      paid: (x: InvoiceSummary) => x.status === 'paid',
      void: (x: InvoiceSummary) => x.status === 'void',
    }[input.status];
    const out = toSummaries(s, rows).filter(wanted);
    ctx.subject('invoice', 'list', {
      date: input.date,
      patientId: input.patientId,
      status: input.status,
      rows: out.length,
    });
    return out;
  },

  'invoices.saveDraft': (ctx, input) => {
    const s = ctx.services;
    const visit = requireVisit(s, input.visitId);
    if (input.invoiceId === null) {
      if (s.billing.liveForVisit(visit.id))
        throw new Failure(
          'CONFLICT',
          'This visit already has an invoice; open it instead of starting another.',
        );
    } else {
      const existing = requireInvoice(s, input.invoiceId);
      if (existing.visitId !== visit.id)
        throw new Failure('CONFLICT', 'That invoice belongs to another visit.', {
          invoiceId: 'Another visit’s invoice',
        });
      if (existing.status !== 'draft') throw new Failure('CONFLICT', 'Only a draft can be edited.');
    }
    const lines = priceLines(s, visit.day, input.lines);
    const totals = invoiceTotals(lines);
    const id = s.billing.saveDraft(
      { visitId: visit.id, patientId: visit.patientId, doctorId: visit.doctorId, by: ctx.session.userId! },
      input.invoiceId,
      lines,
      totals,
    );
    const row = requireInvoice(s, id);
    ctx.subject('invoice', id, { patientId: row.patientId, lines: lines.length, totalPaise: row.totalPaise });
    return toInvoice(s, row);
  },

  'invoices.issue': (ctx, input) => {
    const s = ctx.services;
    const row = requireInvoice(s, input.id);
    if (row.status !== 'draft')
      throw new Failure(
        'CONFLICT',
        row.status === 'void' ? 'This invoice is void.' : 'This invoice is already issued.',
      );
    s.billing.issue(row, s.today());
    const issued = requireInvoice(s, row.id);
    ctx.subject('invoice', row.id, {
      patientId: row.patientId,
      number: issued.number,
      totalPaise: row.totalPaise,
    });
    return toInvoice(s, issued);
  },

  'invoices.void': (ctx, input) => {
    const s = ctx.services;
    const row = requireInvoice(s, input.id);
    if (row.status === 'void') throw new Failure('CONFLICT', 'This invoice is already void.');
    const paid = s.billing.paidByInvoice([row.id]).get(row.id) ?? 0;
    if (paid > 0)
      throw new Failure(
        'CONFLICT',
        `Refund the payments first: ${formatPaise(paid)} has been paid on this invoice.`,
      );
    s.billing.void(row, input.reason, ctx.session.userId!, s.today());
    ctx.subject('invoice', row.id, {
      patientId: row.patientId,
      voided: true,
      wasIssued: row.status === 'issued',
    });
    return toInvoice(s, requireInvoice(s, row.id));
  },

  'payments.record': (ctx, input) => {
    const s = ctx.services;
    const row = requireInvoice(s, input.invoiceId);
    const paid = s.billing.paidByInvoice([row.id]).get(row.id) ?? 0;
    const status = derivedStatus(row, paid);
    if (status === 'draft') throw new Failure('CONFLICT', 'Issue the invoice before taking a payment.');
    if (status === 'void') throw new Failure('CONFLICT', 'This invoice is void.');
    if (status === 'paid') throw new Failure('CONFLICT', 'This invoice is fully paid.');
    const balance = balanceOf(row, paid);
    const amountPaise = parseRupees(input.amount);
    const fields: Record<string, string> = {};
    if (amountPaise === 0) fields.amount = 'Must be more than zero';
    else if (amountPaise > balance) fields.amount = `More than the balance of ${formatPaise(balance)}`;
    let tenderedPaise: number | null = null;
    if (input.method === 'cash') {
      tenderedPaise = input.tendered === '' ? amountPaise : parseRupees(input.tendered);
      if (tenderedPaise < amountPaise) fields.tendered = `Less than the amount (${formatPaise(amountPaise)})`;
    } else if (input.tendered !== '') {
      fields.tendered = 'Only for cash';
    }
    const reference = input.reference;
    if (input.method === 'insurance' && reference.trim() === '')
      fields.reference = "Enter the insurer's claim number";
    if (Object.keys(fields).length > 0) refuse(fields);
    const changePaise = tenderedPaise === null ? 0 : tenderedPaise - amountPaise;
    const payment = s.billing.addPayment({
      invoiceId: row.id,
      kind: 'payment',
      method: input.method,
      amountPaise,
      tenderedPaise,
      changePaise,
      reference,
      refundOf: null,
      userId: ctx.session.userId!,
      day: s.today(),
    });
    ctx.subject('payment', payment.id, {
      patientId: row.patientId,
      invoiceId: row.id,
      method: input.method,
      amountPaise,
    });
    const invoice = toInvoice(s, requireInvoice(s, row.id));
    return { invoice, payment: invoice.payments.find((p) => p.id === payment.id)!, changePaise };
  },

  'payments.refund': (ctx, input) => {
    const s = ctx.services;
    const original = s.billing.payment(input.paymentId);
    if (!original) throw new Failure('NOT_FOUND', 'No payment with that id.');
    if (original.kind !== 'payment') throw new Failure('CONFLICT', 'A refund cannot itself be refunded.');
    const row = requireInvoice(s, original.invoiceId);
    const left = s.billing.refundable(original.id);
    const amountPaise = parseRupees(input.amount);
    if (amountPaise === 0) refuse({ amount: 'Must be more than zero' });
    if (amountPaise > left)
      refuse({
        amount:
          left === 0
            ? 'This payment is fully refunded'
            : `More than the ${formatPaise(left)} left on this payment`,
      });
    const refund = s.billing.addPayment({
      invoiceId: row.id,
      kind: 'refund',
      method: original.method,
      amountPaise,
      tenderedPaise: null,
      changePaise: 0,
      reference: input.reason,
      refundOf: original.id,
      userId: ctx.session.userId!,
      day: s.today(),
    });
    ctx.subject('payment', refund.id, {
      patientId: row.patientId,
      invoiceId: row.id,
      refundOf: original.id,
      amountPaise,
    });
    return toInvoice(s, requireInvoice(s, row.id));
  },

  'billing.balance': (ctx, input) => {
    const s = ctx.services;
    requirePatient(s, input.patientId);
    const rows = s.billing.forPatient(input.patientId).filter((r) => r.status === 'issued');
    const paid = s.billing.paidByInvoice(rows.map((r) => r.id));
    const invoices = rows
      .map((r) => ({
        id: r.id,
        number: r.number,
        issuedAt: r.issuedAt,
        totalPaise: r.totalPaise,
        balancePaise: balanceOf(r, paid.get(r.id) ?? 0),
      }))
      .filter((i) => i.balancePaise > 0);
    const outstandingPaise = invoices.reduce((sum, i) => sum + i.balancePaise, 0);
    ctx.subject('patient', input.patientId, { billing: 'balance', invoices: invoices.length });
    return { patientId: input.patientId, outstandingPaise, invoices };
  },

  'invoices.receipt': async (ctx, input) => {
    const s = ctx.services;
    const row = requireInvoice(s, input.invoiceId);
    const doc = await receiptFor(s, row, input.paymentId);
    ctx.subject('invoice', row.id, { patientId: row.patientId, receipt: input.paymentId ?? 'invoice' });
    return {
      fileName: doc.fileName,
      mime: 'application/pdf',
      base64: Buffer.from(doc.bytes).toString('base64'),
    };
  },

  'billing.dailyReport': (ctx, input) => {
    const report = dailyReport(ctx.services, input.date, input.workstation);
    ctx.subject('billing-report', input.date, { workstation: input.workstation, rows: report.rows.length });
    return report;
  },

  'billing.dailyReportCsv': (ctx, input) => {
    const report = dailyReport(ctx.services, input.date, input.workstation);
    ctx.subject('billing-report', input.date, {
      workstation: input.workstation,
      rows: report.rows.length,
      csv: true,
    });
    return dailyReportCsv(report);
  },

  'billing.verifyLedger': (ctx) => {
    const result = verifyLedger(ctx.services.db);
    ctx.subject('ledger', 'all', {
      ok: result.ok,
      chains: result.chains.length,
      ...(result.ok ? {} : { workstation: result.workstationId, seq: result.seq, reason: result.reason }),
    });
    return result;
  },
};
