// fontkit's shaper for Indian scripts is compiled generator code that expects a global
// regeneratorRuntime; without it every Devanagari or Tamil name fails to print.
import 'regenerator-runtime/runtime.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fontkit from '@pdf-lib/fontkit';
import { type PDFDocument, type PDFFont, StandardFonts } from 'pdf-lib';

/**
 * Fonts for printed documents. Patient names come in many scripts; PDF's built-in fonts
 * cover only Western European letters. Kavach does not ship fonts of its own: it uses the
 * operating system's (Noto or DejaVu on Linux, Nirmala UI and Arial on Windows, Arial
 * Unicode on macOS), choosing for each piece of text the first font that has every one of
 * its characters. KAVACH_FONT_DIRS (':'-separated) adds folders searched first.
 */

const LINUX_DIRS = ['/usr/share/fonts/truetype/noto', '/usr/share/fonts/truetype/dejavu', '/usr/share/fonts/opentype/noto'];
const FILES = [
  'NotoSans-Regular.ttf',
  'DejaVuSans.ttf',
  'NotoSansDevanagari-Regular.ttf',
  'NotoSansTamil-Regular.ttf',
  'NotoSansMalayalam-Regular.ttf',
  'NotoSansBengali-Regular.ttf',
  'NotoSansTelugu-Regular.ttf',
  'NotoSansKannada-Regular.ttf',
  'NotoSansGujarati-Regular.ttf',
  'NotoSansGurmukhi-Regular.ttf',
];
const OTHER_PATHS = [
  'C:\\Windows\\Fonts\\Nirmala.ttf',
  'C:\\Windows\\Fonts\\arial.ttf',
  '/System/Library/Fonts/Supplemental/Arial Unicode.ttf',
];

interface FontFile {
  path: string;
  covers(cp: number): boolean;
}

let cached: FontFile[] | null = null;

function fontFiles(): FontFile[] {
  if (cached) return cached;
  const extra = (process.env.KAVACH_FONT_DIRS ?? '').split(':').filter(Boolean);
  const paths = [
    ...[...extra, ...LINUX_DIRS].flatMap((dir) => FILES.map((f) => join(dir, f))),
    ...OTHER_PATHS,
  ].filter((p) => existsSync(p));
  cached = [];
  for (const path of paths) {
    try {
      const font = fontkit.create(readFileSync(path));
      cached.push({ path, covers: (cp) => font.hasGlyphForCodePoint(cp) });
    } catch {
      // An unreadable font file is skipped; the next one in the list serves instead.
    }
  }
  return cached;
}

/** Picks and embeds fonts for one document, each file at most once. */
export class FontChooser {
  private readonly embedded = new Map<string, PDFFont>();
  private fallback: PDFFont | null = null;

  constructor(private readonly doc: PDFDocument) {
    doc.registerFontkit(fontkit);
  }

  async for(text: string): Promise<{ font: PDFFont; text: string }> {
    const cps = [...text].map((c) => c.codePointAt(0) as number).filter((cp) => cp > 0x20);
    const file = fontFiles().find((f) => cps.every((cp) => f.covers(cp)));
    if (file) {
      let font = this.embedded.get(file.path);
      if (!font) {
        font = await this.doc.embedFont(readFileSync(file.path), { subset: true });
        this.embedded.set(file.path, font);
      }
      return { font, text };
    }
    // No installed font has every character: print what Helvetica can, '?' for the rest,
    // rather than failing the whole document.
    this.fallback ??= await this.doc.embedFont(StandardFonts.Helvetica);
    const safe = [...text].map((c) => (/^[\u0020-\u007e\u00a0-\u00ff]$/.test(c) ? c : '?')).join('');
    return { font: this.fallback, text: safe };
  }
}
