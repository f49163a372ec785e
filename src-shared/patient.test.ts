import { describe, expect, it } from 'vitest';
import { verhoeffCheckDigit } from './aadhaar.js';
import {
  ageFrom,
  estimatedBirthDate,
  isCalendarDate,
  type PatientInputDraft,
  patientInputAt,
  todayIso,
} from './patient.js';

const TODAY = '2024-03-15';
const schema = patientInputAt(TODAY);

const eleven = '49873120564';
const AADHAAR = eleven + String(verhoeffCheckDigit(eleven));
const AADHAAR_SPACED = `${AADHAAR.slice(0, 4)} ${AADHAAR.slice(4, 8)} ${AADHAAR.slice(8)}`;
const WRONG_CHECK = AADHAAR.slice(0, 11) + String((Number(AADHAAR[11]) + 1) % 10);

function fullPatient(): PatientInputDraft {
  return {
    givenNames: 'अनन्या',
    familyName: 'शर्मा',
    sex: 'female',
    birth: { kind: 'exact', date: '1988-11-02' },
    phones: [
      { number: '98765 43210', label: 'mobile' },
      { number: '+914712345678', label: 'home' },
    ],
    address: {
      line: '12/3 गांधी मार्ग, Near Shiv Mandir',
      cityOrVillage: 'Varanasi',
      district: 'Varanasi',
      state: 'Uttar Pradesh',
      pinCode: '221001',
    },
    nationalId: AADHAAR_SPACED,
    otherId: { kind: 'voter-id', value: 'ABC1234567' },
    bloodGroup: 'B+',
    heightCm: 158.5,
    weightKg: 61.2,
    preferredLanguage: 'हिन्दी',
    emergencyContacts: [{ name: 'രാജേഷ് നായർ', relation: 'Brother', phone: '9447012345' }],
    bystander: { name: 'முருகன்', relation: 'Neighbour', phone: '' },
    insurance: { provider: 'PM-JAY', policyNumber: 'PMJAY/UP/2023/00042', validUntil: '2025-03-31' },
    allergies: ['Penicillin', '<5 mg ibuprofen ok'],
    chronicConditions: ['Type 2 diabetes', 'Hypertension'],
    medicoLegal: { isMlc: false, policeStation: '', reportNumber: '' },
    notes: "Prefers morning visits.\nHusband's number is the second one.\n1/2 tab at night",
  };
}

/** The messages reported at exactly `path`, so a test fails if the error lands elsewhere. */
function errorsAt(input: unknown, path: (string | number)[], s = schema): string[] {
  const result = s.safeParse(input);
  if (result.success) return [];
  return result.error.issues.filter((i) => i.path.join('.') === path.join('.')).map((i) => i.message);
}

function allIssues(input: unknown): { path: string; message: string }[] {
  const result = schema.safeParse(input);
  return result.success
    ? []
    : result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}

