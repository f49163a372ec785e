import type { PatientSummary } from '../../../src-shared/types';

export const SEX_LABELS: Record<PatientSummary['sex'], string> = {
  female: 'Female',
  male: 'Male',
  other: 'Other',
  unknown: 'Unknown',
};

const SEX_SHORT: Record<PatientSummary['sex'], string> = { female: 'F', male: 'M', other: 'O', unknown: '?' };

/** "34 F", or "~40 M" when the age is an estimate. */
export function ageSex(p: Pick<PatientSummary, 'ageYears' | 'ageEstimated' | 'sex'>): string {
  return `${p.ageEstimated ? '~' : ''}${p.ageYears} ${SEX_SHORT[p.sex]}`;
}

/** A calendar day 'YYYY-MM-DD' as "12 Mar 2024", read without any time zone shift. */
export function formatDay(iso: string): string {
  const date = new Date(`${iso}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleDateString('en-IN', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone: 'UTC',
  });
}

export function formatTime(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime())
    ? ''
    : date.toLocaleString('en-IN', { dateStyle: 'medium', timeStyle: 'short' });
}

export function lastVisitText(lastVisit: string | null): string {
  return lastVisit ? `Last visit ${formatDay(lastVisit)}` : 'No visits';
}
