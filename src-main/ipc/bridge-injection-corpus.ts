import { createHash } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNELS, type Channel, type InputOf } from '../../src-shared/contract.js';
import { todayIso } from '../../src-shared/patient.js';
import type { Result } from '../../src-shared/result.js';
import { addDays, weekdayOf } from '../../src-shared/schedule.js';
import type { Connection } from '../core-types.js';
import { ADMIN, call, type HarnessCore, loginAs, must, startCore } from '../testing/core-harness.js';
import type { CorpusCaller, CorpusFixtures, CorpusSample } from './corpus/area.js';
import { AREAS } from './corpus/index.js';

/**
 * Every channel of the contract, every field of its payload, against injection payloads,
 * wrong types and hostile keys: no crash, no unintended write, either a clean error or the
 * value stored verbatim, and the database schema unchanged. Runs on the real core.
 */

const INJECTIONS = [
  "' OR 1=1 --",
  "'; DROP TABLE users;--",
  '{"$ne": null}',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  'javascript:alert(document.cookie)',
  '$(rm -rf /)',
  '; cat /etc/passwd',
  '../../etc/passwd',
  '{{7*7}}',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection payload, as typed
  '${7*7}',
  'x'.repeat(100_000),
  'nul\u0000byte',
  'bell\u0007and\u001bescape',
  'right-to-left \u202Eoverride',
];
const WRONG_TYPES: unknown[] = [42, true, null, [], {}, { $ne: null }, ['a']];
const CLEAN_REFUSALS = new Set([
  'VALIDATION',
  'WEAK_PASSWORD',
  'INVALID_CREDENTIALS',
  'ACCOUNT_LOCKED',
  'CONFLICT',
  'SETUP_DONE',
  'NOT_FOUND',
  // auth.unlock ends a session whose user got locked out by its wrong passwords.
  'UNAUTHENTICATED',
  // sync channels: the sample server address has nothing listening.
  'UNAVAILABLE',
]);

const LEGITIMATE = [
  "Siobhán O'Brien",
  'Anne-Marie Fernandes-D’Souza',
  'प्रिया शर्मा',
  'முத்துலட்சுமி',
  'ശ്രീലക്ഷ്മി നായർ',
  'Nguyễn Thị Minh',
  '王秀英',
  '<5 mg',
  '1/2 tab at night',
];

let h: HarnessCore;
let targetId: string;
let patientId: string;
let doctorId: string;
let visitId: string;
let appointmentId: string;
let bookingDate: string;
let finishVisitId: string;
let prescriptionId: string;
let uploadId: string;
let attachmentId: string;
const ENROLL_CODE = 'ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-2345-6789';
const PNG_1PX =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const KAVYA: InputOf<'patients.register'>['patient'] = {
  givenNames: 'Kavya',
  familyName: 'Nair',
  sex: 'female',
  birth: { kind: 'exact', date: '1990-04-12' },
  phones: [{ number: '9847011111', label: 'mobile' }],
  allergies: ['Penicillin'],
  notes: 'Walk-in',
};
let serial = 0;
const PASSWORDS = { rita: 'jasmine-garden-81', ravi: 'peacock-feather-56', tara: 'lotus-pond-2048' };

const DOCTOR = {
  registrationNumber: 'KMC-2231',
  department: 'Paediatrics',
  specialization: 'Neonatology',
  yearsOfExperience: 7,
  contactNumber: '9847012345',
  availabilityNote: 'Tuesdays',
};

