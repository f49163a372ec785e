import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { todayIso } from '../../src-shared/patient.js';
import { addDays } from '../../src-shared/schedule.js';
import type { Priority, VisitStatus } from '../../src-shared/types.js';
import type { Connection } from '../core-types.js';
import { ADMIN, call, type HarnessCore, loginAs, must, startCore } from '../testing/core-harness.js';

const DAY = 86_400_000;
const MINUTE = 60_000;
const DESK = { username: 'desk', password: 'marigold-window-5' };
const DR_A = { username: 'dr.rao', password: 'banyan-river-77' };

let h: HarnessCore;
let admin: Connection;
let desk: Connection;
let drA: string;
let drB: string;
let deskId: string;
let patients: string[];

/** Moves the harness clock forward to HH:MM tomorrow in the clinic's zone, away from midnight. */
function moveToTomorrowAt(hour: number, minute: number): void {
  const now = h.clock.now();
  const offset = -new Date(now).getTimezoneOffset() * MINUTE;
  const localMidnight = Math.floor((now + offset) / DAY) * DAY - offset;
  h.clock.advance(localMidnight + DAY + (hour * 60 + minute) * MINUTE - now);
}

const rows = <T>(sql: string, ...args: unknown[]): T[] => {
  const db = new Database(join(h.dataDir, 'kavach.db'), { readonly: true });
  try {
    return db.prepare(sql).all(...args) as T[];
  } finally {
    db.close();
  }
};
const count = (table: string) => rows<{ n: number }>(`SELECT count(*) AS n FROM ${table}`)[0]!.n;

const doctor = (n: string) => ({
  registrationNumber: `KMC-${n}`,
  department: 'General',
  specialization: '',
  yearsOfExperience: null,
  contactNumber: '',
  availabilityNote: '',
});

const checkIn = async (
  patientId: string,
  priority: Priority = 'routine',
  doctorId: string | null = null,
  reason = '',
) => call(desk, 'visits.checkIn', { patientId, doctorId, reason, priority });
const queue = async (doctorFilter: 'all' | 'unassigned' | string = 'all', includeFinished = false) =>
  must(await call(desk, 'visits.queue', { doctor: doctorFilter, includeFinished }));
const setStatus = async (id: string, status: VisitStatus) => call(desk, 'visits.setStatus', { id, status });

