import { createHash } from 'node:crypto';
import type {
  AllergyIntolerance,
  Attachment,
  Bundle,
  BundleEntry,
  CodeableConcept,
  Condition,
  DocumentReference,
  Encounter,
  MedicationRequest,
  Observation,
  Patient,
  Resource,
} from '@medplum/fhirtypes';
import { type ChartItem, type TypedVitals, vitalsFromTyped } from '../../src-shared/clinical/chart.js';
import type { PrescriptionItem } from '../../src-shared/clinical/prescribing.js';
import { icd10ByCode, medicineById } from '../../src-shared/clinical/reference.js';
import type { FhirExportInclude } from '../../src-shared/interop.js';
import { Failure } from '../ipc/failure.js';
import type { Services } from '../ipc/handler-types.js';
import type { StoredConsultation } from '../store/clinical-repo.js';
import type { StoredPatient } from '../store/patients-repo.js';
import type { StoredVisit } from '../store/visits-repo.js';
import type { ExportedFile } from './fhir.js';
import {
  AADHAAR_SYSTEM,
  ALLERGY_CLINICAL,
  ALLERGY_VERIFICATION,
  CONDITION_CATEGORY,
  CONDITION_CLINICAL,
  ESTIMATED_BIRTH_EXTENSION,
  ICD10_SYSTEM,
  LOINC,
  OBSERVATION_CATEGORY,
  PATIENT_NUMBER_SYSTEM,
  PRESCRIPTION_SYSTEM,
  UCUM,
  VERIFICATION,
  VITAL_CODES,
} from './fhir-systems.js';

/** Drops '' and [] and undefined so no FHIR element is empty (R4 forbids empty values). */
function clean<T>(value: T): T {
  if (Array.isArray(value)) {
    return value.map((v) => clean(v)).filter((v) => !isEmpty(v)) as T;
  }
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const c = clean(v);
      if (!isEmpty(c)) out[k] = c;
    }
    return out as T;
  }
  return value;
}

function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.keys(v as object).length === 0;
  return false;
}

/** A stable UUID for a resource Kavach has no row id for (a vital, a prescription item),
 *  so exporting the same record twice gives the same ids. */