/** A valid payload per channel, and who calls it. A new channel must be added here. */
const CORE_SAMPLES: Partial<Record<Channel, CorpusSample>> = {
  'setup.status': { as: 'anon', payload: () => ({}) },
  'setup.createClinic': {
    as: 'anon',
    payload: () => ({
      clinicName: 'Second',
      adminDisplayName: 'Someone',
      adminUsername: 'someone',
      password: 'long-enough-pass-1',
    }),
  },
  'auth.login': { as: 'anon', payload: () => ({ username: 'target', password: 'not-the-password' }) },
  'auth.unlock': { as: 'rita', payload: () => ({ password: PASSWORDS.rita }) },
  'auth.logout': { as: 'admin', payload: () => ({}) },
  'auth.changePassword': {
    as: 'ravi',
    payload: () => ({ currentPassword: PASSWORDS.ravi, newPassword: 'fresh-tamarind-77' }),
  },
  'session.status': { as: 'anon', payload: () => ({}) },
  'session.heartbeat': { as: 'admin', payload: () => ({}) },
  'staff.list': { as: 'admin', payload: () => ({ includeInactive: true }) },
  'staff.get': { as: 'admin', payload: () => ({ id: targetId }) },
  'staff.create': {
    as: 'admin',
    payload: () => ({
      username: `corpus${serial++}`,
      displayName: 'Corpus User',
      role: 'doctor',
      password: 'river-stone-9931',
      doctor: { ...DOCTOR },
    }),
  },
  'staff.update': {
    as: 'admin',
    payload: () => ({ id: targetId, displayName: 'Target User', role: 'doctor', doctor: { ...DOCTOR } }),
  },
  'staff.setActive': { as: 'admin', payload: () => ({ id: targetId, active: true }) },
  'staff.resetPassword': { as: 'admin', payload: () => ({ id: targetId, newPassword: 'granite-hill-4410' }) },
  'settings.get': { as: 'admin', payload: () => ({}) },
  'settings.update': { as: 'admin', payload: () => ({ clinicName: 'Sushrut Clinic', idleMinutes: 60 }) },
  'audit.verify': { as: 'admin', payload: () => ({}) },
  'patients.register': {
    as: 'tara',
    payload: () => ({
      patient: structuredClone(KAVYA),
      decision: 'register-new',
      reviewedCandidates: [],
    }),
  },
  'patients.search': { as: 'tara', payload: () => ({ query: 'Kav' }) },
  'patients.get': { as: 'tara', payload: () => ({ id: patientId }) },
  'patients.update': {
    as: 'tara',
    payload: () => ({
      id: patientId,
      patient: { ...structuredClone(KAVYA), notes: 'Corrected' },
      keepNationalId: true,
    }),
  },
  'patients.revealNationalId': { as: 'tara', payload: () => ({ id: patientId }) },
  'patients.history': { as: 'admin', payload: () => ({ id: patientId }) },
  'patients.setPhoto': { as: 'tara', payload: () => ({ id: patientId, imageBase64: PNG_1PX }) },
  'patients.photo': { as: 'tara', payload: () => ({ id: patientId }) },
  'patients.slip': { as: 'tara', payload: () => ({ id: patientId, visitId: null }) },
  'doctors.list': { as: 'tara', payload: () => ({}) },
  'visits.checkIn': {
    as: 'tara',
    payload: () => ({ patientId, doctorId, reason: 'Fever for 3 days', priority: 'routine' }),
  },
  'visits.queue': { as: 'tara', payload: () => ({ doctor: 'all', includeFinished: true }) },
  'visits.setStatus': { as: 'tara', payload: () => ({ id: visitId, status: 'with-doctor' }) },
  'schedule.get': { as: 'tara', payload: () => ({ doctorId }) },
  'schedule.set': {
    as: 'admin',
    // One session, on the weekday of the booking date, keeps the later booking samples valid.
    payload: () => ({
      doctorId,
      slotMinutes: 15,
      weekly: [{ weekday: weekdayOf(bookingDate), start: '08:00', end: '20:00' }],
    }),
  },
  'schedule.setLeave': {
    as: 'admin',
    payload: () => ({ doctorId, date: '2099-01-01', onLeave: true, note: 'Conference' }),
  },
  'appointments.slots': { as: 'tara', payload: () => ({ doctorId, date: bookingDate }) },
  'appointments.list': { as: 'tara', payload: () => ({ doctor: 'all', from: bookingDate, days: 7 }) },
  'appointments.book': {
    as: 'tara',
    payload: () => ({ doctorId, patientId, date: bookingDate, start: '10:00', reason: 'Review' }),
  },
  'appointments.reschedule': {
    as: 'tara',
    payload: () => ({ id: appointmentId, doctorId, date: bookingDate, start: '11:00' }),
  },
  'appointments.cancel': { as: 'tara', payload: () => ({ id: appointmentId }) },
  'appointments.checkIn': { as: 'tara', payload: () => ({ id: appointmentId, priority: 'routine' }) },
  // Port 9 (discard) on loopback: nothing listens, so a real attempt fails fast and cleanly.
  'setup.joinClinic': {
    as: 'anon',
    payload: () => ({ serverUrl: 'http://127.0.0.1:9', code: ENROLL_CODE, deviceName: 'Desk 2' }),
  },
  'sync.status': { as: 'tara', payload: () => ({}) },
  'sync.now': { as: 'tara', payload: () => ({}) },
  'sync.connect': {
    as: 'admin',
    payload: () => ({ serverUrl: 'http://127.0.0.1:9', code: ENROLL_CODE, deviceName: 'Front desk' }),
  },
  'sync.createEnrollment': { as: 'admin', payload: () => ({}) },
  'sync.devices': { as: 'admin', payload: () => ({}) },
  'sync.revokeDevice': { as: 'admin', payload: () => ({ deviceId: targetId }) },
  'sync.conflicts': { as: 'tara', payload: () => ({ rowId: patientId }) },
  'visits.callNext': { as: 'docd', payload: () => ({}) },
  'chart.open': { as: 'docd', payload: () => ({ patientId }) },
  'chart.saveItem': {
    as: 'docd',
    payload: () => ({
      patientId,
      id: null,
      details: {
        kind: 'allergy',
        substance: 'Penicillin',
        reaction: 'Rash',
        severity: 'mild',
        status: 'active',
      },
    }),
  },
  'consultations.get': { as: 'docd', payload: () => ({ visitId }) },
  'consultations.saveDraft': { as: 'docd', payload: () => consultation(visitId) },
  'consultations.finish': { as: 'docd', payload: () => consultation(finishVisitId) },
  'prescriptions.sign': {
    as: 'docd',
    payload: () => ({
      visitId,
      previousId: null,
      items: [{ ...RX_ITEM }],
      advice: 'Rest and fluids',
      followUp: '',
      overrides: [],
      password: DOCTOR_PASSWORD,
    }),
  },
  'prescriptions.get': { as: 'docd', payload: () => ({ id: prescriptionId }) },
  'prescriptions.pdf': { as: 'docd', payload: () => ({ id: prescriptionId }) },
  'attachments.begin': {
    as: 'docd',
    payload: () => ({ patientId, visitId: null, name: 'lab-report.pdf', bytes: 5 }),
  },
  'attachments.upload': {
    as: 'docd',
    payload: () => ({ uploadId, index: 0, base64: Buffer.from('%PDF-').toString('base64') }),
  },
  'attachments.finish': { as: 'docd', payload: () => ({ uploadId }) },
  'attachments.read': { as: 'docd', payload: () => ({ id: attachmentId, index: 0 }) },
  // from, to, kind and patientId stay null here: other channels share those names and
  // must keep refusing null for them.
  'audit.list': {
    as: 'admin',
    payload: () => ({
      userId: targetId,
      patientId: null,
      action: 'staff.update',
      from: null,
      to: null,
      cursor: 1000,
      limit: 50,
    }),
  },
  'audit.exportCsv': {
    as: 'admin',
    payload: () => ({ userId: targetId, patientId: null, action: 'staff.update', from: null, to: null }),
  },
  'security.summary': { as: 'admin', payload: () => ({ days: 14 }) },
  'security.list': {
    as: 'admin',
    payload: () => ({ kind: null, acknowledged: false, cursor: 1000, limit: 50 }),
  },
  'security.acknowledge': { as: 'admin', payload: () => ({ ids: [1, 2] }) },
  'auth.verifySecondFactor': { as: 'rita', payload: () => ({ code: '123456' }) },
  'auth.beginTotpEnrollment': { as: 'rita', payload: () => ({}) },
  'auth.confirmTotpEnrollment': { as: 'rita', payload: () => ({ code: '123456' }) },
  'staff.resetSecondFactor': { as: 'admin', payload: () => ({ id: targetId }) },
  'settings.setSecondFactorRoles': { as: 'admin', payload: () => ({ roles: ['doctor'] }) },
  'keys.status': { as: 'admin', payload: () => ({}) },
  // Empty payload: only extra keys and non-objects are sent, and refused before it runs.
  'keys.rotate': { as: 'admin', payload: () => ({}) },
  'keys.exportRecoveryKit': { as: 'admin', payload: () => ({ passphrase: 'saffron-lantern-harbour-7' }) },
  'backup.status': { as: 'admin', payload: () => ({}) },
  // No passphrase is set in this core, so null (keep the current one) is refused as CONFLICT.
  'backup.configure': {
    as: 'admin',
    payload: () => ({ folder: '/nonexistent/kavach-backups', keep: 7, enabled: false, newPassphrase: null }),
  },
  'backup.runNow': { as: 'admin', payload: () => ({}) },
  'backup.verify': {
    as: 'admin',
    payload: () => ({ file: '/nonexistent/kavach-backup.kvbk', passphrase: 'correct horse battery' }),
  },
};

