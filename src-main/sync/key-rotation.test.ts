import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src-server/app.js';
import type { KeyStatus } from '../../src-shared/contract.js';
import type { PulledChange } from '../../src-shared/sync-wire.js';
import type { Connection } from '../core-types.js';
import { call, loginAs, must } from '../testing/core-harness.js';
import { addDesk, DESK, edit, PEOPLE, register } from './fixtures.js';
import { founder, joiner, type Station, settle, startServer } from './testing.js';

/**
 * Key rotation on a syncing clinic (keys/README.md): the new version reaches the other
 * workstations wrapped under the previous one, through the real server on PGlite; changes
 * that arrive before their key, or name a column this version does not know, wait.
 */
let server: RunningServer;
let a: Station;
let b: Station;
let c: Station | undefined;
let deskA: Connection;
let deskB: Connection;
const ids: string[] = [];

beforeAll(async () => {
  server = await startServer();
  a = await founder(server, 'desk-a');
  await addDesk(await a.admin());
  deskA = await loginAs(a.core, DESK.username, DESK.password);
  ids.push(await register(deskA, PEOPLE[0]!));
  await a.sync.syncNow();
  b = await joiner(server, a, 'desk-b');
  deskB = await loginAs(b.core, DESK.username, DESK.password);
});

afterAll(async () => {
  await c?.close();
  await b?.close();
  await a?.close();
  await server?.close();
});

