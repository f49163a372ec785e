import { PDFDocument } from 'pdf-lib';
import { FontChooser } from '../print/fonts.js';

/**
 * The whole lab report of an ORU^R01 message as a plain PDF for the chart's attachments:
 * the attachment store takes PDF, PNG and JPEG only (checked by content), and a PDF opens
 * in the doctor's attachment viewer like any scanned report. One line of text per line.
 */
export async function labReportPdf(title: string, text: string, at: number): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle(title);
  doc.setProducer('Kavach');
  doc.setCreator('Kavach');
  doc.setCreationDate(new Date(at));
  doc.setModificationDate(new Date(at));
  const fonts = new FontChooser(doc);
  const [w, h] = [595.28, 841.89];
  const margin = 48;
  const size = 10;
  const lead = 14;
  let page = doc.addPage([w, h]);
  let y = h - margin;
  const lines = [title, '', ...text.split('\n')];
  for (const raw of lines) {
    // Wrap long lines by characters: reports are mostly short rows of values.
    const chunks = raw.length === 0 ? [''] : (raw.match(/.{1,95}/gu) ?? ['']);
    for (const chunk of chunks) {
      if (y < margin) {
        page = doc.addPage([w, h]);
        y = h - margin;
      }
      if (chunk.trim() !== '') {
        const { font, text: printable } = await fonts.for(chunk);
        page.drawText(printable, { x: margin, y, size, font });
      }
      y -= lead;
    }
  }
  return doc.save();
}
