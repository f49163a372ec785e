import { useEffect, useState } from 'react';
import type { DoctorSchedule } from '../../../../src-shared/types';
import { call, summaryOf } from '../../api';
import { FormAlert, SelectField } from '../../components/form';
import { useApp } from '../../store';
import { LeaveDays } from './LeaveDays';
import { useDoctors, useOwnDoctorId } from './useDoctors';
import { WeeklyHoursForm } from './WeeklyHoursForm';
import '../queue/queue.css';
import './schedule.css';

function useSchedule(doctorId: string) {
  const [schedule, setSchedule] = useState<DoctorSchedule | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Bumped on every save so the weekly form starts again from what main stored.
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let live = true;
    setSchedule(null);
    setError(null);
    if (!doctorId) return;
    void call('schedule.get', { doctorId }).then((result) => {
      if (!live) return;
      if (result.ok) setSchedule(result.value);
      else setError(summaryOf(result.error));
    });
    return () => {
      live = false;
    };
  }, [doctorId]);
  const replace = (next: DoctorSchedule) => {
    setSchedule(next);
    setVersion((v) => v + 1);
  };
  return { schedule, error, version, replace };
}

export function SchedulesScreen() {
  const isDoctor = useApp((s) => s.user?.role === 'doctor');
  const { doctors, error: doctorsError } = useDoctors();
  const ownId = useOwnDoctorId(doctors);
  const [doctorId, setDoctorId] = useState('');
  const [notice, setNotice] = useState<string | null>(null);
  const { schedule, error, version, replace } = useSchedule(doctorId);
  useEffect(() => {
    if (doctorId !== '' || !doctors || doctors.length === 0) return;
    setDoctorId(ownId ?? doctors[0]?.id ?? '');
  }, [doctors, ownId, doctorId]);
  const doctor = doctors?.find((d) => d.id === doctorId);
  const options = (doctors ?? []).map((d) => ({ value: d.id, label: d.displayName }));

  const saved = (next: DoctorSchedule, message: string) => {
    replace(next);
    setNotice(message);
  };
  return (
    <section aria-labelledby="schedules-title" className="page">
      <div className="page-head">
        <h1 id="schedules-title">Schedules</h1>
      </div>
      <p className="status-line" role="status" data-testid="schedule-notice">
        {notice ?? ''}
      </p>
      <FormAlert message={doctorsError ?? error} testId="schedule-load-error" />
      {doctors !== null && doctors.length === 0 ? (
        <p className="muted">There are no active doctors yet.</p>
      ) : null}
      {options.length > 0 ? (
        <div className="toolbar">
          <SelectField
            label="Doctor"
            value={doctorId}
            options={options}
            onChange={(id) => {
              setNotice(null);
              setDoctorId(id);
            }}
          />
        </div>
      ) : null}
      {isDoctor && ownId && doctorId !== ownId ? (
        <p className="alert alert-info">You can view other doctors’ hours; only an admin can change them.</p>
      ) : null}
      {schedule && doctor ? (
        <div className="schedule-columns">
          <WeeklyHoursForm
            key={`${schedule.doctorId}-${version}`}
            schedule={schedule}
            doctorName={doctor.displayName}
            onSaved={(next) => saved(next, `Weekly hours of ${doctor.displayName} were saved.`)}
          />
          <LeaveDays schedule={schedule} doctorName={doctor.displayName} onChanged={saved} />
        </div>
      ) : null}
    </section>
  );
}
