import { allergyDetails, type ChartItemDetails } from '../../src-shared/clinical/chart.js';
import type {
  ImportDecision,
  ImportedAllergy,
  ImportPreview,
  ImportResult,
  InteropProblem,
  LabObservation,
} from '../../src-shared/interop.js';
import { type PatientInput, type PatientInputDraft, patientInputAt } from '../../src-shared/patient.js';
import { isValidPhone } from '../../src-shared/text.js';
import { Failure } from '../ipc/failure.js';
import type { Services } from '../ipc/handler-types.js';
import { possibleDuplicates, storablePatient } from '../patients/handlers.js';
import {
  conditionOf,
  type ImportedCondition,
  type ImportedMedication,
  medicationOf,
  observationOf,
} from './fhir-import-records.js';
import {
  AADHAAR_SYSTEM,
  ALLERGY_VERIFICATION,
  ESTIMATED_BIRTH_EXTENSION,
  PATIENT_NUMBER_SYSTEM,
} from './fhir-systems.js';
import { fhirProblems } from './fhir-validate.js';

/* Incoming JSON is untrusted: every read below checks the type it gets. */
type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string => (typeof v === 'string' ? v.normalize('NFC').trim() : '');

interface Located {
  resource: Json;
  /** 'Patient', 'AllergyIntolerance[1]' ... the name errors use. */
  label: string;
  fullUrl: string;
}

/** The resources of a Bundle (any type) or a lone resource, with names for errors. */
function resourcesOf(input: unknown, problems: InteropProblem[]): Located[] {
  if (!isObj(input)) {
    problems.push({
      resource: 'Bundle',
      field: '(root)',
      message: 'Expected a FHIR resource (a JSON object)',
    });
    return [];
  }
  const found =
    input.resourceType === 'Bundle'
      ? arr(input.entry).map((e, i) => ({
          resource: isObj(e) ? e.resource : undefined,
          fullUrl: isObj(e) ? str(e.fullUrl) : '',
          at: i,
        }))
      : [{ resource: input, fullUrl: '', at: 0 }];
  const seen = new Map<string, number>();
  const out: Located[] = [];
  for (const f of found) {
    if (!isObj(f.resource) || typeof f.resource.resourceType !== 'string') {
      problems.push({
        resource: `Bundle.entry[${f.at}]`,
        field: 'resource',
        message: 'The entry holds no resource',
      });
      continue;
    }
    const type = f.resource.resourceType;
    const n = seen.get(type) ?? 0;
    seen.set(type, n + 1);
    out.push({ resource: f.resource, label: `${type}[${n}]`, fullUrl: f.fullUrl });
  }
  return out;
}

const PHONE_LABEL: Record<string, 'mobile' | 'home' | 'work'> = {
  mobile: 'mobile',
  home: 'home',
  work: 'work',
};

function pickName(p: Json): { given: string; family: string; index: number } {
  const names = arr(p.name).filter(isObj);
  const index = Math.max(
    0,
    ['official', 'usual'].map((u) => names.findIndex((n) => n.use === u)).find((i) => i >= 0) ?? 0,
  );
  const n = names[index];
  if (!n) return { given: '', family: '', index };
  const family = str(n.family);
  let given = arr(n.given).map(str).filter(Boolean).join(' ');
  if (!given) {
    const text = str(n.text);
    given = family && text.endsWith(family) ? text.slice(0, -family.length).trim() : text;
  }
  return { given, family, index };
}

