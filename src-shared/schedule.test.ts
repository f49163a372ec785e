import { describe, expect, it } from 'vitest';
import {
  addDays,
  minutesNow,
  minutesOf,
  overlappingSessions,
  slotStarts,
  timeInput,
  timeOf,
  weekdayOf,
  weeklyHoursInput,
} from './schedule.js';
import type { WeeklyHours } from './types.js';

describe('times of day', () => {
  it('round-trips every minute of the day through timeOf and minutesOf', () => {
    for (let m = 0; m < 24 * 60; m++) expect(minutesOf(timeOf(m))).toBe(m);
    expect(timeOf(0)).toBe('00:00');
    expect(timeOf(9 * 60 + 5)).toBe('09:05');
    expect(timeOf(23 * 60 + 59)).toBe('23:59');
    // A slot may end at midnight (a view's end time), though no session is typed as 24:00.
    expect(timeOf(24 * 60)).toBe('24:00');
  });

  it.each(['24:00', '9:00', '09:60', '0900', '09:00 ', ' 09:00', '', '12:5', 'ab:cd', '09:00:00'])(
    'minutesOf refuses %j',
    (t) => {
      expect(() => minutesOf(t)).toThrow(RangeError);
      expect(timeInput.safeParse(t).success).toBe(false);
    },
  );

  it.each([-1, 24 * 60 + 1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('timeOf refuses %s', (m) => {
    expect(() => timeOf(m)).toThrow(RangeError);
  });
});

describe('calendar dates', () => {
  it.each([
    ['2026-11-21', 6],
    ['2026-11-22', 0],
    ['2026-11-23', 1],
    ['2000-01-01', 6],
    ['2024-02-29', 4],
    ['1970-01-01', 4],
  ])('weekdayOf(%s) is %i', (date, weekday) => {
    expect(weekdayOf(date)).toBe(weekday);
  });

  it.each([
    ['2026-11-21', 1, '2026-11-22'],
    ['2026-11-30', 1, '2026-12-01'],
    ['2026-12-31', 1, '2027-01-01'],
    ['2027-01-01', -1, '2026-12-31'],
    ['2024-02-28', 1, '2024-02-29'],
    ['2024-02-29', 1, '2024-03-01'],
    ['2023-02-28', 1, '2023-03-01'],
    ['2024-03-01', -1, '2024-02-29'],
    ['2026-11-21', 0, '2026-11-21'],
    ['2026-11-21', 14, '2026-12-05'],
    ['2026-11-21', 365, '2027-11-21'],
  ])('addDays(%s, %i) is %s', (date, days, expected) => {
    expect(addDays(date, days)).toBe(expected);
  });
});

const s = (weekday: number, start: string, end: string): WeeklyHours => ({ weekday, start, end });

describe('slots and sessions', () => {
  it('cuts two sessions into whole slots in order, dropping a slot that does not fit the end', () => {
    // Listed evening first: the result is still in time order.
    const weekly = [s(1, '17:00', '18:10'), s(1, '09:00', '10:00'), s(2, '08:00', '12:00')];
    expect(slotStarts(weekly, 1, 20)).toEqual(['09:00', '09:20', '09:40', '17:00', '17:20', '17:40']);
    expect(slotStarts(weekly, 1, 30)).toEqual(['09:00', '09:30', '17:00', '17:30']);
    expect(slotStarts(weekly, 1, 60)).toEqual(['09:00', '17:00']);
    expect(slotStarts(weekly, 3, 15)).toEqual([]);
    expect(slotStarts([s(4, '09:00', '09:10')], 4, 15)).toEqual([]);
    // The latest a session can end is 23:59 (timeInput refuses 24:00): the 23:30 slot does not fit.
    expect(slotStarts([s(5, '23:00', '23:59')], 5, 30)).toEqual(['23:00']);
  });

  it('finds overlapping sessions of the same weekday only', () => {
    expect(overlappingSessions([])).toBeNull();
    expect(overlappingSessions([s(1, '09:00', '13:00'), s(1, '16:00', '19:00')])).toBeNull();
    // Touching sessions do not overlap.
    expect(overlappingSessions([s(1, '09:00', '13:00'), s(1, '13:00', '14:00')])).toBeNull();
    // The same hours on different weekdays are fine.
    expect(overlappingSessions([s(1, '09:00', '13:00'), s(2, '09:00', '13:00')])).toBeNull();
    expect(overlappingSessions([s(1, '09:00', '13:00'), s(1, '12:59', '14:00')])).toBe(1);
    expect(
      overlappingSessions([s(1, '09:00', '13:00'), s(2, '10:00', '11:00'), s(1, '10:00', '11:00')]),
    ).toBe(2);
    // One session inside another, listed the other way round.
    expect(overlappingSessions([s(3, '10:00', '11:00'), s(3, '09:00', '13:00')])).toBe(1);
  });
});

describe('minutesNow in the clinic zone', () => {
  const utc = (h: number, m: number) => Date.UTC(2026, 10, 20, h, m);

  it('applies an explicit offset, crossing UTC midnight either way', () => {
    expect(minutesNow(utc(0, 0), 0)).toBe(0);
    expect(minutesNow(utc(9, 15), 0)).toBe(9 * 60 + 15);
    // India is UTC+05:30: 20:00 UTC is 01:30 the next morning.
    expect(minutesNow(utc(20, 0), 330)).toBe(90);
    expect(minutesNow(utc(18, 29), 330)).toBe(23 * 60 + 59);
    expect(minutesNow(utc(18, 30), 330)).toBe(0);
    // New York in winter is UTC-05:00: 03:00 UTC is 22:00 the evening before.
    expect(minutesNow(utc(3, 0), -300)).toBe(22 * 60);
    // Seconds do not round up into the next minute.
    expect(minutesNow(utc(10, 0) + 59_999, 0)).toBe(600);
  });

  it('defaults to the workstation zone', () => {
    const now = utc(11, 11);
    expect(minutesNow(now)).toBe(minutesNow(now, -new Date(now).getTimezoneOffset()));
  });

  it('works before 1970 too', () => {
    expect(minutesNow(Date.UTC(1969, 11, 31, 23, 0), 0)).toBe(23 * 60);
  });
});

describe('weeklyHoursInput', () => {
  it('accepts a well-formed session', () => {
    expect(weeklyHoursInput.parse({ weekday: 6, start: '09:00', end: '13:30' })).toEqual(
      s(6, '09:00', '13:30'),
    );
  });

  it.each([
    [{ weekday: 1, start: '13:00', end: '09:00' }, 'end', /Ends before it starts/],
    [{ weekday: 1, start: '09:00', end: '09:00' }, 'end', /Ends before it starts/],
    [{ weekday: 1, start: '9:00', end: '13:00' }, 'start', /HH:MM/],
    [{ weekday: 1, start: '09:00', end: '25:00' }, 'end', /HH:MM/],
    [{ weekday: 1, start: 'ab', end: 'cd' }, 'start', /HH:MM/],
    [{ weekday: 7, start: '09:00', end: '13:00' }, 'weekday', /0 \(Sunday\) to 6/],
    [{ weekday: 1.5, start: '09:00', end: '13:00' }, 'weekday', /weekday number/],
    [{ weekday: 1, start: '09:00', end: '13:00', extra: 1 }, '', /.*/],
  ])('refuses %j without throwing', (value, field, message) => {
    let result: ReturnType<typeof weeklyHoursInput.safeParse> | undefined;
    expect(() => {
      result = weeklyHoursInput.safeParse(value);
    }).not.toThrow();
    expect(result?.success).toBe(false);
    if (!result || result.success) return;
    const issue = result.error.issues.find((i) => (field === '' ? true : i.path.join('.') === field));
    expect(issue?.message).toMatch(message);
  });
});