function raw<T>(s: Station, fn: (db: Database.Database) => T): T {
  const db = new Database(join(s.dataDir, 'kavach.db'), { readonly: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

/** The key version named in the header of each unsent value of one table. */
const unsentVersions = (s: Station, table: string) =>
  raw(s, (db) =>
    (
      db.prepare('SELECT value FROM outbox WHERE sent_at IS NULL AND tbl = ?').all(table) as {
        value: Buffer;
      }[]
    ).map((r) => r.value.readUInt16BE(1)),
  );

/** Patient envelopes whose header names a version other than `version`. */
const patientFieldsNotUnder = (s: Station, version: number) =>
  raw(
    s,
    (db) =>
      (
        db
          .prepare('SELECT count(*) AS n FROM patients WHERE substr(given_names, 2, 2) != ?')
          .get(Buffer.from([version >> 8, version & 0xff])) as { n: number }
      ).n,
  );

function writable<T>(s: Station, fn: (db: Database.Database) => T): T {
  const db = new Database(join(s.dataDir, 'kavach.db'));
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

const securityEvents = (s: Station, kind: string) =>
  raw(
    s,
    (db) =>
      (db.prepare('SELECT count(*) AS n FROM security_events WHERE kind = ?').get(kind) as { n: number }).n,
  );

/** Waits for the background re-encryption on a workstation to finish. */
async function rotationDone(s: Station): Promise<KeyStatus> {
  const admin = await s.admin();
  for (let i = 0; i < 1000; i++) {
    const status = must(await call(admin, 'keys.status', {}));
    if (status.rotation && !status.rotation.running && status.rotation.phase === 'done') return status;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('rotation did not finish');
}

async function givenNames(conn: Connection, id: string): Promise<string> {
  return must(await call(conn, 'patients.get', { id })).givenNames;
}

describe('key rotation on a syncing clinic (real server on PGlite)', () => {
  it('carries version 2 from A to B: both write under it and read each other; both keep version 1', async () => {
    const started = must(await call(await a.admin(), 'keys.rotate', {}));
    expect(started).toMatchObject({ active: 2, syncConnected: true });
    // The wrap is the first thing A pushes after rotating.
    expect(unsentVersions(a, 'key_wraps')).toEqual([1, 1, 1, 1]);
    const doneA = await rotationDone(a);
    expect(doneA.versions.map((v) => [v.version, v.status])).toEqual([
      [1, 'retired'],
      [2, 'active'],
    ]);
    expect(patientFieldsNotUnder(a, 2)).toBe(0);

    ids.push(await register(deskA, PEOPLE[1]!));
    expect(new Set(unsentVersions(a, 'patients'))).toEqual(new Set([2]));
    await a.sync.syncNow();
    const before = securityEvents(b, 'decryption-failed');
    await b.sync.syncNow();
    const statusB = must(await call(await b.admin(), 'keys.status', {}));
    expect(statusB.active).toBe(2);
    expect(statusB.versions.map((v) => v.version)).toEqual([1, 2]);
    await rotationDone(b);
    expect(patientFieldsNotUnder(b, 2)).toBe(0);
    expect(await givenNames(deskB, ids[1]!)).toBe('Lakshmi');
    expect(b.sync.status().held).toBe(0);

    ids.push(await register(deskB, PEOPLE[2]!));
    expect(new Set(unsentVersions(b, 'patients'))).toEqual(new Set([2]));
    await settle([a, b]);
    expect(await givenNames(deskA, ids[2]!)).toBe('प्रिया');
    expect(await givenNames(deskB, ids[0]!)).toBe('Ravi');
    expect(must(await call(deskB, 'patients.search', { query: 'laksh' })).map((p) => p.id)).toEqual([ids[1]]);
    expect(securityEvents(b, 'decryption-failed')).toBe(before);
  });

  it('a workstation enrolled after the rotation reads the version 1 and version 2 changes in the log', async () => {
    c = await joiner(server, a, 'desk-c');
    const deskC = await loginAs(c.core, DESK.username, DESK.password);
    expect(await givenNames(deskC, ids[0]!)).toBe('Ravi');
    expect(await givenNames(deskC, ids[1]!)).toBe('Lakshmi');
    expect(await givenNames(deskC, ids[2]!)).toBe('प्रिया');
    expect(must(await call(await c.admin(), 'keys.status', {})).active).toBe(2);
    expect(c.sync.status()).toMatchObject({ held: 0, state: 'online' });
  });

  it('holds a change sealed under a version whose wrap has not arrived, then applies it when the wrap comes', async () => {
    must(await call(await a.admin(), 'keys.rotate', {}));
    await rotationDone(a);
    const id = await register(deskA, {
      givenNames: 'Meena',
      familyName: 'Pillai',
      sex: 'female',
      birth: { kind: 'exact', date: '1990-02-02' },
    });
    // An unsent change older than the wrap, as the rotation job leaves one it re-sealed under
    // the new version: it must still reach the server after the wrap.
    const older = writable(a, (db) => {
      const oldest = (db.prepare('SELECT min(clock) AS c FROM outbox').get() as { c: string }).c;
      const row = db
        .prepare(
          "SELECT change_id FROM outbox WHERE sent_at IS NULL AND tbl = 'patients' AND col = 'family_name'",
        )
        .get() as { change_id: string };
      db.prepare('UPDATE outbox SET clock = ? WHERE change_id = ?').run(oldest, row.change_id);
      return row.change_id;
    });
    await a.sync.syncNow();
    const order = (await server.db.execute(
      sql`select tbl, change_id from changes where seq > ${b.sync.cursor} order by seq`,
    )) as unknown as { rows: { tbl: string; change_id: string }[] };
    const tables = order.rows.map((r) => (r.change_id === older ? 'older' : r.tbl));
    expect(tables.slice(0, 5)).toEqual(['key_wraps', 'key_wraps', 'key_wraps', 'key_wraps', 'older']);
    // B's next page, delivered without the wrap: the server sent the wrap first, so this
    // order can only come from a split or reordered delivery.
    const after = b.sync.cursor;
    const page = await b.sync.client().pull(after, 0);
    const wraps = page.changes.filter((ch) => ch.table === 'key_wraps');
    const rest = page.changes.filter((ch) => ch.table !== 'key_wraps');
    expect(wraps).toHaveLength(4);
    const before = securityEvents(b, 'decryption-failed');
    const first = b.sync.apply(after, { ...page, changes: rest });
    expect(first).toMatchObject({ rejected: 0, applied: 0, waiting: rest.length });
    expect(b.sync.status().held).toBe(rest.length);
    expect(await call(deskB, 'patients.get', { id })).toMatchObject({ ok: false });
    // The wrap arrives in a later page; the pull that brings it adds version 3 and applies
    // what waited for it.
    b.sync.apply(page.next, { changes: wraps, next: page.next, more: false, latest: page.latest });
    await b.sync.syncNow();
    expect(b.sync.status().held).toBe(0);
    expect(await givenNames(deskB, id)).toBe('Meena');
    expect(must(await call(await b.admin(), 'keys.status', {})).active).toBe(3);
    expect(securityEvents(b, 'decryption-failed')).toBe(before);
    await rotationDone(b);
  });

  it('holds a change naming a column this version does not know and applies it after an upgrade (simulated: the known-column list is injected)', async () => {
    await settle([a, b]);
    await edit(deskA, ids[0]!, { notes: 'Prefers mornings' });
    const changes = unsentChanges(a);
    const notes = changes.filter((ch) => ch.column === 'notes');
    expect(notes).toHaveLength(1);
    const older = (table: string, column: string) => !(table === 'patients' && column === 'notes');
    // A newer workstation's column, not in this schema at all: held too, never rejected.
    const future = { ...notes[0]!, changeId: crypto.randomUUID(), column: 'preferred_pharmacy' };
    const at = b.sync.cursor;
    const report = b.sync.apply(
      at,
      { changes: [...changes, future], next: at, more: false, latest: at },
      older,
    );
    expect(report).toMatchObject({ waiting: 2, rejected: 0 });
    expect(b.sync.status().held).toBe(2);
    expect(must(await call(deskB, 'patients.get', { id: ids[0]! })).notes).toBe('Walk-in');
    const upgraded = b.sync.applyWaiting();
    expect(upgraded).toMatchObject({ resumed: 1, applied: 1, rejected: 0 });
    expect(must(await call(deskB, 'patients.get', { id: ids[0]! })).notes).toBe('Prefers mornings');
    expect(b.sync.status().held).toBe(1);
    await settle([a, b]);
  });

  it("keeps patients' names out of A's and B's database files", async () => {
    for (const s of [a, b]) {
      const files = ['kavach.db', 'kavach.db-wal'].map((f) => {
        try {
          return readFileSync(join(s.dataDir, f));
        } catch {
          return Buffer.alloc(0);
        }
      });
      const bytes = Buffer.concat(files);
      expect(bytes.length).toBeGreaterThan(10_000);
      for (const needle of [
        'Ravi',
        'Shankar',
        'Lakshmi',
        'Venkataraman',
        'Meena',
        'Pillai',
        'Prefers mornings',
      ])
        expect(bytes.includes(Buffer.from(needle, 'utf8')), `${s.name}: ${needle}`).toBe(false);
    }
  });
});

/** A station's unsent changes as the server would hand them out. */
function unsentChanges(from: Station): PulledChange[] {
  const deviceId = from.sync.deviceId!;
  return raw(from, (db) =>
    (
      db
        .prepare(
          'SELECT change_id, tbl, row_id, col, clock, value FROM outbox WHERE sent_at IS NULL ORDER BY clock',
        )
        .all() as {
        change_id: string;
        tbl: string;
        row_id: string;
        col: string;
        clock: string;
        value: Buffer;
      }[]
    ).map((r, i) => ({
      changeId: r.change_id,
      table: r.tbl,
      rowId: r.row_id,
      column: r.col,
      clock: r.clock,
      value: r.value.toString('base64'),
      seq: 2_000_000 + i,
      deviceId,
    })),
  );
}
