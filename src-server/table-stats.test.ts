import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { type OpenedDb, openDatabase } from './db';
import { devices } from './schema';
import { type AuthedDevice, createClinic, pushChanges } from './store';
import { TableStats } from './table-stats';

/** On embedded PGlite (no autovacuum) the server refreshes the planner's statistics itself. */
const opened: OpenedDb[] = [];
afterEach(async () => {
  for (const o of opened.splice(0)) await o.close();
});

async function clinicWithDevice(): Promise<{ db: OpenedDb['db']; device: AuthedDevice }> {
  const o = await openDatabase('pglite');
  opened.push(o);
  const { clinicId } = await createClinic(o.db, 'Stats Clinic', new Date());
  const id = randomUUID();
  await o.db.insert(devices).values({ id, clinicId, name: 'desk', tokenHash: randomUUID() });
  return { db: o.db, device: { id, clinicId, name: 'desk', lastSeenAt: null, revokedAt: null } };
}

const batch = () =>
  Array.from({ length: 500 }, (_, i) => ({
    changeId: randomUUID(),
    table: 'patients',
    rowId: `row-${i}`,
    column: 'notes',
    clock: `${String(Date.now()).padStart(15, '0')}-000000-0000000000000001`,
    value: new Uint8Array(40),
  }));

async function plannerRows(db: OpenedDb['db']): Promise<number> {
  const r = await db.execute(sql`select reltuples::bigint as n from pg_class where oid = 'changes'::regclass`);
  return Number((r as unknown as { rows: { n: number | string }[] }).rows[0]!.n);
}

async function push(db: OpenedDb['db'], device: AuthedDevice, stats: TableStats, batches: number) {
  for (let i = 0; i < batches; i++) {
    const r = await pushChanges(db, device, batch());
    stats.inserted(r.accepted);
    await stats.settled();
  }
}

describe('table statistics on PGlite', () => {
  it('analyses after 1,000 rows plus 10% of the table, so the planner knows the log', async () => {
    const { db, device } = await clinicWithDevice();
    const stats = new TableStats(db, true);
    await stats.start();
    expect(await plannerRows(db)).toBeLessThanOrEqual(0);
    // 1,000 rows: analysed. Then 1,100 more are needed: the 5th batch (2,500 rows) analyses.
    await push(db, device, stats, 6);
    expect(await plannerRows(db)).toBe(2_500);
    // With the statistics, a push's duplicate check is an index lookup, not a scan of the log.
    const ids = Array.from({ length: 50 }, () => randomUUID());
    const plan = await db.execute(
      sql`explain select change_id from changes where clinic_id = ${device.clinicId} and change_id in ${ids}`,
    );
    const text = (plan as unknown as { rows: { 'QUERY PLAN': string }[] }).rows
      .map((r) => r['QUERY PLAN'])
      .join('\n');
    expect(text).toContain('changes_clinic_change_uq');
  });

  it('does nothing where autovacuum does it (PostgreSQL), even when told of inserts', async () => {
    const { db, device } = await clinicWithDevice();
    const stats = new TableStats(db, false);
    await stats.start();
    await push(db, device, stats, 3);
    expect(await plannerRows(db)).toBeLessThanOrEqual(0);
  });
});
