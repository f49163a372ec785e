import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src-server/app.js';
import type { Connection } from '../core-types.js';
import { addDesk, asInput, DESK, PEOPLE, register } from '../sync/fixtures.js';
import { founder, joiner, type Station, settle, startServer, station } from '../sync/testing.js';
import { call, loginAs, must } from '../testing/core-harness.js';

/**
 * Referrals end to end on real cores: clinic A (two workstations) and clinic B each on their
 * own clinic of one sync server, clinic C without a server (files only).
 */
let server: RunningServer;
let a: Station;
let a2: Station;
let b: Station;
let c: Station;
const DOCTOR = { username: 'dr.rao', password: 'banyan-river-77' };
let doctorA: Connection;
let deskB: Connection;
let deskA2: Connection;
let patientId: string;

async function addDoctor(admin: Connection): Promise<void> {
  must(
    await call(admin, 'staff.create', {
      username: DOCTOR.username,
      displayName: 'Dr Anjali Rao',
      role: 'doctor',
      password: DOCTOR.password,
      doctor: {
        registrationNumber: 'KMC-1234',
        department: 'General',
        specialization: '',
        yearsOfExperience: 9,
        contactNumber: '',
        availabilityNote: '',
      },
    }),
  );
}

const include = { summary: true, visits: true, prescriptions: true, attachments: true };

async function cardOf(s: Station) {
  return must(await call(await s.admin(), 'referrals.clinicCard', {}));
}

async function exchange(from: Station, to: Station, confirm = true) {
  const card = await cardOf(from);
  const imported = must(await call(await to.admin(), 'referrals.importCard', { json: card.json }));
  expect(imported.words).toEqual(card.words);
  if (confirm) must(await call(await to.admin(), 'referrals.confirmCard', { id: imported.id }));
  return imported.id;
}

async function securityReasons(s: Station): Promise<string[]> {
  const page = must(
    await call(await s.admin(), 'security.list', {
      kind: null,
      acknowledged: null,
      cursor: null,
      limit: 100,
    }),
  );
  return page.rows.map((e) => String((e.detail as Record<string, unknown>).reason ?? ''));
}

function flip(base64: string, fromEnd: number): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[bytes.length - fromEnd]! ^= 0x01;
  return bytes.toString('base64');
}

beforeAll(async () => {
  server = await startServer();
  a = await founder(server, 'ref-a');
  b = await founder(server, 'ref-b');
  c = await station('ref-c', { setup: true });
  await addDoctor(await a.admin());
  await addDesk(await b.admin());
  await addDesk(await a.admin());
  await addDoctor(await c.admin());
  doctorA = await loginAs(a.core, DOCTOR.username, DOCTOR.password);
  deskB = await loginAs(b.core, DESK.username, DESK.password);
  patientId = await register(await loginAs(a.core, DESK.username, DESK.password), PEOPLE[0]!);
}, 120_000);

afterAll(async () => {
  for (const s of [a2, a, b, c]) await s?.close();
  await server?.close();
});

