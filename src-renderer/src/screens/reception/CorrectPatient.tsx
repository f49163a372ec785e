import type { PatientRecord } from '../../../../src-shared/types';
import { call } from '../../api';
import { PatientForm, usePatientForm } from './PatientForm';
import { valuesFromRecord } from './patientValues';

interface CorrectPatientProps {
  record: PatientRecord;
  onSaved: (record: PatientRecord) => void;
  onCancel: () => void;
}

/** The registration form, prefilled; an untouched Aadhaar box keeps the number on record. */
export function CorrectPatient({ record, onSaved, onCancel }: CorrectPatientProps) {
  const state = usePatientForm(() => valuesFromRecord(record));
  const { form } = state;
  return (
    <PatientForm
      state={state}
      title={`Correct details of ${record.givenNames} ${record.familyName}`.trim()}
      submitLabel="Save corrections"
      maskedNationalId={record.nationalIdMasked || null}
      detailsOpenAtStart
      onCancel={onCancel}
      onSubmit={async (input, sent) => {
        form.setBusy(true);
        const result = await call('patients.update', {
          id: record.id,
          patient: input,
          keepNationalId: input.nationalId === '',
        });
        form.setBusy(false);
        if (result.ok) onSaved(result.value);
        else state.fail(result.error, sent);
      }}
    />
  );
}
