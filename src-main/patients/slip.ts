import { PDFDocument, rgb } from 'pdf-lib';
import { FontChooser } from '../print/fonts.js';
import type { StoredPatient } from '../store/patients-repo.js';

export interface SlipInput {
  clinicName: string;
  patient: StoredPatient;
  ageYears: number;
  visit: { token: number; day: string; doctorName: string | null; checkedInAt: number } | null;
  printedAt: number;
}

const SEX = { female: 'F', male: 'M', other: 'O', unknown: '-' } as const;

/**
 * The registration slip handed to the patient: A6 portrait, what the desk and the doctor's
 * door need (clinic, patient number, name, age and sex, the queue token and doctor). It
 * leaves out the phone, address and Aadhaar: slips get left on benches.
 */
export async function registrationSlip(input: SlipInput): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle(`Registration slip ${input.patient.patientNumber}`);
  doc.setProducer('Kavach');
  doc.setCreationDate(new Date(input.printedAt));
  doc.setModificationDate(new Date(input.printedAt));
  const page = doc.addPage([298, 420]);
  const fonts = new FontChooser(doc);
  let y = 390;
  const line = async (text: string, size: number, gap = 8) => {
    const { font, text: printable } = await fonts.for(text);
    page.drawText(printable, { x: 24, y, size, font, color: rgb(0.1, 0.1, 0.1), maxWidth: 250 });
    y -= size + gap;
  };
  await line(input.clinicName, 14);
  await line('Registration slip', 10, 16);
  page.drawLine({ start: { x: 24, y: y + 8 }, end: { x: 274, y: y + 8 }, thickness: 0.5 });
  await line('Patient number', 9, 2);
  await line(input.patient.patientNumber, 22, 14);
  const p = input.patient;
  await line([p.givenNames, p.familyName].filter(Boolean).join(' '), 13);
  const age = p.birth.kind === 'approximate' ? `about ${input.ageYears}` : String(input.ageYears);
  await line(`Age ${age} · Sex ${SEX[p.sex]}`, 10, 16);
  if (input.visit) {
    await line('Token', 9, 2);
    await line(String(input.visit.token), 36, 12);
    await line(`Doctor: ${input.visit.doctorName ?? 'Next available'}`, 10);
    await line(`Date: ${input.visit.day}`, 10);
  } else {
    await line('Not checked in: please go to the reception desk.', 9);
  }
  y = 30;
  await line(`Printed ${new Date(input.printedAt).toISOString().slice(0, 16).replace('T', ' ')} UTC`, 7);
  return doc.save();
}
