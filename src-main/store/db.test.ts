import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { latestSchemaVersion, openStore, SchemaTooNewError } from './db.js';
import { MIGRATIONS } from './migrations.generated.js';

const dirs: string[] = [];
function tempDir() {
  const d = mkdtempSync(join(tmpdir(), 'kavach-db-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('workstation database', () => {
  it('opens with WAL, foreign keys, synchronous FULL and file mode 0600', () => {
    const dir = tempDir();
    const { sqlite, path } = openStore(dir, Date.now);
    expect(sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(sqlite.pragma('synchronous', { simple: true })).toBe(2);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    sqlite.close();
  });

  it('applies every migration once and records them', () => {
    const dir = tempDir();
    openStore(dir, Date.now).sqlite.close();
    const { sqlite } = openStore(dir, Date.now);
    const rows = sqlite.prepare('SELECT idx FROM kavach_migrations ORDER BY idx').all() as { idx: number }[];
    expect(rows.map((r) => r.idx)).toEqual(MIGRATIONS.map((m) => m.idx));
    expect(sqlite.pragma('user_version', { simple: true })).toBe(latestSchemaVersion());
    sqlite.close();
  });

  it('refuses a database written by a newer version and leaves it unchanged', () => {
    const dir = tempDir();
    const first = openStore(dir, Date.now);
    first.sqlite.pragma(`user_version = ${latestSchemaVersion() + 5}`);
    first.sqlite.close();
    expect(() => openStore(dir, Date.now)).toThrow(SchemaTooNewError);
    const raw = new Database(join(dir, 'kavach.db'), { readonly: true });
    expect(raw.pragma('user_version', { simple: true })).toBe(latestSchemaVersion() + 5);
    const applied = raw.prepare('SELECT count(*) AS n FROM kavach_migrations').get() as { n: number };
    expect(applied.n).toBe(MIGRATIONS.length);
    raw.close();
  });

  it('keeps the audit trail append-only at the SQL level', () => {
    const { sqlite } = openStore(tempDir(), Date.now);
    sqlite
      .prepare(
        "INSERT INTO audit_events (seq, id, at, action, outcome, detail, prev_hash, hash) VALUES (1, 'a', 1, 'x', 'ok', '{}', '0', '1')",
      )
      .run();
    expect(() => sqlite.prepare("UPDATE audit_events SET action = 'y'").run()).toThrow(/append-only/);
    expect(() => sqlite.prepare('DELETE FROM audit_events').run()).toThrow(/append-only/);
    sqlite.close();
  });

  it('embeds exactly the SQL files drizzle-kit generated', () => {
    for (const m of MIGRATIONS) {
      const onDisk = readFileSync(join('src-main/store/migrations', `${m.tag}.sql`), 'utf8');
      expect(m.sql).toBe(onDisk);
    }
  });
});
