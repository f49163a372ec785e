import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src-server/app.js';
import { LIMITS, type PulledChange } from '../../src-shared/sync-wire.js';
import { call, loginAs, must } from '../testing/core-harness.js';
import { addDesk, clinicRing, DESK, patientChanges } from './fixtures.js';
import { founder, joiner, type Station, startServer, station } from './testing.js';

/**
 * A workstation killed with SIGKILL while it applies large pulled pages (in a child
 * process), again and again until it finishes: after each kill the database is intact and its cursor
 * agrees exactly with what was applied (page and cursor commit together), and after a
 * restart the sync completes with nothing lost or duplicated.
 */
const PATIENTS = 480; // about 10,000 changes: twenty full pages of 500 (kill-child.ts)
let server: RunningServer;
let a: Station;
let b: Station;
let log: PulledChange[] = [];

beforeAll(async () => {
  server = await startServer();
  a = await founder(server, 'kill-a');
  await addDesk(await a.admin());
  await a.sync.syncNow();
  b = await joiner(server, a, 'kill-b');
  await b.core.close();
  const ring = await clinicRing(a);
  const wall = a.clock.now() - 60_000;
  const all = Array.from({ length: PATIENTS }, (_, i) => patientChanges(ring, i, wall, 'KQ77X')).flat();
  ring.wipe();
  for (let i = 0; i < all.length; i += LIMITS.pushBatch)
    await a.sync.client().push(all.slice(i, i + LIMITS.pushBatch));
  for (let after = 0; ; ) {
    const page = await a.sync.client().pull(after, 0);
    log.push(...page.changes);
    after = page.next;
    if (!page.more) break;
  }
  log = log.filter((c) => c.table === 'patients' && c.clock.endsWith('-backlog'));
}, 300_000);

afterAll(async () => {
  await b?.close();
  await a?.close();
  await server?.close();
});

function runChild(killAfterMs: number): Promise<'killed' | 'finished'> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src-main/sync/kill-child.ts', b.dataDir, b.service],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let timer: NodeJS.Timeout | null = null;
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready') && !timer)
        timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (signal === 'SIGKILL') resolve('killed');
      else if (code === 0) resolve('finished');
      else reject(new Error(`child exited with ${code}`));
    });
  });
}

/** Cursor and rows agree: every change up to the cursor is in, none after it. */
function checkConsistent(): number {
  const db = new Database(join(b.dataDir, 'kavach.db'), { readonly: true });
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const cursor = Number(
      (db.prepare("SELECT value FROM sync_state WHERE key = 'cursor'").get() as { value: string }).value,
    );
    const clockOf = db.prepare('SELECT clock FROM field_clocks WHERE tbl = ? AND row_id = ? AND col = ?');
    for (const c of log) {
      const here = (clockOf.get(c.table, c.rowId, c.column) as { clock: string } | undefined)?.clock ?? null;
      if (c.seq <= cursor) expect(here, `seq ${c.seq} <= cursor ${cursor}`).toBe(c.clock);
      else expect(here, `seq ${c.seq} > cursor ${cursor}`).toBeNull();
    }
    const rows = (
      db.prepare("SELECT count(*) AS n FROM patients WHERE patient_number LIKE 'KQ77X-%'").get() as {
        n: number;
      }
    ).n;
    const complete = new Set(log.filter((c) => c.seq <= cursor).map((c) => c.rowId));
    const partial = new Set(log.filter((c) => c.seq > cursor).map((c) => c.rowId));
    expect(rows).toBe([...complete].filter((id) => !partial.has(id)).length);
    return cursor;
  } finally {
    db.close();
  }
}

describe('a workstation killed mid-apply', () => {
  it('keeps page and cursor together across repeated SIGKILLs, then completes with nothing lost or duplicated', async () => {
    const outcomes: { after: number; outcome: string; cursor: number }[] = [];
    // Applying got faster (a page of 500 in tens of ms): the first kills come early.
    for (const after of [250, 150, 300, 200, 400, 800, 1500, 5000]) {
      const outcome = await runChild(after);
      outcomes.push({ after, outcome, cursor: checkConsistent() });
      if (outcome === 'finished') break;
    }
    process.stdout.write(
      `kill: ${outcomes.map((o) => `${o.outcome} after ${o.after} ms at cursor ${o.cursor}`).join('; ')}\n`,
    );
    const cursors = outcomes.map((o) => o.cursor);
    expect(cursors).toEqual([...cursors].sort((x, y) => x - y));
    expect(
      outcomes.filter((o) => o.outcome === 'killed' && o.cursor < log.at(-1)!.seq).length,
    ).toBeGreaterThanOrEqual(2);
    b = await station('kill-b', { dataDir: b.dataDir, service: b.service });
    expect((await b.sync.syncNow()).state).toBe('online');
    expect(checkConsistent()).toBeGreaterThanOrEqual(log.at(-1)!.seq);
    const desk = await loginAs(b.core, DESK.username, DESK.password);
    for (const n of ['00000', '00239', '00479']) {
      expect(
        must(await call(desk, 'patients.search', { query: `KQ77X-${n}` })).map((p) => p.patientNumber),
      ).toEqual([`KQ77X-${n}`]);
    }
    const db = new Database(join(b.dataDir, 'kavach.db'), { readonly: true });
    try {
      expect(
        db
          .prepare(
            "SELECT count(*) AS n, count(DISTINCT patient_number) AS d FROM patients WHERE patient_number LIKE 'KQ77X-%'",
          )
          .get(),
      ).toEqual({ n: PATIENTS, d: PATIENTS });
      expect((db.prepare('SELECT count(*) AS n FROM sync_staging').get() as { n: number }).n).toBe(0);
    } finally {
      db.close();
    }
  }, 300_000);
});