describe('referrals between clinics', () => {
  it('cards: an unconfirmed card cannot be used; an altered card is refused', async () => {
    const cardA = await cardOf(a);
    expect(cardA.words).toHaveLength(8);
    const altered = JSON.parse(cardA.json);
    altered.name = 'Someone Else';
    altered.signingPublic = JSON.parse((await cardOf(c)).json).signingPublic;
    const refused = await call(await b.admin(), 'referrals.importCard', { json: JSON.stringify(altered) });
    expect(refused.ok).toBe(false);
    const own = await call(await a.admin(), 'referrals.importCard', { json: cardA.json });
    expect(own.ok).toBe(false);

    const bId = await exchange(b, a, false);
    const early = await call(doctorA, 'referrals.send', { patientId, toClinicId: bId, include, note: '' });
    expect(early.ok).toBe(false);
    if (!early.ok) expect(early.error.code).toBe('CONFLICT');
    must(await call(await a.admin(), 'referrals.confirmCard', { id: bId }));
    const listed = must(await call(doctorA, 'referrals.listClinics', {}));
    expect(listed.map((x) => [x.id, x.confirmedBy])).toEqual([[bId, 'Meera Iyer']]);
    await exchange(a, b);
  });

  it('through the mailbox: B fetches, opens, registers; demographics equal; the mailbox is emptied', async () => {
    const bId = (await cardOf(b)).fingerprint;
    // B's card export claimed its mailbox address on the server.
    const sent = must(
      await call(doctorA, 'referrals.send', { patientId, toClinicId: bId, include, note: 'Please review' }),
    );
    expect(sent.posted).toBe(true);
    const inbox = must(await call(deskB, 'referrals.inbox', {}));
    expect(inbox).toHaveLength(1);
    expect(inbox[0]).toMatchObject({
      id: sent.id,
      fromClinic: 'Sushrut Clinic',
      source: 'mailbox',
      status: 'new',
    });
    const preview = must(await call(deskB, 'referrals.open', { inboxId: sent.id, file: null }));
    expect(preview.note).toBe('Please review');
    expect(preview.errors).toEqual([]);
    expect(preview.patient?.givenNames).toBe(PEOPLE[0]!.givenNames);
    const accepted = must(
      await call(deskB, 'referrals.accept', { id: sent.id, decision: { mode: 'register-new' } }),
    );
    const there = must(await call(deskB, 'patients.get', { id: accepted.patientId }));
    const here = must(await call(doctorA, 'patients.get', { id: patientId }));
    const pick = (r: typeof here) => {
      const d = asInput(r);
      return {
        givenNames: d.givenNames,
        familyName: d.familyName,
        sex: d.sex,
        birth: d.birth,
        phones: d.phones,
      };
    };
    expect(pick(there)).toEqual(pick(here));
    const again = await call(deskB, 'referrals.accept', { id: sent.id, decision: { mode: 'register-new' } });
    expect(again.ok).toBe(false);
    expect(must(await call(deskB, 'referrals.inbox', {}))[0]?.status).toBe('accepted');
    const rows = (await server.db.query.mailboxMessages.findMany()).filter((m) => m.bytes > 0);
    expect(rows).toEqual([]);
  });

  it('as a file: a third clinic cannot open it; tampering and truncation are refused and recorded', async () => {
    const bId = (await cardOf(b)).fingerprint;
    const sent = must(
      await call(doctorA, 'referrals.send', { patientId, toClinicId: bId, include, note: '' }),
    );
    // C knows and trusts A, but the package is B's.
    await exchange(a, c);
    const deskC = await (async () => {
      await addDesk(await c.admin());
      return loginAs(c.core, DESK.username, DESK.password);
    })();
    const atC = await call(deskC, 'referrals.open', { inboxId: null, file: sent.base64 });
    expect(atC.ok).toBe(false);
    if (!atC.ok) expect(atC.error.message).toMatch(/addressed to another clinic/);
    expect(await securityReasons(c)).toContain('wrong-recipient');

    const cases: [string, string, RegExp][] = [
      [flip(sent.base64, 200), 'tampered', /altered/],
      [flip(sent.base64, 5), 'bad-signature', /signature/],
      [Buffer.from(sent.base64, 'base64').subarray(0, 300).toString('base64'), 'truncated', /incomplete/],
    ];
    for (const [file, reason, message] of cases) {
      const r = await call(deskB, 'referrals.open', { inboxId: null, file: file });
      expect(r.ok, reason).toBe(false);
      if (!r.ok) expect(r.error.message).toMatch(message);
      expect(await securityReasons(b)).toContain(reason);
    }
    const good = must(await call(deskB, 'referrals.open', { inboxId: null, file: sent.base64 }));
    expect(good.id).toBe(sent.id);
  });

  it('refuses a sender whose card is not imported, and one not yet confirmed', async () => {
    const cId = await exchange(c, a, false);
    // A refers to C; C has A's card confirmed. Now C refers to B, which does not know C.
    const cDoctor = await loginAs(c.core, DOCTOR.username, DOCTOR.password);
    const cPatient = await register(await loginAs(c.core, DESK.username, DESK.password), PEOPLE[1]!);
    const bId = await exchange(b, c);
    const fromC = must(
      await call(cDoctor, 'referrals.send', { patientId: cPatient, toClinicId: bId, include, note: '' }),
    );
    expect(fromC.posted).toBe(false);
    const unknown = await call(deskB, 'referrals.open', { inboxId: null, file: fromC.base64 });
    expect(unknown.ok).toBe(false);
    expect(await securityReasons(b)).toContain('unknown-sender');
    const card = await cardOf(c);
    must(await call(await b.admin(), 'referrals.importCard', { json: card.json }));
    expect((await call(deskB, 'referrals.open', { inboxId: null, file: fromC.base64 })).ok).toBe(false);
    expect(await securityReasons(b)).toContain('unconfirmed-sender');
    expect(cId).toBe(card.fingerprint);
  });

  it("a second workstation of the clinic holds the clinic's keys and cards through sync", async () => {
    a2 = await joiner(server, a, 'ref-a2');
    await settle([a, a2]);
    const one = await cardOf(a);
    const two = await cardOf(a2);
    expect(two.fingerprint).toBe(one.fingerprint);
    deskA2 = await loginAs(a2.core, DESK.username, DESK.password);
    const clinics = must(await call(deskA2, 'referrals.listClinics', {}));
    expect(clinics.some((x) => x.confirmedAt !== null)).toBe(true);
    // B refers a patient back to A; A's second workstation fetches and opens it.
    const bDoctorAdmin = await b.admin();
    await addDoctor(bDoctorAdmin);
    const bDoctor = await loginAs(b.core, DOCTOR.username, DOCTOR.password);
    const bPatient = await register(deskB, PEOPLE[2]!);
    const sent = must(
      await call(bDoctor, 'referrals.send', {
        patientId: bPatient,
        toClinicId: one.fingerprint,
        include,
        note: '',
      }),
    );
    expect(sent.posted).toBe(true);
    const inbox = must(await call(deskA2, 'referrals.inbox', {}));
    expect(inbox.map((i) => i.id)).toContain(sent.id);
    const preview = must(await call(deskA2, 'referrals.open', { inboxId: sent.id, file: null }));
    expect(preview.patient?.familyName).toBe(PEOPLE[2]!.familyName);
  });
});
