import { type FormEvent, useState } from 'react';
import type { DoctorSchedule } from '../../../../src-shared/types';
import { call, summaryOf } from '../../api';
import { FormAlert, TextField, useFormState } from '../../components/form';
import { DateField } from './DateField';
import { clinicToday, longDate } from './dates';

interface LeaveDaysProps {
  schedule: DoctorSchedule;
  doctorName: string;
  onChanged: (schedule: DoctorSchedule, message: string) => void;
}

export function LeaveDays({ schedule, doctorName, onChanged }: LeaveDaysProps) {
  const [date, setDate] = useState('');
  const [note, setNote] = useState('');
  const [removing, setRemoving] = useState<string | null>(null);
  const [removeError, setRemoveError] = useState<string | null>(null);
  const form = useFormState();
  const today = clinicToday();
  const leave = [...schedule.leave].sort((a, b) => a.date.localeCompare(b.date));

  async function add(event: FormEvent) {
    event.preventDefault();
    if (form.busy) return;
    form.clear();
    setRemoveError(null);
    if (date === '') {
      form.setFields({ date: 'Choose the day of leave' });
      return;
    }
    form.setBusy(true);
    const result = await call('schedule.setLeave', {
      doctorId: schedule.doctorId,
      date,
      onLeave: true,
      note: note.trim(),
    });
    form.setBusy(false);
    if (!result.ok) {
      form.showError(result.error, ['date', 'note']);
      return;
    }
    setDate('');
    setNote('');
    onChanged(result.value, `${doctorName} is on leave on ${longDate(date)}.`);
  }

  async function remove(day: string) {
    form.clear();
    setRemoveError(null);
    setRemoving(day);
    const result = await call('schedule.setLeave', {
      doctorId: schedule.doctorId,
      date: day,
      onLeave: false,
      note: '',
    });
    setRemoving(null);
    if (result.ok) onChanged(result.value, `Leave on ${longDate(day)} was removed.`);
    else setRemoveError(summaryOf(result.error));
  }

  return (
    <section className="card form-card" aria-labelledby="leave-title">
      <h2 id="leave-title">Leave days of {doctorName}</h2>
      <FormAlert message={removeError} testId="leave-remove-error" />
      {leave.length === 0 ? (
        <p className="muted">No leave days.</p>
      ) : (
        <ul className="pick-list" aria-label="Leave days">
          {leave.map((l) => (
            <li key={l.date} data-testid="leave-day" className={l.date < today ? 'muted' : undefined}>
              <span>
                <strong>{longDate(l.date)}</strong>
                {l.note ? <span className="muted"> — {l.note}</span> : null}
              </span>
              <button
                type="button"
                className="btn btn-small"
                disabled={removing === l.date}
                onClick={() => void remove(l.date)}
              >
                Remove<span className="visually-hidden"> leave on {longDate(l.date)}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <form ref={form.ref} onSubmit={add} noValidate aria-label="Add a leave day">
        <FormAlert message={form.summary} testId="leave-error" />
        <div className="grid-2">
          <DateField label="Leave date" value={date} onChange={setDate} error={form.fields.date} />
          <TextField
            label="Note"
            value={note}
            onChange={setNote}
            error={form.fields.note}
            hint="Optional, e.g. conference."
          />
        </div>
        <div className="actions">
          <button type="submit" className="btn" disabled={form.busy}>
            {form.busy ? 'Adding…' : 'Add leave day'}
          </button>
        </div>
      </form>
    </section>
  );
}
