import { useState } from 'react';
import type { PatientInputDraft } from '../../../../src-shared/patient';
import { call } from '../../api';
import { type Candidate, DuplicateDialog } from './DuplicateDialog';
import { PatientForm, usePatientForm } from './PatientForm';
import { emptyValues, type PreparedInput } from './patientValues';

interface RegisterPatientProps {
  /** A new patient number was issued. */
  onRegistered: (id: string, patientNumber: string) => void;
  /** Reception recognised an existing patient among the possible duplicates. */
  onUseExisting: (id: string) => void;
  onCancel: () => void;
}

interface Pending {
  input: PatientInputDraft;
  sent: PreparedInput;
  candidates: Candidate[];
}

export function RegisterPatient({ onRegistered, onUseExisting, onCancel }: RegisterPatientProps) {
  const state = usePatientForm(emptyValues);
  const { form } = state;
  const [pending, setPending] = useState<Pending | null>(null);

  async function register(input: PatientInputDraft, sent: PreparedInput, reviewed: Candidate[] | null) {
    form.setBusy(true);
    const result = await call('patients.register', {
      patient: input,
      decision: reviewed ? 'register-new' : 'check-duplicates',
      reviewedCandidates: (reviewed ?? []).map((c) => c.id),
    });
    form.setBusy(false);
    setPending(null);
    if (!result.ok) {
      state.fail(result.error, sent);
      return;
    }
    if (result.value.status === 'registered') onRegistered(result.value.id, result.value.patientNumber);
    else setPending({ input, sent, candidates: result.value.candidates });
  }

  return (
    <>
      <PatientForm
        state={state}
        title="Register new patient"
        submitLabel="Register patient"
        maskedNationalId={null}
        detailsOpenAtStart={false}
        onSubmit={(input, sent) => void register(input, sent, null)}
        onCancel={onCancel}
      />
      {pending ? (
        <DuplicateDialog
          candidates={pending.candidates}
          busy={form.busy}
          onUse={(c) => onUseExisting(c.id)}
          onRegisterNew={() => void register(pending.input, pending.sent, pending.candidates)}
          onBack={() => setPending(null)}
        />
      ) : null}
    </>
  );
}
