import { verhoeffCheckDigit } from '../../src-shared/aadhaar.js';
import type { InputOf } from '../../src-shared/contract.js';
import type { PatientRecord } from '../../src-shared/types.js';
import type { Connection } from '../core-types.js';
import { call, must } from '../testing/core-harness.js';

/** Patients and staff for the sync tests. Test support only. */
export const aadhaar = (eleven: string) => `${eleven}${verhoeffCheckDigit(eleven)}`;

export type PatientDraft = InputOf<'patients.register'>['patient'];

export const DESK = { username: 'desk', displayName: 'Front Desk', role: 'receptionist' as const, password: 'marigold-window-5' };

export const PEOPLE: PatientDraft[] = [
  {
    givenNames: 'Ravi',
    familyName: 'Shankar',
    sex: 'male',
    birth: { kind: 'exact', date: '1984-03-09' },
    phones: [{ number: '+91 98470 12345', label: 'mobile' }],
    nationalId: aadhaar('23456789012'),
    allergies: ['Sulfa drugs'],
    notes: 'Walk-in',
  },
  {
    givenNames: 'Lakshmi',
    familyName: 'Venkataraman',
    sex: 'female',
    birth: { kind: 'exact', date: '1971-11-30' },
    phones: [{ number: '9447066554', label: 'mobile' }],
    nationalId: aadhaar('87654321098'),
    notes: 'Diabetic, on metformin',
  },
  {
    givenNames: 'प्रिया',
    familyName: 'शर्मा',
    sex: 'female',
    birth: { kind: 'exact', date: '1995-06-01' },
    phones: [{ number: '8123409876', label: 'home' }],
    notes: '',
  },
];

export async function addDesk(admin: Connection): Promise<void> {
  must(await call(admin, 'staff.create', { ...DESK }));
}

export async function register(desk: Connection, p: PatientDraft): Promise<string> {
  const r = must(await call(desk, 'patients.register', { patient: p, decision: 'register-new' }));
  if (r.status !== 'registered') throw new Error('not registered');
  return r.id;
}

/** The record as an update payload: every field as stored, the Aadhaar kept as it is. */
export function asInput(r: PatientRecord): PatientDraft {
  const { id, patientNumber, ageYears, nationalIdMasked, hasPhoto, lastVisit, createdAt, updatedAt, ...rest } = r;
  void [id, patientNumber, ageYears, nationalIdMasked, hasPhoto, lastVisit, createdAt, updatedAt];
  // The fixtures' births are exact dates; the stored form then matches the input form.
  return { ...rest, birth: { kind: 'exact', date: rest.birth.date }, nationalId: '' };
}

/** Changes one field the way reception would: read the record, edit, save. */
export async function edit(desk: Connection, id: string, change: Partial<PatientDraft>): Promise<PatientRecord> {
  const current = must(await call(desk, 'patients.get', { id }));
  return must(await call(desk, 'patients.update', { id, patient: { ...asInput(current), ...change }, keepNationalId: true }));
}
