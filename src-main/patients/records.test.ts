import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verhoeffCheckDigit } from '../../src-shared/aadhaar.js';
import { addDays } from '../../src-shared/schedule.js';
import { todayIso } from '../../src-shared/patient.js';
import type { Connection } from '../core-types.js';
import { ADMIN, call, type HarnessCore, loginAs, must, startCore } from '../testing/core-harness.js';

let h: HarnessCore;
let admin: Connection;
let desk: Connection;
let doctor: Connection;
let raviId: string;

const aadhaar = (eleven: string) => `${eleven}${verhoeffCheckDigit(eleven)}`;
const ID = aadhaar('23456789012');
const ID2 = aadhaar('87654321098');
const PHONE = '9847012345';

const address = {
  line: '12 Temple Street',
  cityOrVillage: 'Kochi',
  district: 'Ernakulam',
  state: 'Kerala',
  pinCode: '682001',
};
const ravi = {
  givenNames: 'Ravi',
  familyName: 'Shankar',
  sex: 'male' as const,
  birth: { kind: 'exact' as const, date: '1984-03-09' },
  phones: [{ number: `+91 ${PHONE.slice(0, 5)} ${PHONE.slice(5)}`, label: 'mobile' as const }],
  address,
  nationalId: ID,
  allergies: ['Sulfa drugs'],
};

