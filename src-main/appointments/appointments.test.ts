import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { todayIso } from '../../src-shared/patient.js';
import { addDays, weekdayOf } from '../../src-shared/schedule.js';
import type { WeeklyHours } from '../../src-shared/types.js';
import type { Connection } from '../core-types.js';
import { ADMIN, call, type HarnessCore, loginAs, must, startCore } from '../testing/core-harness.js';

const DAY = 86_400_000;
const MINUTE = 60_000;
const DESK = { username: 'desk', password: 'marigold-window-5' };
const DR_A = { username: 'dr.rao', password: 'banyan-river-77' };
const DR_B = { username: 'dr.nair', password: 'coconut-lagoon-31' };

let h: HarnessCore;
let admin: Connection;
let desk: Connection;
let doctorA: Connection;
let drA: string;
let drB: string;
let patients: string[];
/** Today in the clinic's zone; the clock stands at 08:00. */
let D: string;

const WEEK: WeeklyHours[] = [0, 1, 2, 3, 4, 5, 6].flatMap((weekday) => [
  { weekday, start: '09:00', end: '12:00' },
  { weekday, start: '16:00', end: '18:00' },
]);

function moveToTomorrowAt(hour: number, minute: number): void {
  const now = h.clock.now();
  const offset = -new Date(now).getTimezoneOffset() * MINUTE;
  const localMidnight = Math.floor((now + offset) / DAY) * DAY - offset;
  h.clock.advance(localMidnight + DAY + (hour * 60 + minute) * MINUTE - now);
}

function withDb<T>(fn: (db: Database.Database) => T, readonly = true): T {
  const db = new Database(join(h.dataDir, 'kavach.db'), { readonly });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}
const appointmentRows = () =>
  withDb((db) => db.prepare('SELECT * FROM appointments ORDER BY date, start_min, id').all()) as Record<
    string,
    unknown
  >[];

const doctorProfile = (n: string) => ({
  registrationNumber: `KMC-${n}`,
  department: 'General',
  specialization: '',
  yearsOfExperience: null,
  contactNumber: '',
  availabilityNote: '',
});

const book = (patientId: string, date: string, start: string, doctorId = drA) =>
  call(desk, 'appointments.book', { doctorId, patientId, date, start, reason: 'Review of blood sugar' });
const slots = async (date: string, doctorId = drA) =>
  must(await call(desk, 'appointments.slots', { doctorId, date }));
const slot = async (date: string, start: string) => (await slots(date)).slots.find((s) => s.start === start);
const list = async (from = D, days = 7) =>
  must(await call(desk, 'appointments.list', { doctor: 'all', from, days }));
/** Moves the clock on; past the idle lock, so reception logs in again. */
async function later(minutes: number): Promise<void> {
  h.clock.advance(minutes * MINUTE);
  desk = await loginAs(h.core, DESK.username, DESK.password);
}
const fieldsOf = (r: { ok: boolean; error?: { fields?: Record<string, string> } }) =>
  Object.keys(r.error?.fields ?? {});

beforeEach(async () => {
  h = await startCore();
  admin = await loginAs(h.core, ADMIN.username, ADMIN.password);
  must(await call(admin, 'settings.update', { clinicName: 'Sushrut Clinic', idleMinutes: 60 }));
  must(await call(admin, 'staff.create', { ...DESK, displayName: 'Front Desk', role: 'receptionist' }));
  drA = must(
    await call(admin, 'staff.create', {
      ...DR_A,
      displayName: 'Dr Anjali Rao',
      role: 'doctor',
      doctor: doctorProfile('1'),
    }),
  ).id;
  drB = must(
    await call(admin, 'staff.create', {
      ...DR_B,
      displayName: 'Dr Vikram Nair',
      role: 'doctor',
      doctor: doctorProfile('2'),
    }),
  ).id;
  moveToTomorrowAt(8, 0);
  D = todayIso(h.clock.now());
  admin = await loginAs(h.core, ADMIN.username, ADMIN.password);
  desk = await loginAs(h.core, DESK.username, DESK.password);
  doctorA = await loginAs(h.core, DR_A.username, DR_A.password);
  must(await call(admin, 'schedule.set', { doctorId: drA, slotMinutes: 15, weekly: WEEK }));
  patients = [];
  for (const givenNames of ['Ravi', 'Sita', 'Arjun']) {
    const r = must(
      await call(desk, 'patients.register', {
        patient: {
          givenNames,
          familyName: 'Kumar',
          sex: 'unknown',
          birth: { kind: 'approximate', ageYears: 30 },
        },
        decision: 'register-new',
      }),
    );
    if (r.status !== 'registered') throw new Error('setup: not registered');
    patients.push(r.id);
  }
});
afterEach(async () => {
  await h.close();
});

