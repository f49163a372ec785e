import { useEffect, useState } from 'react';
import type { FieldHistoryEntry, PatientSummary } from '../../../../src-shared/types';
import { call, summaryOf } from '../../api';
import { FormAlert } from '../../components/form';
import { ageSex, formatTime } from '../../components/format';
import { PatientSearch } from '../../components/PatientSearch';
import '../reception/reception.css';

const FIELD_LABELS: Record<string, string> = {
  givenNames: 'Given name(s)',
  familyName: 'Family name',
  sex: 'Sex',
  birth: 'Date of birth',
  phones: 'Phones',
  address: 'Address',
  nationalId: 'Aadhaar number',
  otherId: 'Other ID',
  bloodGroup: 'Blood group',
  heightCm: 'Height (cm)',
  weightKg: 'Weight (kg)',
  preferredLanguage: 'Preferred language',
  emergencyContacts: 'Emergency contacts',
  bystander: 'Bystander',
  insurance: 'Insurance',
  allergies: 'Allergies',
  chronicConditions: 'Chronic conditions',
  medicoLegal: 'Medico-legal',
  notes: 'Notes',
  photo: 'Photo',
};

function fieldLabel(field: string): string {
  return FIELD_LABELS[field] ?? field;
}

interface FieldGroup {
  field: string;
  entries: FieldHistoryEntry[];
}

/** One group per field, newest value first; fields in the order their latest change happened. */
export function groupHistory(entries: readonly FieldHistoryEntry[]): FieldGroup[] {
  const groups = new Map<string, FieldHistoryEntry[]>();
  for (const entry of entries) groups.set(entry.field, [...(groups.get(entry.field) ?? []), entry]);
  return [...groups.entries()]
    .map(([field, list]) => ({ field, entries: [...list].sort((a, b) => b.at - a.at) }))
    .sort(
      (a, b) =>
        (b.entries[0]?.at ?? 0) - (a.entries[0]?.at ?? 0) ||
        fieldLabel(a.field).localeCompare(fieldLabel(b.field)),
    );
}

function HistoryGroup({ group }: { group: FieldGroup }) {
  return (
    <tbody className="history-group" data-testid={`history-${group.field}`}>
      {group.entries.map((e, i) => (
        <tr key={`${e.at}-${e.kind}-${e.value}`} className={i === 0 ? 'history-current' : 'history-earlier'}>
          {i === 0 ? (
            <th scope="rowgroup" rowSpan={group.entries.length}>
              {fieldLabel(group.field)}
            </th>
          ) : null}
          <td className="pre-wrap">{e.value === '' ? <span className="muted">(empty)</span> : e.value}</td>
          <td>{e.kind === 'registered' ? 'Registered' : 'Corrected'}</td>
          <td>{e.byName}</td>
          <td>{formatTime(e.at)}</td>
        </tr>
      ))}
    </tbody>
  );
}

function HistoryTable({ groups }: { groups: FieldGroup[] }) {
  return (
    <div className="card table-card">
      <table className="table history-table" aria-label="Field history">
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">Value</th>
            <th scope="col">Change</th>
            <th scope="col">By</th>
            <th scope="col">When</th>
          </tr>
        </thead>
        {groups.map((g) => (
          <HistoryGroup key={g.field} group={g} />
        ))}
      </table>
    </div>
  );
}

function PatientHistory({ patient }: { patient: PatientSummary }) {
  const [entries, setEntries] = useState<FieldHistoryEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    setEntries(null);
    setError(null);
    void call('patients.history', { id: patient.id }).then((result) => {
      if (!current) return;
      if (result.ok) setEntries(result.value);
      else setError(summaryOf(result.error));
    });
    return () => {
      current = false;
    };
  }, [patient.id]);
  return (
    <div className="history" data-testid="patient-history">
      <h2>
        {patient.name} <span className="mono muted">{patient.patientNumber}</span>{' '}
        <span className="muted">{ageSex(patient)}</span>
      </h2>
      <FormAlert message={error} testId="history-error" />
      {entries === null && !error ? <p className="muted">Loading history…</p> : null}
      {entries !== null && entries.length === 0 ? <p className="muted">No history recorded.</p> : null}
      {entries !== null && entries.length > 0 ? <HistoryTable groups={groupHistory(entries)} /> : null}
    </div>
  );
}

/** Admin: every value each field of a patient's record has had, who set it and when. */
export function PatientHistoryScreen() {
  const [patient, setPatient] = useState<PatientSummary | null>(null);
  return (
    <section aria-labelledby="history-title" className="page">
      <div className="page-head">
        <h1 id="history-title">Patient history</h1>
      </div>
      <p className="lead">
        Find a patient to see every change to their record. Opening a history is audited.
      </p>
      <div className="reception-layout">
        <aside className="card reception-search" aria-label="Patient search">
          <PatientSearch autoFocus onOpen={setPatient} />
        </aside>
        <div>
          {patient ? (
            <PatientHistory patient={patient} />
          ) : (
            <div className="card reception-empty">
              <p className="muted">No patient selected.</p>
            </div>
          )}
        </div>
      </div>
    </section>
  );
}
