import { useState } from 'react';
import { VITAL_NAMES } from '../../../../src-shared/clinical/chart';
import { icd10ByCode } from '../../../../src-shared/clinical/reference';
import { FormAlert, TextAreaField, useFormState } from '../../components/form';
import { hhmm } from './download';
import { FollowUp } from './FollowUp';
import { IcdField } from './IcdField';
import type { ConsultationState, DraftState } from './useConsultation';
import { VitalsFields } from './VitalsFields';

const SHOWN = [
  'complaints',
  'history',
  'examination',
  'diagnosis',
  'icd10',
  'advice',
  'followUp',
  'vitals',
  ...VITAL_NAMES.map((n) => `vitals.${n}`),
];

function DraftLine({ draft, final }: { draft: DraftState; final: boolean }) {
  let text = '';
  if (final) text = 'Consultation finished.';
  else if (draft.kind === 'saving') text = 'Saving draft…';
  else if (draft.kind === 'saved') text = `Draft saved ${hhmm(draft.at)}`;
  else if (draft.kind === 'failed') text = `Draft not saved: ${draft.message}`;
  return (
    <p
      className={draft.kind === 'failed' ? 'status-line field-error' : 'status-line muted'}
      data-testid="draft-status"
    >
      {text}
    </p>
  );
}

interface ConsultationFormProps {
  state: ConsultationState;
  patientId: string;
  doctorId: string | null;
  onFinished: () => void;
}

/** Notes, vitals, diagnosis, advice and follow-up of the open visit. */
export function ConsultationForm({ state, patientId, doctorId, onFinished }: ConsultationFormProps) {
  const form = useFormState();
  const [finishing, setFinishing] = useState(false);
  const { values, update, final } = state;
  const err = (name: string) => form.fields[name];

  async function finish(event: React.FormEvent) {
    event.preventDefault();
    if (finishing) return;
    form.clear();
    setFinishing(true);
    const result = await state.finish();
    setFinishing(false);
    if (result.ok) onFinished();
    else form.showError(result.error, SHOWN, { count: true });
  }

  if (!state.loaded) return <p className="muted">Loading the consultation…</p>;
  return (
    <form
      ref={form.ref}
      className="card doctor-card consultation"
      aria-labelledby="consultation-title"
      onSubmit={(e) => void finish(e)}
      noValidate
    >
      <div className="card-head">
        <h2 id="consultation-title">Consultation</h2>
        <DraftLine draft={state.draft} final={final} />
      </div>
      <FormAlert message={state.loadError ?? form.summary} testId="consultation-error" />
      <fieldset className="plain-fieldset" disabled={final}>
        <TextAreaField
          label="Complaints"
          value={values.complaints}
          onChange={(v) => update({ complaints: v })}
          error={err('complaints')}
        />
        <TextAreaField
          label="History"
          value={values.history}
          onChange={(v) => update({ history: v })}
          error={err('history')}
        />
        <TextAreaField
          label="Examination"
          value={values.examination}
          onChange={(v) => update({ examination: v })}
          error={err('examination')}
        />
      </fieldset>
      <VitalsFields
        vitals={values.vitals}
        onChange={(vitals) => update({ vitals })}
        errors={form.fields}
        disabled={final}
      />
      <fieldset className="plain-fieldset" disabled={final}>
        <TextAreaField
          label="Diagnosis"
          value={values.diagnosis}
          onChange={(v) => update({ diagnosis: v })}
          error={err('diagnosis')}
        />
        <IcdField
          label="ICD-10 code"
          value={values.icd10}
          onChange={(code) => {
            const known = icd10ByCode(code);
            update(
              known && values.diagnosis.trim() === ''
                ? { icd10: code, diagnosis: known.title }
                : { icd10: code },
            );
          }}
          error={err('icd10')}
        />
        <TextAreaField
          label="Advice"
          value={values.advice}
          onChange={(v) => update({ advice: v })}
          error={err('advice')}
        />
        <FollowUp
          value={values.followUp}
          onChange={(v) => update({ followUp: v })}
          error={err('followUp')}
          patientId={patientId}
          doctorId={doctorId}
          disabled={final}
        />
      </fieldset>
      {!final ? (
        <div className="actions">
          <button type="submit" className="btn btn-primary" disabled={finishing}>
            {finishing ? 'Finishing…' : 'Finish consultation'}
          </button>
        </div>
      ) : null}
    </form>
  );
}