/** The Patient as the reception form's fields, plus what was dropped on the way. */
function patientDraft(
  p: Json,
  today: string,
  warnings: InteropProblem[],
): { draft: PatientInputDraft; nameIndex: number } {
  const warn = (field: string, message: string) => warnings.push({ resource: 'Patient', field, message });
  const { given, family, index } = pickName(p);
  const phones: NonNullable<PatientInputDraft['phones']> = [];
  arr(p.telecom).forEach((t, i) => {
    if (!isObj(t) || (t.system !== 'phone' && t.system !== 'sms')) {
      if (isObj(t) && str(t.value))
        warn(`telecom[${i}]`, `Not imported: only phone numbers are kept (${str(t.system) || 'no system'})`);
      return;
    }
    const value = str(t.value);
    if (!isValidPhone(value)) {
      warn(`telecom[${i}].value`, 'Not imported: not an Indian mobile or an international (+...) number');
      return;
    }
    if (phones.length >= 4) {
      warn(`telecom[${i}]`, 'Not imported: at most 4 phone numbers');
      return;
    }
    phones.push({ number: value, label: PHONE_LABEL[str(t.use)] ?? 'other' });
  });
  const addresses = arr(p.address).filter(isObj);
  const a = addresses.find((x) => x.use === 'home') ?? addresses[0];
  let pinCode = a ? str(a.postalCode) : '';
  if (pinCode && !/^[1-9]\d{5}$/.test(pinCode)) {
    warn('address.postalCode', 'Not imported: not a 6-digit Indian PIN code');
    pinCode = '';
  }
  let nationalId = '';
  let otherId: PatientInputDraft['otherId'] = null;
  for (const id of arr(p.identifier).filter(isObj)) {
    const system = str(id.system);
    const type = isObj(id.type) ? str(id.type.text).toLowerCase() : '';
    if (system === AADHAAR_SYSTEM || type === 'aadhaar') nationalId = str(id.value);
    // The sending clinic's own patient number means nothing here.
    else if (system !== PATIENT_NUMBER_SYSTEM && !otherId && str(id.value))
      otherId = { kind: 'other', value: str(id.value).slice(0, 40) };
  }
  const birth = birthOf(p, today);
  const contacts: NonNullable<PatientInputDraft['emergencyContacts']> = [];
  arr(p.contact).forEach((c, i) => {
    if (!isObj(c)) return;
    const name = isObj(c.name)
      ? str(c.name.text) || [...arr(c.name.given).map(str), str(c.name.family)].filter(Boolean).join(' ')
      : '';
    const phone = arr(c.telecom)
      .filter(isObj)
      .map((t) => str(t.value))
      .find(isValidPhone);
    if (!name || !phone) {
      warn(`contact[${i}]`, 'Not imported: an emergency contact needs a name and a phone number');
      return;
    }
    const relation =
      arr(c.relationship)
        .filter(isObj)
        .map((r) => str(r.text) || codingText(r))
        .find(Boolean) ?? '';
    if (contacts.length < 5)
      contacts.push({ name: name.slice(0, 100), relation: relation.slice(0, 40), phone });
  });
  const language = arr(p.communication)
    .filter(isObj)
    .map((c) => (isObj(c.language) ? str(c.language.text) || codingText(c.language) : ''))
    .find(Boolean);
  const sex = ['female', 'male', 'other', 'unknown'].includes(str(p.gender)) ? str(p.gender) : 'unknown';
  return {
    nameIndex: index,
    draft: {
      givenNames: given,
      familyName: family,
      sex: sex as PatientInput['sex'],
      birth: birth as PatientInputDraft['birth'],
      phones,
      address: {
        line: a ? arr(a.line).map(str).filter(Boolean).join(', ').slice(0, 200) : '',
        cityOrVillage: a ? str(a.city) : '',
        district: a ? str(a.district) : '',
        state: a ? str(a.state) : '',
        pinCode,
      },
      nationalId,
      otherId,
      preferredLanguage: (language ?? '').slice(0, 40),
      emergencyContacts: contacts,
    },
  };
}

function codingText(cc: Json): string {
  const c = arr(cc.coding).filter(isObj)[0];
  return c ? str(c.display) || str(c.code) : '';
}

function birthOf(p: Json, today: string): unknown {
  const date = str(p.birthDate);
  const estimated =
    isObj(p._birthDate) &&
    arr(p._birthDate.extension).some(
      (e) => isObj(e) && e.url === ESTIMATED_BIRTH_EXTENSION && e.valueBoolean === true,
    );
  // FHIR allows a year or a year and month; the form knows an exact date or an age.
  const partial = /^(\d{4})(-\d{2})?$/.exec(date);
  if (partial || (estimated && /^\d{4}-\d{2}-\d{2}$/.test(date))) {
    const from = partial ? `${partial[1]}-${partial[2]?.slice(1) ?? '07'}-01` : date;
    return { kind: 'approximate', ageYears: completedYears(from, today) };
  }
  return { kind: 'exact', date };
}

function completedYears(from: string, today: string): number {
  const [y, m, d] = from.split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = today.split('-').map(Number) as [number, number, number];
  return Math.max(0, ty - y - (tm > m || (tm === m && td >= d) ? 0 : 1));
}

/** Form field -> the FHIR element it came from, for error messages. */
function fhirField(path: PropertyKey[], nameIndex: number): string {
  const [head, ...rest] = path.map(String);
  const tail = rest.length ? `.${rest.join('.')}` : '';
  switch (head) {
    case 'givenNames':
      return `name[${nameIndex}].given`;
    case 'familyName':
      return `name[${nameIndex}].family`;
    case 'sex':
      return 'gender';
    case 'birth':
      return 'birthDate';
    case 'phones':
      return `telecom${tail}`;
    case 'address':
      return `address${tail}`;
    case 'nationalId':
      return 'identifier (Aadhaar)';
    case 'otherId':
      return 'identifier';
    case 'emergencyContacts':
      return `contact${tail}`;
    case 'preferredLanguage':
      return 'communication';
    default:
      return head ?? '(root)';
  }
}

