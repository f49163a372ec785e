import { PDFDocument, type PDFFont, type PDFPage, type RGB, rgb } from 'pdf-lib';
import { FontChooser } from './fonts.js';
import { drawQr } from './qr.js';

export interface PrescriptionItemPrint {
  name: string;
  form: string | null;
  strength: string | null;
  dose: string;
  route: string;
  frequency: string;
  durationDays: number | null;
  quantity: string | null;
  instructions: string | null;
}

export interface PrescriptionPrint {
  clinic: { name: string; address: string | null; phone: string | null };
  doctor: { displayName: string; registrationNumber: string | null };
  patient: {
    name: string;
    patientNumber: string;
    ageText: string;
    sex: 'female' | 'male' | 'other' | 'unknown';
  };
  prescriptionId: string;
  version: number;
  previousId: string | null;
  /** ms since epoch */
  signedAt: number;
  diagnosis: string | null;
  items: PrescriptionItemPrint[];
  advice: string | null;
  /** YYYY-MM-DD */
  followUp: string | null;
  /** Allergy warnings the doctor overrode. */
  overrides: { itemName: string; reason: string }[];
  /** 64 lowercase hex characters: SHA-256 of the canonical content. */
  digest: string;
  /** ms since epoch */
  printedAt: number;
}

/** The input cannot be printed as given (a caller's bug, not a printing failure). */
export class PrescriptionPrintError extends Error {
  override readonly name = 'PrescriptionPrintError';
  readonly code = 'PRESCRIPTION_PRINT_INVALID';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`Cannot print prescription: ${field} ${message}`);
  }
}

/** What the QR code on the prescription encodes. */
export function prescriptionQrPayload(
  p: Pick<PrescriptionPrint, 'prescriptionId' | 'version' | 'digest'>,
): string {
  return `kavach-rx:v1:${p.prescriptionId}:${p.version}:${p.digest}`;
}

