import { randomUUID } from 'node:crypto';
import { isValidAadhaar } from '../../src-shared/aadhaar.js';
import type { InteropProblem, LabObservation } from '../../src-shared/interop.js';
import {
  isCalendarDate,
  type PatientInput,
  type PatientInputDraft,
  patientInputAt,
} from '../../src-shared/patient.js';
import { isValidPhone } from '../../src-shared/text.js';
import type { StoredPatient } from '../store/patients-repo.js';
import { Hl7Problem, Hl7Reader, hl7Timestamp, segment } from './hl7.js';

/** ADT^A04 (registration) and ADT^A08 (update of demographics), HL7 v2.5 (issue 8). */

const SEX_TO_HL7 = { female: 'F', male: 'M', other: 'O', unknown: 'U' } as const;
const SEX_FROM_HL7: Record<string, PatientInput['sex']> = {
  F: 'female',
  M: 'male',
  O: 'other',
  U: 'unknown',
  A: 'other',
  N: 'unknown',
};
export const AADHAAR_AUTHORITY = 'UIDAI';
export const KAVACH_AUTHORITY = 'KAVACH';

export interface AdtHeader {
  sendingFacility: string;
  now: number;
  controlId?: string;
}

export function buildAdt(event: 'A04' | 'A08', p: StoredPatient, h: AdtHeader): string {
  const at = hl7Timestamp(h.now);
  const controlId = h.controlId ?? randomUUID().replace(/-/g, '').slice(0, 20);
  const [first = '', ...middle] = p.givenNames.split(/\s+/).filter(Boolean);
  const birth = p.birth.kind === 'exact' ? p.birth.date.replace(/-/g, '') : p.birth.date.slice(0, 4); // an estimate: the year only
  const ids: string[][] = [[p.patientNumber, '', '', KAVACH_AUTHORITY, 'MR']];
  if (p.nationalId) ids.push([p.nationalId, '', '', AADHAAR_AUTHORITY, 'NI']);
  const phone = (label: string) =>
    label === 'mobile' ? ['PRN', 'CP'] : label === 'work' ? ['WPN', 'PH'] : ['PRN', 'PH'];
  const home = p.phones.filter((x) => x.label !== 'work').map((x) => [x.number, ...phone(x.label)]);
  const work = p.phones.filter((x) => x.label === 'work').map((x) => [x.number, ...phone(x.label)]);
  const a = p.address;
  const hasAddress = Object.values(a).some((v) => v !== '');
  const lines = [
    `MSH|^~\\&|KAVACH|${segmentText(h.sendingFacility)}|||${at}||ADT^${event}^ADT_A01|${controlId}|P|2.5|||AL|NE|IND`,
    segment('EVN', [event, at]),
    segment('PID', [
      '1',
      '',
      ids,
      '',
      [p.familyName, first, middle.join(' ')],
      '',
      birth,
      SEX_TO_HL7[p.sex],
      '',
      '',
      hasAddress ? [a.line, '', a.cityOrVillage, a.state, a.pinCode, 'IND', 'H', '', a.district] : '',
      '',
      home.length ? home : '',
      work.length ? work : '',
      p.preferredLanguage ? ['', p.preferredLanguage] : '',
    ]),
    segment('PV1', ['1', 'O']),
  ];
  return `${lines.join('\r')}\r`;
}

function segmentText(s: string): string {
  return segment('X', [s]).slice(2);
}

export interface ParsedHl7 {
  messageType: string;
  controlId: string;
  /** The demographics read from PID, before the form's checks. */
  draft: PatientInputDraft | null;
  patient: PatientInput | null;
  /** PID-3 identifiers: Aadhaar and the sender's patient number. */
  nationalId: string;
  observations: LabObservation[];
  report: string;
  errors: InteropProblem[];
  warnings: InteropProblem[];
  /** Fields PID actually carried (an A08 leaves the others unchanged). */
  present: Set<keyof PatientInputDraft>;
}

const FORM_TO_PID: Record<string, string> = {
  givenNames: 'PID-5.2',
  familyName: 'PID-5.1',
  sex: 'PID-8',
  birth: 'PID-7',
  phones: 'PID-13',
  address: 'PID-11',
  nationalId: 'PID-3',
  preferredLanguage: 'PID-15',
};

function birthFrom(v: string, today: string): PatientInputDraft['birth'] {
  const digits = /^(\d{4})(\d{2})?(\d{2})?/.exec(v);
  if (!digits) throw new Hl7Problem('PID', 'PID-7', `birth date ${v} is not a date`);
  const [, y, m, d] = digits;
  if (d && m) {
    const date = `${y}-${m}-${d}`;
    if (!isCalendarDate(date)) throw new Hl7Problem('PID', 'PID-7', `birth date ${v} is not a date`);
    return { kind: 'exact', date };
  }
  if (m && (Number(m) < 1 || Number(m) > 12))
    throw new Hl7Problem('PID', 'PID-7', `birth date ${v} is not a date`);
  // Year (or year and month) only: an age, as the reception form records it.
  const from = `${y}-${m ?? '07'}-01`;
  const [ty, tm] = today.split('-').map(Number) as [number, number];
  const age = ty - Number(y) - (tm < Number(from.slice(5, 7)) ? 1 : 0);
  return { kind: 'approximate', ageYears: Math.max(0, age) };
}

