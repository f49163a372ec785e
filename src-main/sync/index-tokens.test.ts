import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { blindIndexer } from '../crypto/blind-index.js';
import { KeyRing } from '../crypto/keyring.js';
import { FieldCodec } from '../store/fields.js';
import { INDEXED_COLUMNS, type IndexRow, type TokenHelper, tokensOf } from '../store/patient-tokens.js';
import { blindIndex, patients, securityEvents } from '../store/schema.js';
import { applyPage } from './apply.js';
import { CheckThread } from './check-thread.js';
import { patientChanges, pulled, receiverOf } from './fixtures.js';
import { packRows, tokenBatch } from './index-tokens.js';

const dirs: string[] = [];
const threads: CheckThread[] = [];
afterEach(async () => {
  for (const t of threads.splice(0)) await t.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A workstation that has received `n` patients while joining (not indexed yet). */
function joined(ring: KeyRing, n: number) {
  const dir = mkdtempSync(join(tmpdir(), 'kavach-index-'));
  dirs.push(dir);
  const { store, deps, patients: repo } = receiverOf(dir, ring, { deferIndex: true });
  const wall = Date.now() - 60_000;
  const wire = Array.from({ length: n }, (_, i) => patientChanges(ring, i, wall, 'IDX')).flat();
  const changes = wire.map((c, i) => pulled(c, i + 1));
  applyPage(deps, 0, changes.length, changes.length, changes);
  return { store, repo, ring, dir };
}

type Joined = ReturnType<typeof joined>;

const indexOf = (j: Joined) =>
  j.store.db
    .select()
    .from(blindIndex)
    .all()
    .map((r) => `${r.kind} ${r.token.toString('hex')} ${r.rowId}`)
    .sort();
const events = (j: Joined) => j.store.db.select().from(securityEvents).all().length;

/** Replaces one patient's family name with bytes that do not authenticate. */
function tamper(j: Joined): string {
  const victim = j.store.db
    .select({ id: patients.id, familyName: patients.familyName })
    .from(patients)
    .limit(1)
    .all()[0]!;
  const bad = Buffer.from(victim.familyName);
  bad[bad.length - 1]! ^= 0x01;
  j.store.db.update(patients).set({ familyName: bad }).where(eq(patients.id, victim.id)).run();
  return victim.id;
}

function thread(): CheckThread {
  const t = CheckThread.start(() => {});
  if (!t) throw new Error('the helper thread did not start');
  threads.push(t);
  return t;
}

/** Gives the thread the ring's field keys, as a catch-up does before the index build. */
function withKeys(t: CheckThread, ring: KeyRing): CheckThread {
  t.check(
    [],
    () => {
      throw new Error('no changes');
    },
    () => null,
    ring.fieldKeyCopies(),
  );
  return t;
}

describe('tokenBatch (in-process, no thread)', () => {
  it('makes the tokens PatientsRepo makes, and lists the rows it cannot open', () => {
    const ring = KeyRing.generate().ring;
    const j = joined(ring, 12);
    const victim = tamper(j);
    const rows = j.store.sqlite
      .prepare(
        `SELECT id, patient_number AS patientNumber, given_names AS givenNames, family_name AS familyName,
           birth, phones, national_id AS nationalId FROM patients ORDER BY rowid`,
      )
      .all() as IndexRow[];
    const keys = new Map(ring.fieldKeyCopies());
    const keyed = blindIndexer(ring.blindIndexKey());
    const batch = tokenBatch(packRows(rows), (v) => keys.get(v), keyed);
    expect([...batch.failed].map((i) => rows[i]!.id)).toEqual([victim]);
    // Independently: open each field with the codec and key each token of tokensOf.
    const codec = new FieldCodec(ring, () => {});
    const expected: string[] = [];
    for (const r of rows) {
      if (r.id === victim) continue;
      const fields = Object.fromEntries(
        INDEXED_COLUMNS.map(([key, column]) => [key, codec.openJson('patients', column, r.id, r[key])]),
      );
      for (const [kind, value] of tokensOf(r.patientNumber, fields as never))
        expected.push(`${kind} ${Buffer.from(keyed(kind, value)).toString('hex')} ${r.id}`);
    }
    const got = [...batch.rowOf].map(
      (row, k) =>
        `${['name-prefix', 'patient-number', 'birth-year', 'phone', 'national-id'][batch.kinds[k]!]} ${Buffer.from(batch.tokens.subarray(k * 16, k * 16 + 16)).toString('hex')} ${rows[row]!.id}`,
    );
    expect(got.sort()).toEqual(expected.sort());
    expect(got.length).toBeGreaterThan(11 * 10);
  });
});

describe('building the blind index with the helper thread', () => {
  it('builds the same index as this thread alone, over several chunks and batches', async () => {
    const ring = KeyRing.generate().ring;
    const a = joined(ring, 3_100);
    const b = joined(ring, 0);
    // The same received rows in both stores: copy a's patients into b.
    b.store.sqlite.exec(
      `ATTACH '${join(a.dir, 'kavach.db')}' AS a; INSERT INTO patients SELECT * FROM a.patients; DETACH a;`,
    );
    const victim = tamper(a);
    tampered(b, victim);
    const alone = a.store.db.transaction(() => a.repo.rebuildIndex(1_200));
    const real = withKeys(thread(), ring).tokenHelper();
    let answered = 0;
    const counted: TokenHelper = {
      start: (key) => real.start(key),
      post: (rows) => real.post(rows),
      take: (batch) => {
        const r = real.take(batch);
        if (r) answered++;
        return r;
      },
      end: () => real.end(),
    };
    const helped = b.store.db.transaction(() => b.repo.rebuildIndex(1_200, counted));
    // 3,100 patients in chunks of 1,200 and batches of up to 2,500: three batches, all answered.
    expect(answered).toBe(3);
    expect(helped).toBe(alone);
    expect(alone).toBe(3_099);
    const index = indexOf(b);
    expect(index).toEqual(indexOf(a));
    expect(index.some((row) => row.endsWith(victim))).toBe(false);
    // The row the helper could not open was opened here: one security event, as alone.
    expect(events(b)).toBe(1);
    expect(events(a)).toBe(1);
  });

  it('does the batches a helper does not answer itself (stand-in helper answering every other batch)', async () => {
    const ring = KeyRing.generate().ring;
    const a = joined(ring, 6_000);
    expect(indexOf(a)).toEqual([]);
    const expected = a.store.db.transaction(() => a.repo.rebuildIndex(2_600));
    const reference = indexOf(a);
    expect(reference.length).toBeGreaterThan(6_000 * 10);
    const real = withKeys(thread(), ring).tokenHelper();
    let asked = 0;
    const flaky: TokenHelper = {
      start: (key) => real.start(key),
      post: (rows) => real.post(rows),
      take: (batch) => (asked++ % 2 === 1 ? null : real.take(batch)),
      end: () => real.end(),
    };
    const again = a.store.db.transaction(() => a.repo.rebuildIndex(2_600, flaky));
    expect(again).toBe(expected);
    expect(indexOf(a)).toEqual(reference);
    expect(asked).toBeGreaterThan(0);
  });
});

function tampered(j: Joined, id: string): void {
  const row = j.store.db
    .select({ familyName: patients.familyName })
    .from(patients)
    .where(eq(patients.id, id))
    .all()[0]!;
  const bad = Buffer.from(row.familyName);
  bad[bad.length - 1]! ^= 0x01;
  j.store.db.update(patients).set({ familyName: bad }).where(eq(patients.id, id)).run();
}
