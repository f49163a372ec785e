import { useEffect, useState } from 'react';
import { CHANNEL_NAMES } from '../../../../src-shared/channels';
import type { PatientSummary, StaffSummary } from '../../../../src-shared/types';
import { call, summaryOf } from '../../api';
import { type FieldErrors, SelectField, TextField } from '../../components/form';

export interface AuditFilterValues {
  userId: string | null;
  patient: { id: string; patientNumber: string } | null;
  action: string | null;
  from: string;
  to: string;
}

export const NO_FILTERS: AuditFilterValues = { userId: null, patient: null, action: null, from: '', to: '' };

const ANY = '';
const ACTIONS = [...new Set(['auth.login', 'auth.logout', 'auth.unlock', ...CHANNEL_NAMES])].sort();

function useStaff(): StaffSummary[] {
  const [staff, setStaff] = useState<StaffSummary[]>([]);
  useEffect(() => {
    void call('staff.list', { includeInactive: true }).then((r) => {
      if (r.ok) setStaff(r.value);
    });
  }, []);
  return staff;
}

/** Finds a patient by their printed number; the trail itself holds only the patient's id. */
function PatientPicker({
  value,
  onChange,
}: {
  value: AuditFilterValues['patient'];
  onChange: (p: AuditFilterValues['patient']) => void;
}) {
  const [number, setNumber] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  async function find() {
    setMessage(null);
    const wanted = number.trim().toUpperCase();
    if (wanted.length < 2) {
      setMessage('Type the patient number.');
      return;
    }
    const r = await call('patients.search', { query: wanted });
    if (!r.ok) {
      setMessage(summaryOf(r.error));
      return;
    }
    const match = r.value.find((p: PatientSummary) => p.patientNumber.toUpperCase() === wanted);
    if (match) onChange({ id: match.id, patientNumber: match.patientNumber });
    else setMessage(`No patient has the number ${wanted}.`);
  }
  if (value) {
    return (
      <div className="field">
        <span className="field-label">Patient</span>
        <p>
          <span className="mono" data-testid="audit-patient">
            {value.patientNumber}
          </span>{' '}
          <button type="button" className="btn btn-quiet btn-small" onClick={() => onChange(null)}>
            Clear
          </button>
        </p>
      </div>
    );
  }
  return (
    <div>
      <TextField
        label="Patient number"
        value={number}
        onChange={setNumber}
        error={message ?? undefined}
        testId="audit-patient-number"
      />
      <button type="button" className="btn btn-small" onClick={() => void find()}>
        Find patient
      </button>
    </div>
  );
}

export function AuditFilters({
  initial,
  errors,
  onApply,
}: {
  initial: AuditFilterValues;
  errors: FieldErrors;
  onApply: (f: AuditFilterValues) => void;
}) {
  const staff = useStaff();
  const [f, setF] = useState(initial);
  const set = (patch: Partial<AuditFilterValues>) => setF((old) => ({ ...old, ...patch }));
  return (
    <form
      className="card form-card audit-filters"
      aria-label="Audit filters"
      onSubmit={(e) => {
        e.preventDefault();
        onApply(f);
      }}
    >
      <div className="grid-2">
        <SelectField
          label="User"
          value={f.userId ?? ANY}
          options={[
            { value: ANY, label: 'All users' },
            ...staff.map((s) => ({ value: s.id, label: `${s.displayName} (${s.username})` })),
          ]}
          onChange={(v) => set({ userId: v === ANY ? null : v })}
          error={errors.userId}
        />
        <SelectField
          label="Action"
          value={f.action ?? ANY}
          options={[{ value: ANY, label: 'All actions' }, ...ACTIONS.map((a) => ({ value: a, label: a }))]}
          onChange={(v) => set({ action: v === ANY ? null : v })}
          error={errors.action}
        />
        <TextField
          label="From"
          type="date"
          value={f.from}
          onChange={(v) => set({ from: v })}
          error={errors.from}
          testId="audit-from"
        />
        <TextField
          label="To"
          type="date"
          value={f.to}
          onChange={(v) => set({ to: v })}
          error={errors.to}
          testId="audit-to"
        />
        <PatientPicker value={f.patient} onChange={(patient) => set({ patient })} />
      </div>
      <div className="actions">
        <button type="submit" className="btn btn-primary">
          Apply filters
        </button>
        <button
          type="button"
          className="btn btn-quiet"
          onClick={() => {
            setF(NO_FILTERS);
            onApply(NO_FILTERS);
          }}
        >
          Clear filters
        </button>
      </div>
    </form>
  );
}
