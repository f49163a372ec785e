import { addDays } from '../../../../src-shared/schedule';
import type { DoctorOption } from '../../../../src-shared/types';
import { SelectField } from '../../components/form';
import { DateField } from '../schedule/DateField';
import { clinicToday, isIsoDate } from '../schedule/dates';

export type View = 'day' | 'week';

interface CalendarControlsProps {
  doctors: readonly DoctorOption[] | null;
  doctor: 'all' | string;
  onDoctor: (id: string) => void;
  view: View;
  onView: (view: View) => void;
  from: string;
  onFrom: (date: string) => void;
}

/** Which doctor, day or week, and which dates: the appointment screen's toolbar. */
export function CalendarControls({
  doctors,
  doctor,
  onDoctor,
  view,
  onView,
  from,
  onFrom,
}: CalendarControlsProps) {
  const step = view === 'day' ? 1 : 7;
  const options = [
    { value: 'all', label: 'All doctors' },
    ...(doctors ?? []).map((d) => ({ value: d.id, label: d.displayName })),
  ];
  const move = (days: number) => {
    if (isIsoDate(from)) onFrom(addDays(from, days));
  };
  return (
    <div className="toolbar calendar-controls">
      <SelectField label="Doctor" value={doctor} options={options} onChange={onDoctor} />
      <fieldset className="segmented">
        <legend className="visually-hidden">View</legend>
        {(['day', 'week'] as const).map((v) => (
          <button key={v} type="button" className="btn" aria-pressed={view === v} onClick={() => onView(v)}>
            {v === 'day' ? 'Day' : 'Week'}
          </button>
        ))}
      </fieldset>
      <DateField
        label={view === 'day' ? 'Date' : 'Week from'}
        value={from}
        onChange={onFrom}
        testId="calendar-from"
      />
      <fieldset className="segmented">
        <legend className="visually-hidden">Move through the calendar</legend>
        <button type="button" className="btn" onClick={() => move(-step)}>
          {view === 'day' ? 'Previous day' : 'Previous week'}
        </button>
        <button type="button" className="btn" onClick={() => onFrom(clinicToday())}>
          Today
        </button>
        <button type="button" className="btn" onClick={() => move(step)}>
          {view === 'day' ? 'Next day' : 'Next week'}
        </button>
      </fieldset>
    </div>
  );
}
