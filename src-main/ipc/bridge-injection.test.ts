import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNELS, type Channel } from '../../src-shared/contract.js';
import type { Result } from '../../src-shared/result.js';
import type { Connection } from '../core-types.js';
import { ADMIN, call, type HarnessCore, loginAs, must, startCore } from '../testing/core-harness.js';

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
const SAMPLES: Record<Channel, { as: keyof typeof PASSWORDS | 'admin' | 'anon'; payload: () => unknown }> = {
  'setup.status': { as: 'anon', payload: () => ({}) },
  'setup.createClinic': {
    as: 'anon',
    payload: () => ({ clinicName: 'Second', adminDisplayName: 'Someone', adminUsername: 'someone', password: 'long-enough-pass-1' }),
  },
  'auth.login': { as: 'anon', payload: () => ({ username: 'target', password: 'not-the-password' }) },
  'auth.unlock': { as: 'rita', payload: () => ({ password: PASSWORDS.rita }) },
  'auth.logout': { as: 'admin', payload: () => ({}) },
  'auth.changePassword': { as: 'ravi', payload: () => ({ currentPassword: PASSWORDS.ravi, newPassword: 'fresh-tamarind-77' }) },
  'session.status': { as: 'anon', payload: () => ({}) },
  'session.heartbeat': { as: 'admin', payload: () => ({}) },
  'staff.list': { as: 'admin', payload: () => ({ includeInactive: true }) },
  'staff.get': { as: 'admin', payload: () => ({ id: targetId }) },
  'staff.create': {
    as: 'admin',
    payload: () => ({ username: `corpus${serial++}`, displayName: 'Corpus User', role: 'doctor', password: 'river-stone-9931', doctor: { ...DOCTOR } }),
  },
  'staff.update': { as: 'admin', payload: () => ({ id: targetId, displayName: 'Target User', role: 'doctor', doctor: { ...DOCTOR } }) },
  'staff.setActive': { as: 'admin', payload: () => ({ id: targetId, active: true }) },
  'staff.resetPassword': { as: 'admin', payload: () => ({ id: targetId, newPassword: 'granite-hill-4410' }) },
  'settings.get': { as: 'admin', payload: () => ({}) },
  'settings.update': { as: 'admin', payload: () => ({ clinicName: 'Sushrut Clinic', idleMinutes: 60 }) },
  'audit.verify': { as: 'admin', payload: () => ({}) },
  'patients.register': {
    as: 'tara',
    payload: () => ({
      patient: {
        givenNames: 'Kavya',
        familyName: 'Nair',
        sex: 'female',
        birth: { kind: 'exact', date: '1990-04-12' },
        phones: [{ number: '9847011111', label: 'mobile' }],
        allergies: ['Penicillin'],
        notes: 'Walk-in',
      },
      decision: 'register-new',
      reviewedCandidates: [],
    }),
  },
  'patients.search': { as: 'tara', payload: () => ({ query: 'Kav' }) },
};

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
const schemaOf = () => JSON.stringify(db.prepare('SELECT type, name, sql FROM sqlite_master ORDER BY name').all());
const dataOf = () =>
  JSON.stringify(
    ['users', 'clinic_settings', 'key_ring', 'outbox', 'field_clocks'].map((t) =>
      db.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all(),
    ),
  );

async function connectAs(who: (typeof SAMPLES)[Channel]['as']): Promise<Connection> {
  if (who === 'anon') return h.core.connect();
  if (who === 'admin') return loginAs(h.core, ADMIN.username, ADMIN.password);
  return loginAs(h.core, who, PASSWORDS[who]);
}

beforeAll(async () => {
  h = await startCore();
  const admin = await loginAs(h.core, ADMIN.username, ADMIN.password);
  const target = must(await call(admin, 'staff.create', { username: 'target', displayName: 'Target User', role: 'receptionist', password: 'granite-hill-4410' }));
  targetId = target.id;
  // Refused calls are not activity, and each call advances the clock seven seconds: keep
  // the idle lock out of the way of a long run of refusals on one connection.
  must(await call(admin, 'settings.update', { clinicName: 'Sushrut Clinic', idleMinutes: 60 }));
  for (const [username, password] of Object.entries(PASSWORDS)) {
    must(await call(admin, 'staff.create', { username, displayName: username, role: 'receptionist', password }));
  }
  db = new Database(join(h.dataDir, 'kavach.db'), { readonly: true });
});
afterAll(async () => {
  db.close();
  await h.close();
});