/** Every channel's sample: the core's above, and each area's from ./corpus. */
const SAMPLES = Object.assign({}, CORE_SAMPLES, ...AREAS.map((a) => a.samples)) as Record<
  Channel,
  CorpusSample
>;

const DOCTOR_PASSWORD = 'river-stone-9931';
const RX_ITEM = {
  medicineId: 'paracetamol',
  name: '',
  form: 'tablet',
  strength: '500 mg',
  dose: '1 tablet',
  route: 'oral',
  frequency: 'TDS',
  durationDays: 3,
  quantity: '9 tablets',
  instructions: 'after food',
};
function consultation(id: string) {
  return {
    visitId: id,
    complaints: 'Cough for a week',
    history: 'Smoker',
    examination: 'Crepitations right base',
    vitals: {
      systolicMmHg: '130',
      diastolicMmHg: '85',
      pulsePerMin: '88',
      temperatureC: '37.9',
      spo2Percent: '96',
      respiratoryRatePerMin: '18',
      weightKg: '64',
      heightCm: '165',
    },
    diagnosis: 'Community-acquired pneumonia',
    icd10: '',
    advice: 'Rest',
    followUp: '',
  };
}

/** Fields that accept null by design; every other field must refuse it. */
const NULLABLE = new Set<string>([
  ...AREAS.flatMap((a) => a.nullable ?? []),
  'userId',
  'action',
  'cursor',
  'acknowledged',
  'newPassphrase',
  'yearsOfExperience',
  'doctor',
  'imageBase64',
  'doctorId',
  'visitId',
  'previousId',
  'durationDays',
  'medicineId',
  'id',
]);

