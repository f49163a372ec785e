import { useState } from 'react';
import type { PatientSummary, QueueCount, VisitStatus, VisitSummary } from '../../../../src-shared/types';
import { call, summaryOf } from '../../api';
import { FormAlert, SelectField } from '../../components/form';
import { useDoctors } from '../schedule/useDoctors';
import { CheckInForm } from './CheckInForm';
import { VISIT_STATUS_LABELS } from './labels';
import { PatientSearch } from './PatientSearch';
import { QueueTable } from './QueueTable';
import { type QueueFilter, useQueue } from './useQueue';
import './queue.css';

type Panel = { kind: 'none' } | { kind: 'search' } | { kind: 'check-in'; patient: PatientSummary };

function QueueCounts({ counts }: { counts: QueueCount[] }) {
  if (counts.length === 0) return null;
  return (
    <ul className="queue-counts" aria-label="Patients per doctor" data-testid="queue-counts">
      {counts.map((count) => (
        <li key={count.doctorId ?? 'unassigned'} className="card queue-count" data-testid="queue-count">
          <span className="queue-count-name">{count.doctorName}</span>
          <span>
            <strong data-testid="count-waiting">{count.waiting}</strong> waiting
          </span>
          <span>
            <strong data-testid="count-with-doctor">{count.withDoctor}</strong> with doctor
          </span>
        </li>
      ))}
    </ul>
  );
}

function CheckInPanel({
  panel,
  setPanel,
  onCheckedIn,
}: {
  panel: Panel;
  setPanel: (panel: Panel) => void;
  onCheckedIn: (visit: VisitSummary) => void;
}) {
  if (panel.kind === 'search') {
    return (
      <PatientSearch
        title="Check in a patient"
        pickLabel="Check in"
        onPick={(patient) => setPanel({ kind: 'check-in', patient })}
        onCancel={() => setPanel({ kind: 'none' })}
      />
    );
  }
  if (panel.kind === 'check-in') {
    return (
      <CheckInForm
        key={panel.patient.id}
        patient={panel.patient}
        onDone={onCheckedIn}
        onCancel={() => setPanel({ kind: 'none' })}
      />
    );
  }
  return null;
}

function useQueueScreen() {
  const [filter, setFilter] = useState<QueueFilter>('all');
  const [showFinished, setShowFinished] = useState(false);
  const queue = useQueue(filter, showFinished);
  const [panel, setPanel] = useState<Panel>({ kind: 'none' });
  const [notice, setNotice] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [busyId, setBusyId] = useState<string | null>(null);

  const onCheckedIn = (visit: VisitSummary) => {
    setPanel({ kind: 'none' });
    const doctor = visit.doctorName ?? 'the next available doctor';
    setNotice(`Token ${visit.token}: ${visit.patientName} is checked in for ${doctor}.`);
    void queue.reload();
  };
  const onStatus = async (visit: VisitSummary, status: VisitStatus) => {
    setNotice(null);
    setActionError(null);
    setBusyId(visit.id);
    const result = await call('visits.setStatus', { id: visit.id, status });
    setBusyId(null);
    if (result.ok) setNotice(`Token ${visit.token} (${visit.patientName}): ${VISIT_STATUS_LABELS[status]}.`);
    else setActionError(summaryOf(result.error));
    void queue.reload();
  };
  return {
    filter,
    setFilter,
    showFinished,
    setShowFinished,
    queue,
    panel,
    setPanel,
    notice,
    actionError,
    busyId,
    onCheckedIn,
    onStatus,
  };
}

export function QueueScreen() {
  const s = useQueueScreen();
  const { doctors } = useDoctors();
  const filterOptions = [
    { value: 'all', label: 'All doctors' },
    { value: 'unassigned', label: 'Unassigned (next available)' },
    ...(doctors ?? []).map((d) => ({ value: d.id, label: d.displayName })),
  ];
  const { view, error } = s.queue;
  return (
    <section aria-labelledby="queue-title" className="page">
      <div className="page-head">
        <h1 id="queue-title">Queue</h1>
        {s.panel.kind === 'none' ? (
          <button type="button" className="btn btn-primary" onClick={() => s.setPanel({ kind: 'search' })}>
            Check in a patient
          </button>
        ) : null}
      </div>
      <p className="status-line" role="status" data-testid="queue-notice">
        {s.notice ?? ''}
      </p>
      <FormAlert message={s.actionError} testId="queue-action-error" />
      <CheckInPanel panel={s.panel} setPanel={s.setPanel} onCheckedIn={s.onCheckedIn} />
      {view ? <QueueCounts counts={view.counts} /> : null}
      <div className="toolbar">
        <SelectField label="Queue for" value={s.filter} options={filterOptions} onChange={s.setFilter} />
        <label className="check">
          <input
            type="checkbox"
            checked={s.showFinished}
            onChange={(event) => s.setShowFinished(event.target.checked)}
          />
          Show finished
        </label>
      </div>
      <FormAlert message={error} testId="queue-load-error" />
      {view === null && !error ? <p className="muted">Loading the queue…</p> : null}
      {view !== null && view.visits.length === 0 ? (
        <p className="muted" data-testid="queue-empty">
          No one in this queue today.
        </p>
      ) : null}
      {view !== null && view.visits.length > 0 ? (
        <QueueTable
          visits={view.visits}
          busyId={s.busyId}
          showDoctor={s.filter === 'all'}
          onStatus={(visit, status) => void s.onStatus(visit, status)}
        />
      ) : null}
    </section>
  );
}
