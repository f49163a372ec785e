import { z } from 'zod';
import { aadhaarProblem, normalizeAadhaar } from './aadhaar.js';
import { isValidPhone, multiLine, phoneInput, singleLine } from './text.js';

/**
 * Patient registration input. Only the pure rules live here; "today" is a parameter so that
 * the main process can pass its injectable clock and tests can pin the date.
 */

// ---------------------------------------------------------------------------------------
// Calendar dates as 'YYYY-MM-DD' strings. Dates of birth have no time or zone: storing them
// as Date objects would shift them by a day for anyone reading them in another zone.

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MAX_AGE_YEARS = 130;

interface YearMonthDay {
  year: number;
  month: number;
  day: number;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return leap ? 29 : 28;
  }
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function parseIsoDate(s: string): YearMonthDay | null {
  const m = ISO_DATE.exec(s);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return { year, month, day };
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** True for a strict 'YYYY-MM-DD' that exists in the (proleptic Gregorian) calendar. */
export function isCalendarDate(s: string): boolean {
  return parseIsoDate(s) !== null;
}

function requireDate(s: string, what: string): YearMonthDay {
  const parsed = parseIsoDate(s);
  if (!parsed) throw new RangeError(`${what} must be a real date in the form YYYY-MM-DD`);
  return parsed;
}

/**
 * The calendar date at `nowMs` as 'YYYY-MM-DD', in the clinic's zone. The offset defaults
 * to the workstation's own: in India a UTC date would still say "yesterday" until 05:30,
 * and a baby born just after midnight would be refused as born in the future.
 */
export function todayIso(nowMs: number, utcOffsetMinutes = -new Date(nowMs).getTimezoneOffset()): string {
  const shifted = new Date(nowMs + utcOffsetMinutes * 60_000);
  if (Number.isNaN(shifted.getTime())) throw new RangeError('nowMs is not a valid time');
  return shifted.toISOString().slice(0, 10);
}

/**
 * Completed years between two dates. Someone born on 29 February has their birthday on
 * 1 March in common years, the usual legal reading. Throws RangeError for malformed dates
 * or a birth after `today`, which would mean the caller mixed up its arguments.
 */
export function ageFrom(birthDate: string, today: string): number {
  const b = requireDate(birthDate, 'Birth date');
  const t = requireDate(today, 'Today');
  if (birthDate > today) throw new RangeError('Birth date is after today');
  const birthdayPassed = t.month > b.month || (t.month === b.month && t.day >= b.day);
  return t.year - b.year - (birthdayPassed ? 0 : 1);
}

/**
 * A stand-in date of birth for a patient who only knows their age: 1 July, the middle of
 * the estimated birth year, so the error is at most about six months either way. The year
 * is the one that makes `ageFrom(estimate, today)` equal the age given: before 1 July that
 * is one year earlier than `today`'s year minus the age. Otherwise a patient who says "40"
 * in March would at once be shown as 39, and a newborn's estimate would lie in the future.
 */
export function estimatedBirthDate(ageYears: number, today: string): string {
  if (!Number.isInteger(ageYears) || ageYears < 0 || ageYears > MAX_AGE_YEARS) {
    throw new RangeError(`Age must be a whole number from 0 to ${MAX_AGE_YEARS}`);
  }
  const t = requireDate(today, 'Today');
  const beforeJuly = t.month < 7;
  return `${pad(t.year - ageYears - (beforeJuly ? 1 : 0), 4)}-07-01`;
}

function dateProblem(s: string): string | null {
  if (!ISO_DATE.test(s)) return 'Enter the date as YYYY-MM-DD';
  return isCalendarDate(s) ? null : `${s} is not a date in the calendar`;
}

/** A real calendar date; '' allowed only when `optional`. */
function dateInput(optional: boolean) {
  return singleLine({ max: 10 }).superRefine((s, ctx) => {
    if (optional && s === '') return;
    const problem = dateProblem(s);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
}

/** A real calendar date 'YYYY-MM-DD' (appointments, leave days, queue days). */
export const calendarDateInput = dateInput(false);

function birthDateInput(today: string | null) {
  if (today === null) return dateInput(false);
  const t = requireDate(today, 'Today');
  // Comparing 'YYYY-MM-DD' strings orders them as dates. On 29 February this bound is a
  // date that does not exist, which still compares correctly.
  const oldest = `${pad(t.year - MAX_AGE_YEARS, 4)}-${pad(t.month, 2)}-${pad(t.day, 2)}`;
  return singleLine({ max: 10 }).superRefine((s, ctx) => {
    const problem =
      dateProblem(s) ??
      (s > today ? 'Date of birth cannot be in the future' : null) ??
      (s < oldest ? `Date of birth is more than ${MAX_AGE_YEARS} years ago` : null);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
}

// ---------------------------------------------------------------------------------------
// Field schemas.

const optionalText = (max: number) => singleLine({ max }).default('');
const requiredText = (max: number) => singleLine({ min: 1, max });

const name = requiredText(100);

const birthInput = (today: string | null) =>
  z.discriminatedUnion(
    'kind',
    [
      z.strictObject({ kind: z.literal('exact'), date: birthDateInput(today) }),
      z.strictObject({
        kind: z.literal('approximate'),
        ageYears: z
          .number({ error: 'Enter the age as a number of years' })
          .int({ error: 'Enter the age in whole years' })
          .min(0, { error: `Age must be between 0 and ${MAX_AGE_YEARS} years` })
          .max(MAX_AGE_YEARS, { error: `Age must be between 0 and ${MAX_AGE_YEARS} years` }),
      }),
    ],
    { error: 'Give either the exact date of birth or an approximate age' },
  );

const phoneEntry = z.strictObject({
  number: phoneInput,
  label: z.enum(['mobile', 'home', 'work', 'other'], { error: 'Choose mobile, home, work or other' }),
});

const address = z.strictObject({
  line: optionalText(200),
  cityOrVillage: optionalText(100),
  district: optionalText(100),
  state: optionalText(60),
  pinCode: optionalText(6).refine((s) => s === '' || /^[1-9]\d{5}$/.test(s), {
    error: 'PIN code is 6 digits and does not start with 0',
  }),
});

const AADHAAR_MESSAGES = {
  length: 'Aadhaar number has 12 digits',
  'leading-digit': 'Aadhaar number cannot start with 0 or 1',
  checksum: 'Aadhaar number is not valid (check digit does not match)',
} as const;

// Stored as 12 plain digits: the blind index and the masked display both expect that form.
const nationalId = optionalText(20)
  .superRefine((s, ctx) => {
    if (s.trim() === '') return;
    const problem = aadhaarProblem(s);
    if (problem) ctx.addIssue({ code: 'custom', message: AADHAAR_MESSAGES[problem] });
  })
  .transform((s) => (s.trim() === '' ? '' : normalizeAadhaar(s)));

const otherId = z.strictObject({
  kind: z.enum(['passport', 'voter-id', 'driving-licence', 'other'], {
    error: 'Choose passport, voter ID, driving licence or other',
  }),
  value: requiredText(40),
});

const BLOOD_GROUPS = ['A+', 'A-', 'B+', 'B-', 'AB+', 'AB-', 'O+', 'O-', 'unknown'] as const;

function measurement(what: string, min: number, max: number, unit: string) {
  const range = `${what} must be between ${min} and ${max} ${unit}`;
  return z
    .number({ error: `${what} must be a number of ${unit}` })
    .min(min, { error: range })
    .max(max, { error: range })
    .nullable()
    .default(null);
}

const emergencyContact = z.strictObject({
  name,
  relation: optionalText(40),
  phone: phoneInput,
});

const PHONE_MESSAGE = 'Enter a 10-digit Indian mobile number or an international number like +441632960961';

// The person who brought the patient in is often a neighbour or passer-by without a phone.
const bystander = z.strictObject({
  name,
  relation: optionalText(40),
  phone: optionalText(20).refine((s) => s === '' || isValidPhone(s), { error: PHONE_MESSAGE }),
});

const insurance = z.strictObject({
  provider: requiredText(100),
  policyNumber: requiredText(60),
  validUntil: dateInput(true).default(''),
});

// Allergies and conditions are entered as quick tags ("penicillin", "DM2"), not prose.
const tagList = (what: string) =>
  z
    .array(requiredText(80), { error: `Expected a list of ${what}` })
    .max(30, { error: `At most 30 ${what}` })
    .default([]);

const medicoLegal = z
  .strictObject({
    isMlc: z.boolean({ error: 'Say whether this is a medico-legal case' }),
    policeStation: optionalText(120),
    reportNumber: optionalText(60),
  })
  .superRefine((v, ctx) => {
    if (!v.isMlc) return;
    // A medico-legal register entry is incomplete without these; courts ask for both.
    if (v.policeStation.trim() === '') {
      ctx.addIssue({
        code: 'custom',
        path: ['policeStation'],
        message: 'Police station is required for a medico-legal case',
      });
    }
    if (v.reportNumber.trim() === '') {
      ctx.addIssue({
        code: 'custom',
        path: ['reportNumber'],
        message: 'Report number is required for a medico-legal case',
      });
    }
  })
  .default({ isMlc: false, policeStation: '', reportNumber: '' });

// ---------------------------------------------------------------------------------------

/**
 * The registration schema as of `today` ('YYYY-MM-DD' in the clinic's zone, see todayIso).
 * With `today` null it checks shape only (the IPC contract's static schema); the handler
 * then applies the date-of-birth bounds with the core's clock.
 * A factory rather than a constant because the date-of-birth bounds move with the clock.
 * Optional fields may be left out and come back as '', [], null or "not MLC".
 */
export function patientInputAt(today: string | null) {
  // Building the schema costs more than checking a form with it, and "today" changes once
  // a day: keep the last one.
  if (today !== null && lastSchema?.today === today) return lastSchema.schema;
  const schema = buildPatientInput(today);
  if (today !== null) lastSchema = { today, schema };
  return schema;
}

let lastSchema: { today: string; schema: ReturnType<typeof buildPatientInput> } | null = null;

function buildPatientInput(today: string | null) {
  return z.strictObject({
    givenNames: name,
    familyName: optionalText(100),
    sex: z.enum(['female', 'male', 'other', 'unknown'], { error: 'Choose female, male, other or unknown' }),
    birth: birthInput(today),
    phones: z
      .array(phoneEntry, { error: 'Expected a list of phone numbers' })
      .max(4, { error: 'At most 4 phone numbers' })
      .default([]),
    address: address.default({ line: '', cityOrVillage: '', district: '', state: '', pinCode: '' }),
    nationalId,
    otherId: otherId.nullable().default(null),
    bloodGroup: z
      .enum(BLOOD_GROUPS, { error: 'Choose a blood group such as O+ or AB-, or unknown' })
      .default('unknown'),
    heightCm: measurement('Height', 30, 250, 'cm'),
    weightKg: measurement('Weight', 0.5, 350, 'kg'),
    preferredLanguage: optionalText(40),
    emergencyContacts: z
      .array(emergencyContact, { error: 'Expected a list of emergency contacts' })
      .max(5, { error: 'At most 5 emergency contacts' })
      .default([]),
    bystander: bystander.nullable().default(null),
    insurance: insurance.nullable().default(null),
    allergies: tagList('allergies'),
    chronicConditions: tagList('chronic conditions'),
    medicoLegal,
    notes: multiLine({ max: 4000 }).default(''),
  });
}

export type PatientInputSchema = ReturnType<typeof buildPatientInput>;
export type PatientInput = z.output<PatientInputSchema>;
/** What a form may send: the optional fields can be omitted. */
export type PatientInputDraft = z.input<PatientInputSchema>;
