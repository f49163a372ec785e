import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TypedVitals } from '../../src-shared/clinical/chart.js';
import { canonicalJson } from '../../src-shared/clinical/prescribing.js';
import { todayIso } from '../../src-shared/patient.js';
import { addDays, weekdayOf } from '../../src-shared/schedule.js';
import type { Connection } from '../core-types.js';
import { ADMIN, call, type HarnessCore, loginAs, must, startCore } from '../testing/core-harness.js';

let h: HarnessCore;
let desk: Connection;
let doctor: Connection;
let other: Connection;
let doctorId: string;
let otherId: string;
let patientId: string;

const DOCTOR_PASSWORD = 'banyan-river-77';
const NO_VITALS: TypedVitals = {
  systolicMmHg: '',
  diastolicMmHg: '',
  pulsePerMin: '',
  temperatureC: '',
  spo2Percent: '',
  respiratoryRatePerMin: '',
  weightKg: '',
  heightCm: '',
};
const consult = (visitId: string, over: Record<string, unknown> = {}) => ({
  visitId,
  complaints: 'Fever for three days, sore throat',
  history: 'No similar episodes',
  examination: 'Tonsils enlarged, no exudate',
  vitals: {
    ...NO_VITALS,
    systolicMmHg: '128',
    diastolicMmHg: '84',
    pulsePerMin: '92',
    weightKg: '71.5',
    heightCm: '172',
  },
  diagnosis: 'Acute tonsillitis',
  icd10: 'J03.9',
  advice: 'Warm saline gargles',
  followUp: '',
  ...over,
});
const amoxicillin = {
  medicineId: 'amoxicillin',
  name: '',
  form: 'capsule',
  strength: '500 mg',
  dose: '1 capsule',
  route: 'oral' as const,
  frequency: '1-1-1',
  durationDays: 5,
  quantity: '15 capsules',
  instructions: 'after food',
};
const paracetamol = {
  ...amoxicillin,
  medicineId: 'paracetamol',
  form: 'tablet',
  strength: '500 mg',
  dose: '1 tablet',
  frequency: 'SOS',
  durationDays: null,
  quantity: '10 tablets',
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
const count = (table: string) =>
  readDb((db) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n);

async function checkIn(
  doctorFor: string | null,
  priority: 'routine' | 'urgent' | 'emergency' = 'routine',
  pid = patientId,
) {
  return must(
    await call(desk, 'visits.checkIn', { patientId: pid, doctorId: doctorFor, reason: 'Fever', priority }),
  );
}

async function registerPatient(givenNames: string, allergies: string[] = []): Promise<string> {
  const r = must(
    await call(desk, 'patients.register', {
      patient: {
        givenNames,
        familyName: 'Menon',
        sex: 'female',
        birth: { kind: 'exact', date: '1990-05-17' },
        phones: [
          { number: `98470${String(Math.floor(Math.random() * 1e5)).padStart(5, '0')}`, label: 'mobile' },
        ],
        allergies,
      },
      decision: 'register-new',
    }),
  );
  if (r.status !== 'registered') throw new Error('setup: not registered');
  return r.id;
}

beforeEach(async () => {
  h = await startCore();
  const admin = await loginAs(h.core, ADMIN.username, ADMIN.password);
  must(
    await call(admin, 'staff.create', {
      username: 'desk',
      displayName: 'Front Desk',
      role: 'receptionist',
      password: 'marigold-window-5',
    }),
  );
  const profile = {
    department: 'General',
    specialization: '',
    yearsOfExperience: 9,
    contactNumber: '',
    availabilityNote: '',
  };
  doctorId = must(
    await call(admin, 'staff.create', {
      username: 'dr.rao',
      displayName: 'Dr Anjali Rao',
      role: 'doctor',
      password: DOCTOR_PASSWORD,
      doctor: { ...profile, registrationNumber: 'KMC-1234' },
    }),
  ).id;
  otherId = must(
    await call(admin, 'staff.create', {
      username: 'dr.nair',
      displayName: 'Dr Vivek Nair',
      role: 'doctor',
      password: 'peepal-lantern-31',
      doctor: { ...profile, registrationNumber: 'KMC-9876' },
    }),
  ).id;
  desk = await loginAs(h.core, 'desk', 'marigold-window-5');
  doctor = await loginAs(h.core, 'dr.rao', DOCTOR_PASSWORD);
  other = await loginAs(h.core, 'dr.nair', 'peepal-lantern-31');
  patientId = await registerPatient('Lakshmi');
});
afterEach(async () => {
  await h.close();
});

describe("the doctor's queue", () => {
  it('shows own and unassigned patients; Call next takes emergencies first and assigns an unassigned visit', async () => {
    const mineRoutine = await checkIn(doctorId);
    const p2 = await registerPatient('Anita');
    const unassignedEmergency = await checkIn(null, 'emergency', p2);
    const p3 = await registerPatient('Kavya');
    const others = await checkIn(otherId, 'emergency', p3);
    const queue = must(await call(doctor, 'visits.queue', { doctor: 'mine', includeFinished: false }));
    expect(queue.visits.map((v) => v.id)).toEqual([unassignedEmergency.id, mineRoutine.id]);
    expect(queue.visits.some((v) => v.id === others.id)).toBe(false);

    const first = must(await call(doctor, 'visits.callNext', {}));
    expect(first?.id).toBe(unassignedEmergency.id);
    expect(first?.status).toBe('with-doctor');
    expect(first?.doctorId).toBe(doctorId);
    const second = must(await call(doctor, 'visits.callNext', {}));
    expect(second?.id).toBe(mineRoutine.id);
    expect(must(await call(doctor, 'visits.callNext', {}))).toBeNull();
    // Opening an unassigned patient from the queue makes the doctor theirs too.
    const p4 = await registerPatient('Meena');
    const walkIn = await checkIn(null, 'routine', p4);
    expect(
      must(await call(doctor, 'visits.setStatus', { id: walkIn.id, status: 'with-doctor' })).doctorId,
    ).toBe(doctorId);
    // The other doctor's emergency was never taken.
    const theirs = must(await call(other, 'visits.queue', { doctor: 'mine', includeFinished: false }));
    expect(theirs.visits.map((v) => [v.id, v.status])).toEqual([[others.id, 'waiting']]);
  });
});

describe('chart and consultation', () => {
  it('records allergies, conditions and medications; opening the chart is audited', async () => {
    const visit = await checkIn(doctorId);
    must(
      await call(doctor, 'chart.saveItem', {
        patientId,
        id: null,
        details: {
          kind: 'allergy',
          substance: 'Penicillin',
          reaction: 'Hives',
          severity: 'moderate',
          status: 'active',
        },
      }),
    );
    const cond = must(
      await call(doctor, 'chart.saveItem', {
        patientId,
        id: null,
        details: {
          kind: 'condition',
          name: 'Type 2 diabetes',
          icd10: 'E11.9',
          since: '2019',
          status: 'active',
        },
      }),
    );
    must(
      await call(doctor, 'chart.saveItem', {
        patientId,
        id: null,
        details: {
          kind: 'medication',
          name: 'Metformin 500 mg',
          dose: '1 tablet',
          frequency: 'BD',
          status: 'active',
        },
      }),
    );
    must(
      await call(doctor, 'chart.saveItem', {
        patientId,
        id: cond.id,
        details: {
          kind: 'condition',
          name: 'Type 2 diabetes',
          icd10: 'E11.9',
          since: '2018',
          status: 'active',
        },
      }),
    );
    const bad = await call(doctor, 'chart.saveItem', {
      patientId,
      id: null,
      details: { kind: 'condition', name: 'X', icd10: 'Q99.99', since: '', status: 'active' },
    });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(Object.keys(bad.error.fields ?? {})).toEqual(['details.icd10']);

    must(await call(doctor, 'consultations.finish', consult(visit.id)));
    const chart = must(await call(doctor, 'chart.open', { patientId }));
    expect(chart.allergies.map((a) => a.kind === 'allergy' && [a.substance, a.reaction, a.severity])).toEqual(
      [['Penicillin', 'Hives', 'moderate']],
    );
    expect(chart.conditions.map((c) => c.kind === 'condition' && c.since)).toEqual(['2018']);
    expect(chart.medications).toHaveLength(1);
    expect(chart.timeline).toHaveLength(1);
    expect(chart.timeline[0]!.consultation?.diagnosis).toBe('Acute tonsillitis');
    expect(chart.timeline[0]!.status).toBe('done');
    expect(chart.vitals).toEqual([
      { visitId: visit.id, day: visit.day, systolicMmHg: 128, diastolicMmHg: 84, weightKg: 71.5 },
    ]);
    const audit = readDb((db) =>
      db.prepare("SELECT subject_id, detail FROM audit_events WHERE action = 'chart.open'").all(),
    ) as { subject_id: string; detail: string }[];
    expect(audit.map((a) => a.subject_id)).toEqual([patientId]);
  });

  it('saves drafts as typed, refuses implausible vitals on finishing with nothing saved, then closes the visit', async () => {
    const visit = await checkIn(doctorId);
    must(await call(doctor, 'visits.callNext', {}));
    const draft = must(
      await call(
        doctor,
        'consultations.saveDraft',
        consult(visit.id, { vitals: { ...NO_VITALS, pulsePerMin: '4' }, diagnosis: '' }),
      ),
    );
    expect(draft.status).toBe('draft');
    const notNumber = await call(
      doctor,
      'consultations.saveDraft',
      consult(visit.id, { vitals: { ...NO_VITALS, pulsePerMin: '9O' } }),
    );
    expect(notNumber.ok).toBe(false);
    if (!notNumber.ok) expect(notNumber.error.fields?.['vitals.pulsePerMin']).toMatch(/number/);

    const before = readDb((db) => db.prepare('SELECT * FROM consultations').all());
    const outboxBefore = count('outbox');
    const implausible = await call(
      doctor,
      'consultations.finish',
      consult(visit.id, { vitals: { ...NO_VITALS, pulsePerMin: '400', spo2Percent: '120' }, diagnosis: '' }),
    );
    expect(implausible.ok).toBe(false);
    if (!implausible.ok) {
      expect(implausible.error.fields?.['vitals.pulsePerMin']).toMatch(/20 and 250/);
      expect(implausible.error.fields?.['vitals.spo2Percent']).toMatch(/100/);
      expect(implausible.error.fields?.diagnosis).toMatch(/diagnosis/i);
    }
    expect(readDb((db) => db.prepare('SELECT * FROM consultations').all())).toEqual(before);
    expect(count('outbox')).toBe(outboxBefore);
    const pastFollowUp = await call(
      doctor,
      'consultations.finish',
      consult(visit.id, { followUp: visit.day }),
    );
    expect(pastFollowUp.ok).toBe(false);

    const done = must(
      await call(doctor, 'consultations.finish', consult(visit.id, { followUp: '2099-01-01' })),
    );
    expect(done.status).toBe('final');
    expect(done.vitals.pulsePerMin).toBe('92');
    const q = must(await call(desk, 'visits.queue', { doctor: 'all', includeFinished: true }));
    expect(q.visits.find((v) => v.id === visit.id)?.status).toBe('done');
    const again = await call(doctor, 'consultations.saveDraft', consult(visit.id));
    expect(again.ok).toBe(false);
    if (!again.ok) expect(again.error.code).toBe('CONFLICT');
  });

  it('keeps clinical text out of the database file in plaintext', async () => {
    const visit = await checkIn(doctorId);
    must(
      await call(doctor, 'chart.saveItem', {
        patientId,
        id: null,
        details: {
          kind: 'allergy',
          substance: 'Quinolinexyz',
          reaction: 'Rash',
          severity: 'mild',
          status: 'active',
        },
      }),
    );
    must(
      await call(
        doctor,
        'consultations.finish',
        consult(visit.id, { diagnosis: 'Zorbulitis marker', advice: 'Hydrate plenty marker' }),
      ),
    );
    await h.core.close();
    const files = readdirSync(h.dataDir).filter((f) => f.startsWith('kavach.db'));
    for (const f of files) {
      const bytes = readFileSync(join(h.dataDir, f));
      for (const needle of ['Quinolinexyz', 'Zorbulitis marker', 'Hydrate plenty', 'tonsils'])
        expect(bytes.includes(Buffer.from(needle)), `${needle} in ${f}`).toBe(false);
    }
    await h.reopen();
  });

  it('refuses the consultation and prescription channels to a receptionist', async () => {
    const visit = await checkIn(doctorId);
    for (const r of [
      await call(desk, 'consultations.saveDraft', consult(visit.id)),
      await call(desk, 'consultations.finish', consult(visit.id)),
      await call(desk, 'chart.open', { patientId }),
      await call(desk, 'prescriptions.sign', {
        visitId: visit.id,
        previousId: null,
        items: [paracetamol],
        advice: '',
        followUp: '',
        overrides: [],
        password: 'marigold-window-5',
      }),
    ]) {
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.code).toBe('FORBIDDEN');
    }
    expect(count('consultations') + count('prescriptions')).toBe(0);
  });
});

