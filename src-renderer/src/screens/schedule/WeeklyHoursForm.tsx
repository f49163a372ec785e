import { type FormEvent, useState } from 'react';
import {
  minutesOf,
  overlappingSessions,
  SLOT_MINUTES,
  slotStarts,
  WEEKDAY_NAMES,
} from '../../../../src-shared/schedule';
import type { DoctorSchedule, WeeklyHours } from '../../../../src-shared/types';
import { call } from '../../api';
import { type FieldErrors, FormAlert, SelectField, useFormState } from '../../components/form';

interface Row extends WeeklyHours {
  key: number;
}

// Clinics plan their week from Monday.
const WEEK_ORDER: readonly number[] = [1, 2, 3, 4, 5, 6, 0];
const SLOT_OPTIONS = SLOT_MINUTES.map((n) => ({ value: String(n), label: `${n} minutes` }));
type SlotLength = (typeof SLOT_MINUTES)[number];
const toSlotLength = (n: number): SlotLength => SLOT_MINUTES.find((m) => m === n) ?? 15;
const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;

let nextKey = 1;
const sortRows = (rows: WeeklyHours[]): Row[] =>
  [...rows]
    .sort(
      (a, b) =>
        WEEK_ORDER.indexOf(a.weekday) - WEEK_ORDER.indexOf(b.weekday) || a.start.localeCompare(b.start),
    )
    .map((h) => ({ ...h, key: nextKey++ }));

/** Checks the rows as main will, so most mistakes show beside the row before saving. */
function checkRows(rows: Row[]): FieldErrors {
  const errors: FieldErrors = {};
  rows.forEach((r, i) => {
    if (!HH_MM.test(r.start)) errors[`weekly.${i}.start`] = 'Enter the start as HH:MM';
    else if (!HH_MM.test(r.end)) errors[`weekly.${i}.end`] = 'Enter the end as HH:MM';
    else if (minutesOf(r.start) >= minutesOf(r.end)) errors[`weekly.${i}.end`] = 'Ends before it starts';
  });
  if (Object.keys(errors).length > 0) return errors;
  const clash = overlappingSessions(rows);
  if (clash !== null) errors[`weekly.${clash}`] = 'Overlaps another session on the same day';
  return errors;
}

function rowError(fields: FieldErrors, i: number): string | undefined {
  return (
    fields[`weekly.${i}`] ??
    fields[`weekly.${i}.weekday`] ??
    fields[`weekly.${i}.start`] ??
    fields[`weekly.${i}.end`]
  );
}

function WeekSummary({ rows, slotMinutes }: { rows: Row[]; slotMinutes: number }) {
  return (
    <ul className="week-summary" data-testid="week-summary">
      {WEEK_ORDER.map((day) => {
        const sessions = rows.filter((r) => r.weekday === day && HH_MM.test(r.start) && HH_MM.test(r.end));
        const slots = slotStarts(sessions, day, slotMinutes).length;
        return (
          <li key={day}>
            <strong>{WEEKDAY_NAMES[day]}</strong>{' '}
            {sessions.length === 0 ? (
              <span className="muted">closed</span>
            ) : (
              `${sessions.map((s) => `${s.start}–${s.end}`).join(', ')} · ${slots} slots`
            )}
          </li>
        );
      })}
    </ul>
  );
}

interface RowsProps {
  rows: Row[];
  fields: FieldErrors;
  update: (key: number, change: Partial<WeeklyHours>) => void;
  remove: (key: number) => void;
}

