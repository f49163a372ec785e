import { describe, expect, it } from 'vitest';
import type { PatientRecord } from '../../../../src-shared/types';
import {
  emptyContact,
  emptyValues,
  errorUnder,
  hasDetailError,
  localProblems,
  type PatientValues,
  type PreparedInput,
  prepare,
  shownPaths,
  toScreenPaths,
  valuesFromRecord,
} from './patientValues';

function walkIn(change: Partial<PatientValues> = {}): PatientValues {
  return {
    ...emptyValues(),
    givenNames: ' Lakshmi ',
    familyName: 'Narayanan',
    sex: 'female',
    birthDate: '1984-03-12',
    phones: [{ number: '98765 43210', label: 'mobile' }],
    ...change,
  };
}

function prepared(v: PatientValues): PreparedInput {
  const p = prepare(v);
  if ('errors' in p) throw new Error(`unexpected errors ${JSON.stringify(p.errors)}`);
  return p;
}

describe('prepare', () => {
  it('sends a walk-in with the optional parts empty and trimmed text', () => {
    const { input } = prepared(walkIn());
    expect(input).toMatchObject({
      givenNames: 'Lakshmi',
      birth: { kind: 'exact', date: '1984-03-12' },
      phones: [{ number: '98765 43210', label: 'mobile' }],
      otherId: null,
      bystander: null,
      insurance: null,
      heightCm: null,
      emergencyContacts: [],
      medicoLegal: { isMlc: false, policeStation: '', reportNumber: '' },
    });
    expect(localProblems(input)).toEqual({});
  });

  it('sends an approximate age as a number of years', () => {
    const { input } = prepared(walkIn({ birthKind: 'approximate', ageYears: '40', birthDate: '2000-01-01' }));
    expect(input.birth).toEqual({ kind: 'approximate', ageYears: 40 });
  });

  it('names fields whose text has no number to send, without asking main', () => {
    const result = prepare(
      walkIn({ heightCm: 'tall', weightKg: '61,5', birthKind: 'approximate', ageYears: 'x' }),
    );
    expect(result).toEqual({
      errors: {
        'patient.heightCm': 'Height must be a number of cm',
        'patient.birth.ageYears': 'Enter the age in whole years',
      },
    });
    expect(prepared(walkIn({ weightKg: '61,5' })).input.weightKg).toBe(61.5);
  });

  it('leaves out empty rows and maps main’s row paths back to the rows on screen', () => {
    const v = walkIn({
      phones: [
        { number: '', label: 'mobile' },
        { number: '12345', label: 'home' },
      ],
      emergencyContacts: [emptyContact(), { name: 'Ravi', relation: 'son', phone: 'bad' }],
    });
    const sent = prepared(v);
    expect(sent.input.phones).toEqual([{ number: '12345', label: 'home' }]);
    expect(sent.input.emergencyContacts).toHaveLength(1);
    const onScreen = toScreenPaths(
      {
        'patient.phones.0.number': 'bad phone',
        'patient.emergencyContacts.0.phone': 'bad',
        'patient.sex': 'x',
      },
      sent.rows,
    );
    expect(onScreen).toEqual({
      'patient.phones.1.number': 'bad phone',
      'patient.emergencyContacts.1.phone': 'bad',
      'patient.sex': 'x',
    });
    expect(shownPaths(v)).toEqual(expect.arrayContaining(Object.keys(onScreen)));
  });

  it('only sends a medico-legal police station when the case is marked', () => {
    const off = prepared(walkIn({ medicoLegal: { isMlc: false, policeStation: 'Town', reportNumber: '1' } }));
    expect(off.input.medicoLegal).toEqual({ isMlc: false, policeStation: '', reportNumber: '' });
  });
});

describe('localProblems', () => {
  it('finds the problems main reports only after the shape passes, with main’s paths', () => {
    const next = new Date().getFullYear() + 1;
    const { input } = prepared(walkIn({ birthDate: `${next}-01-15`, heightCm: '400' }));
    expect(localProblems(input)).toEqual({
      'patient.birth.date': 'Date of birth cannot be in the future',
      'patient.heightCm': 'Height must be between 30 and 250 cm',
    });
  });
});

describe('error placement', () => {
  it('shows a tag list’s per-tag message at the list', () => {
    expect(errorUnder({ 'patient.allergies.2': 'At most 80 characters' }, 'patient.allergies')).toBe(
      'At most 80 characters',
    );
  });

  it('opens "More details" only for errors outside the essentials', () => {
    expect(hasDetailError({ 'patient.phones.0.number': 'x', 'patient.birth.date': 'x' })).toBe(false);
    expect(hasDetailError({ 'patient.nationalId': 'x' })).toBe(true);
  });
});

describe('valuesFromRecord', () => {
  it('prefills the correction form so that saving unchanged sends the same record', () => {
    const record: PatientRecord = {
      givenNames: 'Lakshmi',
      familyName: 'Narayanan',
      sex: 'female',
      phones: [{ number: '98765 43210', label: 'mobile' }],
      address: {
        line: '12 Temple St',
        cityOrVillage: 'Madurai',
        district: '',
        state: 'TN',
        pinCode: '625001',
      },
      otherId: { kind: 'passport', value: 'K1234567' },
      bloodGroup: 'O+',
      heightCm: 158,
      weightKg: null,
      preferredLanguage: 'Tamil',
      emergencyContacts: [{ name: 'Ravi', relation: 'son', phone: '9123456780' }],
      bystander: null,
      insurance: null,
      allergies: ['penicillin'],
      chronicConditions: [],
      medicoLegal: { isMlc: false, policeStation: '', reportNumber: '' },
      notes: 'Line one\nLine two',
      id: '00000000-0000-4000-8000-000000000001',
      patientNumber: 'F7H4D-00001',
      birth: { kind: 'exact', date: '1984-03-12' },
      ageYears: 42,
      nationalIdMasked: 'XXXX XXXX 2102',
      hasPhoto: false,
      lastVisit: null,
      createdAt: 0,
      updatedAt: 0,
    };
    const values = valuesFromRecord(record);
    expect(values.nationalId).toBe('');
    const { input } = prepared(values);
    const {
      id,
      patientNumber,
      ageYears,
      nationalIdMasked,
      hasPhoto,
      lastVisit,
      createdAt,
      updatedAt,
      ...rest
    } = record;
    expect(input).toEqual({ ...rest, nationalId: '' });
  });
});