/** YYYY-MM-DD in this computer's local time zone (the clinic's). */
export function localDate(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function localDateTime(ms: number): string {
  const d = new Date(ms);
  return `${localDate(ms)} ${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

// Ids go into the QR payload between ':' separators, so they must not contain one.
const ID = /^[\x21-\x39\x3b-\x7e]{1,64}$/;
const SEXES = { female: 'Female', male: 'Male', other: 'Other', unknown: 'Not recorded' } as const;

function validate(p: PrescriptionPrint): void {
  if (typeof p.digest !== 'string' || !/^[0-9a-f]{64}$/.test(p.digest))
    throw new PrescriptionPrintError('digest', 'must be 64 lowercase hex characters (SHA-256)');
  if (typeof p.prescriptionId !== 'string' || !ID.test(p.prescriptionId))
    throw new PrescriptionPrintError('prescriptionId', 'must be 1-64 printable ASCII characters without ":"');
  if (p.previousId !== null && (typeof p.previousId !== 'string' || !ID.test(p.previousId)))
    throw new PrescriptionPrintError(
      'previousId',
      'must be null or 1-64 printable ASCII characters without ":"',
    );
  if (!Number.isSafeInteger(p.version) || p.version < 1)
    throw new PrescriptionPrintError('version', 'must be a whole number from 1');
  for (const key of ['signedAt', 'printedAt'] as const) {
    if (!Number.isFinite(p[key]) || Number.isNaN(new Date(p[key]).getTime()))
      throw new PrescriptionPrintError(key, 'must be a time in ms since the epoch');
  }
  if (p.followUp !== null && !/^\d{4}-\d{2}-\d{2}$/.test(p.followUp))
    throw new PrescriptionPrintError('followUp', 'must be null or YYYY-MM-DD');
  if (!(p.patient?.sex in SEXES))
    throw new PrescriptionPrintError('patient.sex', 'is not one of female, male, other, unknown');
  if (!Array.isArray(p.items)) throw new PrescriptionPrintError('items', 'must be a list');
  p.items.forEach((item, i) => {
    if (typeof item?.name !== 'string' || item.name.trim() === '')
      throw new PrescriptionPrintError(`items[${i}].name`, 'must not be empty');
    if (item.durationDays !== null && !(Number.isFinite(item.durationDays) && item.durationDays >= 0))
      throw new PrescriptionPrintError(`items[${i}].durationDays`, 'must be null or a number of days');
  });
  if (!Array.isArray(p.overrides)) throw new PrescriptionPrintError('overrides', 'must be a list');
}

// ── Layout ─────────────────────────────────────────────────────────────────────────────

const A4: [number, number] = [595.28, 841.89];
const LEFT = 40;
const RIGHT = A4[0] - 40;
const WIDTH = RIGHT - LEFT;
const TOP = A4[1] - 40;
/** Nothing but the footer goes below this. */
const BOTTOM = 60;
const INK = rgb(0.1, 0.1, 0.1);
const GREY = rgb(0.4, 0.4, 0.4);
const RULE = rgb(0.6, 0.6, 0.6);
const WARN = rgb(0.6, 0.1, 0.05);
const QR_SIZE = 118;

interface Word {
  text: string;
  font: PDFFont;
  width: number;
}
type Line = Word[];

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

class Layout {
  readonly pages: PDFPage[] = [];
  page!: PDFPage;
  /** Top of the free space on the current page. */
  y = TOP;
  /** Drawn at the top of every page after the first (the continuation header, the table's head). */
  onNewPage: (() => Promise<void>)[] = [];

  constructor(
    private readonly doc: PDFDocument,
    private readonly fonts: FontChooser,
  ) {}

  async newPage(): Promise<void> {
    this.page = this.doc.addPage(A4);
    this.pages.push(this.page);
    this.y = TOP;
    if (this.pages.length > 1) for (const draw of this.onNewPage) await draw();
  }

  /** Starts a new page unless `height` more points fit on this one. */
  async ensure(height: number): Promise<void> {
    if (this.y - height < BOTTOM) await this.newPage();
  }

  /**
   * Splits text into words, each with the first installed font that has all its characters:
   * a Devanagari name and the English label beside it usually come from different fonts.
   */
  async words(text: string, size: number): Promise<Word[]> {
    const out: Word[] = [];
    for (const raw of text.split(/\s+/).filter(Boolean)) {
      const { font, text: printable } = await this.fonts.for(raw);
      out.push({ text: printable, font, width: font.widthOfTextAtSize(printable, size) });
    }
    return out;
  }

  /** Wraps text to lines no wider than `width`; a word longer than a line is broken. */
  async wrap(text: string, size: number, width: number): Promise<Line[]> {
    const lines: Line[] = [];
    for (const paragraph of text.split(/\r?\n/)) {
      let line: Line = [];
      let used = 0;
      for (const word of await this.words(paragraph, size)) {
        const space = line.length ? spaceWidth(line[line.length - 1] as Word, size) : 0;
        if (used + space + word.width <= width) {
          line.push(word);
          used += space + word.width;
          continue;
        }
        if (line.length) lines.push(line);
        line = [];
        used = 0;
        for (const piece of breakWord(word, size, width)) {
          if (line.length) lines.push(line);
          line = [piece];
          used = piece.width;
        }
      }
      if (line.length || lines.length === 0 || paragraph === '') lines.push(line);
    }
    // Blank lines at the end of a paragraph print nothing useful.
    while (lines.length > 1 && (lines[lines.length - 1] as Line).length === 0) lines.pop();
    return lines;
  }

  /** Draws one wrapped line with its baseline at `y`; consecutive words in one font are one string. */
  drawLine(line: Line, x: number, y: number, size: number, color: RGB = INK): void {
    let i = 0;
    while (i < line.length) {
      const first = line[i] as Word;
      let text = first.text;
      let j = i + 1;
      while (j < line.length && (line[j] as Word).font === first.font) text += ` ${(line[j++] as Word).text}`;
      this.page.drawText(text, { x, y, size, font: first.font, color });
      x += first.font.widthOfTextAtSize(text, size) + spaceWidth(line[j - 1] as Word, size);
      i = j;
    }
  }

  /** Wrapped text from the current position, breaking pages between lines when needed. */
  async paragraph(
    text: string,
    size: number,
    opts: { x?: number; width?: number; color?: RGB; after?: number } = {},
  ) {
    const x = opts.x ?? LEFT;
    const leading = size * 1.35;
    for (const line of await this.wrap(text, size, opts.width ?? RIGHT - x)) {
      await this.ensure(leading);
      this.drawLine(line, x, this.y - size, size, opts.color);
      this.y -= leading;
    }
    this.y -= opts.after ?? 4;
  }

  rule(gapBefore = 4, gapAfter = 8): void {
    this.y -= gapBefore;
    this.page.drawLine({
      start: { x: LEFT, y: this.y },
      end: { x: RIGHT, y: this.y },
      thickness: 0.5,
      color: RULE,
    });
    this.y -= gapAfter;
  }
}

function spaceWidth(word: Word, size: number): number {
  try {
    return word.font.widthOfTextAtSize(' ', size) || size * 0.28;
  } catch {
    return size * 0.28;
  }
}

function breakWord(word: Word, size: number, width: number): Word[] {
  if (word.width <= width) return [word];
  const pieces: Word[] = [];
  let text = '';
  for (const { segment } of graphemes.segment(word.text)) {
    const next = text + segment;
    if (text && word.font.widthOfTextAtSize(next, size) > width) {
      pieces.push({ text, font: word.font, width: word.font.widthOfTextAtSize(text, size) });
      text = segment;
    } else text = next;
  }
  if (text) pieces.push({ text, font: word.font, width: word.font.widthOfTextAtSize(text, size) });
  return pieces;
}

function lineWidth(line: Line, size: number): number {
  return line.reduce((sum, w, i) => sum + w.width + (i ? spaceWidth(line[i - 1] as Word, size) : 0), 0);
}

const COLUMNS: { head: string; width: number }[] = [
  { head: '#', width: 20 },
  { head: 'Medicine', width: 138 },
  { head: 'Dose', width: 62 },
  { head: 'Route', width: 48 },
  { head: 'Frequency', width: 88 },
  { head: 'Days', width: 28 },
  { head: 'Qty', width: 40 },
  { head: 'Instructions', width: 0 },
];
(COLUMNS[COLUMNS.length - 1] as { width: number }).width = WIDTH - COLUMNS.reduce((s, c) => s + c.width, 0);
const CELL_PAD = 3;
const BODY = 9;
const BODY_LEADING = BODY * 1.3;

/**
 * The printable prescription: A4 portrait, text drawn as text (so it can be searched, copied
 * and read back), fonts chosen per word from the operating system's (see FontChooser). Dates
 * are in this computer's local time zone. The content digest is printed in hex and in a QR
 * code encoding `kavach-rx:v1:<prescriptionId>:<version>:<digest>` (see prescriptionQrPayload).
 * Throws PrescriptionPrintError when the input is malformed (e.g. the digest is not 64 hex).
 */
export async function prescriptionPdf(input: PrescriptionPrint): Promise<Uint8Array> {
  validate(input);
  const doc = await PDFDocument.create();
  doc.setTitle(`Prescription ${input.patient.patientNumber}`);
  doc.setProducer('Kavach');
  doc.setCreator('Kavach');
  doc.setCreationDate(new Date(input.printedAt));
  doc.setModificationDate(new Date(input.printedAt));
  const L = new Layout(doc, new FontChooser(doc));
  const { clinic, doctor, patient } = input;
  const signedDate = localDate(input.signedAt);

  L.onNewPage.push(async () => {
    const small = 8.5;
    const left = await L.wrap(`${clinic.name} — prescription (continued)`, small, WIDTH * 0.55);
    const right = await L.wrap(
      `${patient.name} · ${patient.patientNumber} · ${signedDate}`,
      small,
      WIDTH * 0.43,
    );
    const first = right[0] ?? [];
    L.drawLine(left[0] ?? [], LEFT, L.y - small, small, GREY);
    L.drawLine(first, RIGHT - lineWidth(first, small), L.y - small, small, GREY);
    L.y -= small * 1.4;
    L.rule(0, 10);
  });
  await L.newPage();

  // Header: the clinic on the left, the doctor on the right.
  const top = L.y;
  await L.paragraph(clinic.name, 16, { width: WIDTH * 0.58, after: 2 });
  if (clinic.address) await L.paragraph(clinic.address, 9, { width: WIDTH * 0.58, color: GREY, after: 0 });
  if (clinic.phone)
    await L.paragraph(`Phone: ${clinic.phone}`, 9, { width: WIDTH * 0.58, color: GREY, after: 0 });
  const clinicBottom = L.y;
  L.y = top;
  const rightBlock = async (text: string, size: number, color: RGB = INK) => {
    for (const line of await L.wrap(text, size, WIDTH * 0.4)) {
      L.drawLine(line, RIGHT - lineWidth(line, size), L.y - size, size, color);
      L.y -= size * 1.35;
    }
  };
  await rightBlock(doctor.displayName, 12);
  if (doctor.registrationNumber) await rightBlock(`Reg. No. ${doctor.registrationNumber}`, 9, GREY);
  L.y = Math.min(L.y, clinicBottom);
  L.rule(2, 10);

  // Patient, and the date on the right.
  const patientTop = L.y;
  await L.paragraph(`Patient: ${patient.name}`, 12, { width: WIDTH * 0.7, after: 1 });
  await L.paragraph(
    `No. ${patient.patientNumber}   ·   Age ${patient.ageText}   ·   Sex ${SEXES[patient.sex]}`,
    9.5,
    { width: WIDTH * 0.7, after: 0 },
  );
  const patientBottom = L.y;
  L.y = patientTop;
  await rightBlock(`Date: ${signedDate}`, 10);
  L.y = Math.min(L.y, patientBottom);
  L.rule(2, 10);

  if (input.diagnosis?.trim()) await L.paragraph(`Diagnosis: ${input.diagnosis}`, 10, { after: 8 });

  // Rx and the items table.
  await L.ensure(60);
  L.page.drawText('Rx', {
    x: LEFT,
    y: L.y - 20,
    size: 20,
    font: (await L.words('Rx', 20))[0]!.font,
    color: INK,
  });
  L.y -= 28;
  const tableHead = async () => {
    const h = BODY_LEADING + 2 * CELL_PAD;
    L.page.drawRectangle({ x: LEFT, y: L.y - h, width: WIDTH, height: h, color: rgb(0.92, 0.92, 0.92) });
    let x = LEFT;
    for (const col of COLUMNS) {
      L.drawLine(await L.words(col.head, 8.5), x + CELL_PAD, L.y - CELL_PAD - 8.5, 8.5, GREY);
      x += col.width;
    }
    L.y -= h + 2;
  };
  if (input.items.length === 0) {
    await L.paragraph('No medicines prescribed.', 10, { after: 8 });
  } else {
    await L.ensure(BODY_LEADING * 2 + 2 * CELL_PAD + 30);
    await tableHead();
    L.onNewPage.push(tableHead);
    for (const [i, item] of input.items.entries()) {
      const medicine = [item.name, item.strength, item.form ? `(${item.form})` : null]
        .filter(Boolean)
        .join(' ');
      const cells = [
        `${i + 1}.`,
        medicine,
        item.dose,
        item.route,
        item.frequency,
        item.durationDays === null ? '—' : String(item.durationDays),
        item.quantity ?? '—',
        item.instructions ?? '',
      ];
      const wrapped: Line[][] = [];
      for (const [c, text] of cells.entries())
        wrapped.push(await L.wrap(text, BODY, (COLUMNS[c] as { width: number }).width - 2 * CELL_PAD));
      const rows = Math.max(...wrapped.map((w) => w.length));
      // Keep a row on one page when it fits on one; a row taller than a page is split.
      await L.ensure(Math.min(rows * BODY_LEADING, TOP - BOTTOM - 80) + 2 * CELL_PAD);
      L.y -= CELL_PAD;
      for (let r = 0; r < rows; r++) {
        await L.ensure(BODY_LEADING + CELL_PAD);
        let x = LEFT;
        for (const [c, col] of COLUMNS.entries()) {
          const line = wrapped[c]?.[r];
          if (line) L.drawLine(line, x + CELL_PAD, L.y - BODY, BODY);
          x += col.width;
        }
        L.y -= BODY_LEADING;
      }
      L.y -= CELL_PAD;
      L.page.drawLine({ start: { x: LEFT, y: L.y }, end: { x: RIGHT, y: L.y }, thickness: 0.3, color: RULE });
    }
    L.onNewPage.pop();
    L.y -= 12;
  }

  if (input.advice?.trim()) {
    await L.ensure(30);
    await L.paragraph('Advice', 10, { color: GREY, after: 0 });
    await L.paragraph(input.advice, 10, { after: 8 });
  }
  if (input.followUp) await L.paragraph(`Follow-up: ${input.followUp}`, 10, { after: 8 });
  for (const o of input.overrides)
    await L.paragraph(`Prescribed despite allergy warning: ${o.itemName} — ${o.reason}`, 9.5, {
      color: WARN,
    });

  // Signature, version and digest on the left, the QR code on the right; kept together.
  const textWidth = WIDTH - QR_SIZE - 16;
  const hexSize = 8;
  // The digest stays one unbroken word per line: in one line when it fits, else two of 32.
  const label = 'SHA-256:';
  const labelWidth =
    lineWidth(await L.words(`${label} x`, hexSize), hexSize) -
    lineWidth(await L.words('x', hexSize), hexSize);
  const whole = lineWidth(await L.words(input.digest, hexSize), hexSize);
  const digestLines =
    labelWidth + whole <= textWidth
      ? [{ text: `${label} ${input.digest}`, x: LEFT }]
      : [
          { text: `${label} ${input.digest.slice(0, 32)}`, x: LEFT },
          { text: input.digest.slice(32), x: LEFT + labelWidth },
        ];
  await L.ensure(QR_SIZE + 24);
  L.y -= 10;
  const blockTop = L.y;
  drawQr(L.page, prescriptionQrPayload(input), { x: RIGHT - QR_SIZE, y: blockTop - QR_SIZE, size: QR_SIZE });
  const caption = await L.words('Scan to verify', 7);
  L.drawLine(caption, RIGHT - QR_SIZE / 2 - lineWidth(caption, 7) / 2, blockTop - QR_SIZE - 8, 7, GREY);
  L.y -= 28;
  L.page.drawLine({ start: { x: LEFT, y: L.y }, end: { x: LEFT + 200, y: L.y }, thickness: 0.6, color: INK });
  L.y -= 4;
  await L.paragraph(`Digitally signed by ${doctor.displayName} on ${localDateTime(input.signedAt)}`, 9.5, {
    width: textWidth,
    after: 0,
  });
  if (doctor.registrationNumber)
    await L.paragraph(`Reg. No. ${doctor.registrationNumber}`, 9, {
      width: textWidth,
      color: GREY,
      after: 0,
    });
  const version = input.previousId
    ? `Version ${input.version} — replaces ${input.previousId}`
    : `Version ${input.version}`;
  await L.paragraph(version, 9, { width: textWidth, after: 0 });
  for (const line of digestLines)
    await L.paragraph(line.text, hexSize, {
      x: line.x,
      width: LEFT + textWidth - line.x,
      color: GREY,
      after: 0,
    });
  L.y = Math.min(L.y, blockTop - QR_SIZE - 12);

  // Footers, now that the page count is known.
  const footSize = 7.5;
  const footLeft = await L.words(
    `Prescription ${input.prescriptionId} · version ${input.version} · printed ${localDateTime(input.printedAt)}`,
    footSize,
  );
  for (const [i, page] of L.pages.entries()) {
    L.page = page;
    L.drawLine(footLeft, LEFT, 28, footSize, GREY);
    const n = await L.words(`Page ${i + 1} of ${L.pages.length}`, footSize);
    L.drawLine(n, RIGHT - lineWidth(n, footSize), 28, footSize, GREY);
  }
  return doc.save();
}
