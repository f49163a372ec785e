import type { Bundle } from '@medplum/fhirtypes';
import type {
  FhirExportInclude,
  ImportDecision,
  ImportPreview,
  ImportResult,
} from '../../src-shared/interop.js';
import type { Services } from '../ipc/handler-types.js';
import { buildPatientBundle } from './fhir-export.js';
import { importFromBundle, previewFromBundle } from './fhir-import.js';

/**
 * FHIR R4 exchange (issue 8): the API the handlers and the referrals feature call.
 * Export reads through the repositories; import previews first and writes in one
 * transaction. Nothing here logs bundle contents.
 */

export interface ExportedFile {
  attachmentId: string;
  name: string;
  mimeType: string;
  bytes: Uint8Array;
}

/**
 * The patient's record as a FHIR R4 Bundle of type 'collection', plus the attachments'
 * bytes (decrypted) when `include.attachments` is set, for callers that ship files
 * beside the bundle. Throws Failure('NOT_FOUND') for an unknown patient.
 */
export async function exportPatientBundle(
  services: Services,
  patientId: string,
  include: FhirExportInclude,
): Promise<{ bundle: Bundle; files: ExportedFile[] }> {
  return buildPatientBundle(services, patientId, include);
}

/** Reads a Patient (+ AllergyIntolerance, Encounter, Observation, MedicationRequest)
 *  bundle or a lone Patient without writing anything. */
export function previewPatientImport(services: Services, bundle: unknown): ImportPreview {
  return previewFromBundle(services, bundle);
}

/**
 * Registers the bundle's patient (or uses an existing one) and files the allergies in the
 * chart, all in one SQLite transaction: a failure leaves nothing behind. Throws
 * Failure('VALIDATION') naming the resource and field when the bundle cannot be imported.
 */
export function importPatientBundle(
  services: Services,
  bundle: unknown,
  decision: ImportDecision,
  by: string | null = null,
): ImportResult {
  return importFromBundle(services, bundle, decision, by);
}
