import { useEffect, useState } from 'react';
import type { Result } from '../../../../src-shared/result';
import { addDays } from '../../../../src-shared/schedule';
import type { Appointment, PatientSummary } from '../../../../src-shared/types';
import { call, summaryOf } from '../../api';
import { FormAlert } from '../../components/form';
import { useApp } from '../../store';
import { PatientSearch } from '../queue/PatientSearch';
import { clinicToday, longDate } from '../schedule/dates';
import { useDoctors, useOwnDoctorId } from '../schedule/useDoctors';
import { type AppointmentActions, AppointmentList } from './AppointmentList';
import { BookAppointmentForm } from './BookAppointmentForm';
import { CalendarControls, type View } from './CalendarControls';
import { RescheduleForm } from './RescheduleForm';
import { useAppointments } from './useAppointments';
import './appointments.css';

type Panel =
  | { kind: 'none' }
  | { kind: 'search' }
  | { kind: 'book'; patient: PatientSummary }
  | { kind: 'reschedule'; appointment: Appointment };

function ConflictBanner({ count }: { count: number }) {
  if (count === 0) return null;
  return (
    <div className="alert alert-danger conflict-banner" role="alert" data-testid="conflict-banner">
      <strong>
        Double booking — needs attention: {count}{' '}
        {count === 1 ? 'appointment overlaps' : 'appointments overlap'} another booking for the same doctor.
      </strong>
      <p>They came from another workstation. Reschedule or cancel one of each pair.</p>
    </div>
  );
}

/** The doctor role starts on its own column once the doctor list says which one that is. */
function useDoctorChoice() {
  const { doctors } = useDoctors();
  const ownId = useOwnDoctorId(doctors);
  const [doctor, setDoctor] = useState<'all' | string>('all');
  const [touched, setTouched] = useState(false);
  useEffect(() => {
    if (!touched && ownId) setDoctor(ownId);
  }, [ownId, touched]);
  const choose = (id: string) => {
    setTouched(true);
    setDoctor(id);
  };
  return { doctors, doctor, choose };
}

function useDeskActions(reload: () => Promise<void>, setPanel: (p: Panel) => void) {
  const [notice, setNotice] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [busyId, setBusyId] = useState<string | null>(null);
  const [confirmingId, setConfirmingId] = useState<string | null>(null);

  async function run<T>(a: Appointment, go: () => Promise<Result<T>>, done: (value: T) => string) {
    setNotice(null);
    setActionError(null);
    setBusyId(a.id);
    const result = await go();
    setBusyId(null);
    setConfirmingId(null);
    if (result.ok) setNotice(done(result.value));
    else setActionError(summaryOf(result.error));
    await reload();
  }

  const actions: AppointmentActions = {
    busyId,
    confirmingId,
    onCheckIn: (a) =>
      void run(
        a,
        () => call('appointments.checkIn', { id: a.id, priority: 'routine' }),
        (visit) => `Token ${visit.token}: ${a.patientName} is checked in for ${a.doctorName}.`,
      ),
    onReschedule: (a) => {
      setConfirmingId(null);
      setPanel({ kind: 'reschedule', appointment: a });
    },
    onAskCancel: (a) => setConfirmingId(a.id),
    onConfirmCancel: (a) =>
      void run(
        a,
        () => call('appointments.cancel', { id: a.id }),
        () => `The appointment of ${a.patientName} at ${a.start} was cancelled.`,
      ),
    onKeep: () => setConfirmingId(null),
  };
  return { actions, notice, setNotice, actionError };
}

export function AppointmentsScreen() {
  const isDesk = useApp((s) => s.user?.role === 'receptionist');
  const { doctors, doctor, choose } = useDoctorChoice();
  const [view, setView] = useState<View>('day');
  const [from, setFrom] = useState(clinicToday);
  const days = view === 'day' ? 1 : 7;
  const { appointments, error, reload } = useAppointments(doctor, from, days);
  const [panel, setPanel] = useState<Panel>({ kind: 'none' });
  const desk = useDeskActions(reload, setPanel);
  const dates = Array.from({ length: days }, (_, i) => addDays(from, i));
  const conflicts = (appointments ?? []).filter((a) => a.conflict).length;

  const finish = (message: string, a: Appointment) => {
    setPanel({ kind: 'none' });
    desk.setNotice(message);
    if (!dates.includes(a.date)) setFrom(a.date);
    void reload();
  };

  return (
    <section aria-labelledby="appointments-title" className="page">
      <div className="page-head">
        <h1 id="appointments-title">Appointments</h1>
        {isDesk && panel.kind === 'none' ? (
          <button type="button" className="btn btn-primary" onClick={() => setPanel({ kind: 'search' })}>
            Book appointment
          </button>
        ) : null}
      </div>
      <ConflictBanner count={conflicts} />
      <p className="status-line" role="status" data-testid="appointments-notice">
        {desk.notice ?? ''}
      </p>
      <FormAlert message={desk.actionError} testId="appointments-action-error" />
      {panel.kind === 'search' ? (
        <PatientSearch
          title="Book an appointment"
          pickLabel="Book for"
          onPick={(patient) => setPanel({ kind: 'book', patient })}
          onCancel={() => setPanel({ kind: 'none' })}
        />
      ) : null}
      {panel.kind === 'book' ? (
        <BookAppointmentForm
          key={panel.patient.id}
          patient={panel.patient}
          initialDoctorId={doctor === 'all' ? undefined : doctor}
          onDone={(a) =>
            finish(`Booked ${a.patientName} with ${a.doctorName}, ${longDate(a.date)} at ${a.start}.`, a)
          }
          onCancel={() => setPanel({ kind: 'none' })}
        />
      ) : null}
      {panel.kind === 'reschedule' ? (
        <RescheduleForm
          key={panel.appointment.id}
          appointment={panel.appointment}
          onDone={(a) =>
            finish(`Moved ${a.patientName} to ${longDate(a.date)} at ${a.start} with ${a.doctorName}.`, a)
          }
          onCancel={() => setPanel({ kind: 'none' })}
        />
      ) : null}
      <CalendarControls
        doctors={doctors}
        doctor={doctor}
        onDoctor={choose}
        view={view}
        onView={setView}
        from={from}
        onFrom={setFrom}
      />
      <FormAlert message={error} testId="appointments-load-error" />
      {appointments === null && !error ? <p className="muted">Loading appointments…</p> : null}
      {appointments !== null ? (
        <AppointmentList
          dates={dates}
          appointments={appointments}
          showDoctor={doctor === 'all'}
          actions={isDesk ? desk.actions : null}
        />
      ) : null}
    </section>
  );
}
