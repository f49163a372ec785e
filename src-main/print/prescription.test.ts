import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  localDate,
  type PrescriptionItemPrint,
  type PrescriptionPrint,
  PrescriptionPrintError,
  prescriptionPdf,
  prescriptionQrPayload,
} from './prescription.js';
import { QR_QUIET_ZONE, qrMatrix } from './qr.js';

// These checks read the PDF back with real tools (poppler-utils, zbar-tools, as .ci/run
// installs). A missing tool fails the test rather than skipping it.
function tool(name: string, args: string[], pkg: string): string {
  const run = spawnSync(name, args, { encoding: 'utf8' });
  if (run.error) throw new Error(`${name} could not run (${run.error.message}): install ${pkg}`);
  if (run.status !== 0) throw new Error(`${name} failed with status ${run.status}`);
  return run.stdout;
}

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kavach-rx-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, pdf: Uint8Array): string {
  const file = join(dir, name);
  writeFileSync(file, pdf);
  return file;
}

const pdfText = (file: string) => tool('pdftotext', ['-layout', file, '-'], 'poppler-utils');

const item = (over: Partial<PrescriptionItemPrint> & { name: string }): PrescriptionItemPrint => ({
  form: 'tablet',
  strength: '500 mg',
  dose: '1 tablet',
  route: 'oral',
  frequency: 'twice daily',
  durationDays: 5,
  quantity: '10',
  instructions: null,
  ...over,
});

const digest = createHash('sha256').update('canonical prescription content').digest('hex');
const SIGNED_AT = Date.UTC(2026, 10, 20, 6, 30);

const rx = (over: Partial<PrescriptionPrint> = {}): PrescriptionPrint => ({
  clinic: {
    name: 'Asha Family Clinic',
    address: '12 Temple Road, Madurai 625001',
    phone: '+91 452 555 0100',
  },
  doctor: { displayName: 'Dr. Meera Raghavan', registrationNumber: 'TNMC-48213' },
  patient: { name: 'सीता देवी', patientNumber: 'KV-000731', ageText: '34 years', sex: 'female' },
  prescriptionId: '7d3f2a9e-5b1c-4e8f-9a6d-2c4b8e1f0a37',
  version: 2,
  previousId: '1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d',
  signedAt: SIGNED_AT,
  diagnosis: 'Acute pharyngitis',
  items: [
    item({
      name: 'Paracetamol',
      dose: '1 tablet',
      frequency: 'three times daily',
      instructions: 'After food',
    }),
    item({
      name: 'Amoxicillin',
      form: 'capsule',
      strength: '250 mg',
      dose: '2 capsules',
      frequency: 'every 8 hours',
      durationDays: 7,
      quantity: '42',
      instructions:
        'Take with a full glass of water and complete the whole course even if the fever settles earlier; stop and call the clinic if a rash appears',
    }),
    item({
      name: 'Cetirizine',
      strength: '10 mg',
      dose: 'half tablet',
      frequency: 'at bedtime',
      durationDays: 3,
      quantity: '2',
    }),
    item({
      name: 'Chlorhexidine',
      form: 'mouthwash',
      strength: '0.2%',
      dose: '10 ml',
      route: 'gargle',
      frequency: 'twice daily',
      durationDays: null,
      quantity: '1 bottle',
    }),
  ],
  advice: 'Warm saline gargles. Drink plenty of fluids and rest the voice.',
  followUp: '2026-11-27',
  overrides: [{ itemName: 'Amoxicillin', reason: 'old rash was not an allergy per family doctor' }],
  digest,
  printedAt: Date.UTC(2026, 10, 20, 7, 0),
  ...over,
});

