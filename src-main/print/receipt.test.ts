import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerHashPrefix, maskedReference, type ReceiptPrint, receiptPdf } from './receipt.js';

// Read back with poppler-utils' pdftotext, as prescription.test.ts does; a missing tool fails.
let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kavach-receipt-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function pdfText(name: string, pdf: Uint8Array): string {
  const file = join(dir, name);
  writeFileSync(file, pdf);
  const run = spawnSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  if (run.error) throw new Error(`pdftotext could not run (${run.error.message}): install poppler-utils`);
  if (run.status !== 0) throw new Error(`pdftotext failed with status ${run.status}`);
  return run.stdout;
}

const HASH = 'ab12cd34ef56ab78'.padEnd(64, '9');
const at = Date.UTC(2025, 11, 6, 5, 30);
const base: ReceiptPrint = {
  clinicName: 'Sushrut Clinic',
  invoiceNumber: 'INV-7KQ2M-000042',
  receiptNumber: 'INV-7KQ2M-000042-P2',
  date: '2025-12-06',
  status: 'partly-paid',
  patient: { name: 'Lakshmi Nair', patientNumber: '7KQ2M-000123' },
  doctorName: 'Dr Anjali Rao',
  lines: [
    {
      description: 'General consultation',
      quantity: 1,
      unitPricePaise: 50_000,
      discountPaise: 0,
      taxPaise: 0,
      totalPaise: 50_000,
    },
    {
      description: 'HbA1c',
      quantity: 2,
      unitPricePaise: 45_000,
      discountPaise: 5_000,
      taxPaise: 15_300,
      totalPaise: 100_300,
    },
  ],
  subtotalPaise: 140_000,
  discountPaise: 5_000,
  taxPaise: 15_300,
  totalPaise: 150_300,
  payments: [
    {
      kind: 'payment',
      method: 'upi',
      amountPaise: 20_000,
      tenderedPaise: null,
      changePaise: 0,
      reference: '412398765501',
      at,
    },
    {
      kind: 'payment',
      method: 'cash',
      amountPaise: 100_000,
      tenderedPaise: 150_000,
      changePaise: 50_000,
      reference: '',
      at: at + 60_000,
    },
    {
      kind: 'refund',
      method: 'upi',
      amountPaise: 5_050,
      tenderedPaise: null,
      changePaise: 0,
      reference: 'Overcharged',
      at: at + 120_000,
    },
  ],
  paidPaise: 114_950,
  balancePaise: 35_350,
  changePaise: 50_000,
  ledgerHash: HASH,
  printedAt: at + 180_000,
};

describe('receipt PDF', () => {
  it('prints numbers, patient, lines, totals, payments with masked references, refund, balance, change and the ledger hash prefix', async () => {
    const pdf = await receiptPdf(base);
    const text = pdfText('receipt.pdf', pdf);
    for (const expected of [
      'Sushrut Clinic',
      'Payment receipt',
      'INV-7KQ2M-000042',
      'INV-7KQ2M-000042-P2',
      '2025-12-06',
      'Lakshmi Nair (7KQ2M-000123)',
      'Dr Anjali Rao',
      'General consultation',
      'HbA1c',
      '₹1,503.00',
      '₹1,149.50',
      '₹353.50',
      'xxxx5501',
      'tendered ₹1,500.00',
      'ab12cd34ef56ab78',
    ])
      expect(text, expected).toContain(expected);
    expect(text).toMatch(/Change given\s+₹500\.00/);
    expect(text).toMatch(/Refund · UPI .*-₹50\.50/);
    expect(text).toMatch(/Balance\s+₹353\.50/);
    expect(text).not.toContain('412398765501');
    expect(text).not.toContain(HASH);
    const doc = await PDFDocument.load(pdf);
    expect(doc.getTitle()).toBe('Receipt INV-7KQ2M-000042-P2');
  });

  it('runs onto a second page for a long bill, and prints names in Indian scripts', async () => {
    const lines = Array.from({ length: 60 }, (_, i) => ({
      ...base.lines[0]!,
      description: `Dressing change ${i + 1}`,
    }));
    const pdf = await receiptPdf({
      ...base,
      receiptNumber: null,
      lines,
      patient: { name: 'लक्ष्मी नायर', patientNumber: 'X' },
    });
    const doc = await PDFDocument.load(pdf);
    expect(doc.getPageCount()).toBeGreaterThan(1);
    const text = pdfText('long.pdf', pdf);
    expect(text).toContain('Dressing change 60');
    expect(text).toContain('Invoice');
    expect(text).not.toContain('Receipt number');
  });

  it('masks card and UPI references to their last 4, keeps a claim number whole', () => {
    expect(maskedReference('card', '4111 1111 1111 1234')).toBe('xxxx1234');
    expect(maskedReference('upi', 'abc')).toBe('xxxxabc');
    expect(maskedReference('insurance', 'CLM-9')).toBe('CLM-9');
    expect(maskedReference('cash', '')).toBe('');
    expect(ledgerHashPrefix(HASH)).toHaveLength(16);
  });
});
