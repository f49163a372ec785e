import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src-server/app.js';
import type { PulledChange } from '../../src-shared/sync-wire.js';
import type { Connection } from '../core-types.js';
import { call, loginAs, must } from '../testing/core-harness.js';
import { addDesk, DESK, edit, PEOPLE, register } from './fixtures.js';
import { founder, joiner, type Station, settle, startServer } from './testing.js';

/**
 * The applier fed by hand (duplicated, reordered, split, hostile pages) on two real
 * workstations that share the clinic's keys through a real enrollment.
 */
let server: RunningServer;
let a: Station;
let b: Station;
let deskA: Connection;
let deskB: Connection;

beforeAll(async () => {
  server = await startServer();
  a = await founder(server, 'desk-a');
  await addDesk(await a.admin());
  await a.sync.syncNow();
  b = await joiner(server, a, 'desk-b');
  deskA = await loginAs(a.core, DESK.username, DESK.password);
  deskB = await loginAs(b.core, DESK.username, DESK.password);
});

afterAll(async () => {
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

/** A's unsent changes as the server would hand them out. */
function unsent(from: Station): PulledChange[] {
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
      seq: 1_000_000 + i,
      deviceId,
    })),
  );
}

/** Feeds changes to a station's applier as pages that leave its cursor where it is. */
function feed(s: Station, changes: PulledChange[]) {
  const at = s.sync.cursor;
  return s.sync.apply(at, { changes, next: at, more: false, latest: at });
}

function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let x = seed;
  for (let i = out.length - 1; i > 0; i--) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    const j = x % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** A patient as read back, without updatedAt: that is this workstation's own bookkeeping. */
async function record(conn: Connection, id: string) {
  const { updatedAt, ...rest } = must(await call(conn, 'patients.get', { id }));
  void updatedAt;
  return rest;
}

const securityEvents = (s: Station, kind: string) =>
  raw(
    s,
    (db) =>
      (db.prepare('SELECT count(*) AS n FROM security_events WHERE kind = ?').get(kind) as { n: number }).n,
  );