describe('weekly hours', () => {
  it('is set by the admin, or by a doctor for themself only', async () => {
    const shuffled = [WEEK[3]!, WEEK[0]!, ...WEEK.slice(4), WEEK[2]!, WEEK[1]!];
    must(await call(admin, 'schedule.set', { doctorId: drB, slotMinutes: 30, weekly: shuffled }));
    const b = must(await call(desk, 'schedule.get', { doctorId: drB }));
    expect(b).toMatchObject({ doctorId: drB, slotMinutes: 30, weekly: WEEK, leave: [] });

    must(await call(doctorA, 'schedule.set', { doctorId: drA, slotMinutes: 20, weekly: WEEK.slice(0, 2) }));
    expect(must(await call(desk, 'schedule.get', { doctorId: drA }))).toMatchObject({
      slotMinutes: 20,
      weekly: WEEK.slice(0, 2),
    });

    const r = await call(doctorA, 'schedule.set', { doctorId: drB, slotMinutes: 5, weekly: [] });
    expect(r).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(
      await call(doctorA, 'schedule.setLeave', { doctorId: drB, date: D, onLeave: true, note: '' }),
    ).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    expect(must(await call(desk, 'schedule.get', { doctorId: drB }))).toEqual(b);
  });

  it('refuses overlapping sessions and sessions ending before they start, naming the session', async () => {
    const before = must(await call(desk, 'schedule.get', { doctorId: drA }));
    const overlap = [
      { weekday: 2, start: '09:00', end: '13:00' },
      { weekday: 3, start: '09:00', end: '13:00' },
      { weekday: 2, start: '12:30', end: '14:00' },
    ];
    const r = await call(admin, 'schedule.set', { doctorId: drA, slotMinutes: 15, weekly: overlap });
    expect(r).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(fieldsOf(r)).toEqual(['weekly.2.start']);
    const backwards = await call(admin, 'schedule.set', {
      doctorId: drA,
      slotMinutes: 15,
      weekly: [{ weekday: 1, start: '13:00', end: '09:00' }],
    });
    expect(fieldsOf(backwards)).toEqual(['weekly.0.end']);
    expect(must(await call(desk, 'schedule.get', { doctorId: drA }))).toEqual(before);
  });

  it('gives slots from the weekly hours and slot length of that weekday', async () => {
    must(
      await call(admin, 'schedule.set', {
        doctorId: drB,
        slotMinutes: 20,
        weekly: [
          { weekday: weekdayOf(D), start: '17:00', end: '18:10' },
          { weekday: weekdayOf(D), start: '09:00', end: '10:00' },
        ],
      }),
    );
    const day = await slots(D, drB);
    expect(day.onLeave).toBe(false);
    expect(day.slots.map((s) => [s.start, s.end, s.free])).toEqual([
      ['09:00', '09:20', true],
      ['09:20', '09:40', true],
      ['09:40', '10:00', true],
      ['17:00', '17:20', true],
      ['17:20', '17:40', true],
      ['17:40', '18:00', true],
    ]);
    expect((await slots(addDays(D, 1), drB)).slots).toEqual([]);
    expect((await slots(D)).slots).toHaveLength(12 + 8);
  });

  it('on a leave day shows no slots and refuses bookings', async () => {
    const leaveDay = addDays(D, 2);
    must(
      await call(doctorA, 'schedule.setLeave', {
        doctorId: drA,
        date: leaveDay,
        onLeave: true,
        note: 'Conference',
      }),
    );
    expect(must(await call(desk, 'schedule.get', { doctorId: drA })).leave).toEqual([
      { date: leaveDay, note: 'Conference' },
    ]);
    expect(await slots(leaveDay)).toEqual({ date: leaveDay, onLeave: true, slots: [] });
    const r = await book(patients[0]!, leaveDay, '10:00');
    expect(r).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(fieldsOf(r)).toEqual(['date']);
    expect(appointmentRows()).toEqual([]);
    must(await call(admin, 'schedule.setLeave', { doctorId: drA, date: leaveDay, onLeave: false, note: '' }));
    expect((await slot(leaveDay, '10:00'))?.free).toBe(true);
    must(await book(patients[0]!, leaveDay, '10:00'));

    must(await call(admin, 'schedule.setLeave', { doctorId: drA, date: D, onLeave: true, note: '' }));
    const doctors = must(await call(desk, 'doctors.list', {}));
    expect(doctors.map((d) => [d.id, d.onLeaveToday])).toEqual([
      [drA, true],
      [drB, false],
    ]);
    expect(fieldsOf(await book(patients[1]!, D, '10:00'))).toEqual(['date']);
    // Leave cannot be added for a day that has passed.
    const past = await call(admin, 'schedule.setLeave', {
      doctorId: drA,
      date: addDays(D, -1),
      onLeave: true,
      note: '',
    });
    expect(fieldsOf(past)).toEqual(['date']);
  });
});