const SEVERITY_ORDER = ['mild', 'moderate', 'severe'] as const;

function allergyOf(r: Located, patientRefs: Set<string>, problems: InteropProblem[]): ImportedAllergy | null {
  const a = r.resource;
  const problem = (field: string, message: string) => problems.push({ resource: r.label, field, message });
  const verification = isObj(a.verificationStatus) ? arr(a.verificationStatus.coding).filter(isObj) : [];
  if (
    verification.some(
      (c) => c.system === ALLERGY_VERIFICATION && (c.code === 'refuted' || c.code === 'entered-in-error'),
    )
  )
    return null;
  const patientRef = isObj(a.patient) ? str(a.patient.reference) : '';
  if (patientRef && !patientRefs.has(patientRef)) {
    problem('patient', 'Refers to a patient other than the one being imported');
    return null;
  }
  const code = isObj(a.code) ? a.code : {};
  const substance = str(code.text) || codingText(code);
  const reactions = arr(a.reaction).filter(isObj);
  const manifestations = reactions.flatMap((x) =>
    arr(x.manifestation)
      .filter(isObj)
      .map((m) => str(m.text) || codingText(m)),
  );
  const severities = reactions
    .map((x) => SEVERITY_ORDER.indexOf(str(x.severity) as never))
    .filter((i) => i >= 0);
  const clinical = isObj(a.clinicalStatus)
    ? arr(a.clinicalStatus.coding)
        .filter(isObj)
        .map((c) => str(c.code))[0]
    : '';
  const details = {
    kind: 'allergy' as const,
    substance: substance.slice(0, 120),
    reaction: [...new Set(manifestations.filter(Boolean))].join(', ').slice(0, 200),
    severity:
      a.criticality === 'high'
        ? 'life-threatening'
        : severities.length
          ? SEVERITY_ORDER[Math.max(...severities)]!
          : 'unknown',
    status: clinical === 'inactive' || clinical === 'resolved' ? clinical : 'active',
  };
  const parsed = allergyDetails.safeParse(details);
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      problem(
        issue.path[0] === 'substance'
          ? 'code'
          : issue.path[0] === 'reaction'
            ? 'reaction.manifestation'
            : String(issue.path[0] ?? ''),
        issue.message,
      );
    return null;
  }
  const { kind: _kind, ...rest } = parsed.data;
  return rest;
}

interface Parsed {
  patient: PatientInput | null;
  allergies: ImportedAllergy[];
  records: {
    conditions: ImportedCondition[];
    medications: ImportedMedication[];
    observations: LabObservation[];
  };
  counts: ImportPreview['counts'];
  errors: InteropProblem[];
  warnings: InteropProblem[];
}

/** Everything the import needs from the input, or the problems that prevent it. Pure. */
export function parsePatientBundle(input: unknown, today: string): Parsed {
  const errors: InteropProblem[] = [];
  const warnings: InteropProblem[] = [];
  const resources = resourcesOf(input, errors);
  const byType = (t: string) => resources.filter((r) => r.resource.resourceType === t);
  const patients = byType('Patient');
  const counts = { allergies: 0, visits: 0, observations: 0, prescriptions: 0 };
  const records: Parsed['records'] = { conditions: [], medications: [], observations: [] };
  if (patients.length !== 1) {
    errors.push({
      resource: 'Bundle',
      field: 'entry',
      message:
        patients.length === 0
          ? 'No Patient resource found'
          : `${patients.length} Patient resources found; import one patient at a time`,
    });
    return { patient: null, allergies: [], records, counts, errors, warnings };
  }
  const p = patients[0]!;
  const clinical = ['AllergyIntolerance', 'Condition', 'MedicationRequest', 'Observation'];
  const checked = [p, ...resources.filter((r) => clinical.includes(r.resource.resourceType as string))];
  for (const r of checked) errors.push(...fhirProblems(r.resource, r.label));
  const { draft, nameIndex } = patientDraft(p.resource, today, warnings);
  const parsed = patientInputAt(today).safeParse(draft);
  if (!parsed.success)
    for (const issue of parsed.error.issues)
      errors.push({ resource: 'Patient', field: fhirField(issue.path, nameIndex), message: issue.message });
  const id = str(p.resource.id);
  const refs = new Set([p.fullUrl, ...(id ? [`Patient/${id}`, `urn:uuid:${id}`] : [])].filter(Boolean));
  const allergies = byType('AllergyIntolerance')
    .map((r) => allergyOf(r, refs, errors))
    .filter((x): x is ImportedAllergy => x !== null);
  counts.allergies = allergies.length;
  const mine = (r: Located, key: 'subject' | 'patient' = 'subject') => {
    const ref = isObj(r.resource[key]) ? str((r.resource[key] as Json).reference) : '';
    if (!ref || refs.has(ref)) return true;
    errors.push({
      resource: r.label,
      field: key,
      message: 'Refers to a patient other than the one being imported',
    });
    return false;
  };
  for (const r of byType('Condition').filter((x) => mine(x))) {
    const c = conditionOf(r.resource, r.label, errors);
    if (c && !records.conditions.some((x) => x.name.toLowerCase() === c.name.toLowerCase()))
      records.conditions.push(c);
  }
  for (const r of byType('MedicationRequest').filter((x) => mine(x))) {
    const m = medicationOf(r.resource, r.label, errors);
    if (m) records.medications.push(m);
  }
  for (const r of byType('Observation').filter((x) => mine(x))) {
    const o = observationOf(r.resource);
    if (o) records.observations.push(o);
  }
  counts.observations = records.observations.length;
  counts.prescriptions = records.medications.length;
  const encounters = byType('Encounter').length;
  if (encounters > 0)
    warnings.push({
      resource: 'Encounter',
      field: '(all)',
      message: `${encounters} visit(s) are not filed as visits (Kavach makes visits only through its queue); their observations, diagnoses and prescriptions are`,
    });
  return { patient: parsed.success ? parsed.data : null, allergies, records, counts, errors, warnings };
}

