import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src-shared/clinical/prescribing.js';
import { HybridClock } from '../../src-shared/hlc.js';
import { KeyRing } from '../crypto/keyring.js';
import { ChangeCapture } from '../store/change-capture.js';
import { DB_FILE, openStore } from '../store/db.js';
import { FieldCodec } from '../store/fields.js';
import { MetaRepo } from '../store/meta-repo.js';
import { PatientsRepo } from '../store/patients-repo.js';
import { SecurityRepo } from '../store/security-repo.js';
import { SyncRepo } from '../store/sync-repo.js';
import { applyPage } from '../sync/apply.js';
import { syncedTable } from '../sync/tables.js';
import {
  canonicalLedgerContent,
  entryHash,
  GENESIS_HASH,
  hashedText,
  LEDGER_KINDS,
  Ledger,
  verifyLedger,
} from './ledger.js';

// The app's own store (openStore: the app's migrations and pragmas) with the real change
// capture and field codec, not the full core: the ledger is not wired to a channel yet.
// Node ids sort A before B, so the verifier checks A's chain first.
const A = '0a1b2c3d4e5f6a7b';
const B = 'f1e2d3c4b5a69788';
const PER_WORKSTATION = 500;

let base: string;
let ring: KeyRing;
let made: string[] = [];

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'kavach-ledger-'));
  const store = openStore(base, Date.now);
  ring = KeyRing.generate().ring;
  const codec = new FieldCodec(ring, () => {});
  const meta = new MetaRepo(store.db);
  let t = 1_760_000_000_000;
  const now = () => t++;
  const capture = new ChangeCapture(store.db, new HybridClock(A, now), codec, meta, now);
  const ledgers = [new Ledger(store.db, capture, A, now), new Ledger(store.db, capture, B, now)];
  store.sqlite.transaction(() => {
    for (let i = 0; i < PER_WORKSTATION * 2; i++) {
      const kind = LEDGER_KINDS[i % LEDGER_KINDS.length]!;
      ledgers[i % 2]!.append(kind, `ref-${i}`, {
        amountPaise: 10_000 + i,
        method: 'upi',
        invoiceId: `inv-${i >> 2}`,
      });
    }
  })();
  store.sqlite.close();
});
afterAll(() => {
  rmSync(base, { recursive: true, force: true });
  for (const d of made) rmSync(d, { recursive: true, force: true });
  made = [];
});

/** A fresh copy of the closed database file, as the core left it. */
function copy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kavach-ledger-copy-'));
  made.push(dir);
  for (const suffix of ['', '-wal']) {
    if (existsSync(join(base, DB_FILE + suffix)))
      copyFileSync(join(base, DB_FILE + suffix), join(dir, DB_FILE + suffix));
  }
  return dir;
}

/** Opens the copy directly, as an attacker would, drops the triggers and runs `work`. */
function tamper(dir: string, work: (db: Database.Database) => void): void {
  const db = new Database(join(dir, DB_FILE));
  db.exec('DROP TRIGGER ledger_entries_no_update; DROP TRIGGER ledger_entries_no_delete;');
  work(db);
  db.close();
}

/** Verifies the copy the way the app opens its store. */
function verify(dir: string) {
  const store = openStore(dir, Date.now);
  try {
    return verifyLedger(store.db);
  } finally {
    store.sqlite.close();
  }
}

type Row = {
  content: string;
  hash: string;
  prev_hash: string;
  kind: string;
  ref_id: string;
  created_at: number;
};
const row = (db: Database.Database, ws: string, seq: number) =>
  db.prepare('SELECT * FROM ledger_entries WHERE workstation_id = ? AND seq = ?').get(ws, seq) as Row;