function readPid(r: Hl7Reader, today: string, warnings: InteropProblem[]) {
  const pids = r.segments('PID');
  if (pids.length === 0) throw new Hl7Problem('PID', 'PID', 'the message has no PID segment');
  const pid = pids[0]!;
  const present = new Set<keyof PatientInputDraft>();
  const draft: PatientInputDraft = { givenNames: '', sex: 'unknown', birth: { kind: 'exact', date: '' } };
  let nationalId = '';
  for (let i = 0; i < r.repetitions(pid, 3); i++) {
    const value = r.text(pid, 3, 1, 1, i);
    const authority = r.text(pid, 3, 4, 1, i).toUpperCase();
    const type = r.text(pid, 3, 5, 1, i).toUpperCase();
    if (authority === AADHAAR_AUTHORITY || (type === 'NI' && /^\d[\d\s]{11,13}$/.test(value))) {
      if (!isValidAadhaar(value.replace(/\s/g, '')))
        throw new Hl7Problem('PID', 'PID-3', `identifier ${value} is not a valid Aadhaar number`);
      nationalId = value.replace(/\s/g, '');
    } else if (value && authority !== KAVACH_AUTHORITY && !draft.otherId) {
      draft.otherId = { kind: 'other', value: value.slice(0, 40) };
    }
  }
  if (nationalId) {
    draft.nationalId = nationalId;
    present.add('nationalId');
  }
  const family = r.text(pid, 5, 1);
  const given = [r.text(pid, 5, 2), r.text(pid, 5, 3)].filter(Boolean).join(' ');
  if (family || given) {
    if (!given) throw new Hl7Problem('PID', 'PID-5', "the patient's name has no given name (PID-5.2)");
    draft.givenNames = given;
    draft.familyName = family;
    present.add('givenNames').add('familyName');
  }
  const dob = r.text(pid, 7);
  if (dob) {
    draft.birth = birthFrom(dob, today);
    present.add('birth');
  }
  const sex = r.text(pid, 8).toUpperCase();
  if (sex) {
    const mapped = SEX_FROM_HL7[sex];
    if (!mapped) throw new Hl7Problem('PID', 'PID-8', `sex ${sex} is not one of F, M, O, U, A, N`);
    draft.sex = mapped;
    present.add('sex');
  }
  if (r.text(pid, 11, 1) || r.text(pid, 11, 3) || r.text(pid, 11, 5)) {
    let pinCode = r.text(pid, 11, 5);
    if (pinCode && !/^[1-9]\d{5}$/.test(pinCode)) {
      warnings.push({
        resource: 'PID',
        field: 'PID-11.5',
        message: 'Not imported: not a 6-digit Indian PIN code',
      });
      pinCode = '';
    }
    draft.address = {
      line: [r.text(pid, 11, 1), r.text(pid, 11, 2)].filter(Boolean).join(', ').slice(0, 200),
      cityOrVillage: r.text(pid, 11, 3),
      state: r.text(pid, 11, 4),
      pinCode,
      district: r.text(pid, 11, 9),
    };
    present.add('address');
  }
  const phones: NonNullable<PatientInputDraft['phones']> = [];
  for (const field of [13, 14]) {
    for (let i = 0; i < r.repetitions(pid, field); i++) {
      // XTN-1 (the number as text) or, from v2.5 senders that split it, XTN-12 / XTN-7.
      const number =
        r.text(pid, field, 1, 1, i) || r.text(pid, field, 12, 1, i) || r.text(pid, field, 7, 1, i);
      if (!number) continue;
      if (r.text(pid, field, 3, 1, i).toUpperCase() === 'INTERNET') continue;
      if (!isValidPhone(number) || phones.length >= 4) {
        warnings.push({
          resource: 'PID',
          field: `PID-${field}`,
          message: 'Not imported: not an Indian mobile or an international (+...) number',
        });
        continue;
      }
      const equipment = r.text(pid, field, 3, 1, i).toUpperCase();
      const label = field === 14 ? 'work' : equipment === 'CP' ? 'mobile' : 'home';
      phones.push({ number, label });
    }
  }
  if (phones.length) {
    draft.phones = phones;
    present.add('phones');
  }
  const language = r.text(pid, 15, 2) || r.text(pid, 15, 1);
  if (language) {
    draft.preferredLanguage = language.slice(0, 40);
    present.add('preferredLanguage');
  }
  return { draft, present, nationalId };
}

