import type { AppointmentStatus, PatientSummary, Priority, VisitStatus } from '../../../../src-shared/types';

export const PRIORITY_LABELS: Record<Priority, string> = {
  emergency: 'Emergency',
  urgent: 'Urgent',
  routine: 'Routine',
};

export const VISIT_STATUS_LABELS: Record<VisitStatus, string> = {
  waiting: 'Waiting',
  'with-doctor': 'With doctor',
  done: 'Done',
  left: 'Left without being seen',
  cancelled: 'Cancelled',
};

export const APPOINTMENT_STATUS_LABELS: Record<AppointmentStatus, string> = {
  booked: 'Booked',
  'checked-in': 'Checked in',
  cancelled: 'Cancelled',
};

const SEX_SHORT: Record<PatientSummary['sex'], string> = {
  female: 'F',
  male: 'M',
  other: 'Other',
  unknown: 'Sex not recorded',
};

/** '34 y · F', the way a token slip shows it. */
export function ageSex(ageYears: number, sex: PatientSummary['sex']): string {
  return `${ageYears} y · ${SEX_SHORT[sex]}`;
}

export function waitingLabel(minutes: number): string {
  if (minutes < 60) return `${minutes} min`;
  const rest = minutes % 60;
  return rest === 0 ? `${minutes / 60} h` : `${Math.floor(minutes / 60)} h ${rest} min`;
}
