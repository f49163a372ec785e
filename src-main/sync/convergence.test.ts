import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src-server/app.js';
import { testDatabaseUrl } from '../../src-server/testing/harness.js';
import { compareHlc } from '../../src-shared/hlc.js';
import type { Connection } from '../core-types.js';
import { call, loginAs, must } from '../testing/core-harness.js';
import { addDesk, DESK, edit, type PatientDraft, register } from './fixtures.js';
import { founder, joiner, type Station, settle, startServer } from './testing.js';

/**
 * Full stack: three real workstations (own data directory, own keychain service, own clock)
 * and the real server. Each run registers a fresh patient, then a random schedule of
 * offline edits of that patient's fields, clock ticks and syncs in random order; after a
 * final settle all workstations must hold identical records, each field the value of the
 * write with the greatest clock (no acknowledged write lost), and identical conflict copies.
 * The cores and the server are reused across runs to keep each run cheap. The server runs
 * on PGlite and on the throwaway PostgreSQL cluster the test setup starts.
 */
const RUNS = process.env.CI === 'true' ? 200 : 25;

const EDITS: Record<string, (v: number) => Partial<PatientDraft>> = {
  notes: (v) => ({ notes: `note ${v}` }),
  phones: (v) => ({ phones: [{ number: `98470${String(10000 + v).slice(-5)}`, label: 'mobile' }] }),
  allergies: (v) => ({ allergies: [`allergen ${v}`] }),
  blood_group: (v) => ({ bloodGroup: (['A+', 'B-', 'O+', 'AB+'] as const)[v % 4] }),
  preferred_language: (v) => ({ preferredLanguage: `lang ${v}` }),
};
const COLUMNS = Object.keys(EDITS);

let server: RunningServer;
let stations: Station[];
let desks: Connection[];
let dbs: Database.Database[];

async function open(backend: 'pglite' | 'postgres'): Promise<void> {
  // Hundreds of runs push far more than a real workstation's 240 requests a minute.
  const limits = { limits: { pushesPerMinute: 1_000_000 } };
  server = await startServer(backend === 'pglite' ? 'pglite' : { url: testDatabaseUrl() }, limits);
  const a = await founder(server, `conv-${backend}-a`);
  await addDesk(await a.admin());
  must(await call(await a.admin(), 'settings.update', { clinicName: 'Sushrut Clinic', idleMinutes: 60 }));
  await a.sync.syncNow();
  stations = [a, await joiner(server, a, `conv-${backend}-b`), await joiner(server, a, `conv-${backend}-c`)];
  desks = await Promise.all(stations.map((s) => loginAs(s.core, DESK.username, DESK.password)));
  dbs = stations.map((s) => new Database(join(s.dataDir, 'kavach.db'), { readonly: true }));
}

async function shut(): Promise<void> {
  for (const db of dbs ?? []) db.close();
  for (const s of stations ?? []) await s.close();
  await server?.close();
}

type Op =
  | { t: 'edit'; who: number; column: string; value: number }
  | { t: 'sync'; who: number }
  | { t: 'tick'; who: number; ms: number };

const opsFor = (n: number) =>
  fc.array(
    fc.oneof(
      {
        weight: 5,
        arbitrary: fc.record({
          t: fc.constant('edit' as const),
          who: fc.nat(n - 1),
          column: fc.constantFrom(...COLUMNS),
          value: fc.nat(999),
        }),
      },
      { weight: 3, arbitrary: fc.record({ t: fc.constant('sync' as const), who: fc.nat(n - 1) }) },
      {
        weight: 2,
        arbitrary: fc.record({
          t: fc.constant('tick' as const),
          who: fc.nat(n - 1),
          ms: fc.integer({ min: 0, max: 2000 }),
        }),
      },
    ),
    { minLength: 1, maxLength: 14 },
  );

const clockOf = (who: number, rowId: string, col: string) =>
  (
    dbs[who]!.prepare("SELECT clock FROM field_clocks WHERE tbl = 'patients' AND row_id = ? AND col = ?").get(
      rowId,
      col,
    ) as { clock: string }
  ).clock;

/** Per-connection rate limits (60 edits a minute) hold on the simulated clock too: let a
 *  little time pass on a workstation before each of its calls. */
const breathe = (who: number) => stations[who]!.clock.advance(1_500);

async function readBack(who: number, id: string) {
  breathe(who);
  const { updatedAt, ...record } = must(await call(desks[who]!, 'patients.get', { id }));
  void updatedAt;
  const copies = must(await call(desks[who]!, 'sync.conflicts', { rowId: id })).map((c) => [c.id, c.text]);
  return { record, copies: copies.sort() };
}

/** Brings every clock up to the furthest one, so skew from earlier runs does not pile up
 *  (a workstation left idle would otherwise fall behind past the drift guard). */
function align(): void {
  const top = Math.max(...stations.map((s) => s.clock.now()));
  for (const s of stations) s.clock.advance(top - s.clock.now());
}

async function run(n: number, script: Op[]): Promise<void> {
  align();
  const team = stations.slice(0, n);
  breathe(0);
  const id = await register(desks[0]!, {
    givenNames: 'Kavya',
    familyName: 'Nair',
    sex: 'female',
    birth: { kind: 'exact', date: '1990-04-12' },
  });
  await settle(team);
  const writes: { column: string; clock: string; record: Awaited<ReturnType<typeof readBack>>['record'] }[] =
    [];
  for (const op of script) {
    if (op.t === 'tick') stations[op.who]!.clock.advance(op.ms);
    else if (op.t === 'sync') await stations[op.who]!.sync.syncNow();
    else {
      breathe(op.who);
      const after = await edit(desks[op.who]!, id, EDITS[op.column]!(op.value));
      const { updatedAt, ...record } = after;
      void updatedAt;
      writes.push({ column: op.column, clock: clockOf(op.who, id, op.column), record });
    }
  }
  await settle(team);
  const views = await Promise.all(team.map((_, i) => readBack(i, id)));
  for (const v of views) expect(v).toEqual(views[0]);
  // Each edited field holds the value of its greatest-clock write: none acknowledged is lost.
  for (const column of COLUMNS) {
    const last = writes.filter((w) => w.column === column).sort((x, y) => compareHlc(y.clock, x.clock))[0];
    if (!last) continue;
    const key = Object.keys(EDITS[column]!(0))[0] as keyof typeof last.record;
    expect(views[0]!.record[key], column).toEqual(last.record[key]);
  }
}

describe.each(['pglite', 'postgres'] as const)(
  'convergence with real workstations and a real server on %s (fast-check)',
  (backend) => {
    beforeAll(() => open(backend), 120_000);
    afterAll(shut);

    for (const n of [2, 3]) {
      it(`${n} workstations editing one patient offline converge (${RUNS} runs)`, async () => {
        await fc.assert(
          fc.asyncProperty(opsFor(n), (script) => run(n, script)),
          { numRuns: RUNS, endOnFailure: true },
        );
      }, 1_200_000);
    }
  },
);
