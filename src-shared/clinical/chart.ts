import { z } from 'zod';
import { calendarDateInput } from '../patient.js';
import { totpCodeInput } from '../second-factor.js';
import { idInput, multiLine, passwordInput, singleLine } from '../text.js';
import type { VisitStatus } from '../types.js';
import type { AllergyFlag, DuplicateWarning, PrescriptionItem } from './prescribing.js';
import { prescriptionItemInput } from './prescribing.js';
import { icd10ByCode } from './reference.js';
import { VITAL_RANGES, type VitalName, type Vitals, vitalsInput } from './vitals.js';

/**
 * What the doctor's screens exchange with main (issue 5): the chart's lists, the
 * consultation (draft and finished), signed prescriptions and attachments. Everything
 * clinical here is stored as envelopes in main; these are the decrypted shapes.
 */

export const CHART_ITEM_KINDS = ['allergy', 'condition', 'medication'] as const;
export type ChartItemKind = (typeof CHART_ITEM_KINDS)[number];
export const ITEM_STATUSES = ['active', 'inactive', 'resolved'] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];
export const ALLERGY_SEVERITIES = ['mild', 'moderate', 'severe', 'life-threatening', 'unknown'] as const;

const status = z.enum(ITEM_STATUSES, { error: 'Choose active, inactive or resolved' });

export const allergyDetails = z.strictObject({
  kind: z.literal('allergy'),
  substance: singleLine({ min: 1, max: 120 }),
  reaction: singleLine({ max: 200 }),
  severity: z.enum(ALLERGY_SEVERITIES, {
    error: 'Choose mild, moderate, severe, life-threatening or unknown',
  }),
  status,
});
export const conditionDetails = z.strictObject({
  kind: z.literal('condition'),
  name: singleLine({ min: 1, max: 160 }),
  icd10: singleLine({ max: 10 }).refine((c) => c === '' || icd10ByCode(c) !== undefined, {
    error: 'Not a code in the bundled ICD-10 list; leave it empty or choose one',
  }),
  since: singleLine({ max: 40 }),
  status,
});
export const medicationDetails = z.strictObject({
  kind: z.literal('medication'),
  name: singleLine({ min: 1, max: 160 }),
  dose: singleLine({ max: 80 }),
  frequency: singleLine({ max: 40 }),
  status,
});
export const chartItemDetails = z.discriminatedUnion(
  'kind',
  [allergyDetails, conditionDetails, medicationDetails],
  {
    error: 'Choose allergy, condition or medication',
  },
);
export type ChartItemDetails = z.output<typeof chartItemDetails>;

export type ChartItem = ChartItemDetails & {
  id: string;
  patientId: string;
  recordedBy: string | null;
  recordedAt: number;
  updatedAt: number;
};

export const saveChartItemInput = z.strictObject({
  patientId: idInput,
  /** null: a new item. */
  id: idInput.nullable(),
  details: chartItemDetails,
});

/* ---------------------------------------------------------------- consultation */

export const VITAL_NAMES = Object.keys(VITAL_RANGES) as VitalName[];

/** Vitals as typed: digits and at most one decimal point, or empty. */
const typedMeasurement = z
  .string({ error: 'Expected a number as text' })
  .max(6, { error: 'At most 6 characters' })
  .regex(/^(\d{1,3}(\.\d{1,2})?)?$/, { error: 'Enter a number, e.g. 120 or 36.8' });

export const typedVitals = z.strictObject(
  Object.fromEntries(VITAL_NAMES.map((n) => [n, typedMeasurement])) as Record<
    VitalName,
    typeof typedMeasurement
  >,
);
export type TypedVitals = z.output<typeof typedVitals>;

const followUpText = z.union([z.literal(''), calendarDateInput], {
  error: 'Enter a date as YYYY-MM-DD, or leave it empty',
});

const consultationFields = {
  visitId: idInput,
  complaints: multiLine({ max: 4000 }),
  history: multiLine({ max: 4000 }),
  examination: multiLine({ max: 4000 }),
  vitals: typedVitals,
  diagnosis: multiLine({ max: 1000 }),
  icd10: singleLine({ max: 10 }),
  advice: multiLine({ max: 2000 }),
  followUp: followUpText,
};

/** A draft is saved as typed: only shapes and lengths are checked, never plausibility. */
export const consultationDraftInput = z.strictObject(consultationFields);
export type ConsultationDraft = Omit<z.output<typeof consultationDraftInput>, 'visitId'>;

/** Numbers from typed vitals; empty fields become null. */
export function vitalsFromTyped(typed: TypedVitals): Record<VitalName, number | null> {
  return Object.fromEntries(VITAL_NAMES.map((n) => [n, typed[n] === '' ? null : Number(typed[n])])) as Record<
    VitalName,
    number | null
  >;
}

/**
 * Finishing checks everything a signed record needs: vitals within plausible ranges, a
 * diagnosis, a known ICD-10 code when one is given and a follow-up date after today.
 */
export function consultationFinishInput(today: string | null) {
  return z.strictObject(consultationFields).superRefine((c, ctx) => {
    if (typeof c.diagnosis === 'string' && c.diagnosis.trim() === '')
      ctx.addIssue({ code: 'custom', path: ['diagnosis'], message: 'Enter a diagnosis before finishing' });
    if (typeof c.icd10 === 'string' && c.icd10 !== '' && icd10ByCode(c.icd10) === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['icd10'],
        message: 'Not a code in the bundled ICD-10 list; leave it empty or choose one',
      });
    if (today && typeof c.followUp === 'string' && c.followUp !== '' && c.followUp <= today)
      ctx.addIssue({ code: 'custom', path: ['followUp'], message: 'The follow-up date must be after today' });
    if (c.vitals && typeof c.vitals === 'object') {
      const checked = vitalsInput.safeParse(vitalsFromTyped(c.vitals as TypedVitals));
      if (!checked.success)
        for (const issue of checked.error.issues)
          ctx.addIssue({
            code: 'custom',
            path: ['vitals', ...issue.path.map(String)],
            message: issue.message,
          });
    }
  });
}
export const consultationFinishStatic = consultationFinishInput(null);

