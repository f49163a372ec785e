import { Failure } from '../ipc/failure.js';
import type { Handlers } from '../ipc/handler-types.js';
import { exportPatientBundle, importPatientBundle, previewPatientImport } from './fhir.js';
import { exportAdt, importHl7, previewHl7 } from './hl7-import.js';

/** JSON.parse on text from the renderer, with an error that says what is wrong (never the
 *  text itself: it is a patient's record). */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const where =
      e instanceof SyntaxError
        ? e.message.replace(/^.*?(at position \d+|Unexpected end of JSON input).*$/s, '$1')
        : '';
    throw new Failure('VALIDATION', `The file is not valid JSON${where ? ` (${where})` : ''}.`, {
      json: 'Not valid JSON',
    });
  }
}

export const interopHandlers: Pick<
  Handlers,
  | 'interop.exportFhir'
  | 'interop.previewFhir'
  | 'interop.importFhir'
  | 'interop.exportHl7'
  | 'interop.previewHl7'
  | 'interop.importHl7'
> = {
  'interop.exportFhir': async (ctx, input) => {
    const { patientId, ...include } = input;
    const { bundle } = await exportPatientBundle(ctx.services, patientId, include);
    const p = ctx.services.patients.summariesByIds([patientId])[0];
    ctx.subject('patient', patientId, {
      format: 'fhir-r4',
      ...include,
      resources: bundle.entry?.length ?? 0,
    });
    return {
      fileName: `kavach-fhir-${p?.patientNumber ?? 'patient'}-${ctx.services.today()}.json`,
      json: JSON.stringify(bundle, null, 2),
    };
  },
  'interop.previewFhir': (ctx, input) => {
    const preview = previewPatientImport(ctx.services, parseJson(input.json));
    ctx.subject('fhir-import-preview', preview.candidates.map((c) => c.id).join(',') || 'none', {
      candidates: preview.candidates.length,
      errors: preview.errors.length,
    });
    return preview;
  },
  'interop.importFhir': (ctx, input) => {
    const result = importPatientBundle(
      ctx.services,
      parseJson(input.json),
      input.decision,
      ctx.session.userId,
    );
    ctx.subject('patient', result.patientId, {
      format: 'fhir-r4',
      decision: input.decision.mode,
      ...result.imported,
    });
    return result;
  },
  'interop.exportHl7': (ctx, input) => {
    const out = exportAdt(ctx.services, input.patientId, input.event);
    ctx.subject('patient', input.patientId, { format: 'hl7v2', event: input.event });
    return out;
  },
  'interop.previewHl7': (ctx, input) => {
    const preview = previewHl7(ctx.services, input.message);
    ctx.subject('hl7-import-preview', preview.candidates.map((c) => c.id).join(',') || 'none', {
      messageType: preview.messageType,
      errors: preview.errors.length,
    });
    return preview;
  },
  'interop.importHl7': async (ctx, input) => {
    const userId = ctx.session.userId;
    if (!userId) throw new Failure('UNAUTHENTICATED', 'Log in first.');
    const result = await importHl7(ctx.services, input.message, input.decision, userId);
    ctx.subject('patient', result.patientId, {
      format: 'hl7v2',
      decision: input.decision.mode,
      outcome: result.outcome,
      observations: result.observations,
    });
    return result;
  },
};
