import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verhoeffCheckDigit } from '../../src-shared/aadhaar.js';
import type { Connection } from '../core-types.js';
import { ADMIN, call, type HarnessCore, loginAs, must, startCore } from '../testing/core-harness.js';

let h: HarnessCore;
let desk: Connection;

const aadhaar = (eleven: string) => `${eleven}${verhoeffCheckDigit(eleven)}`;
const ID = aadhaar('23456789012');

const ravi = {
  givenNames: 'Ravi',
  familyName: 'Shankar',
  sex: 'male' as const,
  birth: { kind: 'exact' as const, date: '1984-03-09' },
  phones: [{ number: '+91 98470 12345', label: 'mobile' as const }],
  nationalId: ID,
  allergies: ['Sulfa drugs'],
};

const rowCount = (table: string) => {
  const db = new Database(join(h.dataDir, 'kavach.db'), { readonly: true });
  const n = (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  db.close();
  return n;
};

beforeEach(async () => {
  h = await startCore();
  const admin = await loginAs(h.core, ADMIN.username, ADMIN.password);
  must(await call(admin, 'staff.create', { username: 'desk', displayName: 'Front Desk', role: 'receptionist', password: 'marigold-window-5' }));
  desk = await loginAs(h.core, 'desk', 'marigold-window-5');
});
afterEach(async () => {
  await h.close();
});

describe('patient registration', () => {
  it('registers a walk-in with a workstation-prefixed patient number', async () => {
    const r = must(await call(desk, 'patients.register', { patient: ravi, decision: 'check-duplicates' }));
    expect(r.status).toBe('registered');
    if (r.status !== 'registered') return;
    expect(r.patientNumber).toMatch(/^[0-9A-HJKMNP-TV-Z]{5}-00001$/);
    const second = must(await call(desk, 'patients.register', { patient: { ...ravi, givenNames: 'Sita', phones: [], nationalId: '' }, decision: 'check-duplicates' }));
    expect(second.status === 'registered' && second.patientNumber.endsWith('-00002')).toBe(true);
  });

  it('warns of a likely duplicate and registers only when reception chooses so', async () => {
    must(await call(desk, 'patients.register', { patient: ravi, decision: 'check-duplicates' }));
    const typo = { ...ravi, givenNames: 'Ravi', familyName: 'Shanker', phones: [], nationalId: '', birth: { kind: 'exact' as const, date: '1984-07-01' } };
    const warned = must(await call(desk, 'patients.register', { patient: typo, decision: 'check-duplicates' }));
    expect(warned.status).toBe('possible-duplicates');
    if (warned.status !== 'possible-duplicates') return;
    expect(warned.candidates).toHaveLength(1);
    expect(warned.candidates[0]).toMatchObject({ name: 'Ravi Shankar', sex: 'male', nationalIdMasked: `XXXX XXXX ${ID.slice(-4)}` });
    expect(warned.candidates[0]!.reasons).toEqual(['Similar name, born within a year']);
    expect(rowCount('patients')).toBe(1);
    const samePhone = must(await call(desk, 'patients.register', { patient: { ...ravi, givenNames: 'Meena', nationalId: '' }, decision: 'check-duplicates' }));
    expect(samePhone.status === 'possible-duplicates' && samePhone.candidates[0]!.reasons).toEqual(['Same phone number']);
    const forced = must(
      await call(desk, 'patients.register', { patient: typo, decision: 'register-new', reviewedCandidates: [warned.candidates[0]!.id] }),
    );
    expect(forced.status).toBe('registered');
    expect(rowCount('patients')).toBe(2);
  });

  it.each([
    [{ birth: { kind: 'exact', date: '2999-01-01' } }, 'patient.birth.date', /future/],
    [{ birth: { kind: 'exact', date: '2023-02-30' } }, 'patient.birth.date', /calendar/],
    [{ nationalId: `${ID.slice(0, 11)}${(Number(ID[11]) + 1) % 10}` }, 'patient.nationalId', /check digit/],
    [{ phones: [{ number: '12345', label: 'mobile' }] }, 'patient.phones.0.number', /10-digit/],
    [{ heightCm: 400 }, 'patient.heightCm', /between 30 and 250/],
    [{ weightKg: 0 }, 'patient.weightKg', /between 0.5 and 350/],
  ])('refuses %j with a field error and writes nothing', async (change, field, message) => {
    const before = [rowCount('patients'), rowCount('outbox'), rowCount('blind_index')];
    const r = await call(desk, 'patients.register', { patient: { ...ravi, ...change } as typeof ravi, decision: 'check-duplicates' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('VALIDATION');
    expect(r.error.fields?.[field]).toMatch(message);
    expect([rowCount('patients'), rowCount('outbox'), rowCount('blind_index')]).toEqual(before);
  });

  it('is reception’s: doctors and admins may not register', async () => {
    const admin = await loginAs(h.core, ADMIN.username, ADMIN.password);
    expect(await call(admin, 'patients.register', { patient: ravi, decision: 'check-duplicates' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });
});

describe('patient search over encrypted fields', () => {
  beforeEach(async () => {
    must(await call(desk, 'patients.register', { patient: ravi, decision: 'register-new' }));
    must(
      await call(desk, 'patients.register', {
        patient: { givenNames: 'Nguyễn Thị', familyName: 'Minh', sex: 'female', birth: { kind: 'approximate', ageYears: 34 }, phones: [{ number: '9000012345', label: 'home' }] },
        decision: 'register-new',
      }),
    );
  });

  it('finds by a name prefix of any token, folding case and diacritics', async () => {
    expect(must(await call(desk, 'patients.search', { query: 'sha' })).map((p) => p.name)).toEqual(['Ravi Shankar']);
    expect(must(await call(desk, 'patients.search', { query: 'NGUYEN' })).map((p) => p.name)).toEqual(['Nguyễn Thị Minh']);
    expect(must(await call(desk, 'patients.search', { query: 'thi mi' })).map((p) => p.name)).toEqual(['Nguyễn Thị Minh']);
    expect(must(await call(desk, 'patients.search', { query: 'zz' }))).toEqual([]);
  });

  it('finds by phone in any format, by full Aadhaar and by patient number', async () => {
    const byPhone = must(await call(desk, 'patients.search', { query: '09847012345' }));
    expect(byPhone.map((p) => p.name)).toEqual(['Ravi Shankar']);
    const byId = must(await call(desk, 'patients.search', { query: `${ID.slice(0, 4)} ${ID.slice(4, 8)} ${ID.slice(8)}` }));
    expect(byId.map((p) => p.name)).toEqual(['Ravi Shankar']);
    const byNumber = must(await call(desk, 'patients.search', { query: byPhone[0]!.patientNumber.toLowerCase() }));
    expect(byNumber.map((p) => p.name)).toEqual(['Ravi Shankar']);
    const minh = must(await call(desk, 'patients.search', { query: 'minh' }))[0]!;
    expect(minh).toMatchObject({ ageYears: 34, ageEstimated: true, nationalIdMasked: '' });
  });

  it('keeps names, phones and Aadhaar out of the database files in plaintext', async () => {
    await h.core.close();
    for (const f of readdirSync(h.dataDir).filter((x) => x.startsWith('kavach.db'))) {
      const bytes = readFileSync(join(h.dataDir, f));
      for (const secret of ['Shankar', 'Nguyễn', '9847012345', '98470 12345', ID, 'Sulfa']) {
        expect(bytes.includes(Buffer.from(secret)), `a registered value was found in ${f}`).toBe(false);
      }
    }
    await h.reopen();
  });
});