export interface Consultation extends ConsultationDraft {
  visitId: string;
  patientId: string;
  doctorId: string | null;
  status: 'draft' | 'final';
  updatedAt: number;
  finishedAt: number | null;
}

/* ---------------------------------------------------------------- prescriptions */

export const overrideInput = z.strictObject({
  itemIndex: z.number({ error: 'Expected an item number' }).int().min(0).max(29),
  reason: singleLine({ min: 5, max: 300 }),
});

export function signPrescriptionInput(today: string | null) {
  return z
    .strictObject({
      visitId: idInput,
      /** The signed prescription this one replaces (a new version), or null. */
      previousId: idInput.nullable(),
      items: z
        .array(prescriptionItemInput, { error: 'Expected a list of items' })
        .min(1, { error: 'Add at least one medicine' })
        .max(30, { error: 'At most 30 items' }),
      advice: multiLine({ max: 2000 }),
      followUp: followUpText,
      overrides: z.array(overrideInput).max(30),
      /** The doctor's password, or instead a current code from their authenticator app
       *  when they have a second factor set up: one of the two is required. */
      password: passwordInput.optional(),
      totp: totpCodeInput.optional(),
    })
    .superRefine((p, ctx) => {
      if (p.password === undefined && p.totp === undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['password'],
          message: 'Enter your password or a code from your authenticator app',
        });
      if (today && typeof p.followUp === 'string' && p.followUp !== '' && p.followUp <= today)
        ctx.addIssue({
          code: 'custom',
          path: ['followUp'],
          message: 'The follow-up date must be after today',
        });
    });
}
export const signPrescriptionStatic = signPrescriptionInput(null);

export interface PrescriptionOverride {
  itemIndex: number;
  itemName: string;
  allergy: string;
  reason: string;
}

export interface Prescription {
  id: string;
  version: number;
  previousId: string | null;
  /** A later version replaces this one. */
  supersededBy: string | null;
  patientId: string;
  visitId: string;
  doctorId: string;
  doctorName: string;
  signedAt: number;
  items: PrescriptionItem[];
  advice: string;
  followUp: string | null;
  diagnosis: string;
  overrides: PrescriptionOverride[];
  digest: string;
}

/** Refusal detail when a signature is attempted over unacknowledged warnings. */
export interface PrescriptionWarnings {
  allergies: AllergyFlag[];
  duplicates: DuplicateWarning[];
}

/* ---------------------------------------------------------------- attachments */

export const ATTACHMENT_TYPES = ['application/pdf', 'image/png', 'image/jpeg'] as const;
export type AttachmentMime = (typeof ATTACHMENT_TYPES)[number];
/** Bytes per upload or download piece over the bridge (base64 makes it 4/3 larger). */
export const ATTACHMENT_PIECE_BYTES = 1024 * 1024;

export interface AttachmentInfo {
  id: string;
  patientId: string;
  visitId: string | null;
  name: string;
  mime: AttachmentMime;
  bytes: number;
  uploadedBy: string | null;
  uploadedAt: number;
}

export const attachmentBeginInput = z.strictObject({
  patientId: idInput,
  visitId: idInput.nullable(),
  name: singleLine({ min: 1, max: 160 }).refine((n) => !/[\\/]/.test(n), {
    error: 'A file name without folders',
  }),
  bytes: z
    .number({ error: 'Expected the size in bytes' })
    .int()
    .min(1, { error: 'The file is empty' })
    .max(25 * 1024 * 1024, { error: 'Attachments are limited to 25 MB' }),
});

export const attachmentPieceInput = z.strictObject({
  uploadId: idInput,
  index: z.number().int().min(0).max(25),
  base64: z
    .string({ error: 'Expected base64' })
    .max(Math.ceil(ATTACHMENT_PIECE_BYTES / 3) * 4, { error: 'A piece is at most 1 MiB' })
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, { error: 'Expected base64' }),
});

export interface AttachmentPiece {
  info: AttachmentInfo;
  index: number;
  /** Whether more pieces follow. */
  more: boolean;
  base64: string;
}

/* ---------------------------------------------------------------- the chart */

export interface VitalsPoint {
  visitId: string;
  day: string;
  systolicMmHg: number | null;
  diastolicMmHg: number | null;
  weightKg: number | null;
}

export interface TimelineEntry {
  visitId: string;
  day: string;
  status: VisitStatus;
  reason: string;
  doctorName: string | null;
  consultation: Consultation | null;
  prescriptions: Prescription[];
}

export interface PatientChart {
  patient: {
    id: string;
    patientNumber: string;
    name: string;
    ageYears: number;
    sex: 'female' | 'male' | 'other' | 'unknown';
    bloodGroup: string | null;
    /** Free-text lists captured at registration, shown beside the structured ones. */
    registeredAllergies: string[];
    registeredConditions: string[];
  };
  allergies: ChartItem[];
  conditions: ChartItem[];
  medications: ChartItem[];
  timeline: TimelineEntry[];
  vitals: VitalsPoint[];
  attachments: AttachmentInfo[];
}

export type { Vitals };