export function previewFromBundle(
  s: Services,
  input: unknown,
): ImportPreview & { warnings: InteropProblem[] } {
  const today = s.today();
  const parsed = parsePatientBundle(input, today);
  const candidates = parsed.patient
    ? possibleDuplicates(s, storablePatient(parsed.patient, today, null), today)
    : [];
  const { records: _records, ...shown } = parsed;
  return { ...shown, candidates };
}

/** The problems as one VALIDATION failure: the message names the first, `fields` all. */
export function importFailure(errors: InteropProblem[]): Failure {
  const first = errors[0]!;
  const fields = Object.fromEntries(errors.slice(0, 20).map((e) => [`${e.resource}.${e.field}`, e.message]));
  return new Failure('VALIDATION', `${first.resource} ${first.field}: ${first.message}`, fields);
}

/** Writes the parsed patient (new or existing) and the allergies, in one transaction. */
export function writeImport(
  s: Services,
  patient: PatientInput,
  allergies: ImportedAllergy[],
  decision: ImportDecision,
  by: string | null,
  records: Parsed['records'] = { conditions: [], medications: [], observations: [] },
): { patientId: string; imported: ImportResult['imported'] } {
  const today = s.today();
  return s.db.transaction(() => {
    let patientId: string;
    if (decision.mode === 'use-existing') {
      if (!s.patients.byId(decision.patientId)) throw new Failure('NOT_FOUND', 'No patient with that id.');
      patientId = decision.patientId;
    } else {
      patientId = s.patients.register(storablePatient(patient, today, null), by).id;
    }
    const charted = new Set(
      s.clinical
        .items(patientId)
        .filter((i) => i.kind === 'allergy')
        .map((i) => (i.kind === 'allergy' ? i.substance.toLowerCase() : '')),
    );
    let added = 0;
    for (const a of allergies) {
      if (charted.has(a.substance.toLowerCase())) continue;
      charted.add(a.substance.toLowerCase());
      s.clinical.saveItem(patientId, null, { kind: 'allergy', ...a } satisfies ChartItemDetails, by);
      added++;
    }
    const items = s.clinical.items(patientId);
    const has = (kind: 'condition' | 'medication', name: string) =>
      items.some((i) => i.kind === kind && i.name.toLowerCase() === name.toLowerCase());
    for (const c of records.conditions)
      if (!has('condition', c.name)) s.clinical.saveItem(patientId, null, c, by);
    let medications = 0;
    for (const m of records.medications) {
      if (has('medication', m.name)) continue;
      s.clinical.saveItem(patientId, null, m, by);
      medications++;
    }
    if (records.observations.length > 0)
      s.labResults.insert({
        patientId,
        attachmentId: null,
        controlId: '',
        sendingFacility: 'FHIR import',
        observations: records.observations,
        receivedBy: by,
      });
    return {
      patientId,
      imported: {
        allergies: added,
        visits: 0,
        observations: records.observations.length,
        prescriptions: medications,
      },
    };
  });
}

export function importFromBundle(
  s: Services,
  input: unknown,
  decision: ImportDecision,
  by: string | null,
): ImportResult {
  const parsed = parsePatientBundle(input, s.today());
  if (parsed.errors.length > 0 || !parsed.patient) throw importFailure(parsed.errors);
  return writeImport(s, parsed.patient, parsed.allergies, decision, by, parsed.records);
}
