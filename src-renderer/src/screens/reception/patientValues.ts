import {
  type PatientInput,
  type PatientInputDraft,
  patientInputAt,
  todayIso,
} from '../../../../src-shared/patient';
import type { PatientRecord } from '../../../../src-shared/types';
import type { FieldErrors } from '../../components/form';

/**
 * The registration form as typed. Numbers stay text until saving so a half-typed value is
 * kept; rows are kept as typed and compacted on the way out, with field paths mapped back
 * so main's 'patient.phones.0.number' lands beside the row it is about.
 */

export type Sex = PatientInput['sex'];
export type PhoneLabel = PatientInput['phones'][number]['label'];
export type OtherIdKind = NonNullable<PatientInput['otherId']>['kind'];
export type BloodGroup = PatientInput['bloodGroup'];

export interface PhoneRow {
  number: string;
  label: PhoneLabel;
}

export interface ContactRow {
  name: string;
  relation: string;
  phone: string;
}

export interface PatientValues {
  givenNames: string;
  familyName: string;
  sex: Sex | '';
  birthKind: 'exact' | 'approximate';
  birthDate: string;
  ageYears: string;
  phones: PhoneRow[];
  address: PatientInput['address'];
  nationalId: string;
  otherIdKind: OtherIdKind | '';
  otherIdValue: string;
  bloodGroup: BloodGroup;
  heightCm: string;
  weightKg: string;
  preferredLanguage: string;
  emergencyContacts: ContactRow[];
  bystander: ContactRow;
  insurance: { provider: string; policyNumber: string; validUntil: string };
  allergies: string[];
  chronicConditions: string[];
  medicoLegal: PatientInput['medicoLegal'];
  notes: string;
}

export const P = 'patient.';
export const MAX_PHONES = 4;
export const MAX_CONTACTS = 5;

export function emptyPhone(): PhoneRow {
  return { number: '', label: 'mobile' };
}

export function emptyContact(): ContactRow {
  return { name: '', relation: '', phone: '' };
}

export function emptyValues(): PatientValues {
  return {
    givenNames: '',
    familyName: '',
    sex: '',
    birthKind: 'exact',
    birthDate: '',
    ageYears: '',
    phones: [emptyPhone()],
    address: { line: '', cityOrVillage: '', district: '', state: '', pinCode: '' },
    nationalId: '',
    otherIdKind: '',
    otherIdValue: '',
    bloodGroup: 'unknown',
    heightCm: '',
    weightKg: '',
    preferredLanguage: '',
    emergencyContacts: [],
    bystander: emptyContact(),
    insurance: { provider: '', policyNumber: '', validUntil: '' },
    allergies: [],
    chronicConditions: [],
    medicoLegal: { isMlc: false, policeStation: '', reportNumber: '' },
    notes: '',
  };
}

const numberText = (n: number | null) => (n === null ? '' : String(n));

/** The record as the correction form starts: Aadhaar empty (only the masked one is known). */
export function valuesFromRecord(r: PatientRecord): PatientValues {
  return {
    givenNames: r.givenNames,
    familyName: r.familyName,
    sex: r.sex,
    birthKind: r.birth.kind,
    birthDate: r.birth.kind === 'exact' ? r.birth.date : '',
    ageYears: r.birth.kind === 'approximate' ? String(r.ageYears) : '',
    phones: r.phones.length > 0 ? r.phones.map((p) => ({ ...p })) : [emptyPhone()],
    address: { ...r.address },
    nationalId: '',
    otherIdKind: r.otherId?.kind ?? '',
    otherIdValue: r.otherId?.value ?? '',
    bloodGroup: r.bloodGroup,
    heightCm: numberText(r.heightCm),
    weightKg: numberText(r.weightKg),
    preferredLanguage: r.preferredLanguage,
    emergencyContacts: r.emergencyContacts.map((c) => ({ ...c })),
    bystander: r.bystander ? { ...r.bystander } : emptyContact(),
    insurance: r.insurance ? { ...r.insurance } : { provider: '', policyNumber: '', validUntil: '' },
    allergies: [...r.allergies],
    chronicConditions: [...r.chronicConditions],
    medicoLegal: { ...r.medicoLegal },
    notes: r.notes,
  };
}