const dbPath = () => join(h.dataDir, 'kavach.db');
function readDb<T>(fn: (db: Database.Database) => T): T {
  const db = new Database(dbPath(), { readonly: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}
/** A digest of everything a patient write touches, to show a refused call wrote nothing. */
const digest = () =>
  readDb((db) => {
    const hash = createHash('sha256');
    for (const t of ['patients', 'patient_history', 'outbox', 'blind_index', 'patient_photos']) {
      hash.update(JSON.stringify(db.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all()));
    }
    return hash.digest('hex');
  });
const outboxIds = (rowId: string) =>
  readDb(
    (db) =>
      db.prepare('SELECT change_id AS id, col FROM outbox WHERE row_id = ?').all(rowId) as {
        id: string;
        col: string;
      }[],
  );
const lastAudit = (action: string) =>
  readDb(
    (db) =>
      db.prepare('SELECT * FROM audit_events WHERE action = ? ORDER BY seq DESC LIMIT 1').get(action) as
        | { subject_type: string; subject_id: string; outcome: string; detail: string }
        | undefined,
  );
const searchNames = async (query: string) =>
  must(await call(desk, 'patients.search', { query })).map((p) => p.name);

/** Every file of the database (WAL included), with the core closed so nothing is in memory only. */
async function dbFilesContain(needles: Buffer[]): Promise<boolean> {
  await h.core.close();
  try {
    return readdirSync(h.dataDir)
      .filter((f) => f.startsWith('kavach.db'))
      .some((f) => {
        const bytes = readFileSync(join(h.dataDir, f));
        return needles.some((n) => bytes.includes(n));
      });
  } finally {
    await h.reopen();
  }
}

beforeEach(async () => {
  h = await startCore();
  admin = await loginAs(h.core, ADMIN.username, ADMIN.password);
  must(
    await call(admin, 'staff.create', {
      username: 'desk',
      displayName: 'Front Desk',
      role: 'receptionist',
      password: 'marigold-window-5',
    }),
  );
  must(
    await call(admin, 'staff.create', {
      username: 'dr.rao',
      displayName: 'Dr Anjali Rao',
      role: 'doctor',
      password: 'banyan-river-77',
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
  desk = await loginAs(h.core, 'desk', 'marigold-window-5');
  doctor = await loginAs(h.core, 'dr.rao', 'banyan-river-77');
  const r = must(await call(desk, 'patients.register', { patient: ravi, decision: 'register-new' }));
  if (r.status !== 'registered') throw new Error('setup: not registered');
  raviId = r.id;
});
afterEach(async () => {
  await h.close();
});

describe('the patient record and the Aadhaar reveal', () => {
  it('shows the Aadhaar masked, and reveals it in full only through an audited call', async () => {
    for (const who of [desk, doctor]) {
      const rec = must(await call(who, 'patients.get', { id: raviId }));
      expect(rec.nationalIdMasked).toBe(`XXXX XXXX ${ID.slice(8)}`);
      expect(rec.address).toEqual(address);
      const json = JSON.stringify(rec);
      expect(json.includes(ID) || json.includes(ID.slice(0, 8)), 'the full Aadhaar is in the record').toBe(
        false,
      );
    }
    expect(must(await call(doctor, 'patients.revealNationalId', { id: raviId })).nationalId).toBe(ID);
    const event = lastAudit('patients.revealNationalId');
    expect(event).toMatchObject({ subject_type: 'patient', subject_id: raviId, outcome: 'ok' });
    expect(
      event?.detail.includes(ID) || event?.detail.includes(ID.slice(0, 8)),
      'the number is in the audit detail',
    ).toBe(false);
  });
});

describe('corrections', () => {
  const moved = { ...address, line: '14 Temple Street' };
  const keep = { ...ravi, nationalId: '' };

  it('writes only the changed field, to the outbox, the history and the audit', async () => {
    const before = new Set(outboxIds(raviId).map((r) => r.id));
    h.clock.advance(60_000);
    must(
      await call(desk, 'patients.update', {
        id: raviId,
        patient: { ...keep, address: moved },
        keepNationalId: true,
      }),
    );
    const added = outboxIds(raviId).filter((r) => !before.has(r.id));
    expect(added.map((r) => r.col)).toEqual(['address']);
    expect(must(await call(doctor, 'patients.get', { id: raviId })).address).toEqual(moved);

    const history = must(await call(admin, 'patients.history', { id: raviId }));
    const ofAddress = history.filter((e) => e.field === 'address');
    expect(ofAddress.map((e) => [e.kind, e.byName])).toEqual([
      ['corrected', 'Front Desk'],
      ['registered', 'Front Desk'],
    ]);
    expect(ofAddress[0]!.value).toContain('14 Temple Street');
    expect(ofAddress[1]!.value).toContain('12 Temple Street');
    expect(ofAddress[0]!.at - ofAddress[1]!.at).toBe(60_000);
    expect(history.filter((e) => e.kind === 'corrected')).toHaveLength(1);
    // The history masks the Aadhaar like every other view.
    expect(history.find((e) => e.field === 'nationalId')?.value).toBe(`XXXX XXXX ${ID.slice(8)}`);
    expect(JSON.stringify(history).includes(ID)).toBe(false);

    const event = lastAudit('patients.update');
    expect(event?.subject_id).toBe(raviId);
    expect(JSON.parse(event?.detail ?? '{}').changedFields).toEqual(['address']);
  });

  it('writes nothing when nothing changed, and keeps the Aadhaar when asked to', async () => {
    const before = digest();
    const rec = must(
      await call(desk, 'patients.update', { id: raviId, patient: keep, keepNationalId: true }),
    );
    expect(digest()).toBe(before);
    expect(rec.nationalIdMasked).toBe(`XXXX XXXX ${ID.slice(8)}`);
    expect(JSON.parse(lastAudit('patients.update')?.detail ?? '{}').changedFields).toEqual([]);
    must(
      await call(desk, 'patients.update', {
        id: raviId,
        patient: { ...keep, notes: 'Prefers Malayalam' },
        keepNationalId: true,
      }),
    );
    expect(must(await call(desk, 'patients.revealNationalId', { id: raviId })).nationalId).toBe(ID);
  });

  it('replaces the Aadhaar and rebuilds the blind index when told not to keep it', async () => {
    expect(await searchNames(ID)).toEqual(['Ravi Shankar']);
    must(
      await call(desk, 'patients.update', {
        id: raviId,
        patient: { ...ravi, nationalId: ID2 },
        keepNationalId: false,
      }),
    );
    expect(must(await call(desk, 'patients.revealNationalId', { id: raviId })).nationalId).toBe(ID2);
    expect(await searchNames(ID2)).toEqual(['Ravi Shankar']);
    expect(await searchNames(ID)).toEqual([]);
    expect(await searchNames('Shan')).toEqual(['Ravi Shankar']);
  });

  it('finds a corrected phone by its new number only', async () => {
    expect(await searchNames(PHONE)).toEqual(['Ravi Shankar']);
    must(
      await call(desk, 'patients.update', {
        id: raviId,
        patient: { ...keep, phones: [{ number: '9000012345', label: 'mobile' }] },
        keepNationalId: true,
      }),
    );
    expect(await searchNames(PHONE)).toEqual([]);
    expect(await searchNames('09000012345')).toEqual(['Ravi Shankar']);
  });

  it.each([
    [
      'a future date of birth',
      () => ({ birth: { kind: 'exact' as const, date: addDays(todayIso(h.clock.now()), 1) } }),
      'patient.birth.date',
    ],
    [
      'a bad Aadhaar',
      () => ({ nationalId: `${ID.slice(0, 11)}${(Number(ID[11]) + 1) % 10}` }),
      'patient.nationalId',
    ],
  ])('refuses %s with a field error and writes nothing', async (_what, change, field) => {
    const before = digest();
    const r = await call(desk, 'patients.update', {
      id: raviId,
      patient: { ...ravi, ...change() },
      keepNationalId: false,
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('VALIDATION');
    expect(Object.keys(r.error.fields ?? {})).toContain(field);
    expect(digest()).toBe(before);
  });

  it('keeps the history from reception and doctors, and append-only in the database', async () => {
    for (const who of [desk, doctor]) {
      expect(await call(who, 'patients.history', { id: raviId })).toMatchObject({
        ok: false,
        error: { code: 'FORBIDDEN' },
      });
    }
    const db = new Database(dbPath());
    try {
      expect(() => db.prepare("UPDATE patient_history SET kind = 'corrected'").run()).toThrow(/append-only/);
      expect(() => db.prepare('DELETE FROM patient_history').run()).toThrow(/append-only/);
      expect(
        (
          db.prepare('SELECT count(*) AS n FROM patient_history WHERE kind = ?').get('registered') as {
            n: number;
          }
        ).n,
      ).toBe(19);
    } finally {
      db.close();
    }
  });
});

/** Bytes that start like the image type (the handler trusts only the first bytes). */
const image = (magic: number[], size = 4096) =>
  Buffer.concat([Buffer.from(magic), randomBytes(size - magic.length)]);
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG = [0xff, 0xd8, 0xff, 0xe0];

describe('the patient photo', () => {
  it('round-trips PNG and JPEG byte for byte, and null removes it', async () => {
    for (const [magic, mime] of [
      [PNG, 'image/png'],
      [JPEG, 'image/jpeg'],
    ] as const) {
      const bytes = image([...magic]);
      expect(
        must(await call(desk, 'patients.setPhoto', { id: raviId, imageBase64: bytes.toString('base64') })),
      ).toBeNull();
      const back = must(await call(doctor, 'patients.photo', { id: raviId }));
      expect(back?.mime).toBe(mime);
      expect(Buffer.from(back?.base64 ?? '', 'base64').equals(bytes)).toBe(true);
      expect(must(await call(desk, 'patients.get', { id: raviId })).hasPhoto).toBe(true);
    }
    must(await call(desk, 'patients.setPhoto', { id: raviId, imageBase64: null }));
    expect(must(await call(desk, 'patients.photo', { id: raviId }))).toBeNull();
    expect(must(await call(desk, 'patients.get', { id: raviId })).hasPhoto).toBe(false);
  });

  it.each([
    ['a GIF', () => Buffer.concat([Buffer.from('GIF89a'), randomBytes(64)]).toString('base64')],
    ['text', () => Buffer.from('not an image at all').toString('base64')],
    ['a PNG one byte over 1 MB', () => image(PNG, 1_000_001).toString('base64')],
    ['a PNG of 1.5 MB', () => image(PNG, 1_500_000).toString('base64')],
  ])('refuses %s on imageBase64 and keeps the stored photo', async (_what, payload) => {
    const kept = image(PNG);
    must(await call(desk, 'patients.setPhoto', { id: raviId, imageBase64: kept.toString('base64') }));
    const before = digest();
    const r = await call(desk, 'patients.setPhoto', { id: raviId, imageBase64: payload() });
    expect(r).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(!r.ok && Object.keys(r.error.fields ?? {})).toEqual(['imageBase64']);
    expect(digest()).toBe(before);
    expect(
      Buffer.from(must(await call(desk, 'patients.photo', { id: raviId }))?.base64 ?? '', 'base64').equals(
        kept,
      ),
    ).toBe(true);
  });

  it('stores the photo encrypted: no run of its bytes is in the database files', async () => {
    const bytes = image(PNG);
    const b64 = bytes.toString('base64');
    must(await call(desk, 'patients.setPhoto', { id: raviId, imageBase64: b64 }));
    const needles = [bytes.subarray(1000, 1032), Buffer.from(b64.slice(2000, 2032))];
    expect(await dbFilesContain(needles), 'photo bytes found in plaintext').toBe(false);
    // The same check finds bytes that are stored as they are (it can fail).
    expect(await dbFilesContain([Buffer.from('patient_history_no_update')])).toBe(true);
  });
});

function pdfText(base64: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'kavach-slip-'));
  try {
    const file = join(dir, 'slip.pdf');
    writeFileSync(file, Buffer.from(base64, 'base64'));
    const run = spawnSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    if (run.error) throw new Error(`pdftotext could not run (${run.error.message}): install poppler-utils`);
    if (run.status !== 0) throw new Error(`pdftotext failed with status ${run.status}`);
    return run.stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the registration slip', () => {
  const checkIn = async (patientId: string) =>
    must(await call(desk, 'visits.checkIn', { patientId, doctorId: null, reason: '', priority: 'routine' }));
  const register = async (patient: Record<string, unknown>) => {
    const r = must(
      await call(desk, 'patients.register', { patient: patient as typeof ravi, decision: 'register-new' }),
    );
    if (r.status !== 'registered') throw new Error('not registered');
    return r.id;
  };

  it('prints the patient number, name and token, and leaves the phone and Aadhaar off', async () => {
    const other = await register({
      givenNames: 'Sita',
      sex: 'female',
      birth: { kind: 'approximate', ageYears: 30 },
    });
    await checkIn(other);
    const otherVisit = await checkIn(
      await register({ givenNames: 'Arjun', sex: 'male', birth: { kind: 'approximate', ageYears: 8 } }),
    );
    const visit = await checkIn(raviId);
    expect(visit.token).toBe(3);
    const { patientNumber } = must(await call(desk, 'patients.get', { id: raviId }));

    const slip = must(await call(desk, 'patients.slip', { id: raviId, visitId: visit.id }));
    expect(slip.mime).toBe('application/pdf');
    const text = pdfText(slip.base64);
    expect(text).toContain(patientNumber);
    expect(text).toContain('Ravi Shankar');
    expect(text).toContain('Token');
    expect(text).toMatch(/^\s*3\s*$/m);
    const compact = text.replace(/\s/g, '');
    for (const secret of [PHONE, PHONE.slice(0, 5), ID, ID.slice(0, 8), '682001', 'Temple']) {
      expect(compact.includes(secret), 'the slip shows a phone, Aadhaar or address').toBe(false);
    }

    const plain = pdfText(must(await call(desk, 'patients.slip', { id: raviId, visitId: null })).base64);
    expect(plain).toContain(patientNumber);
    expect(plain).not.toContain('Token');

    expect(await call(desk, 'patients.slip', { id: raviId, visitId: otherVisit.id })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
  });

  it('prints a Devanagari name: every character of it is in the text layer', async () => {
    const id = await register({
      givenNames: 'राहुल',
      familyName: 'शर्मा',
      sex: 'male',
      birth: { kind: 'approximate', ageYears: 40 },
    });
    const text = pdfText(must(await call(desk, 'patients.slip', { id, visitId: null })).base64);
    // Shaped Indic text is laid out in visual order (the reph and vowel signs move), so a
    // text extractor reads 'शर्मा' back as 'शमार्': compare the characters, not their order.
    const chars = (s: string) => [...s].filter((c) => /\p{Script=Devanagari}/u.test(c)).sort().join('');
    expect(chars(text)).toBe(chars('राहुल शर्मा'));
  });
});