describe('follow-up booking', () => {
  it('lets a doctor book a follow-up in their own diary only', async () => {
    const date = addDays(todayIso(h.clock.now()), 7);
    const weekly = [{ weekday: weekdayOf(date), start: '09:00', end: '12:00' }];
    must(await call(doctor, 'schedule.set', { doctorId, slotMinutes: 15, weekly }));
    const booked = must(
      await call(doctor, 'appointments.book', {
        doctorId,
        patientId,
        date,
        start: '09:15',
        reason: 'Follow-up',
      }),
    );
    expect(booked.doctorId).toBe(doctorId);
    const theirs = await call(doctor, 'appointments.book', {
      doctorId: otherId,
      patientId,
      date,
      start: '09:30',
      reason: 'Follow-up',
    });
    expect(theirs.ok).toBe(false);
    if (!theirs.ok) expect(theirs.error.code).toBe('FORBIDDEN');
  });
});

describe('prescriptions', () => {
  const sign = (visitId: string, over: Record<string, unknown> = {}) =>
    call(doctor, 'prescriptions.sign', {
      visitId,
      previousId: null,
      items: [amoxicillin, paracetamol],
      advice: 'Complete the course',
      followUp: '',
      overrides: [],
      password: DOCTOR_PASSWORD,
      ...over,
    } as never);

  it('flags a penicillin-class drug for a penicillin allergy, needs a reason, signs, and a new version points to the old', async () => {
    const visit = await checkIn(doctorId);
    must(
      await call(doctor, 'chart.saveItem', {
        patientId,
        id: null,
        details: {
          kind: 'allergy',
          substance: 'penicillin',
          reaction: 'Anaphylaxis',
          severity: 'severe',
          status: 'active',
        },
      }),
    );
    must(await call(doctor, 'consultations.saveDraft', consult(visit.id)));

    const warned = await sign(visit.id);
    expect(warned.ok).toBe(false);
    if (!warned.ok) {
      expect(warned.error.code).toBe('VALIDATION');
      expect(Object.keys(warned.error.fields ?? {})).toEqual(['items.0.override']);
      expect(warned.error.fields?.['items.0.override']).toMatch(/penicillin/i);
    }
    expect(count('prescriptions')).toBe(0);
    const wrongPassword = await sign(visit.id, {
      overrides: [{ itemIndex: 0, reason: 'Tolerated amoxicillin in 2023 under observation' }],
      password: 'not-my-password',
    });
    expect(wrongPassword.ok).toBe(false);
    if (!wrongPassword.ok) expect(wrongPassword.error.code).toBe('INVALID_CREDENTIALS');
    expect(count('prescriptions')).toBe(0);

    const v1 = must(
      await sign(visit.id, {
        overrides: [{ itemIndex: 0, reason: 'Tolerated amoxicillin in 2023 under observation' }],
      }),
    );
    expect(v1.version).toBe(1);
    expect(v1.items[0]!.name).toBe('amoxicillin');
    expect(v1.overrides).toEqual([
      {
        itemIndex: 0,
        itemName: 'amoxicillin',
        allergy: 'penicillin',
        reason: 'Tolerated amoxicillin in 2023 under observation',
      },
    ]);
    expect(v1.diagnosis).toBe('Acute tonsillitis (J03.9)');
    // The digest is SHA-256 over the canonical content as stored (opened from its envelope here).
    const stored = readDb((db) => db.prepare('SELECT digest FROM prescriptions WHERE id = ?').get(v1.id)) as {
      digest: string;
    };
    expect(stored.digest).toBe(v1.digest);
    expect(v1.digest).toMatch(/^[0-9a-f]{64}$/);
    const content = {
      prescriptionId: v1.id,
      version: 1,
      previousId: null,
      patientId,
      visitId: visit.id,
      doctorId,
      signedAt: v1.signedAt,
      items: v1.items,
      advice: v1.advice,
      followUp: v1.followUp,
      diagnosis: [{ text: 'Acute tonsillitis', icd10: 'J03.9' }],
      overrides: v1.overrides,
    };
    expect(createHash('sha256').update(canonicalJson(content)).digest('hex')).toBe(v1.digest);

    // Immutable: the database itself refuses to change or delete a signed prescription.
    await h.core.close();
    const raw = new Database(dbPath());
    expect(() => raw.prepare("UPDATE prescriptions SET digest = 'x' WHERE id = ?").run(v1.id)).toThrow(
      /immutable/,
    );
    expect(() => raw.prepare('DELETE FROM prescriptions WHERE id = ?').run(v1.id)).toThrow(/immutable/);
    raw.close();
    await h.reopen();
    doctor = await loginAs(h.core, 'dr.rao', DOCTOR_PASSWORD);

    const v2 = must(await sign(visit.id, { previousId: v1.id, items: [paracetamol] }));
    expect(v2.version).toBe(2);
    expect(v2.previousId).toBe(v1.id);
    expect(must(await call(doctor, 'prescriptions.get', { id: v1.id })).supersededBy).toBe(v2.id);
    const fork = await sign(visit.id, { previousId: v1.id, items: [paracetamol] });
    expect(fork.ok).toBe(false);
    if (!fork.ok) expect(fork.error.code).toBe('CONFLICT');
    const chart = must(await call(doctor, 'chart.open', { patientId }));
    expect(chart.timeline[0]!.prescriptions.map((p) => p.version)).toEqual([1, 2]);
  });

  it('checks free-text registration allergies too, and warns only for active structured ones', async () => {
    const sulfa = await registerPatient('Deepa', ['Sulfa drugs']);
    const visit = await checkIn(doctorId, 'routine', sulfa);
    const cotrimoxazole = {
      ...paracetamol,
      medicineId: 'sulfamethoxazole-trimethoprim',
      dose: '1 tablet',
      frequency: 'BD',
      durationDays: 5,
    };
    const r = await sign(visit.id, { items: [cotrimoxazole] });
    if (r.ok) throw new Error('a sulfonamide was signed for a sulfa-allergic patient without a reason');
    expect(Object.keys(r.error.fields ?? {})).toEqual(['items.0.override']);

    const v = await checkIn(doctorId);
    must(
      await call(doctor, 'chart.saveItem', {
        patientId,
        id: null,
        details: {
          kind: 'allergy',
          substance: 'penicillin',
          reaction: '',
          severity: 'unknown',
          status: 'resolved',
        },
      }),
    );
    expect(must(await sign(v.id, { items: [amoxicillin] })).overrides).toEqual([]);
  });

  it('answers bad items with field errors and saves nothing', async () => {
    const visit = await checkIn(doctorId);
    const cases: [Record<string, unknown>, string][] = [
      [{ ...amoxicillin, dose: '' }, 'items.0.dose'],
      [{ ...amoxicillin, frequency: '' }, 'items.0.frequency'],
      [{ ...amoxicillin, frequency: 'sometimes' }, 'items.0.frequency'],
      [{ ...amoxicillin, durationDays: -3 }, 'items.0.durationDays'],
      [{ ...amoxicillin, medicineId: null, name: '' }, 'items.0.name'],
      [{ ...amoxicillin, medicineId: 'not-a-drug-we-know' }, 'items.0.medicineId'],
    ];
    for (const [item, field] of cases) {
      const r = await sign(visit.id, { items: [item] });
      expect(r.ok, field).toBe(false);
      if (!r.ok) expect(Object.keys(r.error.fields ?? {}), field).toContain(field);
    }
    expect(count('prescriptions')).toBe(0);
  });

  it('prints a PDF with the doctor, patient, items and digest; poppler reads it back', async () => {
    const visit = await checkIn(doctorId);
    const signed = must(await sign(visit.id, { items: [paracetamol], followUp: '2099-02-01' }));
    const pdf = must(await call(doctor, 'prescriptions.pdf', { id: signed.id }));
    expect(pdf.fileName).toMatch(/^prescription-.+-v1\.pdf$/);
    const dir = mkdtempSync(join(tmpdir(), 'kavach-rx-'));
    try {
      writeFileSync(join(dir, 'rx.pdf'), Buffer.from(pdf.base64, 'base64'));
      const text = spawnSync('pdftotext', ['-layout', join(dir, 'rx.pdf'), '-'], { encoding: 'utf8' });
      expect(text.status, 'pdftotext (poppler-utils) must be installed').toBe(0);
      const patient = must(await call(doctor, 'patients.get', { id: patientId }));
      for (const needle of [
        'Dr Anjali Rao',
        'KMC-1234',
        patient.patientNumber,
        'paracetamol',
        'SOS',
        '2099-02-01',
        signed.digest,
      ])
        expect(
          text.stdout.replace(/\s+/g, ' ').includes(needle) ||
            text.stdout.replace(/\s+/g, '').includes(needle),
          needle,
        ).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('attachments', () => {
  const PNG = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    Buffer.from('IHDR-marker-lab-report'),
    randomBytes(1_500_000),
  ]);

  async function upload(bytes: Buffer, name = 'cbc-report.png') {
    const { uploadId } = must(
      await call(doctor, 'attachments.begin', { patientId, visitId: null, name, bytes: bytes.length }),
    );
    for (let i = 0, at = 0; at < bytes.length; i++, at += 1024 * 1024) {
      must(
        await call(doctor, 'attachments.upload', {
          uploadId,
          index: i,
          base64: bytes.subarray(at, at + 1024 * 1024).toString('base64'),
        }),
      );
    }
    return call(doctor, 'attachments.finish', { uploadId });
  }

  async function download(id: string): Promise<Buffer> {
    const parts: Buffer[] = [];
    for (let i = 0; ; i++) {
      const piece = must(await call(doctor, 'attachments.read', { id, index: i }));
      parts.push(Buffer.from(piece.base64, 'base64'));
      if (!piece.more) return Buffer.concat(parts);
    }
  }

  it('files an upload encrypted, lists it in the chart and gives the same bytes back', async () => {
    const info = must(await upload(PNG));
    expect(info.mime).toBe('image/png');
    expect(info.bytes).toBe(PNG.length);
    expect(must(await call(doctor, 'chart.open', { patientId })).attachments.map((a) => a.name)).toEqual([
      'cbc-report.png',
    ]);
    expect((await download(info.id)).equals(PNG)).toBe(true);
    const file = readFileSync(join(h.dataDir, 'attachments', `${info.id}.kva`));
    expect(file.includes(Buffer.from('IHDR-marker-lab-report'))).toBe(false);
    await h.core.close();
    for (const f of readdirSync(h.dataDir).filter((n) => n.startsWith('kavach.db')))
      expect(readFileSync(join(h.dataDir, f)).includes(Buffer.from('cbc-report'))).toBe(false);
    await h.reopen();
  });

  it('refuses other types by content, pieces out of order and short uploads, filing nothing', async () => {
    const text = await upload(Buffer.from('just some text pretending.png'), 'fake.png');
    expect(text.ok).toBe(false);
    if (!text.ok) expect(text.error.message).toMatch(/PDF, PNG and JPEG/);
    const { uploadId } = must(
      await call(doctor, 'attachments.begin', { patientId, visitId: null, name: 'x.pdf', bytes: 10 }),
    );
    const skipped = await call(doctor, 'attachments.upload', { uploadId, index: 1, base64: 'AAAA' });
    expect(skipped.ok).toBe(false);
    must(
      await call(doctor, 'attachments.upload', {
        uploadId,
        index: 0,
        base64: Buffer.from('%PDF-').toString('base64'),
      }),
    );
    const short = await call(doctor, 'attachments.finish', { uploadId });
    expect(short.ok).toBe(false);
    const big = await call(doctor, 'attachments.begin', {
      patientId,
      visitId: null,
      name: 'huge.pdf',
      bytes: 26 * 1024 * 1024,
    });
    expect(big.ok).toBe(false);
    if (!big.ok) expect(big.error.fields?.bytes).toMatch(/25 MB/);
    expect(count('attachments')).toBe(0);
  });

  it('fails loudly on a tampered or truncated file, with a security event, and shows nothing of it', async () => {
    const info = must(await upload(PNG.subarray(0, 300_000)));
    const path = join(h.dataDir, 'attachments', `${info.id}.kva`);
    const original = readFileSync(path);
    const flipped = Buffer.from(original);
    flipped[200_000]! ^= 1;
    for (const damaged of [flipped, original.subarray(0, original.length - 70_000)]) {
      writeFileSync(path, damaged);
      const r = await call(doctor, 'attachments.read', { id: info.id, index: 0 });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.message).toMatch(/altered or damaged/);
    }
    const events = readDb((db) =>
      db.prepare("SELECT count(*) AS n FROM security_events WHERE kind = 'decryption-failed'").get(),
    ) as { n: number };
    expect(events.n).toBeGreaterThanOrEqual(2);
    writeFileSync(path, original);
    expect((await download(info.id)).equals(PNG.subarray(0, 300_000))).toBe(true);
  });
});