describe('booking', () => {
  it.each([
    ['yesterday', () => addDays(D, -1), '10:00', 0, 'date'],
    ['earlier today', () => D, '09:15', 90, 'start'],
    ['off the slot grid', () => addDays(D, 1), '10:07', 0, 'start'],
    ['at the end of a session', () => addDays(D, 1), '12:00', 0, 'start'],
    ['before the first session', () => addDays(D, 1), '08:45', 0, 'start'],
  ])('refuses a slot %s', async (_what, date, start, minutesLater, field) => {
    await later(minutesLater);
    const r = await book(patients[0]!, date(), start);
    expect(r).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(fieldsOf(r)).toEqual([field]);
    expect(appointmentRows()).toEqual([]);
  });

  it('takes a later slot today', async () => {
    await later(90);
    const a = must(await book(patients[0]!, D, '09:45'));
    expect(a).toMatchObject({
      date: D,
      start: '09:45',
      end: '10:00',
      status: 'booked',
      doctorName: 'Dr Anjali Rao',
    });
    expect(appointmentRows()).toMatchObject([
      { id: a.id, date: D, start_min: 585, end_min: 600, status: 'booked' },
    ]);
  });

  it('refuses a slot that is already booked, keeping one live booking', async () => {
    const day = addDays(D, 1);
    const first = must(await book(patients[0]!, day, '10:00'));
    const r = await book(patients[1]!, day, '10:00');
    expect(r).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(fieldsOf(r)).toEqual(['start']);
    expect(appointmentRows()).toMatchObject([{ id: first.id, start_min: 600, status: 'booked' }]);
    expect(await slot(day, '10:00')).toMatchObject({ free: false, appointmentIds: [first.id] });
    // Another doctor's 10:00 is a different slot.
    must(await call(admin, 'schedule.set', { doctorId: drB, slotMinutes: 15, weekly: WEEK }));
    must(await book(patients[1]!, day, '10:00', drB));
  });

  it('reschedules to a free slot only', async () => {
    const day = addDays(D, 1);
    const a = must(await book(patients[0]!, day, '10:00'));
    must(await book(patients[1]!, day, '10:30'));
    expect(
      must(
        await call(desk, 'appointments.reschedule', { id: a.id, doctorId: drA, date: day, start: '11:00' }),
      ),
    ).toMatchObject({
      start: '11:00',
      end: '11:15',
    });
    expect((await list()).find((x) => x.id === a.id)?.start).toBe('11:00');
    expect((await slot(day, '10:00'))?.free).toBe(true);
    const r = await call(desk, 'appointments.reschedule', {
      id: a.id,
      doctorId: drA,
      date: day,
      start: '10:30',
    });
    expect(r).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(fieldsOf(r)).toEqual(['start']);
    expect((await list()).find((x) => x.id === a.id)?.start).toBe('11:00');
  });

  it('cancels once, keeping the row and freeing the slot', async () => {
    const day = addDays(D, 1);
    const a = must(await book(patients[0]!, day, '10:00'));
    expect(must(await call(desk, 'appointments.cancel', { id: a.id })).status).toBe('cancelled');
    expect(await slot(day, '10:00')).toMatchObject({ free: true, appointmentIds: [] });
    expect(await call(desk, 'appointments.cancel', { id: a.id })).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT' },
    });
    const again = must(await book(patients[1]!, day, '10:00'));
    expect((await list()).map((x) => [x.id, x.status])).toEqual([
      [a.id, 'cancelled'],
      [again.id, 'booked'],
    ]);
  });
});

