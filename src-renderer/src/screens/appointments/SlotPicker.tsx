import { useEffect, useId, useState } from 'react';
import { minutesOf, WEEKDAY_NAMES, weekdayOf } from '../../../../src-shared/schedule';
import type { DaySlots, Slot } from '../../../../src-shared/types';
import { call, summaryOf } from '../../api';
import { clinicToday, isIsoDate, longDate, minutesToday } from '../schedule/dates';
import '../queue/queue.css';

interface SlotPickerProps {
  doctorId: string;
  date: string;
  value: string | null;
  onChange: (start: string | null) => void;
  error?: string | undefined;
  /** Bump to load the slots again, e.g. after main refused a slot someone else just took. */
  refreshKey?: number;
}

function useDaySlots(doctorId: string, date: string, refreshKey: number) {
  const [day, setDay] = useState<DaySlots | null>(null);
  const [error, setError] = useState<string | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: refreshKey is only a trigger to load again
  useEffect(() => {
    let live = true;
    setDay(null);
    setError(null);
    if (!doctorId || !isIsoDate(date)) return;
    void call('appointments.slots', { doctorId, date }).then((result) => {
      if (!live) return;
      if (result.ok) setDay(result.value);
      else setError(summaryOf(result.error));
    });
    return () => {
      live = false;
    };
  }, [doctorId, date, refreshKey]);
  return { day, error };
}

function slotState(slot: Slot, date: string): 'free' | 'taken' | 'past' {
  if (!slot.free) return 'taken';
  if (date < clinicToday()) return 'past';
  if (date === clinicToday() && minutesOf(slot.start) < minutesToday()) return 'past';
  return 'free';
}

function Notice({ text }: { text: string }) {
  return (
    <p className="muted slot-notice" data-testid="slot-notice">
      {text}
    </p>
  );
}

function SlotBody({ day, date, value, onChange }: { day: DaySlots } & Omit<SlotPickerProps, 'doctorId'>) {
  if (day.onLeave) {
    return (
      <p className="alert alert-warning" data-testid="slot-notice">
        The doctor is on leave on {longDate(date)}. Choose another day or doctor.
      </p>
    );
  }
  if (day.slots.length === 0) {
    return <Notice text={`The doctor has no hours on ${WEEKDAY_NAMES[weekdayOf(date)]}s.`} />;
  }
  return (
    <div className="slot-grid">
      {day.slots.map((slot) => {
        const state = slotState(slot, date);
        return (
          <button
            key={slot.start}
            type="button"
            className={`slot slot-${state}`}
            aria-pressed={value === slot.start}
            disabled={state !== 'free'}
            onClick={() => onChange(value === slot.start ? null : slot.start)}
          >
            {slot.start}
            {state === 'free' ? null : <span className="slot-tag"> {state}</span>}
          </button>
        );
      })}
    </div>
  );
}

/** The day's slots as buttons: free ones choosable, taken and past ones shown but disabled. */
export function SlotPicker({ doctorId, date, value, onChange, error, refreshKey = 0 }: SlotPickerProps) {
  const { day, error: loadError } = useDaySlots(doctorId, date, refreshKey);
  const errorId = useId();
  let body = <Notice text="Loading slots…" />;
  if (!doctorId) body = <Notice text="Choose a doctor to see the slots." />;
  else if (!isIsoDate(date)) body = <Notice text="Choose a date to see the slots." />;
  else if (loadError) body = <p className="field-error">{loadError}</p>;
  else if (day) body = <SlotBody day={day} date={date} value={value} onChange={onChange} />;
  return (
    <fieldset
      className={error ? 'choice-group field-invalid' : 'choice-group'}
      aria-describedby={error ? errorId : undefined}
      data-testid="slot-picker"
    >
      <legend>Time</legend>
      {body}
      {error ? (
        <p id={errorId} className="field-error" role="alert" data-testid="slot-error">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}