describe('patient registration schema: valid patients', () => {
  it('accepts a complete Indian patient with Devanagari, Malayalam and Tamil names', () => {
    const input = fullPatient();
    const result = schema.safeParse(input);
    expect(allIssues(input)).toEqual([]);
    if (!result.success) return;
    expect(result.data.givenNames).toBe('अनन्या');
    expect(result.data.emergencyContacts[0]?.name).toBe('രാജേഷ് നായർ');
    expect(result.data.bystander?.name).toBe('முருகன்');
    expect(result.data.nationalId).toBe(AADHAAR);
    expect(result.data.notes).toContain('1/2 tab at night');
  });

  it('keeps hard but legitimate names exactly as typed', () => {
    for (const [givenNames, familyName] of [
      ['Siobhán', "O'Brien"],
      ['Thị Minh', 'Nguyễn'],
      ['Nguyễn Thị Minh', ''],
      ['Jean-Luc', 'D’Souza'],
    ]) {
      const result = schema.parse({ ...fullPatient(), givenNames, familyName });
      expect(result.givenNames).toBe(givenNames);
      expect(result.familyName).toBe(familyName);
    }
  });

  it('NFC-normalizes names so that two keyboards produce the same stored text', () => {
    const decomposed = 'Nguye\u0302\u0303n';
    expect(schema.parse({ ...fullPatient(), familyName: decomposed }).familyName).toBe('Nguyễn');
  });

  it('fills the optional fields when a minimal patient with one name and an approximate age is sent', () => {
    const result = schema.parse({
      givenNames: 'Muthu',
      sex: 'male',
      birth: { kind: 'approximate', ageYears: 70 },
    });
    expect(result).toEqual({
      givenNames: 'Muthu',
      familyName: '',
      sex: 'male',
      birth: { kind: 'approximate', ageYears: 70 },
      phones: [],
      address: { line: '', cityOrVillage: '', district: '', state: '', pinCode: '' },
      nationalId: '',
      otherId: null,
      bloodGroup: 'unknown',
      heightCm: null,
      weightKg: null,
      preferredLanguage: '',
      emergencyContacts: [],
      bystander: null,
      insurance: null,
      allergies: [],
      chronicConditions: [],
      medicoLegal: { isMlc: false, policeStation: '', reportNumber: '' },
      notes: '',
    });
  });

  it('accepts a newborn registered today and a 130-year-old born on this day', () => {
    const born = (date: string) => ({ ...fullPatient(), birth: { kind: 'exact', date } });
    expect(allIssues(born(TODAY))).toEqual([]);
    expect(allIssues(born('1894-03-15'))).toEqual([]);
  });

  it('accepts a medico-legal case with its police station and report number', () => {
    const input = {
      ...fullPatient(),
      medicoLegal: { isMlc: true, policeStation: 'Kottayam East', reportNumber: 'MLC-2024-118' },
    };
    expect(allIssues(input)).toEqual([]);
  });
});