function leafPaths(value: unknown, prefix: string[] = []): string[][] {
  if (value === null || typeof value !== 'object') return prefix.length ? [prefix] : [];
  return Object.entries(value).flatMap(([k, v]) => leafPaths(v, [...prefix, k]));
}

function withValue(payload: unknown, path: string[], value: unknown): unknown {
  const copy = structuredClone(payload) as Record<string, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  node[path[path.length - 1]!] = value;
  return copy;
}

function get(obj: unknown, path: string[]): unknown {
  return path.reduce<unknown>((o, k) => (o as Record<string, unknown> | null)?.[k], obj);
}

let db: Database.Database;
const schemaOf = () =>
  JSON.stringify(db.prepare('SELECT type, name, sql FROM sqlite_master ORDER BY name').all());
const WATCHED = [
  ...AREAS.flatMap((a) => a.watched ?? []),
  'users',
  'clinic_settings',
  'key_ring',
  'outbox',
  'field_clocks',
  'patients',
  'patient_history',
  'patient_photos',
  'blind_index',
  'visits',
  'appointments',
  'doctor_schedules',
  'doctor_leave',
  'chart_items',
  'consultations',
  'prescriptions',
  'attachments',
];
/** A digest of every row of the data tables: equal digests, nothing written. Hashing the
 *  raw bytes keeps it fast as the tables grow (JSON of Buffers is not). */
const dataOf = () => {
  const hash = createHash('sha256');
  for (const t of WATCHED) {
    hash.update(`\u0000table ${t}`);
    for (const row of db.prepare(`SELECT * FROM ${t} ORDER BY rowid`).raw().iterate() as Iterable<
      unknown[]
    >) {
      for (const v of row) hash.update(Buffer.isBuffer(v) ? v : `\u0001${String(v)}`);
      hash.update('\u0002');
    }
  }
  return hash.digest('hex');
};

function fixtures(): CorpusFixtures {
  return { h, patientId, visitId, doctorId, finishVisitId, prescriptionId, attachmentId, connectAs };
}

async function connectAs(who: CorpusCaller): Promise<Connection> {
  if (who === 'anon') return h.core.connect();
  if (who === 'docd') return loginAs(h.core, 'docd', DOCTOR_PASSWORD);
  if (who === 'admin') return loginAs(h.core, ADMIN.username, ADMIN.password);
  return loginAs(h.core, who, PASSWORDS[who]);
}