describe('ledger (app store via openStore, not the full core)', () => {
  it('appends 1,000 entries across two workstations, each captured for sync, and verifies them', () => {
    const dir = copy();
    const store = openStore(dir, Date.now);
    try {
      expect(verifyLedger(store.db)).toEqual({
        ok: true,
        chains: [
          { workstationId: A, entries: PER_WORKSTATION },
          { workstationId: B, entries: PER_WORKSTATION },
        ],
      });
      const first = store.sqlite.prepare('SELECT * FROM ledger_entries WHERE id = ?').get(`${A}:1`) as Row;
      expect(first.prev_hash).toBe(GENESIS_HASH);
      expect(first.content).toBe('{"amountPaise":10000,"invoiceId":"inv-0","method":"upi"}');
      const outbox = store.sqlite
        .prepare(
          "SELECT count(*) AS n, count(DISTINCT row_id) AS rows FROM outbox WHERE tbl = 'ledger_entries'",
        )
        .get() as { n: number; rows: number };
      // Every synced column of every entry, so a receiver inserts only complete rows.
      expect(outbox).toEqual({ n: 8 * 2 * PER_WORKSTATION, rows: 2 * PER_WORKSTATION });
      expect(syncedTable('ledger_entries')?.required).toHaveLength(8);
    } finally {
      store.sqlite.close();
    }
  });

  it('both chains travel through the sync applier into another workstation and verify there', () => {
    const sent = new Database(join(copy(), DB_FILE), { readonly: true });
    const changes = (
      sent
        .prepare(
          "SELECT change_id, row_id, col, clock, value FROM outbox WHERE tbl = 'ledger_entries' ORDER BY clock",
        )
        .all() as {
        change_id: string;
        row_id: string;
        col: string;
        clock: string;
        value: Buffer;
      }[]
    ).map((r, i) => ({
      changeId: r.change_id,
      tbl: 'ledger_entries',
      rowId: r.row_id,
      col: r.col,
      clock: r.clock,
      value: r.value,
      seq: i + 1,
      deviceId: 'sender',
    }));
    const original = sent.prepare('SELECT id, hash FROM ledger_entries ORDER BY id').all();
    sent.close();
    const dir = mkdtempSync(join(tmpdir(), 'kavach-ledger-recv-'));
    made.push(dir);
    const store = openStore(dir, Date.now);
    try {
      const codec = new FieldCodec(ring, () => {});
      const meta = new MetaRepo(store.db);
      const hlc = new HybridClock('c0ffee0000000001', Date.now);
      const capture = new ChangeCapture(store.db, hlc, codec, meta, Date.now);
      const deps = {
        db: store.db,
        repo: new SyncRepo(store.db),
        codec,
        hlc,
        capture,
        patients: new PatientsRepo(store.db, codec, capture, meta, ring.blindIndexKey(), 'RECV1', Date.now),
        security: new SecurityRepo(store.db, Date.now),
        meta,
        now: Date.now,
        deviceId: 'receiver',
      };
      // Fields arrive in two pages, so rows complete only when their last field arrives.
      const half = changes.length >> 1;
      expect(applyPage(deps, 0, 1, 2, changes.slice(0, half))?.rejected).toBe(0);
      expect(applyPage(deps, 1, 2, 2, changes.slice(half))?.rejected).toBe(0);
      // The same page again is all stale: the insert-only rows are never rewritten.
      expect(applyPage(deps, 2, 3, 3, changes.slice(0, 100))?.stale).toBe(100);
      expect(store.sqlite.prepare('SELECT id, hash FROM ledger_entries ORDER BY id').all()).toEqual(original);
      expect(verifyLedger(store.db)).toMatchObject({
        ok: true,
        chains: [{ entries: 500 }, { entries: 500 }],
      });
    } finally {
      store.sqlite.close();
    }
  });

  it('continues the chain after reopening, from the stored head', () => {
    const dir = copy();
    const store = openStore(dir, Date.now);
    try {
      const codec = new FieldCodec(KeyRing.generate().ring, () => {});
      const capture = new ChangeCapture(
        store.db,
        new HybridClock(B, Date.now),
        codec,
        new MetaRepo(store.db),
        Date.now,
      );
      const ledger = new Ledger(store.db, capture, B, Date.now);
      const before = ledger.head();
      const e = ledger.append('refund', 'pay-9', { amountPaise: 500, paymentId: 'pay-9' });
      expect(e.seq).toBe(PER_WORKSTATION + 1);
      expect(e.prevHash).toBe(before?.hash);
      expect(verifyLedger(store.db)).toMatchObject({
        ok: true,
        chains: [{ entries: 500 }, { entries: 501 }],
      });
    } finally {
      store.sqlite.close();
    }
  });

  it('the triggers refuse UPDATE and DELETE while present', () => {
    const dir = copy();
    const db = new Database(join(dir, DB_FILE));
    try {
      expect(() => db.prepare("UPDATE ledger_entries SET content = '{}' WHERE seq = 3").run()).toThrow(
        /insert-only/,
      );
      expect(() => db.prepare('DELETE FROM ledger_entries WHERE seq = 3').run()).toThrow(/insert-only/);
      expect(() => db.prepare('DELETE FROM ledger_entries').run()).toThrow(/insert-only/);
    } finally {
      db.close();
    }
    expect(verify(dir).ok).toBe(true);
  });

  it('an edited amount is a hash mismatch at that entry', () => {
    const dir = copy();
    tamper(dir, (db) => {
      const r = row(db, A, 137);
      const edited = canonicalLedgerContent({ ...JSON.parse(r.content), amountPaise: 100 });
      db.prepare('UPDATE ledger_entries SET content = ? WHERE workstation_id = ? AND seq = 137').run(
        edited,
        A,
      );
    });
    expect(verify(dir)).toMatchObject({ ok: false, workstationId: A, seq: 137, reason: 'hash-mismatch' });
  });

  it('a deleted entry is a gap at the next seq, after the other chain checked clean', () => {
    const dir = copy();
    tamper(dir, (db) =>
      db.prepare('DELETE FROM ledger_entries WHERE workstation_id = ? AND seq = 250').run(B),
    );
    expect(verify(dir)).toEqual({
      ok: false,
      workstationId: B,
      seq: 251,
      reason: 'gap',
      chains: [
        { workstationId: A, entries: PER_WORKSTATION },
        { workstationId: B, entries: 249 },
      ],
    });
  });

  it('a deleted first entry is a gap at seq 2', () => {
    const dir = copy();
    tamper(dir, (db) => db.prepare('DELETE FROM ledger_entries WHERE workstation_id = ? AND seq = 1').run(A));
    expect(verify(dir)).toMatchObject({ ok: false, workstationId: A, seq: 2, reason: 'gap' });
  });

  it('two entries with their seq swapped are caught at the earlier one', () => {
    for (const [x, y] of [
      [10, 20],
      [300, 301],
    ] as const) {
      const dir = copy();
      tamper(dir, (db) => {
        const set = db.prepare('UPDATE ledger_entries SET seq = ? WHERE workstation_id = ? AND seq = ?');
        set.run(-1, B, x);
        set.run(x, B, y);
        set.run(y, B, -1);
      });
      expect(verify(dir)).toMatchObject({ ok: false, workstationId: B, seq: x, reason: 'broken-link' });
    }
  });

  it('an edited entry with its hash recomputed is a broken link at the next entry', () => {
    const dir = copy();
    tamper(dir, (db) => {
      const r = row(db, A, 42);
      const content = canonicalLedgerContent({ ...JSON.parse(r.content), amountPaise: 1 });
      const hash = entryHash({
        prevHash: r.prev_hash,
        workstationId: A,
        seq: 42,
        kind: r.kind,
        refId: r.ref_id,
        content,
        createdAt: r.created_at,
      });
      db.prepare('UPDATE ledger_entries SET content = ?, hash = ? WHERE workstation_id = ? AND seq = 42').run(
        content,
        hash,
        A,
      );
    });
    expect(verify(dir)).toMatchObject({ ok: false, workstationId: A, seq: 43, reason: 'broken-link' });
  });

  it('a second row under an existing seq is a duplicate seq', () => {
    const dir = copy();
    tamper(dir, (db) => {
      db.exec('DROP INDEX ledger_entries_chain');
      db.prepare(
        `INSERT INTO ledger_entries (id, workstation_id, seq, kind, ref_id, content, prev_hash, hash, created_at, updated_at)
         SELECT 'forged', workstation_id, seq, kind, ref_id, content, prev_hash, hash, created_at, updated_at
         FROM ledger_entries WHERE workstation_id = ? AND seq = 77`,
      ).run(A);
    });
    expect(verify(dir)).toMatchObject({ ok: false, workstationId: A, seq: 77, reason: 'duplicate-seq' });
  });

  it('content that is not canonical JSON, or a fractional amount, is bad content', () => {
    const dir = copy();
    tamper(dir, (db) =>
      db
        .prepare('UPDATE ledger_entries SET content = ? WHERE workstation_id = ? AND seq = 5')
        .run('{"amountPaise":100.5,"invoiceId":"inv-2","method":"upi"}', B),
    );
    expect(verify(dir)).toMatchObject({ ok: false, workstationId: B, seq: 5, reason: 'bad-content' });
  });

  it('refuses fractional amounts and unknown kinds before writing anything', () => {
    expect(() => canonicalLedgerContent({ amountPaise: 10.5 })).toThrow(/integers only/);
    const dir = copy();
    const store = openStore(dir, Date.now);
    try {
      const codec = new FieldCodec(KeyRing.generate().ring, () => {});
      const capture = new ChangeCapture(
        store.db,
        new HybridClock(A, Date.now),
        codec,
        new MetaRepo(store.db),
        Date.now,
      );
      const ledger = new Ledger(store.db, capture, A, Date.now);
      const count = () =>
        (store.sqlite.prepare('SELECT count(*) AS n FROM ledger_entries').get() as { n: number }).n;
      expect(() => ledger.append('payment', 'pay-1', { amountPaise: 99.99 })).toThrow(/integers only/);
      expect(() => ledger.append('gift' as 'payment', 'pay-1', { amountPaise: 1 })).toThrow(
        /Unknown ledger kind/,
      );
      expect(count()).toBe(2 * PER_WORKSTATION);
      expect(() => new Ledger(store.db, capture, 'a|b', Date.now)).toThrow();
    } finally {
      store.sqlite.close();
    }
  });

  it('hashes exactly the named fields, each one mattering', () => {
    const e = {
      prevHash: GENESIS_HASH,
      workstationId: A,
      seq: 1,
      kind: 'payment',
      refId: 'pay-1',
      content: '{"amountPaise":100}',
      createdAt: 1,
    };
    expect(hashedText(e)).toBe(canonicalJson(e));
    expect(hashedText({ ...e, refId: 'Cafe\u0301', seq: 0 })).toBe(
      canonicalJson({ ...e, refId: 'Cafe\u0301', seq: 0 }),
    );
    expect(() => entryHash({ ...e, seq: 1.5 })).toThrow(/integers only/);
    const h = entryHash(e);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    for (const change of [
      { prevHash: '1'.repeat(64) },
      { workstationId: B },
      { seq: 2 },
      { kind: 'refund' },
      { refId: 'pay-2' },
      { content: '{"amountPaise":101}' },
      { createdAt: 2 },
    ])
      expect(entryHash({ ...e, ...change })).not.toBe(h);
  });
});