describe('patient registration schema: each bad input gets its own message at its own field', () => {
  it('refuses a date of birth in the future', () => {
    const input = { ...fullPatient(), birth: { kind: 'exact', date: '2024-03-16' } };
    expect(errorsAt(input, ['birth', 'date'])).toEqual(['Date of birth cannot be in the future']);
  });

  it('refuses a date of birth more than 130 years ago', () => {
    const input = { ...fullPatient(), birth: { kind: 'exact', date: '1894-03-14' } };
    expect(errorsAt(input, ['birth', 'date'])).toEqual(['Date of birth is more than 130 years ago']);
  });

  it('refuses dates that are not in the calendar or not in YYYY-MM-DD form', () => {
    const at = (date: string) =>
      errorsAt({ ...fullPatient(), birth: { kind: 'exact', date } }, ['birth', 'date']);
    expect(at('2023-02-30')).toEqual(['2023-02-30 is not a date in the calendar']);
    expect(at('2023-02-29')).toEqual(['2023-02-29 is not a date in the calendar']);
    expect(at('2023-13-01')).toEqual(['2023-13-01 is not a date in the calendar']);
    expect(at('02/03/2020')).toEqual(['Enter the date as YYYY-MM-DD']);
    expect(at('2020-2-3')).toEqual(['Enter the date as YYYY-MM-DD']);
    expect(at('2020-02-29')).toEqual([]);
  });

  it('refuses an approximate age out of range or not whole', () => {
    const at = (ageYears: number) =>
      errorsAt({ ...fullPatient(), birth: { kind: 'approximate', ageYears } }, ['birth', 'ageYears']);
    expect(at(131)).toEqual(['Age must be between 0 and 130 years']);
    expect(at(-1)).toEqual(['Age must be between 0 and 130 years']);
    expect(at(4.5)).toEqual(['Enter the age in whole years']);
  });

  it('refuses an Aadhaar number whose check digit does not match', () => {
    expect(errorsAt({ ...fullPatient(), nationalId: WRONG_CHECK }, ['nationalId'])).toEqual([
      'Aadhaar number is not valid (check digit does not match)',
    ]);
  });

  it('says what is wrong with a short Aadhaar number or one starting with 1', () => {
    expect(errorsAt({ ...fullPatient(), nationalId: '2345 6789' }, ['nationalId'])).toEqual([
      'Aadhaar number has 12 digits',
    ]);
    const one = `1${eleven.slice(1)}`;
    const leadingOne = one + String(verhoeffCheckDigit(one));
    expect(errorsAt({ ...fullPatient(), nationalId: leadingOne }, ['nationalId'])).toEqual([
      'Aadhaar number cannot start with 0 or 1',
    ]);
  });

  it('refuses a phone number like 12345 beside that phone', () => {
    const input = {
      ...fullPatient(),
      phones: [
        { number: '9876543210', label: 'mobile' },
        { number: '12345', label: 'home' },
      ],
    };
    expect(errorsAt(input, ['phones', 1, 'number'])).toEqual([
      'Enter a 10-digit Indian mobile number or an international number like +441632960961',
    ]);
    expect(errorsAt(input, ['phones', 0, 'number'])).toEqual([]);
  });

  it('refuses a bad bystander or emergency-contact phone at that contact', () => {
    const input = {
      ...fullPatient(),
      emergencyContacts: [{ name: 'Ravi', relation: 'Son', phone: '12345' }],
      bystander: { name: 'Arun', relation: '', phone: '555' },
    };
    expect(errorsAt(input, ['emergencyContacts', 0, 'phone'])).toHaveLength(1);
    expect(errorsAt(input, ['bystander', 'phone'])).toHaveLength(1);
  });

  it('names the range for height and weight', () => {
    expect(errorsAt({ ...fullPatient(), heightCm: 400 }, ['heightCm'])).toEqual([
      'Height must be between 30 and 250 cm',
    ]);
    expect(errorsAt({ ...fullPatient(), weightKg: 0 }, ['weightKg'])).toEqual([
      'Weight must be between 0.5 and 350 kg',
    ]);
    expect(errorsAt({ ...fullPatient(), weightKg: '60' }, ['weightKg'])).toEqual([
      'Weight must be a number of kg',
    ]);
    expect(errorsAt({ ...fullPatient(), heightCm: Number.NaN }, ['heightCm'])).toHaveLength(1);
  });

  it('requires the police station and report number for a medico-legal case', () => {
    const input = { ...fullPatient(), medicoLegal: { isMlc: true, policeStation: '  ', reportNumber: '' } };
    expect(errorsAt(input, ['medicoLegal', 'policeStation'])).toEqual([
      'Police station is required for a medico-legal case',
    ]);
    expect(errorsAt(input, ['medicoLegal', 'reportNumber'])).toEqual([
      'Report number is required for a medico-legal case',
    ]);
  });

  it('rejects unknown keys at the top level and inside nested objects', () => {
    const top = schema.safeParse({ ...fullPatient(), isAdmin: true });
    expect(top.success).toBe(false);
    expect(top.error?.issues.map((i) => [i.code, i.path.join('.')])).toEqual([['unrecognized_keys', '']]);
    const nested = allIssues({ ...fullPatient(), address: { ...fullPatient().address, $where: '1' } });
    expect(nested.map((i) => i.path)).toEqual(['address']);
  });

  it('refuses a PIN code starting with 0 or of the wrong length', () => {
    const at = (pinCode: string) =>
      errorsAt({ ...fullPatient(), address: { ...fullPatient().address, pinCode } }, ['address', 'pinCode']);
    expect(at('012345')).toEqual(['PIN code is 6 digits and does not start with 0']);
    expect(at('68201')).toEqual(['PIN code is 6 digits and does not start with 0']);
    expect(at('')).toEqual([]);
  });

  it('requires a given name and refuses control characters in it', () => {
    expect(errorsAt({ ...fullPatient(), givenNames: '   ' }, ['givenNames'])).toEqual(['Required']);
    expect(errorsAt({ ...fullPatient(), givenNames: 'Ra\u0000vi' }, ['givenNames'])).toEqual([
      'Control characters are not allowed',
    ]);
  });

  it('refuses an unknown sex, blood group or birth kind with a message listing the choices', () => {
    expect(errorsAt({ ...fullPatient(), sex: 'F' }, ['sex'])).toEqual([
      'Choose female, male, other or unknown',
    ]);
    expect(errorsAt({ ...fullPatient(), bloodGroup: 'O' }, ['bloodGroup'])).toHaveLength(1);
    expect(errorsAt({ ...fullPatient(), birth: { kind: 'guess', ageYears: 3 } }, ['birth', 'kind'])).toEqual([
      'Give either the exact date of birth or an approximate age',
    ]);
  });

  it('limits list lengths', () => {
    const phones = Array.from({ length: 5 }, () => ({ number: '9876543210', label: 'mobile' }));
    expect(errorsAt({ ...fullPatient(), phones }, ['phones'])).toEqual(['At most 4 phone numbers']);
    const allergies = Array.from({ length: 31 }, (_, i) => `allergen ${i}`);
    expect(errorsAt({ ...fullPatient(), allergies }, ['allergies'])).toEqual(['At most 30 allergies']);
  });

  it('checks the insurance expiry is a real date but lets it be blank', () => {
    const at = (validUntil: string) =>
      errorsAt({ ...fullPatient(), insurance: { provider: 'Star', policyNumber: 'P1', validUntil } }, [
        'insurance',
        'validUntil',
      ]);
    expect(at('2025-04-31')).toEqual(['2025-04-31 is not a date in the calendar']);
    expect(at('')).toEqual([]);
  });
});

