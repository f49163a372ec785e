import { PDFDocument, type PDFPage, rgb } from 'pdf-lib';
import type { PaymentMethod } from '../../src-shared/billing.js';
import { formatPaise } from '../../src-shared/money.js';
import { FontChooser } from './fonts.js';

export interface ReceiptLinePrint {
  description: string;
  quantity: number;
  unitPricePaise: number;
  discountPaise: number;
  taxPaise: number;
  totalPaise: number;
}

export interface ReceiptPaymentPrint {
  kind: 'payment' | 'refund';
  method: PaymentMethod;
  amountPaise: number;
  tenderedPaise: number | null;
  changePaise: number;
  reference: string;
  /** ms since epoch */
  at: number;
}

export interface ReceiptPrint {
  clinicName: string;
  /** The invoice number, and for one payment's receipt its own number. */
  invoiceNumber: string;
  receiptNumber: string | null;
  /** 'YYYY-MM-DD' of the receipt (the payment's day, or the invoice's issue day). */
  date: string;
  status: string;
  patient: { name: string; patientNumber: string };
  doctorName: string | null;
  lines: ReceiptLinePrint[];
  subtotalPaise: number;
  discountPaise: number;
  taxPaise: number;
  totalPaise: number;
  payments: ReceiptPaymentPrint[];
  paidPaise: number;
  balancePaise: number;
  /** Change handed back for the payment this receipt is for (0 when none). */
  changePaise: number;
  /** SHA-256 of the ledger entry this receipt stands for (issue or payment). */
  ledgerHash: string;
  /** ms since epoch */
  printedAt: number;
}

const METHOD = { cash: 'Cash', card: 'Card', upi: 'UPI', insurance: 'Insurance' } as const;

/** Card and UPI references are printed as their last 4 characters only. */
export function maskedReference(method: PaymentMethod, reference: string): string {
  const ref = reference.trim();
  if (ref === '') return '';
  if (method === 'card' || method === 'upi') return `xxxx${ref.slice(-4)}`;
  return ref;
}

/** The ledger hash as printed: enough to find the entry, short enough to read out. */
export function ledgerHashPrefix(hash: string): string {
  return hash.slice(0, 16);
}

const INK = rgb(0.1, 0.1, 0.1);
const A5: [number, number] = [420, 595];
const LEFT = 28;
const RIGHT = 392;

/**
 * The receipt handed to the patient (A5 portrait): clinic, invoice and receipt numbers,
 * patient, lines, totals, each payment and refund, what is paid and what remains, the change
 * given, and the prefix of the ledger entry's hash so a disputed receipt can be matched to
 * its entry in the workstation's chain.
 */
export async function receiptPdf(r: ReceiptPrint): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle(`Receipt ${r.receiptNumber ?? r.invoiceNumber}`);
  doc.setProducer('Kavach');
  doc.setCreationDate(new Date(r.printedAt));
  doc.setModificationDate(new Date(r.printedAt));
  const fonts = new FontChooser(doc);
  let page: PDFPage = doc.addPage(A5);
  let y = A5[1] - 36;
  const room = (needed: number) => {
    if (y - needed >= 40) return;
    page = doc.addPage(A5);
    y = A5[1] - 36;
  };
  const text = async (t: string, x: number, size: number, align: 'left' | 'right' = 'left') => {
    const { font, text: printable } = await fonts.for(t);
    const width = font.widthOfTextAtSize(printable, size);
    page.drawText(printable, { x: align === 'right' ? x - width : x, y, size, font, color: INK });
  };
  const row = async (label: string, amount: string, size = 9) => {
    room(size + 4);
    await text(label, LEFT, size);
    await text(amount, RIGHT, size, 'right');
    y -= size + 5;
  };
  const rule = () => {
    page.drawLine({ start: { x: LEFT, y: y + 4 }, end: { x: RIGHT, y: y + 4 }, thickness: 0.5, color: INK });
    y -= 6;
  };

  await text(r.clinicName, LEFT, 15);
  y -= 20;
  await text(r.receiptNumber ? 'Payment receipt' : 'Invoice', LEFT, 11);
  y -= 16;
  await row('Invoice number', r.invoiceNumber);
  if (r.receiptNumber) await row('Receipt number', r.receiptNumber);
  await row('Date', r.date);
  await row('Patient', `${r.patient.name} (${r.patient.patientNumber})`);
  if (r.doctorName) await row('Doctor', r.doctorName);
  await row('Status', r.status);
  y -= 4;
  rule();
  for (const l of r.lines) {
    room(30);
    await text(l.description, LEFT, 9);
    y -= 12;
    const parts = [`${l.quantity} × ${formatPaise(l.unitPricePaise)}`];
    if (l.discountPaise > 0) parts.push(`discount ${formatPaise(l.discountPaise)}`);
    if (l.taxPaise > 0) parts.push(`tax ${formatPaise(l.taxPaise)}`);
    await row(`   ${parts.join(', ')}`, formatPaise(l.totalPaise), 8);
  }
  rule();
  await row('Subtotal', formatPaise(r.subtotalPaise));
  if (r.discountPaise > 0) await row('Discount', `-${formatPaise(r.discountPaise)}`);
  await row('Tax', formatPaise(r.taxPaise));
  await row('Total', formatPaise(r.totalPaise), 11);
  y -= 4;
  rule();
  for (const p of r.payments) {
    const when = new Date(p.at).toISOString().slice(0, 16).replace('T', ' ');
    const ref = maskedReference(p.method, p.reference);
    if (p.kind === 'refund') {
      await row(`Refund · ${METHOD[p.method]} · ${when}`, `-${formatPaise(p.amountPaise)}`);
    } else {
      await row(
        `Payment · ${METHOD[p.method]}${ref ? ` · ref ${ref}` : ''} · ${when}`,
        formatPaise(p.amountPaise),
      );
      if (p.tenderedPaise !== null && p.tenderedPaise !== p.amountPaise)
        await row(`   tendered ${formatPaise(p.tenderedPaise)}`, `change ${formatPaise(p.changePaise)}`, 8);
    }
  }
  await row('Paid', formatPaise(r.paidPaise), 10);
  await row('Balance', formatPaise(r.balancePaise), 10);
  if (r.changePaise > 0) await row('Change given', formatPaise(r.changePaise), 10);
  y -= 10;
  room(24);
  await text(`Ledger entry ${ledgerHashPrefix(r.ledgerHash)}`, LEFT, 7);
  y -= 10;
  await text(`Printed ${new Date(r.printedAt).toISOString().slice(0, 16).replace('T', ' ')} UTC`, LEFT, 7);
  return doc.save();
}
