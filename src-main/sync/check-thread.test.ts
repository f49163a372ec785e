import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { WireChangeJson } from '../../src-shared/sync-wire.js';
import { KeyRing } from '../crypto/keyring.js';
import { patients, securityEvents } from '../store/schema.js';
import { applyPage, type IncomingChange } from './apply.js';
import { type CheckJob, checkSlots, SLOT, SLOT_END, slotPlace } from './check-slots.js';
import { CheckThread, checkablePlace, PageCheck } from './check-thread.js';
import { patientChanges, pulled, receiverOf } from './fixtures.js';

const dirs: string[] = [];
const threads: CheckThread[] = [];
afterEach(async () => {
  for (const t of threads.splice(0)) await t.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function thread(): CheckThread {
  const t = CheckThread.start(() => {});
  if (!t) throw new Error('the check thread did not start');
  threads.push(t);
  return t;
}

const toChange =
  (wire: WireChangeJson[]) =>
  (i: number, value: Buffer): IncomingChange =>
    pulled(wire[i]!, i + 1, value);

/** Waits until the helper has gone through `n` envelopes of the page (or 10 s have passed). */
async function helperDone(check: PageCheck, n: number): Promise<number> {
  const until = Date.now() + 10_000;
  while (check.helperChecked() < n && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
  return check.helperChecked();
}

/** Three patients' changes (21 each), sealed under the ring's keys. */
function page(ring: KeyRing): WireChangeJson[] {
  return [0, 1, 2].flatMap((i) => patientChanges(ring, i, Date.now() - 60_000, 'CHK'));
}

function flipLastByte(base64: string): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[bytes.length - 1]! ^= 0x01;
  return bytes.toString('base64');
}

describe('the envelope-check thread', () => {
  it('authenticates every stored-as-received envelope of a page on its own thread', async () => {
    const ring = KeyRing.generate().ring;
    const wire = page(ring);
    const { changes, check } = thread().check(wire, toChange(wire), checkablePlace, ring.fieldKeyCopies());
    expect(changes.map((c) => c.value.toString('base64'))).toEqual(wire.map((c) => c.value));
    const slots = changes.flatMap((c, i) => (checkablePlace(c) ? [i] : []));
    // Plain columns (opened by the applier) are not the helper's: created_at, sex, blood group.
    expect(slots.length).toBeGreaterThan(0);
    expect(slots.length).toBeLessThan(changes.length);
    expect(await helperDone(check, slots.length)).toBe(slots.length);
    let here = 0;
    expect(
      check.settle(slots, () => {
        here++;
        return true;
      }),
    ).toBe(true);
    expect(here).toBe(0);
  });

  it('does not confirm a tampered, a moved or an unknown-version envelope', async () => {
    const ring = KeyRing.generate().ring;
    const other = KeyRing.generate().ring;
    const wire = page(ring);
    const envelopeAt = (from: number) =>
      wire.findIndex((_c, i) => i >= from && checkablePlace(toChange(wire)(i, Buffer.alloc(0))) !== null);
    const tampered = envelopeAt(0);
    const moved = envelopeAt(tampered + 1);
    const foreign = envelopeAt(moved + 1);
    wire[tampered] = { ...wire[tampered]!, value: flipLastByte(wire[tampered]!.value) };
    // Sealed for another row: authentic bytes in the wrong place.
    wire[moved] = { ...wire[moved]!, rowId: wire[moved + 30]!.rowId };
    // Sealed under another clinic's key with the same version number.
    wire[foreign] = {
      ...wire[foreign]!,
      value: Buffer.from(
        other.sealText(
          { table: 'patients', column: wire[foreign]!.column, rowId: wire[foreign]!.rowId },
          '"x"',
        ),
      ).toString('base64'),
    };
    const { changes, check } = thread().check(wire, toChange(wire), checkablePlace, ring.fieldKeyCopies());
    const slots = changes.flatMap((c, i) => (checkablePlace(c) ? [i] : []));
    expect(await helperDone(check, slots.length)).toBe(slots.length);
    const bad = [tampered, moved, foreign];
    for (const i of bad) expect(check.settle([i], () => true)).toBe(false);
    expect(
      check.settle(
        slots.filter((i) => !bad.includes(i)),
        () => true,
      ),
    ).toBe(true);
  });

  it('leaves every check to the applying thread when the helper is gone', async () => {
    const ring = KeyRing.generate().ring;
    const wire = page(ring);
    const t = thread();
    await t.close();
    expect(t.running).toBe(false);
    const { changes, check } = t.check(wire, toChange(wire), checkablePlace, ring.fieldKeyCopies());
    const slots = changes.flatMap((c, i) => (checkablePlace(c) ? [i] : []));
    const seen: number[] = [];
    expect(
      check.settle(slots, (c) => {
        seen.push(changes.indexOf(c));
        return true;
      }),
    ).toBe(true);
    expect(seen.sort((a, b) => a - b)).toEqual(slots);
    expect(check.helperChecked()).toBe(0);
    // The applier's own verdict counts: one refusal fails the page.
    const again = t.check(wire, toChange(wire), checkablePlace, ring.fieldKeyCopies());
    expect(again.check.settle(slots, (c) => again.changes.indexOf(c) !== slots[3])).toBe(false);
  });

  it('ends by itself, keys wiped, when closed', async () => {
    const ring = KeyRing.generate().ring;
    const wire = page(ring);
    const t = thread();
    t.check(wire, toChange(wire), checkablePlace, ring.fieldKeyCopies());
    await t.close();
    expect(t.running).toBe(false);
    expect(t.exitCode).toBe(0);
  });

  it('wipes the key copies it was handed once they are posted', () => {
    const ring = KeyRing.generate().ring;
    const wire = page(ring);
    const keys = ring.fieldKeyCopies();
    expect(keys[0]![1].some((b) => b !== 0)).toBe(true);
    thread().check(wire, toChange(wire), checkablePlace, keys);
    expect(keys.every(([, k]) => k.every((b) => b === 0))).toBe(true);
  });
});

describe('checkSlots (in-process, no thread)', () => {
  it('stops at the first slot the applying thread has claimed and skips empty places', () => {
    const ring = KeyRing.generate().ring;
    const sealed = [0, 1, 2, 3, 4].map((i) =>
      ring.sealText({ table: 'patients', column: 'notes', rowId: `r${i}` }, `"n${i}"`),
    );
    const values = new SharedArrayBuffer(sealed.reduce((n, s) => n + s.length, 0));
    const offsets = new Int32Array(new SharedArrayBuffer(4 * 6));
    let at = 0;
    sealed.forEach((s, i) => {
      offsets[i] = at;
      new Uint8Array(values).set(s, at);
      at += s.length;
    });
    offsets[5] = at;
    const status = new Int32Array(new SharedArrayBuffer(4 * 5));
    status[3] = SLOT.main;
    const places = [0, 1, 2, 3, 4].map((i) => (i === 1 ? '' : slotPlace('patients', 'notes', `r${i}`)));
    const job: CheckJob = {
      values,
      offsets: offsets.buffer as SharedArrayBuffer,
      status: status.buffer as SharedArrayBuffer,
      places: places.join(SLOT_END),
    };
    const keys = new Map(ring.fieldKeyCopies());
    checkSlots(job, (v) => keys.get(v));
    expect([...status]).toEqual([SLOT.ok, SLOT.open, SLOT.ok, SLOT.main, SLOT.open]);
  });
});

describe('PageCheck (in-process, the helper simulated in the shared status)', () => {
  it('gives up on a helper that claimed an envelope and never finished, and reports the stall', () => {
    const ring = KeyRing.generate().ring;
    const wire = page(ring).slice(0, 3);
    const changes = wire.map((c, i) => toChange(wire)(i, Buffer.from(c.value, 'base64')));
    const status = new Int32Array(new SharedArrayBuffer(4 * 3));
    status[0] = SLOT.helper;
    let stalls = 0;
    const check = new PageCheck(status, changes, () => stalls++);
    const here: number[] = [];
    expect(check.settle([0, 1, 2], (c) => here.push(changes.indexOf(c)) > 0)).toBe(false);
    // Slots 2 and 1 were open: checked here, from the end; slot 0 was the helper's.
    expect(here).toEqual([2, 1]);
    expect(stalls).toBe(1);
    expect([...status]).toEqual([SLOT.helper, SLOT.main, SLOT.main]);
  });
});

describe('applying a page with the helper', () => {
  function receiver(ring: KeyRing) {
    const dir = mkdtempSync(join(tmpdir(), 'kavach-check-'));
    dirs.push(dir);
    return receiverOf(dir, ring);
  }

  /** Applies the same page twice, once checked here only and once with the helper. */
  async function both(ring: KeyRing, wire: WireChangeJson[]) {
    const plain = receiver(ring);
    const helped = receiver(ring);
    const local = wire.map((_, i) => toChange(wire)(i, Buffer.from(wire[i]!.value, 'base64')));
    const r1 = applyPage(plain.deps, 0, wire.length, wire.length, local, true);
    const { changes, check } = thread().check(wire, toChange(wire), checkablePlace, ring.fieldKeyCopies());
    await helperDone(check, changes.filter((c) => checkablePlace(c)).length);
    const r2 = applyPage({ ...helped.deps, precheck: check }, 0, wire.length, wire.length, changes, true);
    const dump = (s: typeof plain) => ({
      rows: s.store.db.select().from(patients).all(),
      events: s.store.db.select().from(securityEvents).all().length,
      cursor: s.deps.repo.cursor(),
    });
    return { r1, r2, a: dump(plain), b: dump(helped), helperChecked: check.helperChecked() };
  }

  it('stores exactly what checking here stores', async () => {
    const ring = KeyRing.generate().ring;
    const { r1, r2, a, b, helperChecked } = await both(ring, page(ring));
    expect(helperChecked).toBeGreaterThan(0);
    expect(r2).toEqual(r1);
    expect(a.rows.length).toBe(3);
    expect(b.rows.map(({ updatedAt: _, ...r }) => r)).toEqual(a.rows.map(({ updatedAt: _, ...r }) => r));
    expect(b.events).toBe(0);
  });

  it('rolls a page with a tampered envelope back and applies it again here, recording one event', async () => {
    const ring = KeyRing.generate().ring;
    const wire = page(ring);
    const i = wire.findIndex((c) => c.column === 'family_name' && c.rowId === wire[25]!.rowId);
    wire[i] = { ...wire[i]!, value: flipLastByte(wire[i]!.value) };
    const { r1, r2, a, b } = await both(ring, wire);
    expect(r1!.rejected).toBe(1);
    expect(r2).toEqual(r1);
    expect(b.events).toBe(1);
    expect(a.events).toBe(1);
    expect(b.cursor).toBe(wire.length);
    // The tampered patient waits for its family name in staging; the other two are stored.
    expect(b.rows.map((r) => r.id).sort()).toEqual(a.rows.map((r) => r.id).sort());
    expect(b.rows.map((r) => r.id)).not.toContain(wire[i]!.rowId);
    expect(b.rows.length).toBe(2);
  });
});
