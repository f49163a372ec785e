import type { ALLERGY_SEVERITIES, ItemStatus } from './clinical/chart.js';
import type { PatientInput } from './patient.js';
import type { PatientSummary } from './types.js';

/**
 * What FHIR and HL7 v2 imports show before anything is written (issue 8). Shared so the
 * renderer's Exchange screen and main agree on one shape.
 */

/** One problem found in the incoming data: the resource (or segment) and the field. */
export interface InteropProblem {
  /** 'Patient', 'AllergyIntolerance[2]', 'PID', 'OBX[3]' ... */
  resource: string;
  /** The element or field path: 'birthDate', 'name[0].given', 'PID-7' ... */
  field: string;
  message: string;
}

export interface ImportedAllergy {
  substance: string;
  reaction: string;
  severity: (typeof ALLERGY_SEVERITIES)[number];
  status: ItemStatus;
}

export type DuplicateCandidate = PatientSummary & { reasons: string[] };

export interface ImportPreview {
  /** Things read but not imported (an e-mail address, a foreign phone number). */
  warnings: InteropProblem[];
  /** The demographics as the reception form would show them; null when they cannot be read. */
  patient: PatientInput | null;
  allergies: ImportedAllergy[];
  /** What else the bundle holds that the import would file (visits, observations ...). */
  counts: { allergies: number; visits: number; observations: number; prescriptions: number };
  /** Existing patients who may be the same person (the registration duplicate check). */
  candidates: DuplicateCandidate[];
  /** Empty when the data can be imported. */
  errors: InteropProblem[];
}

export type ImportDecision = { mode: 'register-new' } | { mode: 'use-existing'; patientId: string };

export interface ImportResult {
  patientId: string;
  imported: { allergies: number; visits: number; observations: number; prescriptions: number };
}

export interface FhirExportInclude {
  visits: boolean;
  prescriptions: boolean;
  attachments: boolean;
}

/** One OBX row of an ORU^R01 lab result, as it will be filed. */
export interface LabObservation {
  code: string;
  name: string;
  value: string;
  units: string;
  referenceRange: string;
  /** HL7 table 0078: 'H', 'L', 'N', 'A' ... or ''. */
  flag: string;
  observedAt: string;
}

export interface Hl7Preview {
  /** 'ADT^A04', 'ADT^A08' or 'ORU^R01'; '' when the header could not be read. */
  messageType: string;
  controlId: string;
  patient: PatientInput | null;
  observations: LabObservation[];
  candidates: DuplicateCandidate[];
  errors: InteropProblem[];
  warnings: InteropProblem[];
}

export interface Hl7ImportResult {
  patientId: string;
  /** 'registered', 'updated' (fields changed by an A08), 'unchanged' or 'results-filed'. */
  outcome: 'registered' | 'updated' | 'unchanged' | 'results-filed';
  observations: number;
  attachmentId: string | null;
}
