import { base, en, en_IN, Faker } from '@faker-js/faker';
import { verhoeffCheckDigit } from '../src-shared/aadhaar.js';
import type { PatientInputDraft } from '../src-shared/patient.js';

/**
 * Realistic, repeatable walk-in patients for the benchmarks: Indian names (fakerEN_IN's
 * locale data), Indian mobiles, PIN codes and Verhoeff-valid Aadhaar numbers, with the mix
 * of filled and empty optional fields a reception desk actually sees. Every patient passes
 * `patientInputAt(today)`; generate.test.ts checks that.
 *
 * Each generator owns its own Faker instance (the same locale chain as `fakerEN_IN`) so two
 * generators with one seed produce the same patients regardless of who else uses faker.
 */

const LINE_SUFFIXES = [
  'Nagar',
  'Colony',
  'Road',
  'Street',
  'Layout',
  'Marg',
  'Chowk',
  'Bagh',
  'Puram',
  'Enclave',
];
const LANGUAGES = [
  'Hindi',
  'Tamil',
  'Malayalam',
  'Telugu',
  'Kannada',
  'Marathi',
  'Bengali',
  'Gujarati',
  'Punjabi',
  'Odia',
  'English',
];
const RELATIONS = [
  'Spouse',
  'Mother',
  'Father',
  'Son',
  'Daughter',
  'Brother',
  'Sister',
  'Friend',
  'Neighbour',
];
const ALLERGIES = [
  'Penicillin',
  'Sulfa drugs',
  'Aspirin',
  'Ibuprofen',
  'Peanuts',
  'Shellfish',
  'Dust mites',
  'Latex',
  'Egg',
  'Iodinated contrast',
];
const CONDITIONS = [
  'DM2',
  'Hypertension',
  'Asthma',
  'Hypothyroidism',
  'CKD stage 3',
  'COPD',
  'IHD',
  'Epilepsy',
  'TB (treated)',
  'Anaemia',
];
const INSURERS = [
  'Star Health',
  'PM-JAY',
  'CGHS',
  'ECHS',
  'New India Assurance',
  'HDFC ERGO',
  'ICICI Lombard',
  'Niva Bupa',
];
const OTHER_IDS = ['passport', 'voter-id', 'driving-licence', 'other'] as const;
// Roughly India's ABO/Rh distribution, with some patients who do not know theirs.
const BLOOD_GROUPS = [
  ['B+', 31],
  ['O+', 28],
  ['A+', 20],
  ['AB+', 7],
  ['B-', 1.5],
  ['O-', 1.5],
  ['A-', 1],
  ['AB-', 0.5],
  ['unknown', 9.5],
] as const;

export interface PatientGenerator {
  next(): PatientInputDraft;
}

/** A 10-digit Indian mobile: first digit 6–9. */
export function indianMobile(f: Faker): string {
  return `${f.number.int({ min: 6, max: 9 })}${f.string.numeric({ length: 9, allowLeadingZeros: true })}`;
}

/** 12 digits, first 2–9, last the Verhoeff check digit of the first eleven. */
export function aadhaarNumber(f: Faker): string {
  const eleven = `${f.number.int({ min: 2, max: 9 })}${f.string.numeric({ length: 10, allowLeadingZeros: true })}`;
  return `${eleven}${verhoeffCheckDigit(eleven)}`;
}

/** A six-digit PIN code; the first digit is a postal region, 1–8 (9 is the army post office). */
export function pinCode(f: Faker): string {
  return `${f.number.int({ min: 1, max: 8 })}${f.string.numeric({ length: 5, allowLeadingZeros: true })}`;
}

/** The ways reception types the same mobile number. */
function typedMobile(f: Faker, digits: string): string {
  switch (f.number.int({ min: 0, max: 3 })) {
    case 0:
      return `${digits.slice(0, 5)} ${digits.slice(5)}`;
    case 1:
      return `+91 ${digits.slice(0, 5)} ${digits.slice(5)}`;
    case 2:
      return `0${digits}`;
    default:
      return digits;
  }
}

function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

function bloodGroup(f: Faker): NonNullable<PatientInputDraft['bloodGroup']> {
  return f.helpers.weightedArrayElement(BLOOD_GROUPS.map(([value, weight]) => ({ value, weight })));
}

/** Height and weight plausible for the age: children are small; adults vary widely. */
function body(f: Faker, age: number): { heightCm: number | null; weightKg: number | null } {
  if (!f.datatype.boolean({ probability: 0.6 })) return { heightCm: null, weightKg: null };
  if (age < 1)
    return {
      heightCm: f.number.int({ min: 45, max: 78 }),
      weightKg: f.number.float({ min: 2.2, max: 10, fractionDigits: 1 }),
    };
  if (age < 16) {
    const h = 75 + age * 6 + f.number.int({ min: -8, max: 8 });
    return {
      heightCm: h,
      weightKg: f.number.float({ min: 9 + age * 2, max: 14 + age * 3.5, fractionDigits: 1 }),
    };
  }
  return {
    heightCm: f.number.int({ min: 140, max: 192 }),
    weightKg: f.number.float({ min: 38, max: 115, fractionDigits: 1 }),
  };
}

function person(f: Faker, sex: 'female' | 'male' | 'other' | 'unknown') {
  const first = () => f.person.firstName(sex === 'female' || sex === 'male' ? sex : undefined);
  // A second given name ("Ravi Kumar"), and some patients go by one name only.
  const givenNames = f.datatype.boolean({ probability: 0.12 }) ? `${first()} ${first()}` : first();
  const familyName = f.datatype.boolean({ probability: 0.06 }) ? '' : f.person.lastName();
  return { givenNames, familyName };
}

