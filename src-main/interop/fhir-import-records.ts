import { conditionDetails, medicationDetails } from '../../src-shared/clinical/chart.js';
import { icd10ByCode } from '../../src-shared/clinical/reference.js';
import type { InteropProblem, LabObservation } from '../../src-shared/interop.js';
import { ICD10_SYSTEM } from './fhir-systems.js';

/**
 * The clinical records a bundle brings besides the patient and allergies (issue 8):
 * Conditions and MedicationRequests become chart items (conditions, current medications),
 * Observations one "received results" entry of the lab results list. Encounters are not
 * made into visits: Kavach's visits are queue entries with a token of their day. Pure.
 */

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string => (typeof v === 'string' ? v.normalize('NFC').trim() : '');

export type ImportedCondition = ReturnType<typeof conditionDetails.parse>;
export type ImportedMedication = ReturnType<typeof medicationDetails.parse>;

function conceptText(cc: unknown): string {
  if (!isObj(cc)) return '';
  const coding = arr(cc.coding).filter(isObj)[0];
  return str(cc.text) || (coding ? str(coding.display) || str(coding.code) : '');
}

function statusCode(cc: unknown): string {
  return isObj(cc)
    ? (arr(cc.coding)
        .filter(isObj)
        .map((c) => str(c.code))[0] ?? '')
    : '';
}

function problemsOf(
  label: string,
  issues: { path: PropertyKey[]; message: string }[],
  fieldOf: Record<string, string>,
) {
  return issues.map((i) => ({
    resource: label,
    field: fieldOf[String(i.path[0])] ?? String(i.path[0] ?? ''),
    message: i.message,
  }));
}

export function conditionOf(c: Json, label: string, problems: InteropProblem[]): ImportedCondition | null {
  if (['refuted', 'entered-in-error'].includes(statusCode(c.verificationStatus))) return null;
  const codings = isObj(c.code) ? arr(c.code.coding).filter(isObj) : [];
  const icd = codings.find((x) => str(x.system) === ICD10_SYSTEM && icd10ByCode(str(x.code)));
  const clinical = statusCode(c.clinicalStatus);
  const parsed = conditionDetails.safeParse({
    kind: 'condition',
    name: conceptText(c.code).slice(0, 160),
    icd10: icd ? str(icd.code) : '',
    since: (str(c.onsetString) || str(c.onsetDateTime).slice(0, 10)).slice(0, 40),
    status:
      clinical === 'resolved' || clinical === 'remission'
        ? 'resolved'
        : clinical === 'inactive'
          ? 'inactive'
          : 'active',
  });
  if (parsed.success) return parsed.data;
  problems.push(...problemsOf(label, parsed.error.issues, { name: 'code', since: 'onset[x]' }));
  return null;
}

export function medicationOf(m: Json, label: string, problems: InteropProblem[]): ImportedMedication | null {
  if (m.status === 'entered-in-error') return null;
  const dosage = arr(m.dosageInstruction).filter(isObj)[0];
  const timing = dosage && isObj(dosage.timing) ? conceptText(dosage.timing.code) : '';
  const parsed = medicationDetails.safeParse({
    kind: 'medication',
    name:
      conceptText(m.medicationCodeableConcept) ||
      (isObj(m.medicationReference) ? str(m.medicationReference.display) : ''),
    dose: (dosage ? str(dosage.text) : '').slice(0, 80),
    frequency: timing.slice(0, 40),
    status: m.status === 'active' || m.status === 'on-hold' || m.status === 'draft' ? 'active' : 'inactive',
  });
  if (parsed.success) return parsed.data;
  problems.push(
    ...problemsOf(label, parsed.error.issues, { name: 'medication[x]', dose: 'dosageInstruction' }),
  );
  return null;
}

function quantityText(q: unknown): string {
  if (!isObj(q) || typeof q.value !== 'number') return '';
  return `${q.value}`;
}

function unitOf(q: unknown): string {
  return isObj(q) ? str(q.unit) || str(q.code) : '';
}

/** One Observation as a row of results: a value, or its components joined ("128/84"). */
export function observationOf(o: Json): LabObservation | null {
  if (o.status === 'entered-in-error' || o.status === 'cancelled') return null;
  const coding = isObj(o.code) ? arr(o.code.coding).filter(isObj)[0] : undefined;
  const components = arr(o.component).filter(isObj);
  let value = quantityText(o.valueQuantity) || str(o.valueString) || conceptText(o.valueCodeableConcept);
  let units = unitOf(o.valueQuantity);
  if (!value && components.length > 0) {
    value = components.map((c) => quantityText(c.valueQuantity) || str(c.valueString)).join('/');
    units = unitOf(components[0]?.valueQuantity);
  }
  if (typeof o.valueBoolean === 'boolean') value = o.valueBoolean ? 'yes' : 'no';
  const range = arr(o.referenceRange).filter(isObj)[0];
  const rangeText = range
    ? str(range.text) || [quantityText(range.low), quantityText(range.high)].filter(Boolean).join('-')
    : '';
  return {
    code: coding ? str(coding.code) : '',
    name: conceptText(o.code) || 'Observation',
    value: value.slice(0, 2000),
    units,
    referenceRange: rangeText,
    flag: statusCode(arr(o.interpretation)[0]),
    observedAt: str(o.effectiveDateTime) || (isObj(o.effectivePeriod) ? str(o.effectivePeriod.start) : ''),
  };
}