/** Where each row that is sent came from, so errors can be put back beside the right row. */
interface RowMaps {
  phones: number[];
  emergencyContacts: number[];
}

export interface PreparedInput {
  input: PatientInputDraft;
  rows: RowMaps;
}

const blank = (...parts: string[]) => parts.every((p) => p.trim() === '');

function parseNumber(text: string): number | null | 'bad' {
  const t = text.trim().replace(',', '.');
  if (t === '') return null;
  return /^\d+(\.\d+)?$/.test(t) ? Number(t) : 'bad';
}

function birthOf(v: PatientValues, errors: FieldErrors): PatientInputDraft['birth'] {
  if (v.birthKind === 'exact') return { kind: 'exact', date: v.birthDate };
  const age = v.ageYears.trim();
  if (!/^\d{1,3}$/.test(age)) errors[`${P}birth.ageYears`] = 'Enter the age in whole years';
  return { kind: 'approximate', ageYears: Number(age) };
}

function measurements(v: PatientValues, errors: FieldErrors) {
  const heightCm = parseNumber(v.heightCm);
  const weightKg = parseNumber(v.weightKg);
  if (heightCm === 'bad') errors[`${P}heightCm`] = 'Height must be a number of cm';
  if (weightKg === 'bad') errors[`${P}weightKg`] = 'Weight must be a number of kg';
  return { heightCm: heightCm === 'bad' ? null : heightCm, weightKg: weightKg === 'bad' ? null : weightKg };
}

function optionalParts(v: PatientValues) {
  const b = v.bystander;
  const i = v.insurance;
  return {
    otherId:
      v.otherIdKind === '' && v.otherIdValue.trim() === ''
        ? null
        : // An empty kind with a number typed is sent as is: main names the missing choice.
          { kind: v.otherIdKind as OtherIdKind, value: v.otherIdValue.trim() },
    bystander: blank(b.name, b.relation, b.phone)
      ? null
      : { name: b.name.trim(), relation: b.relation.trim(), phone: b.phone.trim() },
    insurance: blank(i.provider, i.policyNumber, i.validUntil)
      ? null
      : { provider: i.provider.trim(), policyNumber: i.policyNumber.trim(), validUntil: i.validUntil },
  };
}

/**
 * The contract's input from what was typed, or the fields that cannot be converted (a
 * height of "abc" has no number to send). Empty phone and contact rows are left out.
 */
export function prepare(v: PatientValues): PreparedInput | { errors: FieldErrors } {
  const errors: FieldErrors = {};
  const birth = birthOf(v, errors);
  const { heightCm, weightKg } = measurements(v, errors);
  if (Object.keys(errors).length > 0) return { errors };
  const phoneRows = v.phones.map((p, i) => [p, i] as const).filter(([p]) => p.number.trim() !== '');
  const contactRows = v.emergencyContacts
    .map((c, i) => [c, i] as const)
    .filter(([c]) => !blank(c.name, c.relation, c.phone));
  const input: PatientInputDraft = {
    givenNames: v.givenNames.trim(),
    familyName: v.familyName.trim(),
    // '' is sent as is: main answers "Choose female, male, other or unknown" beside the field.
    sex: v.sex as Sex,
    birth,
    phones: phoneRows.map(([p]) => ({ number: p.number.trim(), label: p.label })),
    address: {
      line: v.address.line.trim(),
      cityOrVillage: v.address.cityOrVillage.trim(),
      district: v.address.district.trim(),
      state: v.address.state.trim(),
      pinCode: v.address.pinCode.trim(),
    },
    nationalId: v.nationalId.trim(),
    ...optionalParts(v),
    bloodGroup: v.bloodGroup,
    heightCm,
    weightKg,
    preferredLanguage: v.preferredLanguage.trim(),
    emergencyContacts: contactRows.map(([c]) => ({
      name: c.name.trim(),
      relation: c.relation.trim(),
      phone: c.phone.trim(),
    })),
    allergies: v.allergies,
    chronicConditions: v.chronicConditions,
    medicoLegal: v.medicoLegal.isMlc ? v.medicoLegal : { isMlc: false, policeStation: '', reportNumber: '' },
    notes: v.notes,
  };
  return {
    input,
    rows: { phones: phoneRows.map(([, i]) => i), emergencyContacts: contactRows.map(([, i]) => i) },
  };
}