/** Reads back what a successful write stored, for the verbatim check. */
async function readBack(conn: Connection, channel: Channel, result: Result<unknown>): Promise<unknown> {
  const admin = await connectAs('admin');
  if (channel === 'staff.create' && result.ok) return must(await call(admin, 'staff.get', { id: (result.value as { id: string }).id }));
  if (channel === 'staff.update') return must(await call(admin, 'staff.get', { id: targetId }));
  if (channel === 'settings.update') return must(await call(admin, 'settings.get', {}));
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
  it('covers every channel of the contract', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual([...CHANNELS].sort());
  });

  it.each(CHANNELS)('%s: hostile strings in every field are refused cleanly or stored verbatim', async (channel) => {
    const schemaBefore = schemaOf();
    const sample = SAMPLES[channel];
    const conn = await connectAs(sample.as);
    for (const path of leafPaths(sample.payload())) {
      for (const hostile of INJECTIONS) {
        const before = dataOf();
        const payload = withValue(sample.payload(), path, hostile);
        const result = await send(conn, channel, payload);
        if (result.ok && channel === 'auth.changePassword') PASSWORDS.ravi = (payload as { newPassword: string }).newPassword;
        if (result.ok) {
          const stored = await readBack(conn, channel, result);
          if (stored && get(payload, path) !== undefined && get(stored, path) !== undefined) {
            expect(get(stored, path)).toBe(hostile);
          }
        } else {
          expect(CLEAN_REFUSALS.has(result.error.code), `${channel}.${path.join('.')}: ${result.error.code}`).toBe(true);
          expect(dataOf()).toBe(before);
        }
      }
    }
    expect(schemaOf()).toBe(schemaBefore);
    expect(({} as Record<string, unknown>).role).toBeUndefined();
  });

  it.each(CHANNELS)('%s: wrong types, extra keys and prototype keys are refused without writing', async (channel) => {
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
        if (typeof wrong === typeof original && (wrong === null) === (original === null) && typeof wrong !== 'object') continue;
        if (wrong === null && original === null) continue;
        const payload = withValue(sample.payload(), path, wrong);
        const before = dataOf();
        const result = await send(conn, channel, payload);
        // yearsOfExperience and doctor accept null by design; everything else must refuse.
        if (!(wrong === null && (path.includes('yearsOfExperience') || path.at(-1) === 'doctor'))) {
          expect(result, `${channel}.${path.join('.')} = ${JSON.stringify(wrong)}`).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
          expect(dataOf()).toBe(before);
        }
      }
    }
    const extra = await refusedCleanly({ ...(sample.payload() as object), extra: 1 });
    expect(!extra.ok && extra.error.fields?.extra).toBe('Unexpected field');
    const body = JSON.stringify(sample.payload()).slice(1, -1);
    await refusedCleanly(JSON.parse(`{${body}${body ? ',' : ''}"__proto__":{"role":"admin","isAdmin":true}}`));
    await refusedCleanly(JSON.parse(`{${body}${body ? ',' : ''}"constructor":{"prototype":{"polluted":true}}}`));
    for (const notAnObject of [null, 'string', 42, [], [sample.payload()]]) await refusedCleanly(notAnObject);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });

  it('refuses unknown and prototype-named channels', async () => {
    const conn = h.core.connect();
    for (const name of ['__proto__', 'constructor', 'toString', 'staff.delete', '', 42, null]) {
      expect(await conn.invoke(name as string, {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
    }
  });

  it('records injection attempts as security events without the payload', () => {
    const rows = db.prepare("SELECT detail FROM security_events WHERE kind = 'injection-detected'").all() as { detail: string }[];
    expect(rows.length).toBeGreaterThan(20);
    for (const r of rows) {
      expect(r.detail).not.toContain('DROP TABLE');
      expect(r.detail).not.toContain('<script>');
    }
  });
});

describe('bridge with legitimate hard cases', () => {
  it.each(LEGITIMATE)('stores and reads back %s byte for byte', async (value) => {
    const admin = await connectAs('admin');
    const flagged = () =>
      (db.prepare("SELECT count(*) AS n FROM security_events WHERE kind = 'injection-detected'").get() as { n: number }).n;
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
