import { useState } from 'react';
import type { QueueView, VisitSummary } from '../../../../src-shared/types';
import { call, summaryOf } from '../../api';
import { FormAlert } from '../../components/form';
import { ageSex, PRIORITY_LABELS, VISIT_STATUS_LABELS, waitingLabel } from '../queue/labels';
import { askNotificationPermissionOnce } from './notify';

interface DoctorQueueProps {
  view: QueueView | null;
  error: string | null;
  onOpen: (visit: VisitSummary) => void;
  reload: () => Promise<void>;
}

/** Own and unassigned patients today: call the next one, or open any of them. */
export function DoctorQueue({ view, error, onOpen, reload }: DoctorQueueProps) {
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);

  async function callNext() {
    askNotificationPermissionOnce();
    setBusy(true);
    setNotice(null);
    setActionError(null);
    const result = await call('visits.callNext', {});
    setBusy(false);
    if (!result.ok) setActionError(summaryOf(result.error));
    else if (result.value === null) setNotice('No one is waiting for you.');
    else onOpen(result.value);
    void reload();
  }

  async function open(visit: VisitSummary) {
    askNotificationPermissionOnce();
    setActionError(null);
    if (visit.status === 'waiting') {
      setBusy(true);
      const result = await call('visits.setStatus', { id: visit.id, status: 'with-doctor' });
      setBusy(false);
      if (!result.ok) {
        setActionError(summaryOf(result.error));
        return;
      }
      onOpen(result.value);
      return;
    }
    onOpen(visit);
  }

  const visits = view?.visits ?? [];
  return (
    <section aria-labelledby="doctor-queue-title" className="page">
      <div className="page-head">
        <h1 id="doctor-queue-title">My queue</h1>
        <button type="button" className="btn btn-primary" onClick={() => void callNext()} disabled={busy}>
          Call next
        </button>
      </div>
      <p className="status-line" role="status" data-testid="doctor-queue-notice">
        {notice ?? ''}
      </p>
      <FormAlert message={actionError ?? error} testId="doctor-queue-error" />
      {view === null && !error ? <p className="muted">Loading the queue…</p> : null}
      {view !== null && visits.length === 0 ? (
        <p className="muted" data-testid="doctor-queue-empty">
          No one is waiting for you today.
        </p>
      ) : null}
      {visits.length > 0 ? (
        <div className="card table-card">
          <table className="table queue-table" aria-labelledby="doctor-queue-title">
            <thead>
              <tr>
                <th scope="col">Token</th>
                <th scope="col">Patient</th>
                <th scope="col">Age / sex</th>
                <th scope="col">Reason</th>
                <th scope="col">Priority</th>
                <th scope="col">Waiting</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {visits.map((visit) => (
                <tr
                  key={visit.id}
                  data-testid={`doctor-queue-row-${visit.token}`}
                  className={visit.priority === 'emergency' ? 'row-emergency' : ''}
                >
                  <td className="token-cell">
                    <span className="token">{visit.token}</span>
                  </td>
                  <td>
                    <strong>{visit.patientName}</strong>
                    <div className="small">
                      <span className="mono">{visit.patientNumber}</span>
                      {visit.doctorId === null ? <span className="muted"> · unassigned</span> : null}
                    </div>
                  </td>
                  <td>{ageSex(visit.ageYears, visit.sex)}</td>
                  <td className="reason-cell">{visit.reason || <span className="muted">—</span>}</td>
                  <td>
                    <span className={`priority priority-${visit.priority}`}>
                      {PRIORITY_LABELS[visit.priority]}
                    </span>
                  </td>
                  <td>{waitingLabel(visit.waitingMinutes)}</td>
                  <td>
                    <span className={`visit-status visit-status-${visit.status}`}>
                      {VISIT_STATUS_LABELS[visit.status]}
                    </span>
                  </td>
                  <td className="row-actions">
                    <button
                      type="button"
                      className="btn btn-small"
                      disabled={busy}
                      onClick={() => void open(visit)}
                    >
                      Open<span className="visually-hidden"> — token {visit.token}</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
