import { type FormEvent, useState } from 'react';
import type { PatientSummary } from '../../../../src-shared/types';
import { call } from '../../api';
import { FormAlert, TextField, useFormState } from '../../components/form';
import { ageSex } from './labels';

interface PatientSearchProps {
  title: string;
  /** What choosing a patient leads to, e.g. "Check in". */
  pickLabel: string;
  onPick: (patient: PatientSummary) => void;
  onCancel: () => void;
}

/** Find a registered patient by name, phone, Aadhaar or patient number, then pick one. */
export function PatientSearch({ title, pickLabel, onPick, onCancel }: PatientSearchProps) {
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<PatientSummary[] | null>(null);
  const form = useFormState();

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (form.busy) return;
    form.clear();
    if (query.trim().length < 2) {
      form.setFields({ query: 'Type at least 2 characters' });
      return;
    }
    form.setBusy(true);
    const result = await call('patients.search', { query: query.trim() });
    form.setBusy(false);
    if (result.ok) setResults(result.value);
    else form.showError(result.error, ['query']);
  }

  return (
    <section className="card form-card" aria-labelledby="patient-search-title">
      <h2 id="patient-search-title">{title}</h2>
      <form ref={form.ref} onSubmit={submit} noValidate aria-label="Patient search">
        <FormAlert message={form.summary} testId="patient-search-error" />
        <div className="inline-form">
          <TextField
            label="Find patient"
            value={query}
            onChange={setQuery}
            error={form.fields.query}
            hint="Name, phone, Aadhaar or patient number."
            autoFocus
          />
          <button type="submit" className="btn btn-primary" disabled={form.busy}>
            {form.busy ? 'Searching…' : 'Search'}
          </button>
        </div>
      </form>
      {results !== null && results.length === 0 ? <p className="muted">No patient matches.</p> : null}
      {results !== null && results.length > 0 ? (
        <ul className="pick-list" aria-label="Matching patients">
          {results.map((patient) => (
            <li key={patient.id} data-testid="patient-result">
              <span>
                <strong>{patient.name}</strong> <span className="mono">{patient.patientNumber}</span>{' '}
                <span className="muted">{ageSex(patient.ageYears, patient.sex)}</span>
              </span>
              <button type="button" className="btn btn-small" onClick={() => onPick(patient)}>
                {pickLabel}
                <span className="visually-hidden"> {patient.name}</span>
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <div className="actions">
        <button type="button" className="btn btn-quiet" onClick={onCancel}>
          Close
        </button>
      </div>
    </section>
  );
}