export function createPatientGenerator(seed: number, today: string): PatientGenerator {
  const f = new Faker({ locale: [en_IN, en, base] });
  f.seed(seed);
  const todayDate = new Date(`${today}T00:00:00Z`);

  const next = (): PatientInputDraft => {
    const sex = f.helpers.weightedArrayElement([
      { value: 'female' as const, weight: 49 },
      { value: 'male' as const, weight: 49 },
      { value: 'other' as const, weight: 0.5 },
      { value: 'unknown' as const, weight: 1.5 },
    ]);
    const { givenNames, familyName } = person(f, sex);
    const age = f.helpers.weightedArrayElement([
      { value: f.number.int({ min: 0, max: 4 }), weight: 10 },
      { value: f.number.int({ min: 5, max: 17 }), weight: 15 },
      { value: f.number.int({ min: 18, max: 60 }), weight: 55 },
      { value: f.number.int({ min: 61, max: 98 }), weight: 20 },
    ]);
    // Older and unaccompanied patients often know only their age.
    const approximate = f.datatype.boolean({ probability: age > 50 ? 0.3 : 0.08 });
    const birth = approximate
      ? { kind: 'approximate' as const, ageYears: age }
      : {
          kind: 'exact' as const,
          date: isoDate(
            f.date.between({
              from: new Date(
                Date.UTC(
                  todayDate.getUTCFullYear() - age - 1,
                  todayDate.getUTCMonth(),
                  todayDate.getUTCDate() + 1,
                ),
              ),
              to: new Date(
                Date.UTC(todayDate.getUTCFullYear() - age, todayDate.getUTCMonth(), todayDate.getUTCDate()),
              ),
            }),
          ),
        };
    const phones: NonNullable<PatientInputDraft['phones']> = [];
    if (f.datatype.boolean({ probability: 0.95 }))
      phones.push({ number: typedMobile(f, indianMobile(f)), label: 'mobile' });
    if (phones.length > 0 && f.datatype.boolean({ probability: 0.1 })) {
      phones.push({
        number: typedMobile(f, indianMobile(f)),
        label: f.helpers.arrayElement(['home', 'work', 'mobile'] as const),
      });
    }
    const city = f.location.city();
    const id = f.datatype.boolean({ probability: 0.8 }) ? aadhaarNumber(f) : '';
    const contacts = f.number.int({ min: 0, max: 2 });
    return {
      givenNames,
      familyName,
      sex,
      birth,
      phones,
      address: {
        line: `${f.location.buildingNumber()}, ${f.person.lastName()} ${f.helpers.arrayElement(LINE_SUFFIXES)}`,
        cityOrVillage: city,
        district: f.datatype.boolean({ probability: 0.7 }) ? city : f.location.city(),
        state: f.location.state(),
        pinCode: f.datatype.boolean({ probability: 0.9 }) ? pinCode(f) : '',
      },
      // Typed as printed on the card (4-4-4) about half the time; the schema normalises it.
      nationalId: id && f.datatype.boolean() ? `${id.slice(0, 4)} ${id.slice(4, 8)} ${id.slice(8)}` : id,
      otherId: f.datatype.boolean({ probability: 0.05 })
        ? {
            kind: f.helpers.arrayElement(OTHER_IDS),
            value: f.string.alphanumeric({ length: 10, casing: 'upper' }),
          }
        : null,
      bloodGroup: bloodGroup(f),
      ...body(f, age),
      preferredLanguage: f.datatype.boolean({ probability: 0.7 }) ? f.helpers.arrayElement(LANGUAGES) : '',
      emergencyContacts: Array.from({ length: contacts }, () => ({
        name: `${f.person.firstName()} ${f.person.lastName()}`,
        relation: f.helpers.arrayElement(RELATIONS),
        phone: typedMobile(f, indianMobile(f)),
      })),
      bystander: f.datatype.boolean({ probability: 0.02 })
        ? {
            name: f.person.fullName(),
            relation: 'Passer-by',
            phone: f.datatype.boolean() ? indianMobile(f) : '',
          }
        : null,
      insurance: f.datatype.boolean({ probability: 0.15 })
        ? {
            provider: f.helpers.arrayElement(INSURERS),
            policyNumber: f.string.alphanumeric({ length: 12, casing: 'upper' }),
            validUntil: f.datatype.boolean() ? isoDate(f.date.soon({ days: 700, refDate: todayDate })) : '',
          }
        : null,
      allergies: f.datatype.boolean({ probability: 0.1 })
        ? f.helpers.arrayElements(ALLERGIES, { min: 1, max: 3 })
        : [],
      chronicConditions:
        age > 30 && f.datatype.boolean({ probability: 0.3 })
          ? f.helpers.arrayElements(CONDITIONS, { min: 1, max: 3 })
          : [],
      medicoLegal: f.datatype.boolean({ probability: 0.005 })
        ? {
            isMlc: true,
            policeStation: `${city} Police Station`,
            reportNumber: `FIR ${f.number.int({ min: 1, max: 999 })}/${todayDate.getUTCFullYear()}`,
          }
        : { isMlc: false, policeStation: '', reportNumber: '' },
      notes: f.datatype.boolean({ probability: 0.05 })
        ? 'Came with family; prefers morning appointments.'
        : '',
    };
  };
  return { next };
}