describe('applying pulled pages', () => {
  it('keeps a new row in staging until every required field has arrived, then inserts and indexes it', async () => {
    const id = await register(deskA, PEOPLE[0]!);
    const changes = unsent(a).filter((c) => c.rowId === id && c.table === 'patients');
    const familyName = changes.findIndex((c) => c.column === 'family_name');
    const first = changes.filter((_, i) => i !== familyName);
    expect(feed(b, first)?.applied).toBe(first.length);
    expect(await call(deskB, 'patients.get', { id })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
    expect(
      raw(
        b,
        (db) =>
          (db.prepare('SELECT count(*) AS n FROM sync_staging WHERE row_id = ?').get(id) as { n: number }).n,
      ),
    ).toBe(first.length);
    feed(b, [changes[familyName]!]);
    expect(must(await call(deskB, 'patients.get', { id }))).toMatchObject({
      givenNames: 'Ravi',
      familyName: 'Shankar',
    });
    expect(must(await call(deskB, 'patients.search', { query: 'shank' })).map((p) => p.id)).toEqual([id]);
    expect(
      raw(b, (db) => (db.prepare('SELECT count(*) AS n FROM sync_staging').get() as { n: number }).n),
    ).toBe(0);
    await settle([a, b]);
  });

  it('ends with the same values whatever the order and however often each change arrives', async () => {
    const ids = [await register(deskA, PEOPLE[1]!), await register(deskA, PEOPLE[2]!)];
    await edit(deskA, ids[0]!, { notes: 'Second note' });
    await edit(deskA, ids[0]!, { phones: [{ number: '9000000001', label: 'work' }] });
    await edit(deskA, ids[1]!, { notes: 'Third note' });
    await edit(deskA, ids[0]!, { notes: 'Final note' });
    const changes = unsent(a);
    // Reordered, in uneven pages, each page repeating some of the changes already sent.
    const order = shuffled(changes, 7);
    let sent = 0;
    for (const size of [3, 1, 17, 5, 40, 2, 200]) {
      const page = order.slice(sent, sent + size);
      feed(b, [...page, ...order.slice(0, sent).filter((_, i) => i % 3 === 0), ...page.slice(0, 2)]);
      sent += size;
    }
    for (const id of ids) expect(await record(deskB, id)).toEqual(await record(deskA, id));
    expect(must(await call(deskB, 'patients.get', { id: ids[0]! })).notes).toBe('Final note');
    // Delivered once more in full, nothing changes.
    const again = feed(b, shuffled(changes, 99));
    expect(again).toMatchObject({ applied: 0, stale: changes.length });
    await settle([a, b]);
  });

  it('refuses unknown tables and columns before any SQL, and goes on with the rest of the page', async () => {
    const id = await register(deskA, {
      givenNames: 'Meena',
      familyName: 'Pillai',
      sex: 'female',
      birth: { kind: 'exact', date: '1990-02-02' },
    });
    const good = unsent(a);
    const template = good[0]!;
    const hostile = [
      { ...template, changeId: crypto.randomUUID(), table: 'sqlite_master' },
      { ...template, changeId: crypto.randomUUID(), table: 'key_ring', column: 'wrapped_cdk' },
      { ...template, changeId: crypto.randomUUID(), column: 'id' },
      { ...template, changeId: crypto.randomUUID(), column: 'constructor' },
      { ...template, changeId: crypto.randomUUID(), table: '__proto__' },
      { ...template, changeId: crypto.randomUUID(), rowId: "x' OR 1=1 --" },
    ];
    const report = feed(b, [...hostile, ...good]);
    expect(report).toMatchObject({ rejected: hostile.length, applied: good.length });
    expect(must(await call(deskB, 'patients.get', { id })).givenNames).toBe('Meena');
    await settle([a, b]);
  });

  it('records a security event for a tampered or misplaced envelope and applies the others', async () => {
    const id = await register(deskA, {
      givenNames: 'Farhan',
      familyName: 'Qureshi',
      sex: 'male',
      birth: { kind: 'exact', date: '1980-08-08' },
    });
    await edit(deskA, id, { notes: 'Asthmatic' });
    const changes = unsent(a);
    const notes = changes.findLast((c) => c.column === 'notes')!;
    const flipped = Buffer.from(notes.value, 'base64');
    flipped[flipped.length - 1]! ^= 1;
    const other = changes.find((c) => c.column === 'given_names')!;
    const before = securityEvents(b, 'decryption-failed');
    const report = feed(b, [
      ...changes.filter((c) => c !== notes),
      { ...notes, changeId: crypto.randomUUID(), value: flipped.toString('base64') },
      // A genuine envelope moved to another row's place: its associated data no longer fits.
      {
        ...other,
        changeId: crypto.randomUUID(),
        rowId: crypto.randomUUID(),
        clock: notes.clock.replace(/^\d{15}/, (w) => String(Number(w) + 1).padStart(15, '0')),
      },
    ]);
    expect(report?.rejected).toBe(2);
    expect(securityEvents(b, 'decryption-failed')).toBe(before + 2);
    // The record is there; its notes keep the value registered with it.
    expect(must(await call(deskB, 'patients.get', { id }))).toMatchObject({
      givenNames: 'Farhan',
      notes: '',
    });
    await settle([a, b]);
    expect(must(await call(deskB, 'patients.get', { id })).notes).toBe('Asthmatic');
  });

  it('does the same for a tampered change that comes through the server', async () => {
    const id = await register(deskA, {
      givenNames: 'Suresh',
      familyName: 'Babu',
      sex: 'male',
      birth: { kind: 'exact', date: '1966-06-06' },
    });
    const changes = unsent(a);
    await a.sync.syncNow();
    const installId = raw(
      a,
      (db) =>
        (db.prepare("SELECT value FROM meta WHERE key = 'install_id'").get() as { value: string }).value,
    );
    const token = (await a.secrets.get(`sync-token:${installId}`))!;
    const family = changes.find((c) => c.rowId === id && c.column === 'family_name')!;
    const bytes = Buffer.from(family.value, 'base64');
    bytes[20]! ^= 0xff;
    const later = family.clock.replace(/^\d{15}/, (w) => String(Number(w) + 1).padStart(15, '0'));
    const { seq, deviceId, ...wire } = family;
    void [seq, deviceId];
    await a.sync
      .client(server.url, token)
      .push([{ ...wire, changeId: crypto.randomUUID(), clock: later, value: bytes.toString('base64') }]);
    const before = securityEvents(b, 'decryption-failed');
    const status = await b.sync.syncNow();
    expect(status.state).toBe('online');
    expect(securityEvents(b, 'decryption-failed')).toBe(before + 1);
    expect(must(await call(deskB, 'patients.get', { id })).familyName).toBe('Babu');
  });
});