const ROW_PATH = /^patient\.(phones|emergencyContacts)\.(\d+)(\..*)?$/;

/** Main's paths refer to the rows as sent; turn them back into the rows on screen. */
export function toScreenPaths(fields: FieldErrors, rows: RowMaps): FieldErrors {
  const out: FieldErrors = {};
  for (const [path, message] of Object.entries(fields)) {
    const m = ROW_PATH.exec(path);
    const list = m ? rows[m[1] as keyof RowMaps] : undefined;
    const row = m && list ? list[Number(m[2])] : undefined;
    out[m && row !== undefined ? `${P}${m[1]}.${row}${m[3] ?? ''}` : path] = message;
  }
  return out;
}

/**
 * The same rules main applies, run here too. Main stops at the first layer that fails
 * (shape before date-of-birth bounds), so these fill in what it did not get to, letting
 * the receptionist fix everything in one pass. Main's own messages always take precedence.
 */
export function localProblems(input: PatientInputDraft): FieldErrors {
  const checked = patientInputAt(todayIso(Date.now())).safeParse(input);
  if (checked.success) return {};
  const fields: FieldErrors = {};
  for (const issue of checked.error.issues) {
    if (issue.code === 'unrecognized_keys') continue;
    fields[`${P}${issue.path.map(String).join('.')}`] ??= issue.message;
  }
  return fields;
}

/** Every path the form can show an error beside, for the rows it currently has. */
export function shownPaths(v: PatientValues): string[] {
  const paths = [
    'givenNames',
    'familyName',
    'sex',
    'birth',
    'birth.kind',
    'birth.date',
    'birth.ageYears',
    'phones',
    'address.line',
    'address.cityOrVillage',
    'address.district',
    'address.state',
    'address.pinCode',
    'nationalId',
    'otherId',
    'otherId.kind',
    'otherId.value',
    'bloodGroup',
    'heightCm',
    'weightKg',
    'preferredLanguage',
    'emergencyContacts',
    'bystander.name',
    'bystander.relation',
    'bystander.phone',
    'insurance.provider',
    'insurance.policyNumber',
    'insurance.validUntil',
    'allergies',
    'chronicConditions',
    'medicoLegal.isMlc',
    'medicoLegal.policeStation',
    'medicoLegal.reportNumber',
    'notes',
  ];
  for (let i = 0; i < v.phones.length; i++) paths.push(`phones.${i}.number`, `phones.${i}.label`);
  for (let i = 0; i < v.emergencyContacts.length; i++) {
    paths.push(
      `emergencyContacts.${i}.name`,
      `emergencyContacts.${i}.relation`,
      `emergencyContacts.${i}.phone`,
    );
  }
  for (let i = 0; i < v.allergies.length; i++) paths.push(`allergies.${i}`);
  for (let i = 0; i < v.chronicConditions.length; i++) paths.push(`chronicConditions.${i}`);
  return paths.map((p) => `${P}${p}`);
}

/** The first message for a field or anything under it (a tag list's individual tags). */
export function errorUnder(errors: FieldErrors, path: string): string | undefined {
  if (errors[path]) return errors[path];
  const key = Object.keys(errors).find((k) => k.startsWith(`${path}.`));
  return key ? errors[key] : undefined;
}

/** Paths shown only in "More details": an error there opens it. */
export function hasDetailError(errors: FieldErrors): boolean {
  const essential = /^patient\.(givenNames|familyName|sex|birth|phones)(\.|$)/;
  return Object.keys(errors).some((k) => !essential.test(k));
}
