import type { Appointment } from '../../../../src-shared/types';
import { APPOINTMENT_STATUS_LABELS } from '../queue/labels';
import { clinicToday, longDate } from '../schedule/dates';

export interface AppointmentActions {
  busyId: string | null;
  confirmingId: string | null;
  onCheckIn: (a: Appointment) => void;
  onReschedule: (a: Appointment) => void;
  onAskCancel: (a: Appointment) => void;
  onConfirmCancel: (a: Appointment) => void;
  onKeep: () => void;
}

function RowActions({ a, actions }: { a: Appointment; actions: AppointmentActions }) {
  const busy = actions.busyId === a.id;
  const who = <span className="visually-hidden"> {`${a.patientName} at ${a.start}`}</span>;
  if (actions.confirmingId === a.id) {
    return (
      <fieldset className="row-actions confirm">
        <legend className="visually-hidden">Confirm cancellation</legend>
        <span>Cancel this appointment?</span>
        <button
          type="button"
          className="btn btn-small btn-danger"
          disabled={busy}
          onClick={() => actions.onConfirmCancel(a)}
        >
          Yes, cancel it{who}
        </button>
        <button type="button" className="btn btn-small" onClick={actions.onKeep}>
          Keep it
        </button>
      </fieldset>
    );
  }
  return (
    <div className="row-actions">
      {/* Main checks in only on the appointment's own day. */}
      {a.date === clinicToday() ? (
        <button
          type="button"
          className="btn btn-small btn-primary"
          disabled={busy}
          onClick={() => actions.onCheckIn(a)}
        >
          Check in{who}
        </button>
      ) : null}
      <button type="button" className="btn btn-small" disabled={busy} onClick={() => actions.onReschedule(a)}>
        Reschedule{who}
      </button>
      <button type="button" className="btn btn-small" disabled={busy} onClick={() => actions.onAskCancel(a)}>
        Cancel{who}
      </button>
    </div>
  );
}

interface RowProps {
  a: Appointment;
  showDoctor: boolean;
  actions: AppointmentActions | null;
}

function AppointmentRow({ a, showDoctor, actions }: RowProps) {
  const classes = ['appt', `appt-${a.status}`, a.conflict ? 'appt-conflict' : ''].join(' ');
  return (
    <li className={classes} data-testid="appointment" data-status={a.status}>
      <div className="appt-time mono">
        {a.start}–{a.end}
      </div>
      <div className="appt-main">
        {a.conflict ? (
          <p className="conflict-flag" data-testid="conflict-flag">
            Double booking — needs attention
          </p>
        ) : null}
        <div>
          <strong>{a.patientName}</strong> <span className="mono small">{a.patientNumber}</span>
          {showDoctor ? <span className="muted"> · {a.doctorName}</span> : null}
        </div>
        {a.reason ? <div className="appt-reason">{a.reason}</div> : null}
      </div>
      <span className={`appt-status appt-status-${a.status}`}>{APPOINTMENT_STATUS_LABELS[a.status]}</span>
      {actions && a.status === 'booked' ? <RowActions a={a} actions={actions} /> : <span />}
    </li>
  );
}

interface AppointmentListProps {
  dates: readonly string[];
  appointments: readonly Appointment[];
  showDoctor: boolean;
  /** Null: read-only (doctors see their day but reception runs the desk). */
  actions: AppointmentActions | null;
}

export function AppointmentList({ dates, appointments, showDoctor, actions }: AppointmentListProps) {
  return (
    <div className="appt-days">
      {dates.map((date) => {
        const today = appointments
          .filter((a) => a.date === date)
          .sort((x, y) => x.start.localeCompare(y.start) || x.doctorName.localeCompare(y.doctorName));
        return (
          <section
            key={date}
            className="card appt-day"
            aria-label={longDate(date)}
            data-testid={`day-${date}`}
          >
            <h2 className="appt-day-title">
              {longDate(date)}
              {date === clinicToday() ? <span className="today-tag">Today</span> : null}
            </h2>
            {today.length === 0 ? (
              <p className="muted">No appointments.</p>
            ) : (
              <ul className="appt-list">
                {today.map((a) => (
                  <AppointmentRow key={a.id} a={a} showDoctor={showDoctor} actions={actions} />
                ))}
              </ul>
            )}
          </section>
        );
      })}
    </div>
  );
}