describe('dates', () => {
  it('moves the date-of-birth bounds with the date the schema is built for', () => {
    const input = { ...fullPatient(), birth: { kind: 'exact', date: '2024-03-16' } };
    expect(patientInputAt('2024-03-16').safeParse(input).success).toBe(true);
    expect(() => patientInputAt('2024-02-30')).toThrow(RangeError);
  });

  it('knows which dates exist, including leap years', () => {
    expect(isCalendarDate('2000-02-29')).toBe(true);
    expect(isCalendarDate('1900-02-29')).toBe(false);
    expect(isCalendarDate('2024-04-31')).toBe(false);
    expect(isCalendarDate('2024-4-30')).toBe(false);
  });

  it("gives today's date in the clinic's zone, not UTC", () => {
    const justAfterMidnightInIndia = Date.UTC(2024, 2, 14, 18, 40);
    expect(todayIso(justAfterMidnightInIndia, 330)).toBe('2024-03-15');
    expect(todayIso(justAfterMidnightInIndia, 0)).toBe('2024-03-14');
    expect(() => todayIso(Number.NaN, 0)).toThrow(RangeError);
  });

  it('counts completed years, with 29 February birthdays falling on 1 March', () => {
    expect(ageFrom('1988-11-02', TODAY)).toBe(35);
    expect(ageFrom('1988-03-15', TODAY)).toBe(36);
    expect(ageFrom('1988-03-16', TODAY)).toBe(35);
    expect(ageFrom('2000-02-29', '2023-02-28')).toBe(22);
    expect(ageFrom('2000-02-29', '2023-03-01')).toBe(23);
    expect(ageFrom(TODAY, TODAY)).toBe(0);
    expect(() => ageFrom('2024-03-16', TODAY)).toThrow(RangeError);
    expect(() => ageFrom('1988-02-30', TODAY)).toThrow(RangeError);
  });

  it('estimates a birth date on 1 July that gives back the stated age and is never in the future', () => {
    expect(estimatedBirthDate(40, '2024-03-15')).toBe('1983-07-01');
    expect(estimatedBirthDate(40, '2024-07-01')).toBe('1984-07-01');
    expect(estimatedBirthDate(0, '2024-01-01')).toBe('2023-07-01');
    for (const today of ['2024-01-01', '2024-06-30', '2024-07-01', '2024-12-31', '2023-02-28']) {
      for (const age of [0, 1, 35, 130]) {
        const estimate = estimatedBirthDate(age, today);
        expect(ageFrom(estimate, today), `${age} on ${today}`).toBe(age);
      }
    }
    expect(() => estimatedBirthDate(131, TODAY)).toThrow(RangeError);
    expect(() => estimatedBirthDate(2.5, TODAY)).toThrow(RangeError);
  });
});
