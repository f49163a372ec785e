import { rmSync } from 'node:fs';
import type { Hl7ImportResult, Hl7Preview, ImportDecision } from '../../src-shared/interop.js';
import {
  ageFrom,
  type PatientInput,
  type PatientInputDraft,
  patientInputAt,
} from '../../src-shared/patient.js';
import { Failure } from '../ipc/failure.js';
import type { Services } from '../ipc/handler-types.js';
import { possibleDuplicates, storablePatient, summarize } from '../patients/handlers.js';
import type { StoredPatient } from '../store/patients-repo.js';
import { buildAdt, type ParsedHl7, parseHl7 } from './hl7-adt.js';
import { labReportPdf } from './lab-report.js';

/** HL7 v2 import (issue 8): preview, then register/update (ADT) or file results (ORU). */

function candidatesFor(s: Services, parsed: ParsedHl7, today: string): Hl7Preview['candidates'] {
  if (parsed.patient) return possibleDuplicates(s, storablePatient(parsed.patient, today, null), today);
  if (!parsed.nationalId) return [];
  const ids = s.patients.idsWithAny('national-id', [parsed.nationalId]).slice(0, 20);
  return s.patients
    .summariesByIds(ids)
    .map((p) => ({ ...summarize(p, today), reasons: ['Same Aadhaar number'] }));
}

/** An A08 may carry only the changed fields; the preview flags only what it carries. */
function relevantErrors(parsed: ParsedHl7) {
  if (parsed.messageType === 'ADT^A04' || parsed.messageType === '') return parsed.errors;
  const pidField = (f: string) => f.split('.')[0];
  const carried = new Set([...parsed.present].map((k) => pidField(FIELD_OF[k] ?? '')));
  return parsed.errors.filter((e) => e.resource !== 'PID' || carried.has(pidField(e.field)));
}

const FIELD_OF: Partial<Record<keyof PatientInputDraft, string>> = {
  givenNames: 'PID-5',
  familyName: 'PID-5',
  sex: 'PID-8',
  birth: 'PID-7',
  phones: 'PID-13',
  address: 'PID-11',
  nationalId: 'PID-3',
  preferredLanguage: 'PID-15',
};

export function previewHl7(s: Services, text: string): Hl7Preview {
  const today = s.today();
  const parsed = parseHl7(text, today);
  return {
    messageType: parsed.messageType,
    controlId: parsed.controlId,
    patient: parsed.patient,
    observations: parsed.observations,
    candidates: parsed.errors.length && !parsed.nationalId ? [] : candidatesFor(s, parsed, today),
    errors: relevantErrors(parsed),
    warnings: parsed.warnings,
  };
}

function fail(parsed: ParsedHl7, errors = parsed.errors): Failure {
  const first = errors[0]!;
  return new Failure(
    'VALIDATION',
    `${first.field || first.resource}: ${first.message}`,
    Object.fromEntries(errors.slice(0, 20).map((e) => [e.field || e.resource, e.message])),
  );
}

/** The stored record as the registration form holds it, for merging an A08 into. */
function formOf(p: StoredPatient, today: string): PatientInputDraft {
  const { id: _i, patientNumber: _n, createdAt: _c, updatedAt: _u, birth, ...rest } = p;
  return {
    ...rest,
    birth:
      birth.kind === 'exact'
        ? { kind: 'exact', date: birth.date }
        : { kind: 'approximate', ageYears: ageFrom(birth.date, today) },
  };
}

function merged(s: Services, parsed: ParsedHl7, current: StoredPatient, today: string): PatientInput {
  const next: Record<string, unknown> = { ...formOf(current, today) };
  for (const key of parsed.present) next[key] = parsed.draft?.[key];
  const checked = patientInputAt(today).safeParse(next);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    const field = FIELD_OF[String(issue.path[0]) as keyof PatientInputDraft] ?? 'PID';
    throw new Failure('VALIDATION', `${field}: ${issue.message}`, { [field]: issue.message });
  }
  void s;
  return checked.data;
}

/**
 * Imports one message: ADT registers (register-new) or updates the chosen patient
 * (use-existing: only the fields the message carries change); ORU^R01 files its OBX rows
 * and the report (as a PDF attachment) on the chosen or newly registered patient. All
 * database writes happen in one transaction; a failure removes the report file again.
 */
export async function importHl7(
  s: Services,
  text: string,
  decision: ImportDecision,
  by: string,
): Promise<Hl7ImportResult> {
  const today = s.today();
  const parsed = parseHl7(text, today);
  const errors = decision.mode === 'use-existing' ? relevantErrors(parsed) : parsed.errors;
  if (errors.length > 0) throw fail(parsed, errors);
  const oru = parsed.messageType === 'ORU^R01';
  if (decision.mode === 'register-new' && !parsed.patient)
    throw new Failure(
      'VALIDATION',
      'PID: the message does not carry enough to register a patient (name, sex, birth date)',
    );
  const existing = decision.mode === 'use-existing' ? s.patients.byId(decision.patientId) : null;
  if (decision.mode === 'use-existing' && !existing)
    throw new Failure('NOT_FOUND', 'No patient with that id.');
  const pdf = oru
    ? await labReportPdf(`Lab report ${parsed.controlId}`.trim(), parsed.report, s.now())
    : null;
  let filedAttachment: string | null = null;
  try {
    return s.db.transaction((): Hl7ImportResult => {
      let patientId: string;
      let outcome: Hl7ImportResult['outcome'];
      if (existing) {
        patientId = existing.id;
        if (oru) outcome = 'results-filed';
        else {
          const next = storablePatient(merged(s, parsed, existing, today), today, existing);
          outcome = s.patients.correct(existing, next, by).length > 0 ? 'updated' : 'unchanged';
        }
      } else {
        patientId = s.patients.register(storablePatient(parsed.patient!, today, null), by).id;
        outcome = oru ? 'results-filed' : 'registered';
      }
      if (!oru || !pdf) return { patientId, outcome, observations: 0, attachmentId: null };
      const name = `lab-report-${(parsed.controlId || 'oru').replace(/[^\w.-]/g, '_').slice(0, 40)}.pdf`;
      const uploadId = s.attachments.begin(by, patientId, null, name, pdf.length);
      s.attachments.piece(by, uploadId, 0, Buffer.from(pdf));
      const info = s.attachments.finish(by, uploadId);
      filedAttachment = info.id;
      s.labResults.insert({
        patientId,
        attachmentId: info.id,
        controlId: parsed.controlId,
        sendingFacility: '',
        observations: parsed.observations,
        receivedBy: by,
      });
      return { patientId, outcome, observations: parsed.observations.length, attachmentId: info.id };
    });
  } catch (e) {
    if (filedAttachment) rmSync(s.attachments.path(filedAttachment), { force: true });
    throw e;
  }
}

export function exportAdt(
  s: Services,
  patientId: string,
  event: 'A04' | 'A08',
): { fileName: string; message: string } {
  const p = s.patients.byId(patientId);
  if (!p) throw new Failure('NOT_FOUND', 'No patient with that id.');
  const message = buildAdt(event, p, { sendingFacility: s.settings.get()?.clinicName ?? '', now: s.now() });
  return { fileName: `kavach-adt-${event.toLowerCase()}-${p.patientNumber}.hl7`, message };
}
