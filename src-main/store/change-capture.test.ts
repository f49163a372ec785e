import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HybridClock } from '../../src-shared/hlc.js';
import { KeyRing } from '../crypto/keyring.js';
import { ChangeCapture } from './change-capture.js';
import { type OpenedStore, openStore } from './db.js';
import { FieldCodec } from './fields.js';
import { MetaRepo } from './meta-repo.js';
import { UsersRepo } from './users-repo.js';

let dir: string;
let store: OpenedStore;
let users: UsersRepo;
let capture: ChangeCapture;
let ring: KeyRing;

const count = (table: string) => (store.sqlite.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kavach-capture-'));
  store = openStore(dir, Date.now);
  ring = KeyRing.generate().ring;
  const codec = new FieldCodec(ring, () => {});
  const meta = new MetaRepo(store.db);
  capture = new ChangeCapture(store.db, new HybridClock('node1', Date.now), codec, meta, Date.now);
  users = new UsersRepo(store.db, codec, capture, Date.now);
});
afterEach(() => {
  store.sqlite.close();
  rmSync(dir, { recursive: true, force: true });
});

const base = { role: 'receptionist' as const, displayName: 'Lakshmi', passwordHash: '$argon2id$x', doctor: null };

describe('change capture', () => {
  it('commits row, clocks and outbox in one transaction', () => {
    const id = users.create({ ...base, username: 'lakshmi' });
    expect(count('users')).toBe(1);
    expect(count('field_clocks')).toBe(7);
    expect(count('outbox')).toBe(7);
    const hlc = store.sqlite.prepare("SELECT value FROM meta WHERE key = 'hlc_last'").get() as { value: string };
    const newest = store.sqlite.prepare('SELECT max(clock) AS c FROM outbox WHERE row_id = ?').get(id) as { c: string };
    expect(hlc.value).toBe(newest.c);
  });

  it('rolls row, clocks and outbox back together when the row write fails', () => {
    users.create({ ...base, username: 'lakshmi' });
    // The UNIQUE constraint on username fails inside the repository's transaction.
    expect(() => users.create({ ...base, username: 'lakshmi' })).toThrow(/UNIQUE/);
    expect(count('users')).toBe(1);
    expect(count('field_clocks')).toBe(7);
    expect(count('outbox')).toBe(7);
  });

  it('seals plain columns on the wire under their own place', () => {
    const id = users.create({ ...base, username: 'lakshmi' });
    const row = store.sqlite.prepare("SELECT value FROM outbox WHERE row_id = ? AND col = 'role'").get(id) as { value: Buffer };
    expect(ring.openText({ table: 'users', column: 'role', rowId: id }, row.value)).toBe('"receptionist"');
    expect(() => ring.openText({ table: 'users', column: 'username', rowId: id }, row.value)).toThrow();
  });

  it('refuses a column that is not part of the synced schema', () => {
    expect(() =>
      store.db.transaction(() => capture.record('users', 'x', [{ column: 'password' as 'role', plain: 'p' }])),
    ).toThrow(/not synced/);
    expect(count('outbox')).toBe(0);
  });
});
