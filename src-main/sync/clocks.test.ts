import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src-server/app.js';
import type { Connection } from '../core-types.js';
import { call, loginAs, must } from '../testing/core-harness.js';
import { addDesk, DESK, edit, PEOPLE, register } from './fixtures.js';
import { founder, joiner, type Station, settle, startServer } from './testing.js';

const DAY = 86_400_000;
let server: RunningServer;
let a: Station;
let b: Station;
let c: Station;
let desks: Connection[];
let patient: string;

beforeAll(async () => {
  server = await startServer();
  a = await founder(server, 'desk-a');
  await addDesk(await a.admin());
  patient = await register(await loginAs(a.core, DESK.username, DESK.password), PEOPLE[1]!);
  await a.sync.syncNow();
  b = await joiner(server, a, 'desk-b');
  c = await joiner(server, a, 'desk-c');
  desks = await Promise.all([a, b, c].map((s) => loginAs(s.core, DESK.username, DESK.password)));
});

afterAll(async () => {
  for (const s of [c, b, a]) await s?.close();
  await server?.close();
});

/** Moves a workstation's clock; sessions idle-lock across such a jump, so log in again. */
async function shift(i: number, ms: number) {
  const s = [a, b, c][i]!;
  s.clock.advance(ms);
  desks[i] = await loginAs(s.core, DESK.username, DESK.password);
}

const notesOn = async (i: number) => must(await call(desks[i]!, 'patients.get', { id: patient })).notes;
const conflicts = async (i: number) => must(await call(desks[i]!, 'sync.conflicts', { rowId: patient }));
const events = (s: Station, kind: string) => {
  const db = new Database(join(s.dataDir, 'kavach.db'), { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM security_events WHERE kind = ?').get(kind) as { n: number })
      .n;
  } finally {
    db.close();
  }
};

describe('concurrent edits of clinical free text', () => {
  it('keeps the losing text as a conflict copy on every workstation', async () => {
    // Offline on both desks, B a few seconds later: B's text wins, A's is kept.
    await edit(desks[0]!, patient, { notes: 'BP 150/95, recheck in a week' });
    await shift(1, 5_000);
    await edit(desks[1]!, patient, { notes: 'Referred to cardiology' });
    await settle([a, b, c]);
    for (const i of [0, 1, 2]) {
      expect(await notesOn(i)).toBe('Referred to cardiology');
      const copies = await conflicts(i);
      expect(copies.map((x) => [x.table, x.column, x.text])).toEqual([
        ['patients', 'notes', 'BP 150/95, recheck in a week'],
      ]);
    }
  });

  it('makes no copy when an edit follows one it has seen', async () => {
    await shift(0, 10_000);
    await edit(desks[0]!, patient, { notes: 'Cardiology appointment booked' });
    await settle([a, b, c]);
    await shift(2, 10_000);
    await edit(desks[2]!, patient, { notes: 'Seen by cardiology; continue meds' });
    await settle([a, b, c]);
    for (const i of [0, 1, 2]) {
      expect(await notesOn(i)).toBe('Seen by cardiology; continue meds');
      expect(await conflicts(i)).toHaveLength(1);
    }
  });
});

describe('a workstation whose clock is a day wrong', () => {
  it('a day fast: the others hold its changes (security event, error in words) and apply them once the clocks agree', async () => {
    await shift(0, DAY);
    await edit(desks[0]!, patient, { phones: [{ number: '9000011111', label: 'mobile' }] });
    await a.sync.syncNow();
    const before = events(b, 'clock-drift');
    const status = await b.sync.syncNow();
    expect(status.error).toMatch(/clock far ahead/);
    expect(events(b, 'clock-drift')).toBe(before + 1);
    const phonesOnB = async () =>
      must(await call(desks[1]!, 'patients.get', { id: patient })).phones.map((p) => p.number);
    expect(await phonesOnB()).toEqual(['9447066554']);
    // B's own work still flows while the held change waits.
    await edit(desks[1]!, patient, { allergies: ['Latex'] });
    await settle([b, c]);
    expect(must(await call(desks[2]!, 'patients.get', { id: patient })).allergies).toEqual(['Latex']);
    // A day later on B and C (or their clocks set right), the held change applies everywhere.
    await shift(1, DAY);
    await shift(2, DAY);
    await settle([a, b, c]);
    expect(b.sync.status().error).toBeNull();
    for (const i of [0, 1, 2]) {
      const r = must(await call(desks[i]!, 'patients.get', { id: patient }));
      expect([r.phones.map((p) => p.number), r.allergies]).toEqual([['9000011111'], ['Latex']]);
    }
  });

  it('a day slow: it holds everyone else’s changes until its clock is put right; its own edits still travel', async () => {
    // C is now a day behind A and B.
    await shift(0, 60_000);
    await edit(desks[0]!, patient, {
      address: {
        line: '4 Beach Road',
        cityOrVillage: 'Alappuzha',
        district: 'Alappuzha',
        state: 'Kerala',
        pinCode: '688001',
      },
    });
    await a.sync.syncNow();
    await shift(2, -DAY);
    await edit(desks[2]!, patient, { bloodGroup: 'B+' });
    const status = await c.sync.syncNow();
    expect(status.error).toMatch(/clock far ahead/);
    expect(must(await call(desks[2]!, 'patients.get', { id: patient })).address.line).not.toBe(
      '4 Beach Road',
    );
    await a.sync.syncNow();
    expect(must(await call(desks[0]!, 'patients.get', { id: patient })).bloodGroup).toBe('B+');
    await shift(2, DAY);
    await settle([a, b, c]);
    for (const i of [0, 1, 2]) {
      const r = must(await call(desks[i]!, 'patients.get', { id: patient }));
      expect([r.address.line, r.bloodGroup]).toEqual(['4 Beach Road', 'B+']);
    }
    expect(c.sync.status().error).toBeNull();
  });
});
