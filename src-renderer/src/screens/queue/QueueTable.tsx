import type { VisitStatus, VisitSummary } from '../../../../src-shared/types';
import { ageSex, PRIORITY_LABELS, VISIT_STATUS_LABELS, waitingLabel } from './labels';

/** What reception may do next with a visit in each status. */
const NEXT_STEPS: Record<VisitStatus, readonly { to: VisitStatus; label: string }[]> = {
  waiting: [
    { to: 'with-doctor', label: 'Send in' },
    { to: 'left', label: 'Left without being seen' },
    { to: 'cancelled', label: 'Cancel' },
  ],
  'with-doctor': [
    { to: 'done', label: 'Done' },
    { to: 'waiting', label: 'Back to waiting' },
  ],
  done: [],
  left: [],
  cancelled: [],
};

const FINISHED: readonly VisitStatus[] = ['done', 'left', 'cancelled'];

interface RowProps {
  visit: VisitSummary;
  busy: boolean;
  showDoctor: boolean;
  onStatus: (visit: VisitSummary, status: VisitStatus) => void;
}

function QueueRow({ visit, busy, showDoctor, onStatus }: RowProps) {
  const finished = FINISHED.includes(visit.status);
  return (
    <tr
      data-testid={`queue-row-${visit.token}`}
      className={`${finished ? 'row-inactive' : ''} ${visit.priority === 'emergency' ? 'row-emergency' : ''}`}
    >
      <td className="token-cell">
        <span className="token">{visit.token}</span>
      </td>
      <td>
        <strong>{visit.patientName}</strong>
        <div className="small">
          <span className="mono">{visit.patientNumber}</span>
          {visit.appointmentId ? <span className="muted"> · by appointment</span> : null}
        </div>
      </td>
      <td>{ageSex(visit.ageYears, visit.sex)}</td>
      <td className="reason-cell">{visit.reason || <span className="muted">—</span>}</td>
      {showDoctor ? <td>{visit.doctorName ?? <span className="muted">Next available</span>}</td> : null}
      <td>
        <span className={`priority priority-${visit.priority}`}>{PRIORITY_LABELS[visit.priority]}</span>
      </td>
      <td data-testid="queue-wait">{waitingLabel(visit.waitingMinutes)}</td>
      <td>
        <span className={`visit-status visit-status-${visit.status}`}>
          {VISIT_STATUS_LABELS[visit.status]}
        </span>
      </td>
      <td className="row-actions">
        {NEXT_STEPS[visit.status].map((step) => (
          <button
            key={step.to}
            type="button"
            className={step.to === 'with-doctor' ? 'btn btn-small btn-primary' : 'btn btn-small'}
            disabled={busy}
            onClick={() => onStatus(visit, step.to)}
          >
            {step.label}
            <span className="visually-hidden"> — token {visit.token}</span>
          </button>
        ))}
      </td>
    </tr>
  );
}

interface QueueTableProps {
  visits: VisitSummary[];
  busyId: string | null;
  showDoctor: boolean;
  onStatus: RowProps['onStatus'];
}

export function QueueTable({ visits, busyId, showDoctor, onStatus }: QueueTableProps) {
  return (
    <div className="card table-card">
      <table className="table queue-table" aria-labelledby="queue-title">
        <thead>
          <tr>
            <th scope="col">Token</th>
            <th scope="col">Patient</th>
            <th scope="col">Age / sex</th>
            <th scope="col">Reason</th>
            {showDoctor ? <th scope="col">Doctor</th> : null}
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
            <QueueRow
              key={visit.id}
              visit={visit}
              busy={busyId === visit.id}
              showDoctor={showDoctor}
              onStatus={onStatus}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}