/**
 * Registers the corpus's hooks and tests for one shard of the channels: the corpus is the
 * longest-running suite, and split over two files it runs on both cores at once. Shard 0
 * also holds the whole-contract checks, shard 1 the legitimate hard cases.
 */
export function defineCorpus(shard: number, shards: number): void {
  const mine = CHANNELS.filter((_, i) => i % shards === shard);
  beforeAll(async () => {
    h = await startCore();
    const admin = await loginAs(h.core, ADMIN.username, ADMIN.password);
    const target = must(
      await call(admin, 'staff.create', {
        username: 'target',
        displayName: 'Target User',
        role: 'receptionist',
        password: 'granite-hill-4410',
      }),
    );
    targetId = target.id;
    // Refused calls are not activity, and each call advances the clock seven seconds: keep
    // the idle lock out of the way of a long run of refusals on one connection.
    must(await call(admin, 'settings.update', { clinicName: 'Sushrut Clinic', idleMinutes: 60 }));
    for (const [username, password] of Object.entries(PASSWORDS)) {
      must(
        await call(admin, 'staff.create', {
          username,
          displayName: username,
          role: 'receptionist',
          password,
        }),
      );
    }
    const doctor = must(
      await call(admin, 'staff.create', {
        username: 'docd',
        displayName: 'Dr D',
        role: 'doctor',
        password: 'river-stone-9931',
        doctor: { ...DOCTOR },
      }),
    );
    doctorId = doctor.id;
    // Far enough ahead that the clock this file moves forward never reaches it.
    bookingDate = addDays(todayIso(h.clock.now()), 60);
    must(await call(admin, 'schedule.set', SAMPLES['schedule.set'].payload() as InputOf<'schedule.set'>));
    const tara = await loginAs(h.core, 'tara', PASSWORDS.tara);
    const registered = must(
      await call(tara, 'patients.register', {
        patient: KAVYA,
        decision: 'register-new',
        reviewedCandidates: [],
      }),
    );
    if (registered.status !== 'registered') throw new Error('expected a registration');
    patientId = registered.id;
    visitId = must(
      await call(tara, 'visits.checkIn', { patientId, doctorId: null, reason: 'Cough', priority: 'urgent' }),
    ).id;
    appointmentId = must(
      await call(tara, 'appointments.book', {
        doctorId,
        patientId,
        date: bookingDate,
        start: '09:00',
        reason: 'Follow-up',
      }),
    ).id;
    const second = must(
      await call(tara, 'patients.register', {
        patient: { ...KAVYA, givenNames: 'Kavitha' },
        decision: 'register-new',
        reviewedCandidates: [],
      }),
    );
    if (second.status !== 'registered') throw new Error('expected a registration');
    finishVisitId = must(
      await call(tara, 'visits.checkIn', {
        patientId: second.id,
        doctorId,
        reason: 'Review',
        priority: 'routine',
      }),
    ).id;
    const doc = await loginAs(h.core, 'docd', DOCTOR_PASSWORD);
    prescriptionId = must(
      await call(
        doc,
        'prescriptions.sign',
        SAMPLES['prescriptions.sign'].payload() as InputOf<'prescriptions.sign'>,
      ),
    ).id;
    const filed = must(
      await call(doc, 'attachments.begin', { patientId, visitId: null, name: 'scan.pdf', bytes: 5 }),
    );
    must(
      await call(doc, 'attachments.upload', {
        uploadId: filed.uploadId,
        index: 0,
        base64: Buffer.from('%PDF-').toString('base64'),
      }),
    );
    attachmentId = must(await call(doc, 'attachments.finish', { uploadId: filed.uploadId })).id;
    uploadId = must(
      await call(doc, 'attachments.begin', { patientId, visitId: null, name: 'open.pdf', bytes: 5 }),
    ).uploadId;
    for (const area of AREAS) await area.setup?.(fixtures());
    db = new Database(join(h.dataDir, 'kavach.db'), { readonly: true });
  });
  afterAll(async () => {
    db.close();
    await h.close();
  });

  const readers = new Map<'admin' | 'tara' | 'docd', Connection>();

  /** A logged-in connection for reading back, reused while it stays unlocked: each login is
   *  an argon2id hash, and a fresh one per readback would dominate this file's run time. */
  async function reader(who: 'admin' | 'tara' | 'docd'): Promise<Connection> {
    const cached = readers.get(who);
    if (cached && must(await call(cached, 'session.status', {})).state === 'active') return cached;
    cached?.close();
    const fresh = await connectAs(who);
    readers.set(who, fresh);
    return fresh;
  }

  /** Reads back what a successful write stored, for the verbatim check. */
  async function readBack(conn: Connection, channel: Channel, result: Result<unknown>): Promise<unknown> {
    const admin = await reader('admin');
    if (channel === 'staff.create' && result.ok)
      return must(await call(admin, 'staff.get', { id: (result.value as { id: string }).id }));
    if (channel === 'staff.update') return must(await call(admin, 'staff.get', { id: targetId }));
    if (channel === 'settings.update') return must(await call(admin, 'settings.get', {}));
    const tara = await reader('tara');
    if (channel === 'patients.register' && result.ok) {
      const r = result.value as { status: string; id?: string };
      if (r.status === 'registered')
        return { patient: must(await call(tara, 'patients.get', { id: r.id as string })) };
    }
    if (channel === 'patients.update')
      return { patient: must(await call(tara, 'patients.get', { id: patientId })) };
    if (channel === 'visits.checkIn' && result.ok) {
      const queue = must(await call(tara, 'visits.queue', { doctor: 'all', includeFinished: true }));
      return queue.visits.find((v) => v.id === (result.value as { id: string }).id);
    }
    if (channel === 'appointments.book' && result.ok) {
      const list = must(await call(tara, 'appointments.list', { doctor: 'all', from: bookingDate, days: 1 }));
      return list.find((a) => a.id === (result.value as { id: string }).id);
    }
    if (channel === 'chart.saveItem' && result.ok) {
      const doc = await reader('docd');
      const chart = must(await call(doc, 'chart.open', { patientId }));
      return { details: chart.allergies.find((a) => a.id === (result.value as { id: string }).id) };
    }
    if ((channel === 'consultations.saveDraft' || channel === 'consultations.finish') && result.ok) {
      const doc = await reader('docd');
      return must(
        await call(doc, 'consultations.get', { visitId: (result.value as { visitId: string }).visitId }),
      );
    }
    if (channel === 'prescriptions.sign' && result.ok) {
      const doc = await reader('docd');
      return must(await call(doc, 'prescriptions.get', { id: (result.value as { id: string }).id }));
    }
    if (channel === 'schedule.setLeave') {
      const sch = must(await call(tara, 'schedule.get', { doctorId }));
      return { note: sch.leave.find((l) => l.date === '2099-01-01')?.note };
    }
    for (const area of AREAS) {
      const stored = await area.readBack?.(channel, result, fixtures());
      if (stored !== undefined) return stored;
    }
    void conn;
    return null;
  }

  async function send(conn: Connection, channel: string, payload: unknown): Promise<Result<unknown>> {
    // Seven seconds of simulated time per call keeps the per-channel token buckets full; the
    // rate limiter itself has its own test.
    h.clock.advance(7_000);
    const result = await conn.invoke(channel, payload);
    expect(typeof result.ok).toBe('boolean');
    if (!result.ok) {
      expect(result.error.message).not.toMatch(/at .+\.ts:\d+|Error:|SQLITE|sqlite/);
    }
    return result;
  }

  describe('bridge under injection payloads', () => {
    if (shard === 0)
      it('covers every channel of the contract', () => {
        expect(Object.keys(SAMPLES).sort()).toEqual([...CHANNELS].sort());
      });

    it.each(mine)(
      '%s: hostile strings in every field are refused cleanly or stored verbatim',
      async (channel) => {
        const schemaBefore = schemaOf();
        const sample = SAMPLES[channel];
        const conn = await connectAs(sample.as);
        for (const path of leafPaths(sample.payload())) {
          for (const hostile of INJECTIONS) {
            const before = dataOf();
            const payload = withValue(sample.payload(), path, hostile);
            const result = await send(conn, channel, payload);
            if (result.ok && channel === 'auth.changePassword')
              PASSWORDS.ravi = (payload as { newPassword: string }).newPassword;
            if (result.ok) {
              const stored = await readBack(conn, channel, result);
              if (stored && get(payload, path) !== undefined && get(stored, path) !== undefined) {
                expect(get(stored, path)).toBe(hostile);
              }
            } else {
              expect(
                CLEAN_REFUSALS.has(result.error.code),
                `${channel}.${path.join('.')}: ${result.error.code}`,
              ).toBe(true);
              expect(dataOf()).toBe(before);
            }
          }
        }
        expect(schemaOf()).toBe(schemaBefore);
        expect(({} as Record<string, unknown>).role).toBeUndefined();
      },
      // prescriptions.sign checks the doctor's password (argon2id, ~0.3 s) on every accepted
      // payload: well over a minute on a busy 2-core machine.
      180_000,
    );

    it.each(mine)(
      '%s: wrong types, extra keys and prototype keys are refused without writing',
      async (channel) => {
        const sample = SAMPLES[channel];
        const conn = await connectAs(sample.as);
        const refusedCleanly = async (payload: unknown) => {
          const before = dataOf();
          const result = await send(conn, channel, payload);
          expect(result).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
          expect(dataOf()).toBe(before);
          return result;
        };
        for (const path of leafPaths(sample.payload())) {
          for (const wrong of WRONG_TYPES) {
            const original = get(sample.payload(), path);
            // A value of the field's own type (true for a flag, 42 for a count) is not wrong.
            if (
              typeof wrong === typeof original &&
              (wrong === null) === (original === null) &&
              typeof wrong !== 'object'
            )
              continue;
            if (wrong === null && original === null) continue;
            const payload = withValue(sample.payload(), path, wrong);
            const before = dataOf();
            const result = await send(conn, channel, payload);
            if (!(wrong === null && NULLABLE.has(path.at(-1) as string))) {
              expect(result, `${channel}.${path.join('.')} = ${JSON.stringify(wrong)}`).toMatchObject({
                ok: false,
                error: { code: 'VALIDATION' },
              });
              expect(dataOf()).toBe(before);
            }
          }
        }
        const extra = await refusedCleanly({ ...(sample.payload() as object), extra: 1 });
        expect(!extra.ok && extra.error.fields?.extra).toBe('Unexpected field');
        const body = JSON.stringify(sample.payload()).slice(1, -1);
        await refusedCleanly(
          JSON.parse(`{${body}${body ? ',' : ''}"__proto__":{"role":"admin","isAdmin":true}}`),
        );
        await refusedCleanly(
          JSON.parse(`{${body}${body ? ',' : ''}"constructor":{"prototype":{"polluted":true}}}`),
        );
        for (const notAnObject of [null, 'string', 42, [], [sample.payload()]])
          await refusedCleanly(notAnObject);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
      },
    );

    if (shard === 0)
      it('refuses unknown and prototype-named channels', async () => {
        const conn = h.core.connect();
        for (const name of ['__proto__', 'constructor', 'toString', 'staff.delete', '', 42, null]) {
          expect(await conn.invoke(name as string, {})).toMatchObject({
            ok: false,
            error: { code: 'UNKNOWN_CHANNEL' },
          });
        }
      });

    it('records injection attempts as security events without the payload', () => {
      const rows = db
        .prepare("SELECT detail FROM security_events WHERE kind = 'injection-detected'")
        .all() as {
        detail: string;
      }[];
      expect(rows.length).toBeGreaterThan(20);
      for (const r of rows) {
        expect(r.detail).not.toContain('DROP TABLE');
        expect(r.detail).not.toContain('<script>');
      }
    });
  });

  if (shard === shards - 1)
    describe('bridge with legitimate hard cases', () => {
      it.each(LEGITIMATE)('stores and reads back %s byte for byte', async (value) => {
        const admin = await connectAs('admin');
        const flagged = () =>
          (
            db
              .prepare("SELECT count(*) AS n FROM security_events WHERE kind = 'injection-detected'")
              .get() as {
              n: number;
            }
          ).n;
        const flaggedBefore = flagged();
        const created = must(
          await call(admin, 'staff.create', {
            username: `legit${serial++}`,
            displayName: value,
            role: 'doctor',
            password: 'river-stone-9931',
            doctor: { ...DOCTOR, department: value, availabilityNote: `${value}\nsecond line` },
          }),
        );
        const read = must(await call(admin, 'staff.get', { id: created.id }));
        expect(Buffer.from(read.displayName).equals(Buffer.from(value))).toBe(true);
        expect(read.doctor?.department).toBe(value);
        expect(read.doctor?.availabilityNote).toBe(`${value}\nsecond line`);
        must(await call(admin, 'settings.update', { clinicName: value, idleMinutes: 60 }));
        expect(must(await call(admin, 'settings.get', {})).clinicName).toBe(value);
        expect(flagged()).toBe(flaggedBefore);
      });
    });
}
