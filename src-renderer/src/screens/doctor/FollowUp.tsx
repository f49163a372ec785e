import { useState } from 'react';
import { minutesOf } from '../../../../src-shared/schedule';
import { call, summaryOf } from '../../api';
import { TextField } from '../../components/form';
import { clinicToday, isIsoDate, longDate, minutesToday } from '../schedule/dates';

interface FollowUpProps {
  value: string;
  onChange: (date: string) => void;
  error?: string | undefined;
  patientId: string;
  doctorId: string | null;
  disabled: boolean;
}

/** The follow-up date, and booking it on the doctor's first free slot that day. */
export function FollowUp({ value, onChange, error, patientId, doctorId, disabled }: FollowUpProps) {
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  async function book() {
    if (!doctorId || !isIsoDate(value)) return;
    setBusy(true);
    setNotice(null);
    setFailure(null);
    const day = await call('appointments.slots', { doctorId, date: value });
    if (!day.ok) {
      setBusy(false);
      setFailure(summaryOf(day.error));
      return;
    }
    const today = clinicToday();
    const slot = day.value.slots.find(
      (s) => s.free && (value > today || (value === today && minutesOf(s.start) >= minutesToday())),
    );
    if (day.value.onLeave || !slot) {
      setBusy(false);
      setFailure(
        day.value.onLeave
          ? 'You are on leave that day.'
          : `No free slot on ${longDate(value)}; choose another day.`,
      );
      return;
    }
    const booked = await call('appointments.book', {
      doctorId,
      patientId,
      date: value,
      start: slot.start,
      reason: 'Follow-up',
    });
    setBusy(false);
    if (booked.ok) setNotice(`Follow-up booked: ${longDate(booked.value.date)} at ${booked.value.start}.`);
    else setFailure(summaryOf(booked.error));
  }

  return (
    <div className="follow-up">
      <TextField label="Follow-up date" type="date" value={value} onChange={onChange} error={error} />
      <button
        type="button"
        className="btn"
        onClick={() => void book()}
        disabled={disabled || busy || !doctorId || !isIsoDate(value)}
      >
        {busy ? 'Booking…' : 'Book follow-up'}
      </button>
      <p className="status-line" role="status" data-testid="follow-up-notice">
        {notice ?? ''}
      </p>
      {failure ? (
        <p role="alert" className="field-error" data-testid="follow-up-error">
          {failure}
        </p>
      ) : null}
    </div>
  );
}