describe('prescriptionPdf', () => {
  it('prints the clinic, doctor, patient, every item, advice, follow-up, version and digest as text', async () => {
    const input = rx();
    const file = write('rx.pdf', await prescriptionPdf(input));
    const text = pdfText(file);
    const flat = text.replace(/\s+/g, ' ');
    for (const needle of [
      'Asha Family Clinic',
      '12 Temple Road, Madurai 625001',
      '+91 452 555 0100',
      'Dr. Meera Raghavan',
      'TNMC-48213',
      'KV-000731',
      '34 years',
      'Female',
      `Date: ${localDate(SIGNED_AT)}`,
      'Rx',
      'Acute pharyngitis',
      'Warm saline gargles. Drink plenty of fluids and rest the voice.',
      'Follow-up: 2026-11-27',
      'Version 2',
      `replaces ${input.previousId}`,
      `Digitally signed by Dr. Meera Raghavan on ${localDate(SIGNED_AT)}`,
      'Prescribed despite allergy warning: Amoxicillin — old rash was not an allergy per family doctor',
      'Page 1 of 1',
    ]) {
      expect(flat).toContain(needle);
    }
    for (const it of input.items) {
      expect(text).toContain(it.name);
      expect(text).toContain(it.dose);
      expect(text).toContain(it.frequency);
    }
    // The long instructions wrap inside their column, first words to last.
    expect(text).toContain('Take with a full');
    expect(text).toMatch(/\n\s{40,}appears\n/);
    // The digest, on one line or split 32 + 32.
    const digestLines = text.split('\n').filter((l) => l.includes('SHA-256:'));
    expect(digestLines.length).toBe(1);
    if (!text.includes(digest)) {
      expect(text).toContain(digest.slice(0, 32));
      expect(text).toContain(digest.slice(32));
    }
    // The Devanagari name is drawn with a Devanagari font (not replaced with '?') and reads back.
    expect(text).toContain('Patient: सीता देवी');

    const doc = await PDFDocument.load(readFileSync(file), { updateMetadata: false });
    expect(doc.getPageCount()).toBe(1);
    expect(doc.getTitle()).toBe('Prescription KV-000731');
    expect(doc.getProducer()).toBe('Kavach');
    expect(doc.getCreationDate()?.getTime()).toBe(input.printedAt);
    const { width, height } = doc.getPage(0).getSize();
    expect([Math.round(width), Math.round(height)]).toEqual([595, 842]);
  });

  it('renders page 1 with a QR code that decodes to the prescription id, version and digest', async () => {
    const input = rx();
    const file = write('rx-qr.pdf', await prescriptionPdf(input));
    const base = join(dir, 'rx-page1');
    tool('pdftoppm', ['-png', '-r', '150', '-f', '1', '-l', '1', '-singlefile', file, base], 'poppler-utils');
    const png = `${base}.png`;
    expect(existsSync(png)).toBe(true);
    const bytes = readFileSync(png);
    expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
    // A4 at 150 dpi is 1240 × 1754 pixels.
    expect(bytes.readUInt32BE(16)).toBeGreaterThanOrEqual(1238);
    expect(bytes.readUInt32BE(16)).toBeLessThanOrEqual(1242);
    expect(bytes.readUInt32BE(20)).toBeGreaterThanOrEqual(1752);
    expect(bytes.readUInt32BE(20)).toBeLessThanOrEqual(1756);
    expect(statSync(png).size).toBeGreaterThan(20_000);

    const decoded = tool('zbarimg', ['--raw', '-q', png], 'zbar-tools').trim();
    expect(decoded).toBe(`kavach-rx:v1:${input.prescriptionId}:2:${digest}`);
    expect(decoded).toBe(prescriptionQrPayload(input));
  });

  it('continues a long list of items on further pages, with the table head and page numbers', async () => {
    const items = Array.from({ length: 40 }, (_, i) =>
      item({
        name: `Drug${String(i + 1).padStart(2, '0')}x`,
        dose: `${i + 1} ml`,
        frequency: i % 2 ? 'once daily' : 'at night',
        instructions:
          i % 5 === 0 ? 'Shake the bottle well before use and measure with the cup provided' : null,
      }),
    );
    const file = write('rx-long.pdf', await prescriptionPdf(rx({ items, previousId: null, version: 1 })));
    const doc = await PDFDocument.load(readFileSync(file));
    const pages = doc.getPageCount();
    expect(pages).toBeGreaterThan(1);
    const text = pdfText(file);
    for (const it of items) {
      expect(text).toContain(it.name);
      expect(text).toContain(it.dose);
    }
    const perPage = text.split('\f').filter((p) => p.trim());
    expect(perPage.length).toBe(pages);
    perPage.forEach((p, i) => {
      expect(p).toContain(`Page ${i + 1} of ${pages}`);
      if (i > 0) {
        expect(p).toContain('Asha Family Clinic — prescription (continued)');
        expect(p).toContain('KV-000731');
      }
    });
    expect(perPage[1]).toContain('Frequency');
    expect(text).toContain('Version 1');
    expect(text).not.toContain('replaces');
    // The QR code is on the last page and still decodes.
    const base = join(dir, 'rx-long-last');
    tool(
      'pdftoppm',
      ['-png', '-r', '150', '-f', String(pages), '-l', String(pages), '-singlefile', file, base],
      'poppler-utils',
    );
    expect(tool('zbarimg', ['--raw', '-q', `${base}.png`], 'zbar-tools').trim()).toBe(
      `kavach-rx:v1:7d3f2a9e-5b1c-4e8f-9a6d-2c4b8e1f0a37:1:${digest}`,
    );
  });

  it('refuses a digest that is not 64 lowercase hex characters', async () => {
    for (const bad of [
      'abc',
      digest.toUpperCase(),
      `${digest}0`,
      digest.slice(1),
      `${digest.slice(0, 63)}g`,
    ]) {
      const err = await prescriptionPdf(rx({ digest: bad })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PrescriptionPrintError);
      expect(err).toMatchObject({ code: 'PRESCRIPTION_PRINT_INVALID', field: 'digest' });
    }
  });

  it('refuses ids that would make the QR payload ambiguous, and malformed follow-up dates', async () => {
    await expect(prescriptionPdf(rx({ prescriptionId: 'a:b' }))).rejects.toMatchObject({
      field: 'prescriptionId',
    });
    await expect(prescriptionPdf(rx({ version: 0 }))).rejects.toMatchObject({ field: 'version' });
    await expect(prescriptionPdf(rx({ followUp: '27/11/2026' }))).rejects.toMatchObject({
      field: 'followUp',
    });
  });
});

describe('qrMatrix', () => {
  it('is square, with finder patterns in three corners, sized for the payload', () => {
    const m = qrMatrix(prescriptionQrPayload(rx()));
    const n = m.length;
    expect(m.every((row) => row.length === n)).toBe(true);
    expect((n - 17) % 4).toBe(0);
    expect(n).toBeLessThanOrEqual(17 + 4 * 10);
    for (const [r, c] of [
      [0, 0],
      [0, n - 7],
      [n - 7, 0],
    ] as const) {
      expect(m[r]?.[c]).toBe(true);
      expect(m[r + 1]?.[c + 1]).toBe(false);
      expect(m[r + 3]?.[c + 3]).toBe(true);
    }
    expect(QR_QUIET_ZONE).toBe(4);
  });

  it('refuses text it cannot encode byte for byte', () => {
    expect(() => qrMatrix('सीता')).toThrow(RangeError);
  });
});
