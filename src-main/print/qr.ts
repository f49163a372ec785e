import { type PDFPage, rgb } from 'pdf-lib';
import qrcode from 'qrcode-generator';

/** Modules of light margin QR readers need around the symbol (ISO/IEC 18004). */
export const QR_QUIET_ZONE = 4;

/**
 * The QR symbol for `text`: byte mode, error correction M, the smallest version that holds it.
 * `true` is a dark module; rows top to bottom, quiet zone not included. Only ASCII text is
 * accepted: the generator's byte mode writes one byte per character and would garble the rest.
 */
export function qrMatrix(text: string): boolean[][] {
  if (!/^[\x20-\x7e]*$/.test(text)) throw new RangeError('qrMatrix encodes printable ASCII text only');
  const code = qrcode(0, 'M');
  code.addData(text, 'Byte');
  code.make();
  const n = code.getModuleCount();
  return Array.from({ length: n }, (_, row) => Array.from({ length: n }, (_, col) => code.isDark(row, col)));
}

/**
 * Draws the QR symbol for `text` as filled black rectangles in a `size` × `size` square whose
 * lower-left corner is (x, y), the 4-module quiet zone included (and painted white, so the
 * code reads even over a tinted background). Runs of dark modules in a row are merged into one
 * rectangle, which keeps the PDF small and avoids hairline gaps between modules.
 */
export function drawQr(page: PDFPage, text: string, at: { x: number; y: number; size: number }): void {
  const matrix = qrMatrix(text);
  const n = matrix.length;
  const cell = at.size / (n + 2 * QR_QUIET_ZONE);
  page.drawRectangle({ x: at.x, y: at.y, width: at.size, height: at.size, color: rgb(1, 1, 1) });
  const black = rgb(0, 0, 0);
  matrix.forEach((row, r) => {
    const top = at.y + at.size - (QR_QUIET_ZONE + r) * cell;
    let c = 0;
    while (c < n) {
      if (!row[c]) {
        c++;
        continue;
      }
      const start = c;
      while (c < n && row[c]) c++;
      page.drawRectangle({
        x: at.x + (QR_QUIET_ZONE + start) * cell,
        y: top - cell,
        width: (c - start) * cell,
        height: cell,
        color: black,
      });
    }
  });
}