beforeEach(async () => {
  h = await startCore();
  admin = await loginAs(h.core, ADMIN.username, ADMIN.password);
  must(await call(admin, 'settings.update', { clinicName: 'Sushrut Clinic', idleMinutes: 60 }));
  deskId = must(
    await call(admin, 'staff.create', { ...DESK, displayName: 'Front Desk', role: 'receptionist' }),
  ).id;
  drA = must(
    await call(admin, 'staff.create', {
      ...DR_A,
      displayName: 'Dr Anjali Rao',
      role: 'doctor',
      doctor: doctor('1'),
    }),
  ).id;
  drB = must(
    await call(admin, 'staff.create', {
      username: 'dr.nair',
      password: 'coconut-lagoon-31',
      displayName: 'Dr Vikram Nair',
      role: 'doctor',
      doctor: doctor('2'),
    }),
  ).id;
  moveToTomorrowAt(9, 0);
  admin = await loginAs(h.core, ADMIN.username, ADMIN.password);
  desk = await loginAs(h.core, DESK.username, DESK.password);
  patients = [];
  for (const [givenNames, age] of [
    ['Ravi', 40],
    ['Sita', 31],
    ['Arjun', 8],
    ['Meena', 67],
  ] as const) {
    const r = must(
      await call(desk, 'patients.register', {
        patient: {
          givenNames,
          familyName: 'Kumar',
          sex: 'unknown',
          birth: { kind: 'approximate', ageYears: age },
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

describe('check-in tokens', () => {
  it('numbers the day 1, 2, 3 and starts again at 1 the next day', async () => {
    const today = todayIso(h.clock.now());
    for (const p of patients.slice(0, 3)) must(await checkIn(p));
    expect((await queue()).visits.map((v) => v.token)).toEqual([1, 2, 3]);
    expect(rows<{ day: string; token: number }>('SELECT day, token FROM visits ORDER BY token')).toEqual(
      [1, 2, 3].map((token) => ({ day: today, token })),
    );

    h.clock.advance(DAY);
    desk = await loginAs(h.core, DESK.username, DESK.password);
    // Yesterday's still-waiting visit neither shows in today's queue nor blocks a new check-in.
    const next = must(await checkIn(patients[0]!));
    expect(next).toMatchObject({ token: 1, day: addDays(today, 1) });
    expect((await queue()).visits.map((v) => [v.token, v.patientId])).toEqual([[1, patients[0]]]);
    expect(must(await checkIn(patients[3]!)).token).toBe(2);
  });

  it('refuses a patient already in the queue, and takes them again once seen', async () => {
    const first = must(await checkIn(patients[0]!));
    expect(await checkIn(patients[0]!)).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    must(await setStatus(first.id, 'with-doctor'));
    expect(await checkIn(patients[0]!)).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(count('visits')).toBe(1);
    must(await setStatus(first.id, 'done'));
    expect(must(await checkIn(patients[0]!)).token).toBe(2);
  });

  it('accepts only an active doctor as doctorId', async () => {
    must(await call(admin, 'staff.setActive', { id: drB, active: false }));
    for (const doctorId of [drB, deskId]) {
      const r = await checkIn(patients[0]!, 'routine', doctorId);
      expect(r).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
      expect(!r.ok && Object.keys(r.error.fields ?? {})).toEqual(['doctorId']);
    }
    expect(count('visits')).toBe(0);
    expect(must(await checkIn(patients[0]!, 'routine', drA)).doctorName).toBe('Dr Anjali Rao');
  });

  it('keeps the reason encrypted at rest', async () => {
    const reason = 'Chest pain radiating to the left jaw';
    must(await checkIn(patients[0]!, 'urgent', null, reason));
    expect((await queue()).visits[0]?.reason).toBe(reason);
    await h.core.close();
    const files = readdirSync(h.dataDir).filter((f) => f.startsWith('kavach.db'));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      expect(
        readFileSync(join(h.dataDir, f)).includes(Buffer.from('radiating')),
        `reason found in ${f}`,
      ).toBe(false);
    }
    await h.reopen();
  });
});

describe('the queue', () => {
  it('puts emergencies first, then urgent, then routine, each by token', async () => {
    const order: Priority[] = ['routine', 'emergency', 'urgent', 'routine'];
    for (const [i, p] of patients.entries()) must(await checkIn(p, order[i]));
    expect((await queue()).visits.map((v) => [v.priority, v.token])).toEqual([
      ['emergency', 2],
      ['urgent', 3],
      ['routine', 1],
      ['routine', 4],
    ]);
  });

  it('filters by doctor or unassigned and counts waiting and with-doctor per doctor', async () => {
    const [a1, a2, b1, none] = [
      must(await checkIn(patients[0]!, 'routine', drA)),
      must(await checkIn(patients[1]!, 'routine', drA)),
      must(await checkIn(patients[2]!, 'routine', drB)),
      must(await checkIn(patients[3]!, 'routine', null)),
    ];
    must(await setStatus(a2.id, 'with-doctor'));
    expect((await queue(drA)).visits.map((v) => v.id).sort()).toEqual([a1.id, a2.id].sort());
    expect((await queue(drB)).visits.map((v) => v.id)).toEqual([b1.id]);
    expect((await queue('unassigned')).visits.map((v) => v.id)).toEqual([none.id]);
    expect((await queue()).counts).toEqual([
      { doctorId: drA, doctorName: 'Dr Anjali Rao', waiting: 1, withDoctor: 1 },
      { doctorId: drB, doctorName: 'Dr Vikram Nair', waiting: 1, withDoctor: 0 },
      { doctorId: null, doctorName: 'Next available', waiting: 1, withDoctor: 0 },
    ]);

    // A finished visit leaves the queue and the counts, unless finished visits are asked for.
    must(await setStatus(b1.id, 'with-doctor'));
    must(await setStatus(b1.id, 'done'));
    const after = await queue();
    expect(after.visits.map((v) => v.id)).not.toContain(b1.id);
    expect(after.counts.map((c) => c.doctorId)).toEqual([drA, null]);
    expect((await queue(drB, true)).visits.map((v) => [v.id, v.status])).toEqual([[b1.id, 'done']]);
  });

  it('counts waiting minutes with the clock and stops once the doctor calls', async () => {
    const v = must(await checkIn(patients[0]!));
    expect((await queue()).visits[0]?.waitingMinutes).toBe(0);
    h.clock.advance(12 * MINUTE + 30_000);
    expect((await queue()).visits[0]?.waitingMinutes).toBe(12);
    must(await setStatus(v.id, 'with-doctor'));
    h.clock.advance(20 * MINUTE);
    expect((await queue()).visits[0]?.waitingMinutes).toBe(12);
    // Sent back to wait, the time is still the wait until the first call.
    must(await setStatus(v.id, 'waiting'));
    h.clock.advance(5 * MINUTE);
    expect((await queue()).visits[0]?.waitingMinutes).toBe(12);
    // Called again: still the wait until the first call.
    must(await setStatus(v.id, 'with-doctor'));
    expect((await queue()).visits[0]?.waitingMinutes).toBe(12);
  });
});

describe('status moves', () => {
  const ALLOWED: [VisitStatus[], VisitStatus][] = [
    [[], 'with-doctor'],
    [[], 'left'],
    [[], 'cancelled'],
    [['with-doctor'], 'waiting'],
    [['with-doctor'], 'done'],
  ];
  const REFUSED: [VisitStatus[], VisitStatus][] = [
    [[], 'done'],
    [[], 'waiting'],
    [['with-doctor'], 'left'],
    [['with-doctor', 'done'], 'waiting'],
    [['with-doctor', 'done'], 'with-doctor'],
    [['left'], 'waiting'],
    [['cancelled'], 'with-doctor'],
  ];

  it.each(ALLOWED)('from waiting via %j allows %s', async (path, to) => {
    const v = must(await checkIn(patients[0]!));
    for (const step of path) must(await setStatus(v.id, step));
    expect(must(await setStatus(v.id, to)).status).toBe(to);
    expect(rows<{ status: string }>('SELECT status FROM visits WHERE id = ?', v.id)[0]?.status).toBe(to);
  });

  it.each(REFUSED)('from waiting via %j refuses %s with CONFLICT and writes nothing', async (path, to) => {
    const v = must(await checkIn(patients[0]!));
    for (const step of path) must(await setStatus(v.id, step));
    const before = [rows('SELECT * FROM visits'), count('outbox')];
    expect(await setStatus(v.id, to)).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect([rows('SELECT * FROM visits'), count('outbox')]).toEqual(before);
  });
});

describe('last visit in search results', () => {
  it('is today after a check-in, and not a cancelled visit', async () => {
    const ravi = async () => must(await call(desk, 'patients.search', { query: 'Ravi' }))[0]?.lastVisit;
    expect(await ravi()).toBeNull();
    const v = must(await checkIn(patients[0]!));
    expect(await ravi()).toBe(todayIso(h.clock.now()));
    must(await setStatus(v.id, 'cancelled'));
    expect(await ravi()).toBeNull();
  });
});