describe('arrival', () => {
  it('checks the booked patient in for their doctor, linking visit and appointment', async () => {
    const a = must(await book(patients[0]!, D, '09:00'));
    const visit = must(await call(desk, 'appointments.checkIn', { id: a.id, priority: 'routine' }));
    expect(visit).toMatchObject({
      patientId: patients[0],
      doctorId: drA,
      appointmentId: a.id,
      token: 1,
      status: 'waiting',
    });
    expect((await list()).find((x) => x.id === a.id)).toMatchObject({
      status: 'checked-in',
      visitId: visit.id,
    });
    const q = must(await call(desk, 'visits.queue', { doctor: drA, includeFinished: false }));
    expect(q.visits.map((v) => [v.id, v.appointmentId, v.reason])).toEqual([
      [visit.id, a.id, 'Review of blood sugar'],
    ]);
    expect(await call(desk, 'appointments.checkIn', { id: a.id, priority: 'routine' })).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT' },
    });
  });

  it('leaves the appointment booked when the visit cannot be created', async () => {
    const a = must(await book(patients[1]!, D, '09:15'));
    must(
      await call(desk, 'visits.checkIn', {
        patientId: patients[1]!,
        doctorId: null,
        reason: '',
        priority: 'routine',
      }),
    );
    const r = await call(desk, 'appointments.checkIn', { id: a.id, priority: 'urgent' });
    expect(r).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(appointmentRows()).toMatchObject([{ id: a.id, status: 'booked', visit_id: null }]);
    expect(
      withDb((db) => db.prepare('SELECT count(*) AS n FROM visits WHERE appointment_id IS NOT NULL').get()),
    ).toEqual({ n: 0 });
  });

  it('refuses a check-in on another day than the appointment’s', async () => {
    const a = must(await book(patients[0]!, addDays(D, 1), '09:00'));
    expect(await call(desk, 'appointments.checkIn', { id: a.id, priority: 'routine' })).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT' },
    });
    expect(appointmentRows()).toMatchObject([{ id: a.id, status: 'booked', visit_id: null }]);
    expect(withDb((db) => db.prepare('SELECT count(*) AS n FROM visits').get())).toEqual({ n: 0 });
  });
});

describe('double bookings that arrive later', () => {
  it('flags both overlapping bookings and drops neither (sync arrival simulated by direct SQL)', async () => {
    const day = addDays(D, 1);
    const a = must(await book(patients[0]!, day, '10:00'));
    const b = must(await book(patients[1]!, day, '10:15'));
    const c = must(await book(patients[2]!, day, '11:00'));
    expect((await list()).map((x) => x.conflict)).toEqual([false, false, false]);
    // What a merged change from another workstation looks like: B moved onto A's slot.
    withDb(
      (db) => db.prepare('UPDATE appointments SET start_min = 600, end_min = 615 WHERE id = ?').run(b.id),
      false,
    );

    const flagged = await list();
    expect(flagged.map((x) => x.id).sort()).toEqual([a.id, b.id, c.id].sort());
    expect(Object.fromEntries(flagged.map((x) => [x.id, x.conflict]))).toEqual({
      [a.id]: true,
      [b.id]: true,
      [c.id]: false,
    });
    expect(await slot(day, '10:00')).toMatchObject({ free: false });
    expect((await slot(day, '10:00'))?.appointmentIds.sort()).toEqual([a.id, b.id].sort());
    // Reception resolves it by cancelling one: the other is no longer flagged.
    must(await call(desk, 'appointments.cancel', { id: b.id }));
    expect(Object.fromEntries((await list()).map((x) => [x.id, x.conflict]))).toEqual({
      [a.id]: false,
      [b.id]: false,
      [c.id]: false,
    });
  });
});