export function derivedId(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('|')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((Number.parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * References are relative ('Patient/<id>') and every entry's fullUrl is '<base><Type>/<id>':
 * by the R4 rules (bundle.html#references) a relative reference then resolves to the entry
 * inside the bundle. The base uses the reserved .invalid domain: it names no real server.
 */
export const BUNDLE_BASE = 'https://kavach.invalid/fhir/';
const refTo = (type: string, id: string) => ({ reference: `${type}/${id}` });
const patientRef = (id: string) => refTo('Patient', id);
const encounterRef = (id: string) => refTo('Encounter', id);
const iso = (ms: number) => new Date(ms).toISOString();

const PHONE_USE = { mobile: 'mobile', home: 'home', work: 'work', other: undefined } as const;

export function patientResource(p: StoredPatient): Patient {
  const patient: Patient = {
    resourceType: 'Patient',
    id: p.id,
    identifier: [
      { use: 'usual', system: PATIENT_NUMBER_SYSTEM, value: p.patientNumber },
      ...(p.nationalId
        ? [
            {
              use: 'official' as const,
              type: { text: 'Aadhaar' },
              system: AADHAAR_SYSTEM,
              value: p.nationalId,
            },
          ]
        : []),
    ],
    name: [
      {
        use: 'official',
        text: [p.givenNames, p.familyName].filter(Boolean).join(' '),
        family: p.familyName,
        given: p.givenNames.split(/\s+/).filter(Boolean),
      },
    ],
    telecom: p.phones.map((ph, i) => ({
      system: 'phone',
      value: ph.number,
      use: PHONE_USE[ph.label],
      rank: i + 1,
    })),
    gender: p.sex,
    birthDate: p.birth.date,
    address: [
      {
        use: 'home',
        line: [p.address.line],
        city: p.address.cityOrVillage,
        district: p.address.district,
        state: p.address.state,
        postalCode: p.address.pinCode,
        country: isEmpty(clean(p.address)) ? undefined : 'IN',
      },
    ],
    contact: p.emergencyContacts.map((c) => ({
      relationship: [{ text: c.relation }],
      name: { text: c.name },
      telecom: [{ system: 'phone', value: c.phone }],
    })),
    communication: p.preferredLanguage ? [{ language: { text: p.preferredLanguage } }] : [],
  };
  if (p.birth.kind === 'approximate') {
    // Only the age was known: birthDate holds the estimate (1 July of the year), flagged.
    (patient as Patient & { _birthDate?: unknown })._birthDate = {
      extension: [{ url: ESTIMATED_BIRTH_EXTENSION, valueBoolean: true }],
    };
  }
  return clean(patient);
}

function allergyResources(p: StoredPatient, items: ChartItem[]): AllergyIntolerance[] {
  const out: AllergyIntolerance[] = [];
  const charted = new Set<string>();
  for (const item of items) {
    if (item.kind !== 'allergy') continue;
    charted.add(item.substance.toLowerCase());
    out.push(
      clean<AllergyIntolerance>({
        resourceType: 'AllergyIntolerance',
        id: item.id,
        clinicalStatus: {
          coding: [{ system: ALLERGY_CLINICAL, code: item.status === 'inactive' ? 'inactive' : item.status }],
        },
        verificationStatus: { coding: [{ system: ALLERGY_VERIFICATION, code: 'confirmed' }] },
        criticality: item.severity === 'life-threatening' ? 'high' : undefined,
        code: { text: item.substance },
        patient: patientRef(p.id),
        recordedDate: iso(item.recordedAt),
        reaction: item.reaction
          ? [
              {
                manifestation: [{ text: item.reaction }],
                severity:
                  item.severity === 'life-threatening'
                    ? 'severe'
                    : item.severity === 'unknown'
                      ? undefined
                      : item.severity,
              },
            ]
          : [],
      }),
    );
  }
  // Allergies the receptionist noted as tags at registration, not yet charted by a doctor.
  for (const tag of p.allergies) {
    if (charted.has(tag.toLowerCase())) continue;
    out.push({
      resourceType: 'AllergyIntolerance',
      id: derivedId(p.id, 'allergy-tag', tag),
      clinicalStatus: { coding: [{ system: ALLERGY_CLINICAL, code: 'active' }] },
      verificationStatus: { coding: [{ system: ALLERGY_VERIFICATION, code: 'unconfirmed' }] },
      code: { text: tag },
      patient: patientRef(p.id),
    });
  }
  return out;
}

function conditionCode(name: string, icd10: string): CodeableConcept {
  const known = icd10 ? icd10ByCode(icd10) : undefined;
  return clean({
    text: name,
    coding: known ? [{ system: ICD10_SYSTEM, code: known.code, display: known.title }] : [],
  });
}

function chartConditions(p: StoredPatient, items: ChartItem[]): Condition[] {
  return items.flatMap((item): Condition[] =>
    item.kind === 'condition'
      ? [
          clean<Condition>({
            resourceType: 'Condition',
            id: item.id,
            clinicalStatus: { coding: [{ system: CONDITION_CLINICAL, code: item.status }] },
            verificationStatus: { coding: [{ system: VERIFICATION, code: 'confirmed' }] },
            category: [{ coding: [{ system: CONDITION_CATEGORY, code: 'problem-list-item' }] }],
            code: conditionCode(item.name, item.icd10),
            subject: patientRef(p.id),
            onsetString: item.since,
            recordedDate: iso(item.recordedAt),
          }),
        ]
      : [],
  );
}

const ENCOUNTER_STATUS = {
  waiting: 'arrived',
  'with-doctor': 'in-progress',
  done: 'finished',
  left: 'cancelled',
  cancelled: 'cancelled',
} as const;

function encounterResource(p: StoredPatient, v: StoredVisit, c: StoredConsultation | null): Encounter {
  const end = c?.finishedAt ?? (v.status === 'done' ? v.statusChangedAt : null);
  return clean<Encounter>({
    resourceType: 'Encounter',
    id: v.id,
    status: ENCOUNTER_STATUS[v.status],
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB', display: 'ambulatory' },
    subject: patientRef(p.id),
    period: { start: iso(v.checkedInAt), end: end ? iso(end) : undefined },
    reasonCode: v.reason ? [{ text: v.reason }] : [],
  });
}

function quantity(value: number, unit: string, code: string) {
  return { value, unit, system: UCUM, code };
}

/** One Observation per recorded vital (blood pressure as one panel), plus BMI when both
 *  weight and height were taken at the visit. */
export function vitalObservations(
  patientId: string,
  visitId: string,
  vitals: TypedVitals,
  at: number,
  final: boolean,
): Observation[] {
  const v = vitalsFromTyped(vitals);
  const base = (key: string, loinc: string, display: string): Observation => ({
    resourceType: 'Observation',
    id: derivedId(visitId, 'vital', key),
    status: final ? 'final' : 'preliminary',
    category: [{ coding: [{ system: OBSERVATION_CATEGORY, code: 'vital-signs', display: 'Vital Signs' }] }],
    code: { coding: [{ system: LOINC, code: loinc, display }], text: display },
    subject: patientRef(patientId),
    encounter: encounterRef(visitId),
    effectiveDateTime: iso(at),
  });
  const out: Observation[] = [];
  if (v.systolicMmHg !== null && v.diastolicMmHg !== null) {
    const bp = VITAL_CODES.bloodPressure;
    out.push({
      ...base('bp', bp.loinc, bp.display),
      component: [
        {
          code: { coding: [{ system: LOINC, code: bp.systolic, display: 'Systolic blood pressure' }] },
          valueQuantity: quantity(v.systolicMmHg, 'mmHg', 'mm[Hg]'),
        },
        {
          code: { coding: [{ system: LOINC, code: bp.diastolic, display: 'Diastolic blood pressure' }] },
          valueQuantity: quantity(v.diastolicMmHg, 'mmHg', 'mm[Hg]'),
        },
      ],
    });
  }
  const single = [
    ['pulsePerMin', VITAL_CODES.heartRate],
    ['temperatureC', VITAL_CODES.temperature],
    ['respiratoryRatePerMin', VITAL_CODES.respiratoryRate],
    ['spo2Percent', VITAL_CODES.spo2],
    ['weightKg', VITAL_CODES.weight],
    ['heightCm', VITAL_CODES.height],
  ] as const;
  for (const [key, code] of single) {
    const value = v[key];
    if (value === null) continue;
    out.push({
      ...base(key, code.loinc, code.display),
      valueQuantity: quantity(value, code.unit, code.ucum),
    });
  }
  if (v.weightKg !== null && v.heightCm !== null) {
    const bmi = Math.round((v.weightKg / (v.heightCm / 100) ** 2) * 10) / 10;
    const code = VITAL_CODES.bmi;
    out.push({
      ...base('bmi', code.loinc, code.display),
      valueQuantity: quantity(bmi, code.unit, code.ucum),
    });
  }
  return out;
}

function consultationCondition(p: StoredPatient, v: StoredVisit, c: StoredConsultation): Condition | null {
  if (c.diagnosis.trim() === '') return null;
  return clean<Condition>({
    resourceType: 'Condition',
    id: derivedId(v.id, 'diagnosis'),
    clinicalStatus: { coding: [{ system: CONDITION_CLINICAL, code: 'active' }] },
    verificationStatus: {
      coding: [{ system: VERIFICATION, code: c.status === 'final' ? 'confirmed' : 'provisional' }],
    },
    category: [{ coding: [{ system: CONDITION_CATEGORY, code: 'encounter-diagnosis' }] }],
    code: conditionCode(c.diagnosis, c.icd10),
    subject: patientRef(p.id),
    encounter: encounterRef(v.id),
    recordedDate: c.finishedAt ? iso(c.finishedAt) : undefined,
  });
}

function medicineText(item: PrescriptionItem): string {
  const name = item.name || (item.medicineId ? (medicineById(item.medicineId)?.name ?? '') : '');
  return [name, item.strength, item.form].filter(Boolean).join(' ') || 'Medicine';
}

function medicationRequests(s: Services, p: StoredPatient, visitIds: Set<string>): MedicationRequest[] {
  return s.clinical.prescriptionsForPatient(p.id).flatMap((rx) => {
    const replaced = s.clinical.supersededBy(rx.id) !== null;
    return rx.content.items.map((item, i) =>
      clean<MedicationRequest>({
        resourceType: 'MedicationRequest',
        id: derivedId(rx.id, 'item', String(i)),
        identifier: [{ system: PRESCRIPTION_SYSTEM, value: `${rx.id}#${i + 1}` }],
        groupIdentifier: { system: PRESCRIPTION_SYSTEM, value: rx.id },
        status: replaced ? 'stopped' : 'active',
        intent: 'order',
        medicationCodeableConcept: { text: medicineText(item) },
        subject: patientRef(p.id),
        encounter: visitIds.has(rx.visitId) ? encounterRef(rx.visitId) : undefined,
        authoredOn: iso(rx.signedAt),
        dosageInstruction: [
          {
            text: [
              item.dose,
              item.frequency,
              item.durationDays ? `for ${item.durationDays} days` : '',
              item.instructions,
            ]
              .filter(Boolean)
              .join(', '),
            timing: { code: { text: item.frequency } },
            route: { text: item.route },
            doseAndRate: [],
          },
        ],
        dispenseRequest: item.durationDays
          ? { expectedSupplyDuration: { value: item.durationDays, unit: 'days', system: UCUM, code: 'd' } }
          : undefined,
        note: item.quantity ? [{ text: `Quantity: ${item.quantity}` }] : [],
      }),
    );
  });
}

function documentReferences(
  s: Services,
  p: StoredPatient,
  include: FhirExportInclude,
  visitIds: Set<string>,
): { docs: DocumentReference[]; files: ExportedFile[] } {
  const docs: DocumentReference[] = [];
  const files: ExportedFile[] = [];
  for (const a of s.attachments.list(p.id)) {
    const bytes = s.attachments.plaintext(a.id);
    try {
      const attachment: Attachment = {
        contentType: a.mime,
        title: a.name,
        size: bytes.length,
        // R4 Attachment.hash: the SHA-1 of the data, base64.
        hash: createHash('sha1').update(bytes).digest('base64'),
        creation: iso(a.uploadedAt),
      };
      if (include.attachments) {
        attachment.data = Buffer.from(bytes).toString('base64');
        files.push({ attachmentId: a.id, name: a.name, mimeType: a.mime, bytes: Uint8Array.from(bytes) });
      }
      docs.push(
        clean<DocumentReference>({
          resourceType: 'DocumentReference',
          id: a.id,
          status: 'current',
          subject: patientRef(p.id),
          date: iso(a.uploadedAt),
          description: a.name,
          content: [{ attachment }],
          context:
            a.visitId && visitIds.has(a.visitId) ? { encounter: [encounterRef(a.visitId)] } : undefined,
        }),
      );
    } finally {
      s.attachments.close(a.id);
    }
  }
  return { docs, files };
}

export async function buildPatientBundle(
  s: Services,
  patientId: string,
  include: FhirExportInclude,
): Promise<{ bundle: Bundle; files: ExportedFile[] }> {
  const p = s.patients.byId(patientId);
  if (!p) throw new Failure('NOT_FOUND', 'No patient with that id.');
  const items = s.clinical.items(p.id);
  const resources: Resource[] = [
    patientResource(p),
    ...allergyResources(p, items),
    ...chartConditions(p, items),
  ];
  const visitIds = new Set<string>();
  if (include.visits) {
    const visits = s.visits.forPatient(p.id).sort((a, b) => a.checkedInAt - b.checkedInAt);
    const consultations = s.clinical.consultationsFor(visits.map((v) => v.id));
    for (const v of visits) {
      visitIds.add(v.id);
      const c = consultations.get(v.id) ?? null;
      resources.push(encounterResource(p, v, c));
      if (!c) continue;
      resources.push(
        ...vitalObservations(p.id, v.id, c.vitals, c.finishedAt ?? c.updatedAt, c.status === 'final'),
      );
      const dx = consultationCondition(p, v, c);
      if (dx) resources.push(dx);
    }
  }
  if (include.prescriptions) resources.push(...medicationRequests(s, p, visitIds));
  const { docs, files } = documentReferences(s, p, include, visitIds);
  resources.push(...docs);
  const entry: BundleEntry[] = resources.map((resource) => ({
    fullUrl: `${BUNDLE_BASE}${resource.resourceType}/${resource.id}`,
    resource,
  }));
  const bundle: Bundle = {
    resourceType: 'Bundle',
    id: derivedId(p.id, 'export', String(s.now())),
    meta: { lastUpdated: iso(s.now()) },
    type: 'collection',
    timestamp: iso(s.now()),
    entry,
  };
  return { bundle, files };
}
