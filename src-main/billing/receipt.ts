import { Failure } from '../ipc/failure.js';
import type { Services } from '../ipc/handler-types.js';
import { type ReceiptPrint, receiptPdf } from '../print/receipt.js';
import type { InvoiceRow } from './repo.js';
import { toInvoice } from './view.js';

/**
 * The receipt of an issued invoice (paymentId null: every payment so far, the ledger
 * entry) or of one payment on it (its own receipt number, its change, its ledger entry).
 */
export async function receiptFor(
  s: Services,
  row: InvoiceRow,
  paymentId: string | null,
): Promise<{ fileName: string; bytes: Uint8Array }> {
  if (row.status === 'draft') throw new Failure('CONFLICT', 'A draft has no receipt; issue it first.');
  const invoice = toInvoice(s, row);
  let receiptNumber: string | null = null;
  let changePaise = 0;
  let ledgerHash: string | null;
  let date = row.issuedDay ?? '';
  if (paymentId === null) {
    ledgerHash = s.billing.ledgerEntry('invoice-issued', row.id)?.hash ?? null;
  } else {
    const index = invoice.payments.findIndex((p) => p.id === paymentId);
    const payment = invoice.payments[index];
    if (!payment) throw new Failure('NOT_FOUND', 'No payment with that id on this invoice.');
    receiptNumber = `${row.number}-${payment.kind === 'refund' ? 'R' : 'P'}${index + 1}`;
    changePaise = payment.changePaise;
    ledgerHash = s.billing.ledgerEntry(payment.kind, payment.id)?.hash ?? null;
    date = s.billing.paymentDay(payment.id) ?? date;
  }
  const print: ReceiptPrint = {
    clinicName: s.settings.get()?.clinicName ?? 'Clinic',
    invoiceNumber: row.number,
    receiptNumber,
    date,
    status: invoice.status,
    patient: { name: invoice.patientName, patientNumber: invoice.patientNumber },
    doctorName: invoice.doctorName,
    lines: invoice.lines,
    subtotalPaise: invoice.subtotalPaise,
    discountPaise: invoice.discountPaise,
    taxPaise: invoice.taxPaise,
    totalPaise: invoice.totalPaise,
    payments: invoice.payments,
    paidPaise: invoice.paidPaise,
    balancePaise: invoice.balancePaise,
    changePaise,
    ledgerHash: ledgerHash ?? '',
    printedAt: s.now(),
  };
  const bytes = await receiptPdf(print);
  return { fileName: `receipt-${receiptNumber ?? row.number}.pdf`, bytes };
}
