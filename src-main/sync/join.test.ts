import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src-server/app.js';
import { DB_FILE } from '../store/db.js';
import { call, loginAs, must } from '../testing/core-harness.js';
import { addDesk, DESK, PEOPLE, register } from './fixtures.js';
import { founder, type Station, settle, startServer, station } from './testing.js';

let server: RunningServer;
let a: Station;
let b: Station;
const ids: string[] = [];

beforeAll(async () => {
  server = await startServer();
  a = await founder(server, 'front-desk');
  const admin = await a.admin();
  await addDesk(admin);
  const desk = await loginAs(a.core, DESK.username, DESK.password);
  for (const p of PEOPLE) ids.push(await register(desk, p));
  await a.sync.syncNow();
});

afterAll(async () => {
  await b?.close();
  await a?.close();
  await server?.close();
});

function readDb<T>(s: Station, fn: (db: Database.Database) => T): T {
  const db = new Database(join(s.dataDir, DB_FILE), { readonly: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

/** A workstation's blind index (patients' tokens), in key order. */
const indexOf = (s: Station) =>
  readDb(s, (db) =>
    db
      .prepare(
        "SELECT kind, hex(token) AS token, row_id FROM blind_index WHERE kind NOT LIKE 'rekey:%' ORDER BY kind, token, row_id",
      )
      .all(),
  );

async function dumpServer(): Promise<string> {
  const parts: string[] = [];
  for (const table of ['clinics', 'devices', 'enrollments', 'changes']) {
    const result = (await server.db.execute(sql.raw(`select * from ${table}`))) as unknown as {
      rows: Record<string, unknown>[];
    };
    for (const row of result.rows) {
      for (const v of Object.values(row)) {
        if (v instanceof Uint8Array) {
          const b = Buffer.from(v);
          parts.push(b.toString('utf8'), b.toString('latin1'), b.toString('base64'));
        } else parts.push(String(v));
      }
    }
  }
  return parts.join('\n');
}

describe('founding connect, enrollment and join (real server on PGlite)', () => {
  it('connects the first workstation with the founding code and sends what it already held', async () => {
    const status = a.sync.status();
    expect(status).toMatchObject({
      state: 'online',
      pending: 0,
      error: null,
      deviceName: 'front-desk',
      serverUrl: server.url,
    });
    expect(status.lastSyncAt).not.toBeNull();
  });

  it('refuses a second connect and a join on a set-up workstation', async () => {
    const again = await call(await a.admin(), 'sync.connect', {
      serverUrl: server.url,
      code: 'ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-2345-6789',
      deviceName: 'x',
    });
    expect(again).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    const join = await call(a.core.connect(), 'setup.joinClinic', {
      serverUrl: server.url,
      code: 'ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-2345-6789',
      deviceName: 'x',
    });
    expect(join).toMatchObject({ ok: false, error: { code: 'SETUP_DONE' } });
  });

  it('shows an enrollment code once, grouped, expiring within a day', async () => {
    const { code, expiresAt } = must(await call(await a.admin(), 'sync.createEnrollment', {}));
    expect(code).toMatch(/^([0-9A-HJKMNP-TV-Z]{4}-){7}[0-9A-HJKMNP-TV-Z]{4}$/);
    expect(expiresAt).toBeGreaterThan(Date.now());
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 86_400_000 + 60_000);
  });

  it('joins a second workstation: it counts as not set up until the first sync ends, then staff log in and search', async () => {
    const { code } = must(await call(await a.admin(), 'sync.createEnrollment', {}));
    b = await station('consulting-room');
    const anon = b.core.connect();
    expect(must(await call(anon, 'setup.status', {})).needsSetup).toBe(true);
    // A mistyped code is refused and leaves the workstation as it was.
    const typo = await call(anon, 'setup.joinClinic', {
      serverUrl: server.url,
      code: code.replace(/^..../, 'ZZZZ'),
      deviceName: 'consulting-room',
    });
    expect(typo).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    const joined = must(
      await call(anon, 'setup.joinClinic', {
        serverUrl: server.url,
        code: code.toLowerCase(),
        deviceName: 'consulting-room',
      }),
    );
    expect(joined.state).toBe('syncing');
    expect(joined.initialSync).not.toBeNull();
    expect(must(await call(anon, 'setup.status', {}))).toEqual({
      needsSetup: true,
      clinicName: 'Sushrut Clinic',
    });
    expect(
      await call(anon, 'auth.login', { username: DESK.username, password: DESK.password }),
    ).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    // The code is single use.
    const third = await station('third');
    const reuse = await call(third.core.connect(), 'setup.joinClinic', {
      serverUrl: server.url,
      code,
      deviceName: 'third',
    });
    expect(reuse).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(third.sync.status().state).toBe('not-configured');
    await third.close();

    const done = await b.sync.syncNow();
    expect(done).toMatchObject({ state: 'online', initialSync: null, error: null });
    expect(must(await call(anon, 'setup.status', {}))).toEqual({
      needsSetup: false,
      clinicName: 'Sushrut Clinic',
    });
    const desk = await loginAs(b.core, DESK.username, DESK.password);
    const found = must(await call(desk, 'patients.search', { query: 'laksh' }));
    expect(found.map((p) => p.id)).toEqual([ids[1]]);
    expect(must(await call(desk, 'patients.search', { query: '9447066554' })).map((p) => p.id)).toEqual([
      ids[1],
    ]);
    expect(must(await call(desk, 'patients.search', { query: 'प्रिया' })).map((p) => p.id)).toEqual([ids[2]]);
    // Indexed once at the end of the join: the same tokens as the founding workstation made
    // registration by registration (one clinic, one index key), and the row-id index is back.
    expect(indexOf(b)).toEqual(indexOf(a));
    expect(indexOf(b)).toHaveLength(indexOf(a).length);
    expect(indexOf(a).length).toBeGreaterThan(PEOPLE.length * 5);
    const rowIndex = readDb(b, (db) =>
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'blind_index_row'").get(),
    );
    expect(rowIndex).toEqual({ name: 'blind_index_row' });
    const ravi = must(await call(desk, 'patients.get', { id: ids[0]! }));
    expect(ravi).toMatchObject({
      givenNames: 'Ravi',
      familyName: 'Shankar',
      allergies: ['Sulfa drugs'],
      notes: 'Walk-in',
    });
    // The founding admin can log in here too, with the same password.
    await loginAs(b.core, 'meera.admin', 'monsoon-tulsi-42');
  });

  it('carries edits both ways', async () => {
    const deskB = await loginAs(b.core, DESK.username, DESK.password);
    const newId = await register(deskB, {
      givenNames: 'Arjun',
      familyName: 'Menon',
      sex: 'male',
      birth: { kind: 'exact', date: '2001-01-01' },
    });
    await settle([a, b]);
    const deskA = await loginAs(a.core, DESK.username, DESK.password);
    expect(must(await call(deskA, 'patients.search', { query: 'arjun' })).map((p) => p.id)).toEqual([newId]);
  });

  it('lists devices; a revoked workstation is refused and says so in words', async () => {
    const devices = must(await call(await a.admin(), 'sync.devices', {}));
    expect(devices.map((d) => d.name).sort()).toEqual(['consulting-room', 'front-desk']);
    expect(devices.find((d) => d.self)?.name).toBe('front-desk');
    const target = devices.find((d) => d.name === 'consulting-room')!;
    const after = must(await call(await a.admin(), 'sync.revokeDevice', { deviceId: target.id }));
    expect(after.find((d) => d.id === target.id)?.revokedAt).not.toBeNull();
    const refused = await b.sync.syncNow();
    expect(refused.state).toBe('error');
    expect(refused.error).toMatch(/revoked/);
    const self = devices.find((d) => d.self)!;
    expect(await call(await a.admin(), 'sync.revokeDevice', { deviceId: self.id })).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT' },
    });
  });

  it("keeps patients' names, phones and Aadhaar digits off the server", async () => {
    const dump = await dumpServer();
    expect(dump.length).toBeGreaterThan(10_000);
    for (const needle of [
      'Ravi',
      'Shankar',
      'Lakshmi',
      'Venkataraman',
      'प्रिया',
      'Arjun',
      '9847012345',
      '9447066554',
      '8123409876',
      PEOPLE[0]!.nationalId!,
      PEOPLE[1]!.nationalId!,
      'metformin',
      'Sulfa',
    ]) {
      expect(dump.includes(needle), needle).toBe(false);
    }
  });
});