function readObservations(r: Hl7Reader): { observations: LabObservation[]; report: string } {
  const observations: LabObservation[] = [];
  const lines: string[] = [];
  const obr = r.segments('OBR')[0];
  if (obr) lines.push(`${r.text(obr, 4, 2) || r.text(obr, 4, 1)}  ${r.text(obr, 7)}`.trim(), '');
  r.segments('OBX').forEach((obx, n) => {
    const type = r.text(obx, 2);
    const code = r.text(obx, 3, 1);
    const name = r.text(obx, 3, 2) || code;
    if (!code && !name) throw new Hl7Problem(`OBX[${n + 1}]`, 'OBX-3', 'the observation has no identifier');
    const values: string[] = [];
    for (let i = 0; i < r.repetitions(obx, 5); i++) {
      // Coded values (CE/CWE) read as their text, else their code.
      values.push(
        type === 'CE' || type === 'CWE'
          ? r.text(obx, 5, 2, 1, i) || r.text(obx, 5, 1, 1, i)
          : rawValue(r, obx, i),
      );
    }
    const value = values.filter(Boolean).join('; ');
    if (type === 'NM' && value && !/^[-+]?\d+(\.\d+)?$/.test(value))
      throw new Hl7Problem(`OBX[${n + 1}]`, 'OBX-5', `value ${value} is not a number (OBX-2 says NM)`);
    const observedAt = r.text(obx, 14) || (obr ? r.text(obr, 7) : '');
    const o: LabObservation = {
      code,
      name,
      value: value.slice(0, 2000),
      units: r.text(obx, 6, 1),
      referenceRange: r.text(obx, 7),
      flag: r.text(obx, 8),
      observedAt,
    };
    observations.push(o);
    lines.push(
      `${o.name}: ${o.value}${o.units ? ` ${o.units}` : ''}${o.referenceRange ? ` (ref ${o.referenceRange})` : ''}${o.flag ? ` [${o.flag}]` : ''}`,
    );
  });
  for (const nte of r.segments('NTE')) {
    const t = r.text(nte, 3);
    if (t) lines.push(t);
  }
  return { observations, report: lines.join('\n') };
}

/** OBX-5 of a text type: the whole repetition with its components, unescaped. */
function rawValue(r: Hl7Reader, obx: ReturnType<Hl7Reader['segments']>[number], rep: number): string {
  const parts: string[] = [];
  for (let c = 1; c <= 10; c++) parts.push(r.text(obx, 5, c, 1, rep));
  while (parts.length && parts[parts.length - 1] === '') parts.pop();
  return parts.join(' ');
}

/** Reads an ADT^A04/A08 or ORU^R01 message. Pure: nothing is written. */
export function parseHl7(text: string, today: string): ParsedHl7 {
  const warnings: InteropProblem[] = [];
  const empty: ParsedHl7 = {
    messageType: '',
    controlId: '',
    draft: null,
    patient: null,
    nationalId: '',
    observations: [],
    report: '',
    errors: [],
    warnings,
    present: new Set(),
  };
  try {
    const r = new Hl7Reader(text);
    const msh = r.message.header;
    const type = `${r.text(msh, 9, 1)}^${r.text(msh, 9, 2)}`.toUpperCase();
    const controlId = r.text(msh, 10);
    const version = r.text(msh, 12);
    if (!/^2\.\d/.test(version))
      throw new Hl7Problem('MSH', 'MSH-12', `version ${version || '(empty)'} is not HL7 v2`);
    if (!['ADT^A04', 'ADT^A08', 'ORU^R01'].includes(type))
      throw new Hl7Problem('MSH', 'MSH-9', `message type ${type} is not ADT^A04, ADT^A08 or ORU^R01`);
    const { draft, present, nationalId } = readPid(r, today, warnings);
    const { observations, report } =
      type === 'ORU^R01' ? readObservations(r) : { observations: [], report: '' };
    if (type === 'ORU^R01' && observations.length === 0)
      throw new Hl7Problem('OBX', 'OBX', 'an ORU^R01 message needs at least one OBX segment');
    const errors: InteropProblem[] = [];
    let patient: PatientInput | null = null;
    if (type !== 'ORU^R01' || present.has('givenNames')) {
      const parsed = patientInputAt(today).safeParse(draft);
      if (parsed.success) patient = parsed.data;
      else
        for (const issue of parsed.error.issues) {
          const key = String(issue.path[0] ?? '');
          const message =
            key === 'birth' && !present.has('birth') ? 'the birth date is missing' : issue.message;
          errors.push({ resource: 'PID', field: FORM_TO_PID[key] ?? 'PID', message });
        }
    }
    return {
      ...empty,
      messageType: type,
      controlId,
      draft,
      patient,
      nationalId,
      observations,
      report,
      errors,
      present,
    };
  } catch (e) {
    if (e instanceof Hl7Problem) return { ...empty, errors: [e.problem] };
    throw e;
  }
}
