import { todayIso } from '../../../../src-shared/patient';
import { addDays, minutesNow, WEEKDAY_NAMES, weekdayOf } from '../../../../src-shared/schedule';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/** Today in the clinic's zone, from this workstation's clock (the same rule main uses). */
export function clinicToday(): string {
  return todayIso(Date.now());
}

export function clinicTomorrow(): string {
  return addDays(clinicToday(), 1);
}

/** Minutes since midnight on the clinic clock, to grey out slots already past. */
export function minutesToday(): number {
  return minutesNow(Date.now());
}

/** 'Monday 12 May 2025', built by hand so the label does not depend on the zone or locale. */
export function longDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return `${WEEKDAY_NAMES[weekdayOf(date)]} ${d} ${MONTHS[m - 1] ?? ''} ${y}`;
}

/** Only the dates this form can send: 'YYYY-MM-DD'. */
export function isIsoDate(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value);
}