function SessionRows({ rows, fields, update, remove }: RowsProps) {
  if (rows.length === 0) return <p className="muted">No weekly hours yet: no appointments can be booked.</p>;
  return (
    <table className="table sessions-table">
      <thead>
        <tr>
          <th scope="col">Day</th>
          <th scope="col">Starts</th>
          <th scope="col">Ends</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row, i) => {
          const error = rowError(fields, i);
          const n = i + 1;
          return (
            <tr key={row.key} data-testid="session-row" className={error ? 'field-invalid' : undefined}>
              <td>
                <select
                  aria-label={`Session ${n} day`}
                  value={row.weekday}
                  onChange={(e) => update(row.key, { weekday: Number(e.target.value) })}
                >
                  {WEEK_ORDER.map((d) => (
                    <option key={d} value={d}>
                      {WEEKDAY_NAMES[d]}
                    </option>
                  ))}
                </select>
              </td>
              <td>
                <input
                  type="time"
                  aria-label={`Session ${n} starts`}
                  value={row.start}
                  onChange={(e) => update(row.key, { start: e.target.value })}
                  aria-invalid={error ? true : undefined}
                />
              </td>
              <td>
                <input
                  type="time"
                  aria-label={`Session ${n} ends`}
                  value={row.end}
                  onChange={(e) => update(row.key, { end: e.target.value })}
                  aria-invalid={error ? true : undefined}
                />
                {error ? <p className="field-error">{error}</p> : null}
              </td>
              <td>
                <button type="button" className="btn btn-small" onClick={() => remove(row.key)}>
                  Remove<span className="visually-hidden"> session {n}</span>
                </button>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

interface WeeklyHoursFormProps {
  schedule: DoctorSchedule;
  doctorName: string;
  onSaved: (schedule: DoctorSchedule) => void;
}

export function WeeklyHoursForm({ schedule, doctorName, onSaved }: WeeklyHoursFormProps) {
  const [rows, setRows] = useState<Row[]>(() => sortRows(schedule.weekly));
  const [slotMinutes, setSlotMinutes] = useState(schedule.slotMinutes);
  const form = useFormState();
  const update = (key: number, change: Partial<WeeklyHours>) =>
    setRows((rs) => rs.map((r) => (r.key === key ? { ...r, ...change } : r)));
  const remove = (key: number) => setRows((rs) => rs.filter((r) => r.key !== key));
  const add = () =>
    setRows((rs) => {
      const used = new Set(rs.map((r) => r.weekday));
      const weekday = WEEK_ORDER.find((d) => !used.has(d)) ?? 1;
      return [...rs, { key: nextKey++, weekday, start: '09:00', end: '13:00' }];
    });

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (form.busy) return;
    form.clear();
    const errors = checkRows(rows);
    if (Object.keys(errors).length > 0) {
      form.setFields(errors);
      form.setSummary('Please correct the sessions marked below.');
      return;
    }
    form.setBusy(true);
    const weekly = rows.map(({ weekday, start, end }) => ({ weekday, start, end }));
    const result = await call('schedule.set', {
      doctorId: schedule.doctorId,
      slotMinutes: toSlotLength(slotMinutes),
      weekly,
    });
    form.setBusy(false);
    if (result.ok) onSaved(result.value);
    else
      form.showError(result.error, [
        'slotMinutes',
        ...rows.flatMap((_, i) => [
          `weekly.${i}`,
          `weekly.${i}.weekday`,
          `weekly.${i}.start`,
          `weekly.${i}.end`,
        ]),
      ]);
  }

  return (
    <form
      ref={form.ref}
      className="card form-card"
      onSubmit={submit}
      noValidate
      aria-labelledby="weekly-title"
    >
      <h2 id="weekly-title">Weekly hours of {doctorName}</h2>
      <FormAlert message={form.summary} testId="weekly-error" />
      <SessionRows rows={rows} fields={form.fields} update={update} remove={remove} />
      <div className="actions">
        <button type="button" className="btn" onClick={add}>
          Add session
        </button>
      </div>
      <div className="slot-length">
        <SelectField
          label="Slot length"
          value={String(slotMinutes)}
          options={SLOT_OPTIONS}
          onChange={(v) => setSlotMinutes(Number(v))}
          error={form.fields.slotMinutes}
        />
      </div>
      <WeekSummary rows={rows} slotMinutes={slotMinutes} />
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={form.busy}>
          {form.busy ? 'Saving…' : 'Save weekly hours'}
        </button>
      </div>
    </form>
  );
}
