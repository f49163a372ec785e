import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { LIMITS } from '../src-shared/sync-wire';
import type { RunningServer } from './app';
import { changes as changesTable, clinics } from './schema';
import { BACKENDS, change, changes, newClinic, pullAll, TestClock, useTestServer } from './testing/harness';

const PUSHES_PER_MINUTE = 40;

describe.each(BACKENDS)('push and pull on %s', (backend) => {
  let server: RunningServer;
  const clock = new TestClock();

  const started = useTestServer(backend, {
    now: clock.now,
    limits: { pushesPerMinute: PUSHES_PER_MINUTE },
  });
  beforeEach(() => {
    server = started();
    clock.advance(61_000);
  });

  it('is idempotent by changeId: the same batch twice is stored once', async () => {
    const { admin } = await newClinic(server);
    const batch = changes(3);
    expect((await admin.push(batch)).body).toEqual({ accepted: 3, duplicates: 0 });
    expect((await admin.push(batch)).body).toEqual({ accepted: 0, duplicates: 3 });
    // Overlapping, and a change repeated inside one batch.
    const extra = change();
    expect((await admin.push([batch[0]!, extra, extra])).body).toEqual({ accepted: 1, duplicates: 2 });
    const all = await pullAll(admin);
    expect(all.changes.map((c) => c.changeId)).toEqual([...batch.map((c) => c.changeId), extra.changeId]);
    expect(all.changes.map((c) => c.seq)).toEqual([1, 2, 3, 4]);
    expect(all.latest).toBe(4);
  });

  it('gives a clinic strictly increasing, gapless seqs under concurrent pushers', async () => {
    const { admin } = await newClinic(server);
    const batches = Array.from({ length: 16 }, () => changes(25));
    const results = await Promise.all(batches.map((b) => admin.push(b)));
    expect(results.every((r) => r.status === 200 && r.body.accepted === 25)).toBe(true);
    const all = await pullAll(admin, 97);
    expect(all.changes.map((c) => c.seq)).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
    expect(new Set(all.changes.map((c) => c.changeId)).size).toBe(400);
    // Each batch keeps its own order inside the clinic's order.
    const seqOf = new Map(all.changes.map((c) => [c.changeId, c.seq]));
    for (const b of batches) {
      const seqs = b.map((c) => seqOf.get(c.changeId)!);
      expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
    }
  });

  it('pages a 2,500-change log by cursor', async () => {
    const { admin } = await newClinic(server);
    for (let i = 0; i < 5; i++) expect((await admin.push(changes(LIMITS.pushBatch))).status).toBe(200);
    const pages = [];
    let after = 0;
    for (let i = 0; i < 3; i++) {
      const r = await admin.pull(after, '&limit=1000');
      pages.push({ n: r.body.changes.length, next: r.body.next, more: r.body.more, latest: r.body.latest });
      after = r.body.next;
    }
    expect(pages).toEqual([
      { n: 1000, next: 1000, more: true, latest: 2500 },
      { n: 1000, next: 2000, more: true, latest: 2500 },
      { n: 500, next: 2500, more: false, latest: 2500 },
    ]);
    // Without a limit, a page is LIMITS.pullPage changes.
    const first = await admin.pull(0);
    expect(first.body.changes.length).toBe(Math.min(2500, LIMITS.pullPage));
    expect(first.body.more).toBe(LIMITS.pullPage < 2500);
    const end = await admin.pull(2500);
    expect(end.body).toEqual({ changes: [], next: 2500, more: false, latest: 2500 });
    const small = await admin.pull(10, '&limit=5');
    expect(small.body.changes.map((c: { seq: number }) => c.seq)).toEqual([11, 12, 13, 14, 15]);
    expect((await admin.pull(0, `&limit=${LIMITS.pullPage + 1}`)).status).toBe(400);
    expect((await admin.pull(-1)).status).toBe(400);
  });

  it('keeps a pull page within its byte budget, whatever the limit', async () => {
    const { admin } = await newClinic(server);
    const photos = Array.from({ length: 3 }, () =>
      change({ table: 'patient_photos', column: 'image' }, randomBytes(3_000_000)),
    );
    for (const p of photos) expect((await admin.push([p])).status).toBe(200);
    const first = await admin.pull(0);
    expect(first.body.changes.map((c: { seq: number }) => c.seq)).toEqual([1, 2]);
    expect(first.body).toMatchObject({ next: 2, more: true, latest: 3 });
    const second = await admin.pull(2);
    expect(second.body.changes.map((c: { value: string }) => c.value)).toEqual([photos[2]!.value]);
    expect(second.body).toMatchObject({ next: 3, more: false });
  });

  it('pages past a gap in the seqs, though pushes never leave one', async () => {
    const { admin, clinicId } = await newClinic(server);
    const pushed = changes(4);
    await admin.push(pushed);
    // Moved by hand: seqs 1, 2, 3 and 5,004 (the page query reads a window of limit + 1 seqs).
    await server.db
      .update(changesTable)
      .set({ seq: 5_004 })
      .where(and(eq(changesTable.clinicId, clinicId), eq(changesTable.seq, 4)));
    await server.db.update(clinics).set({ seq: 5_004 }).where(eq(clinics.id, clinicId));
    const first = await admin.pull(0, '&limit=1000');
    expect(first.body.changes.map((c: { seq: number }) => c.seq)).toEqual([1, 2, 3]);
    expect(first.body).toMatchObject({ next: 3, more: true });
    const beyond = await admin.pull(3, '&limit=1000');
    expect(beyond.body.changes.map((c: { changeId: string }) => c.changeId)).toEqual([pushed[3]!.changeId]);
    expect(beyond.body).toMatchObject({ next: 5_004, more: false });
  });

  it('a long-poll wakes on a push and returns empty after `wait` without one', async () => {
    const { admin } = await newClinic(server);
    await admin.push(changes(2));
    const began = Date.now();
    const empty = await admin.pull(2, '&wait=1');
    expect(Date.now() - began).toBeGreaterThanOrEqual(900);
    expect(empty.body).toEqual({ changes: [], next: 2, more: false, latest: 2 });

    const t0 = Date.now();
    const waiting = admin.pull(2, '&wait=20');
    await new Promise((r) => setTimeout(r, 300));
    const pushed = change();
    await admin.push([pushed]);
    const woke = await waiting;
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(woke.body.changes.map((c: { changeId: string; seq: number }) => [c.changeId, c.seq])).toEqual([
      [pushed.changeId, 3],
    ]);
    expect(woke.body).toMatchObject({ next: 3, latest: 3 });
  });

  it('keeps clinics apart: nothing of clinic A reaches clinic B, in either direction', async () => {
    const a = await newClinic(server, 'Clinic A');
    const b = await newClinic(server, 'Clinic B');
    const aChanges = changes(5);
    await a.admin.push(aChanges);
    const bView = await b.admin.pull(0);
    expect(bView.body).toEqual({ changes: [], next: 0, more: false, latest: 0 });
    // B replaying A's changeIds writes into B only; they are not duplicates of A's.
    const forged = aChanges.map((c) => ({ ...c, value: Buffer.from('forged').toString('base64') }));
    expect((await b.admin.push(forged)).body).toEqual({ accepted: 5, duplicates: 0 });
    const aView = await pullAll(a.admin);
    expect(aView.changes.map((c) => c.value)).toEqual(aChanges.map((c) => c.value));
    expect(aView.changes.every((c) => c.deviceId === a.deviceId)).toBe(true);
    expect((await pullAll(b.admin)).changes.every((c) => c.deviceId === b.deviceId)).toBe(true);
    // A long-poll in B is not woken by A's pushes.
    const t0 = Date.now();
    const waiting = b.admin.pull(5, '&wait=1');
    await a.admin.push(changes(1));
    expect((await waiting).body.changes).toEqual([]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
  });

  it('refuses an oversized body (413) and an oversized batch (400), storing nothing', async () => {
    const { admin } = await newClinic(server);
    const big = Array.from({ length: 3 }, () => change({}, randomBytes(2_200_000)));
    const tooLarge = await admin.push(big);
    expect(tooLarge).toMatchObject({ status: 413, body: { error: { code: 'TOO_LARGE' } } });
    const tooMany = await admin.push(changes(LIMITS.pushBatch + 1));
    expect(tooMany).toMatchObject({ status: 400, body: { error: { code: 'BAD_REQUEST' } } });
    const badName = await admin.push([change({ table: 'patients; drop table changes' })]);
    expect(badName.status).toBe(400);
    const extraKey = await admin.push([{ ...change(), clinicId: 'x' } as never]);
    expect(extraKey.status).toBe(400);
    expect((await admin.push([])).status).toBe(400);
    expect((await admin.pull(0)).body).toMatchObject({ changes: [], latest: 0 });
    // One large photo-sized envelope still fits.
    expect(
      (await admin.push([change({ table: 'patient_photos', column: 'image' }, randomBytes(1_500_000))])).body,
    ).toEqual({
      accepted: 1,
      duplicates: 0,
    });
  });

  it('rate-limits pushes per device (429), storing nothing from refused requests', async () => {
    const { admin } = await newClinic(server);
    for (let i = 0; i < PUSHES_PER_MINUTE; i++) expect((await admin.push([change()])).status).toBe(200);
    const refused = await admin.push([change()]);
    expect(refused).toMatchObject({ status: 429, body: { error: { code: 'TOO_MANY' } } });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await admin.pull(0)).body.latest).toBe(PUSHES_PER_MINUTE);
    // Pulls are not counted against the push budget.
    expect((await admin.pull(0)).status).toBe(200);
    clock.advance(61_000);
    expect((await admin.push([change()])).status).toBe(200);
  });

  it('stores values as opaque bytes, exactly as sent', async () => {
    const { admin, clinicId } = await newClinic(server);
    const known = [Buffer.from([0, 1, 2, 0xff, 0xfe, 0, 0x5c, 0x27]), randomBytes(1), randomBytes(70_000)];
    const sent = known.map((bytes) => change({}, bytes));
    await admin.push(sent);
    const rows = await server.db
      .select({ changeId: changesTable.changeId, value: changesTable.value, clock: changesTable.clock })
      .from(changesTable)
      .where(and(eq(changesTable.clinicId, clinicId)));
    expect(rows).toHaveLength(3);
    for (const [i, s] of sent.entries()) {
      const row = rows.find((r) => r.changeId === s.changeId)!;
      expect(Buffer.from(row.value).equals(known[i]!)).toBe(true);
      expect(row.clock).toBe(s.clock);
    }
    const pulled = await pullAll(admin);
    expect(pulled.changes.map((c) => c.value)).toEqual(sent.map((s) => s.value));
  });
});
