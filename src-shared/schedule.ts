import { z } from 'zod';
import type { WeeklyHours } from './types.js';

/**
 * Times of day in the clinic's zone as 'HH:MM', and the pure rules of a doctor's week:
 * shared by main (which enforces them) and the renderer (which draws the day and week).
 */

const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;

export function minutesOf(time: string): number {
  const m = HH_MM.exec(time);
  if (!m) throw new RangeError('Time must be HH:MM');
  return Number(m[1]) * 60 + Number(m[2]);
}

export function timeOf(minutes: number): string {
  if (!Number.isInteger(minutes) || minutes < 0 || minutes > 24 * 60) throw new RangeError('Minutes out of range');
  const h = Math.floor(minutes / 60);
  return `${String(h).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

export const timeInput = z
  .string({ error: 'Expected a time' })
  .max(5, { error: 'Enter the time as HH:MM' })
  .regex(HH_MM, { error: 'Enter the time as HH:MM (24-hour)' });

/** 0 = Sunday … 6 = Saturday, for a 'YYYY-MM-DD' calendar date (no zone involved). */
export function weekdayOf(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}

/** The calendar date `days` after `date`. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

export const SLOT_MINUTES = [5, 10, 15, 20, 30, 45, 60] as const;
export const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;

export const weeklyHoursInput = z
  .strictObject({
    weekday: z
      .number({ error: 'Expected a weekday number' })
      .int({ error: 'Expected a weekday number' })
      .min(0, { error: 'Weekday is 0 (Sunday) to 6 (Saturday)' })
      .max(6, { error: 'Weekday is 0 (Sunday) to 6 (Saturday)' }),
    start: timeInput,
    end: timeInput,
  })
  // Runs even when a time above failed its own check: compare only well-formed times.
  .refine((h) => !HH_MM.test(h.start) || !HH_MM.test(h.end) || minutesOf(h.start) < minutesOf(h.end), {
    error: 'Ends before it starts',
    path: ['end'],
  });

/** Sessions of one weekday must not overlap (a morning and an evening session is fine). */
export function overlappingSessions(weekly: readonly WeeklyHours[]): number | null {
  for (let i = 0; i < weekly.length; i++) {
    for (let j = 0; j < i; j++) {
      const a = weekly[i] as WeeklyHours;
      const b = weekly[j] as WeeklyHours;
      if (a.weekday !== b.weekday) continue;
      if (minutesOf(a.start) < minutesOf(b.end) && minutesOf(b.start) < minutesOf(a.end)) return i;
    }
  }
  return null;
}

/** The slot start times of a day: every session cut into whole slots, in order. */
export function slotStarts(weekly: readonly WeeklyHours[], weekday: number, slotMinutes: number): string[] {
  const out: number[] = [];
  for (const h of weekly) {
    if (h.weekday !== weekday) continue;
    for (let t = minutesOf(h.start); t + slotMinutes <= minutesOf(h.end); t += slotMinutes) out.push(t);
  }
  return out.sort((a, b) => a - b).map(timeOf);
}

/** Minutes since midnight at `nowMs` in the clinic's zone (the same zone as todayIso). */
export function minutesNow(nowMs: number, utcOffsetMinutes = -new Date(nowMs).getTimezoneOffset()): number {
  const local = nowMs + utcOffsetMinutes * 60_000;
  return Math.floor((((local % 86_400_000) + 86_400_000) % 86_400_000) / 60_000);
}
