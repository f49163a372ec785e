import { z } from 'zod';
import { type ChannelDef, channel } from './channel-def.js';
import type { Hl7ImportResult, Hl7Preview, ImportPreview, ImportResult } from './interop.js';
import { idInput, multiLine } from './text.js';

/** FHIR JSON is at most 5 MB of text, an HL7 v2 message at most 1 MB (issue 8). */
export const FHIR_JSON_MAX = 5 * 1024 * 1024;
export const HL7_MESSAGE_MAX = 1024 * 1024;

const fhirJson = multiLine({ min: 1, max: FHIR_JSON_MAX });
const hl7Message = multiLine({ min: 1, max: HL7_MESSAGE_MAX });
const decision = z.discriminatedUnion(
  'mode',
  [
    z.strictObject({ mode: z.literal('register-new') }),
    z.strictObject({ mode: z.literal('use-existing'), patientId: idInput }),
  ],
  { error: 'Choose register-new, or use-existing with a patient id' },
);

/** FHIR R4 and HL7 v2 exchange (issue 8). */
export const interopContract = {
  'interop.exportFhir': channel<{ fileName: string; json: string }>()({
    input: z.strictObject({
      patientId: idInput,
      visits: z.boolean({ error: 'Say whether to include visits' }),
      prescriptions: z.boolean({ error: 'Say whether to include prescriptions' }),
      attachments: z.boolean({ error: 'Say whether to include attachments' }),
    }),
    access: ['doctor', 'admin'],
    description: "A patient's record as a FHIR R4 Bundle (JSON text) for download.",
    audit: 'personal-read',
    perMinute: 20,
  }),
  'interop.previewFhir': channel<ImportPreview>()({
    input: z.strictObject({ json: fhirJson }),
    access: ['receptionist'],
    description:
      'Read a FHIR Patient (+ AllergyIntolerance) without saving: demographics, allergies, possible duplicates, errors.',
    audit: 'personal-read',
    perMinute: 30,
  }),
  'interop.importFhir': channel<ImportResult>()({
    input: z.strictObject({ json: fhirJson, decision }),
    access: ['receptionist'],
    description:
      'Register a FHIR Patient (or use an existing one) and file its allergies in the chart, all or nothing.',
    audit: 'personal-write',
    perMinute: 20,
  }),
  'interop.exportHl7': channel<{ fileName: string; message: string }>()({
    input: z.strictObject({
      patientId: idInput,
      event: z.enum(['A04', 'A08'], { error: 'Choose A04 (registration) or A08 (update)' }),
    }),
    access: ['receptionist', 'doctor', 'admin'],
    description: "A patient's demographics as an HL7 v2.5 ADT^A04 or ADT^A08 message.",
    audit: 'personal-read',
    perMinute: 30,
  }),
  'interop.previewHl7': channel<Hl7Preview>()({
    input: z.strictObject({ message: hl7Message }),
    access: ['receptionist'],
    description: 'Read an HL7 v2 ADT^A04/A08 or ORU^R01 message without saving.',
    audit: 'personal-read',
    perMinute: 30,
  }),
  'interop.importHl7': channel<Hl7ImportResult>()({
    input: z.strictObject({ message: hl7Message, decision }),
    access: ['receptionist'],
    description:
      'Register or update a patient from ADT^A04/A08, or file ORU^R01 lab results, all or nothing.',
    audit: 'personal-write',
    perMinute: 20,
  }),
} as const satisfies Record<string, ChannelDef>;
