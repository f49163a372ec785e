import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditRepo } from '../store/audit-repo.js';
import { type OpenedStore, openStore } from '../store/db.js';

let dir: string;
let store: OpenedStore;
let repo: AuditRepo;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kavach-audit-'));
  store = openStore(dir, Date.now);
  repo = new AuditRepo(store.db, Date.now);
  for (let i = 0; i < 5; i++) {
    repo.append({ actorUserId: 'u1', actorRole: 'admin', action: `staff.update`, outcome: 'ok', subjectId: `s${i}` });
  }
  // Direct tampering needs the append-only triggers out of the way first, as an attacker
  // with the file would do; the chain must still catch it.
  store.sqlite.exec('DROP TRIGGER audit_events_no_update; DROP TRIGGER audit_events_no_delete;');
});
afterEach(() => {
  store.sqlite.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('audit hash chain', () => {
  it('verifies an untouched trail', () => {
    expect(repo.verify()).toEqual({ ok: true, checked: 5, firstBroken: null });
  });

  it('names the event whose row was edited directly in SQLite', () => {
    store.sqlite.prepare("UPDATE audit_events SET action = 'audit.nothing' WHERE seq = 3").run();
    const result = repo.verify();
    expect(result.ok).toBe(false);
    expect(result.firstBroken?.seq).toBe(3);
    expect(result.firstBroken?.reason).toMatch(/altered/);
  });

  it('names the gap left by a deleted event', () => {
    store.sqlite.prepare('DELETE FROM audit_events WHERE seq = 2').run();
    expect(repo.verify().firstBroken).toMatchObject({ seq: 3, reason: expect.stringMatching(/missing/) });
  });

  it('catches the last event deleted and a new one forged in its place', () => {
    store.sqlite.prepare('DELETE FROM audit_events WHERE seq = 5').run();
    store.sqlite
      .prepare(
        "INSERT INTO audit_events (seq, id, at, action, outcome, detail, prev_hash, hash) VALUES (5, 'forged', 1, 'x', 'ok', '{}', 'abc', 'def')",
      )
      .run();
    expect(repo.verify().firstBroken?.seq).toBe(5);
  });

  it('catches two events swapped', () => {
    const a = store.sqlite.prepare('SELECT * FROM audit_events WHERE seq = 2').get() as Record<string, unknown>;
    const b = store.sqlite.prepare('SELECT * FROM audit_events WHERE seq = 4').get() as Record<string, unknown>;
    const put = store.sqlite.prepare(
      'UPDATE audit_events SET id = ?, at = ?, action = ?, subject_id = ?, prev_hash = ?, hash = ? WHERE seq = ?',
    );
    store.sqlite.prepare('UPDATE audit_events SET id = id || ? WHERE seq IN (2, 4)').run('-tmp');
    put.run(b.id, b.at, b.action, b.subject_id, b.prev_hash, b.hash, 2);
    put.run(a.id, a.at, a.action, a.subject_id, a.prev_hash, a.hash, 4);
    expect(repo.verify().firstBroken?.seq).toBe(2);
  });
});
