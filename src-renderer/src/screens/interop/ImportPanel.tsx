import { type ChangeEvent, useId, useState } from 'react';
import type { Hl7Preview, ImportDecision, ImportPreview } from '../../../../src-shared/interop';
import { FHIR_JSON_MAX, HL7_MESSAGE_MAX } from '../../../../src-shared/interop-contract';
import { call, summaryOf } from '../../api';
import { FormAlert } from '../../components/form';
import { CandidateList, DemographicsView, ProblemList } from './PreviewView';

type Kind = 'fhir' | 'hl7';
type Preview = (ImportPreview & { kind: 'fhir' }) | (Hl7Preview & { kind: 'hl7' });

const LABEL = { fhir: 'FHIR', hl7: 'HL7' } as const;
const MAX = { fhir: FHIR_JSON_MAX, hl7: HL7_MESSAGE_MAX } as const;

/** Import from FHIR JSON or an HL7 v2 message: paste or choose a file, preview, then
 *  register as new or file on an existing patient. Nothing is saved before the choice. */
export function ImportPanel({ kind }: { kind: Kind }) {
  const [text, setText] = useState('');
  const [preview, setPreview] = useState<Preview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const textId = useId();

  async function chooseFile(e: ChangeEvent<HTMLInputElement>) {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (!file) return;
    if (file.size > MAX[kind]) return setError(`The file is larger than ${MAX[kind] / (1024 * 1024)} MB.`);
    setText(await file.text());
    setPreview(null);
    setDone(null);
  }

  async function runPreview() {
    if (busy || text.trim() === '') return;
    setBusy(true);
    setError(null);
    setDone(null);
    const r =
      kind === 'fhir'
        ? await call('interop.previewFhir', { json: text })
        : await call('interop.previewHl7', { message: text });
    setBusy(false);
    if (!r.ok) {
      setPreview(null);
      return setError(r.error.fields?.json ?? r.error.fields?.message ?? summaryOf(r.error));
    }
    setPreview({ ...(r.value as object), kind } as Preview);
  }

  async function runImport(decision: ImportDecision) {
    if (busy) return;
    setBusy(true);
    setError(null);
    const r =
      kind === 'fhir'
        ? await call('interop.importFhir', { json: text, decision })
        : await call('interop.importHl7', { message: text, decision });
    setBusy(false);
    if (!r.ok) return setError(summaryOf(r.error));
    const v = r.value as { imported?: { allergies: number }; outcome?: string; observations?: number };
    setDone(
      v.imported
        ? `${decision.mode === 'register-new' ? 'Registered' : 'Filed on the existing patient'}; ${v.imported.allergies} allergies charted.`
        : `Done: ${v.outcome?.replace('-', ' ')}${v.observations ? `, ${v.observations} results filed` : ''}.`,
    );
    setPreview(null);
  }

  const errors = preview?.errors ?? [];
  return (
    <section className="card" aria-labelledby={`${textId}-title`} data-testid={`import-${kind}`}>
      <h2 id={`${textId}-title`}>Import {LABEL[kind]}</h2>
      <label htmlFor={textId}>
        {kind === 'fhir' ? 'FHIR JSON (a Patient or a Bundle)' : 'HL7 v2 message'}
      </label>
      <textarea
        id={textId}
        rows={8}
        value={text}
        spellCheck={false}
        onChange={(e) => {
          setText(e.target.value);
          setPreview(null);
        }}
      />
      <div className="actions">
        <label className="btn file-choice">
          Choose a file
          <input
            type="file"
            accept={kind === 'fhir' ? '.json,application/json,application/fhir+json' : '.hl7,.txt,text/plain'}
            onChange={chooseFile}
            data-testid={`import-${kind}-file`}
          />
        </label>
        <button
          type="button"
          className="btn btn-primary"
          disabled={busy || text.trim() === ''}
          onClick={runPreview}
        >
          Preview
        </button>
      </div>
      <FormAlert message={error} testId={`import-${kind}-error`} />
      {done ? (
        <p role="status" data-testid={`import-${kind}-done`}>
          {done}
        </p>
      ) : null}
      {preview ? (
        <div data-testid={`import-${kind}-preview`}>
          {preview.kind === 'hl7' && preview.messageType ? <p>Message: {preview.messageType}</p> : null}
          {preview.patient ? <DemographicsView patient={preview.patient} /> : null}
          {preview.kind === 'fhir' && preview.allergies.length > 0 ? (
            <p data-testid="preview-allergies">
              Allergies:{' '}
              {preview.allergies
                .map((a) => `${a.substance}${a.reaction ? ` (${a.reaction})` : ''}`)
                .join('; ')}
            </p>
          ) : null}
          {preview.kind === 'hl7' && preview.observations.length > 0 ? (
            <ul data-testid="preview-observations">
              {preview.observations.map((o) => (
                <li key={`${o.code}-${o.name}`}>
                  {o.name}: {o.value} {o.units} {o.flag ? `[${o.flag}]` : ''}
                </li>
              ))}
            </ul>
          ) : null}
          <ProblemList title="Cannot import" problems={errors} testId="preview-errors" />
          <ProblemList title="Not imported" problems={preview.warnings} testId="preview-warnings" />
          {errors.length === 0 ? (
            <>
              <CandidateList
                candidates={preview.candidates}
                busy={busy}
                onUse={(patientId) => runImport({ mode: 'use-existing', patientId })}
              />
              {preview.patient ? (
                <button
                  type="button"
                  className="btn btn-primary"
                  disabled={busy}
                  onClick={() => runImport({ mode: 'register-new' })}
                >
                  Register as new patient
                </button>
              ) : null}
            </>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
