import { randomUUID } from 'node:crypto';
import { and, asc, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import type { DeviceInfo } from '../src-shared/sync-wire';
import { hashCode, newCode } from './codes';
import type { ServerDb } from './db';
import { changes, clinics, devices, enrollments } from './schema';

/**
 * The only code that writes SQL for the server. Every function that touches a clinic's data
 * takes the clinic id of the AUTHENTICATED device and puts it in every WHERE clause: no
 * route can name another clinic.
 */

export interface AuthedDevice {
  id: string;
  clinicId: string;
  name: string;
  lastSeenAt: Date | null;
  revokedAt: Date | null;
}

/** A change as stored: the value already decoded from base64. */
export interface IncomingChange {
  changeId: string;
  table: string;
  rowId: string;
  column: string;
  clock: string;
  value: Uint8Array;
}

export const FOUNDING_CODE_TTL_MS = 24 * 60 * 60 * 1000;

export async function createClinic(
  db: ServerDb,
  name: string,
  now: Date,
): Promise<{ clinicId: string; foundingCode: string; expiresAt: Date }> {
  const clinicId = randomUUID();
  const foundingCode = newCode();
  const expiresAt = new Date(now.getTime() + FOUNDING_CODE_TTL_MS);
  await db.transaction(async (tx) => {
    await tx.insert(clinics).values({ id: clinicId, name, createdAt: now });
    // wrapped_key_ring NULL marks a founding code: its redeemer makes the clinic's keys.
    await tx.insert(enrollments).values({
      id: randomUUID(),
      clinicId,
      codeHash: hashCode(foundingCode),
      wrappedKeyRing: null,
      createdAt: now,
      expiresAt,
    });
  });
  return { clinicId, foundingCode, expiresAt };
}

export async function findDeviceByTokenHash(db: ServerDb, tokenHash: string): Promise<AuthedDevice | null> {
  const [row] = await db
    .select({
      id: devices.id,
      clinicId: devices.clinicId,
      name: devices.name,
      lastSeenAt: devices.lastSeenAt,
      revokedAt: devices.revokedAt,
    })
    .from(devices)
    .where(eq(devices.tokenHash, tokenHash));
  return row ?? null;
}

export async function touchDevice(db: ServerDb, deviceId: string, now: Date): Promise<void> {
  await db.update(devices).set({ lastSeenAt: now }).where(eq(devices.id, deviceId));
}

export interface Redeemed {
  clinicId: string;
  clinicName: string;
  deviceId: string;
  wrappedKeyRing: Uint8Array | null;
}

/**
 * Redeems a one-time code and enrolls a device, or returns null. Single use holds under a
 * race: the UPDATE's `used_at IS NULL` is re-checked by PostgreSQL after waiting for a
 * concurrent redeemer's row lock, so the loser updates no row and enrolls nothing.
 */
export async function redeemEnrollment(
  db: ServerDb,
  codeHash: string,
  deviceName: string,
  tokenHash: string,
  now: Date,
): Promise<Redeemed | null> {
  return db.transaction(async (tx) => {
    const [e] = await tx
      .update(enrollments)
      .set({ usedAt: now })
      .where(
        and(eq(enrollments.codeHash, codeHash), isNull(enrollments.usedAt), gt(enrollments.expiresAt, now)),
      )
      .returning({
        id: enrollments.id,
        clinicId: enrollments.clinicId,
        wrappedKeyRing: enrollments.wrappedKeyRing,
      });
    if (!e) return null;
    const deviceId = randomUUID();
    await tx
      .insert(devices)
      .values({ id: deviceId, clinicId: e.clinicId, name: deviceName, tokenHash, enrolledAt: now });
    await tx.update(enrollments).set({ usedByDevice: deviceId }).where(eq(enrollments.id, e.id));
    const [c] = await tx.select({ name: clinics.name }).from(clinics).where(eq(clinics.id, e.clinicId));
    return { clinicId: e.clinicId, clinicName: c?.name ?? '', deviceId, wrappedKeyRing: e.wrappedKeyRing };
  });
}

/** Registers a code made by an enrolled device; false when that code hash already exists. */
export async function createEnrollment(
  db: ServerDb,
  device: AuthedDevice,
  codeHash: string,
  wrappedKeyRing: Uint8Array,
  now: Date,
  expiresAt: Date,
): Promise<string | null> {
  const id = randomUUID();
  const inserted = await db
    .insert(enrollments)
    .values({
      id,
      clinicId: device.clinicId,
      codeHash,
      wrappedKeyRing,
      createdBy: device.id,
      createdAt: now,
      expiresAt,
    })
    .onConflictDoNothing({ target: enrollments.codeHash })
    .returning({ id: enrollments.id });
  return inserted.length === 1 ? id : null;
}

export interface PushResult {
  accepted: number;
  duplicates: number;
  latest: number;
}

/**
 * Stores a batch under consecutive per-clinic sequence numbers, idempotently by changeId.
 *
 * Why pullers never miss a change: the first statement locks the clinic's row and the lock
 * is held until COMMIT, so pushes to one clinic run one after another, even from several
 * server processes on one PostgreSQL. A push therefore commits its seqs before the next
 * push can even read the counter: commit order equals seq order per clinic, and a puller
 * that has seen seq N can never later find a newly committed change below N. Reading which
 * changeIds already exist under the same lock makes the new seqs gapless, and the
 * ON CONFLICT clause stays as a second guard for idempotency.
 */
export async function pushChanges(
  db: ServerDb,
  device: AuthedDevice,
  batch: IncomingChange[],
): Promise<PushResult> {
  const unique = new Map<string, IncomingChange>();
  for (const c of batch) if (!unique.has(c.changeId)) unique.set(c.changeId, c);
  return db.transaction(async (tx) => {
    // NO KEY UPDATE, not UPDATE: foreign keys into clinics (new devices, enrollments) take
    // KEY SHARE locks, which this does not block.
    const [clinic] = await tx
      .select({ seq: clinics.seq })
      .from(clinics)
      .where(eq(clinics.id, device.clinicId))
      .for('no key update');
    if (!clinic) throw new Error('device without clinic');
    const existing = await tx
      .select({ changeId: changes.changeId })
      .from(changes)
      .where(and(eq(changes.clinicId, device.clinicId), inArray(changes.changeId, [...unique.keys()])));
    for (const e of existing) unique.delete(e.changeId);
    const fresh = [...unique.values()];
    if (fresh.length === 0) return { accepted: 0, duplicates: batch.length, latest: clinic.seq };
    const inserted = await tx
      .insert(changes)
      .values(
        fresh.map((c, i) => ({
          clinicId: device.clinicId,
          seq: clinic.seq + i + 1,
          changeId: c.changeId,
          deviceId: device.id,
          tbl: c.table,
          rowId: c.rowId,
          col: c.column,
          clock: c.clock,
          value: c.value,
        })),
      )
      .onConflictDoNothing({ target: [changes.clinicId, changes.changeId] })
      .returning({ seq: changes.seq });
    const latest = clinic.seq + fresh.length;
    await tx.update(clinics).set({ seq: latest }).where(eq(clinics.id, device.clinicId));
    return { accepted: inserted.length, duplicates: batch.length - inserted.length, latest };
  });
}

export async function clinicSeq(db: ServerDb, clinicId: string): Promise<number> {
  const [row] = await db.select({ seq: clinics.seq }).from(clinics).where(eq(clinics.id, clinicId));
  return row?.seq ?? 0;
}

export async function readClinicSeqs(db: ServerDb, clinicIds: string[]): Promise<Map<string, number>> {
  const rows = await db
    .select({ id: clinics.id, seq: clinics.seq })
    .from(clinics)
    .where(inArray(clinics.id, clinicIds));
  return new Map(rows.map((r) => [r.id, r.seq]));
}

/**
 * Value bytes one pull page carries at most; one change always fits, however large. A page
 * of 1,000 photo envelopes would otherwise be over a gigabyte of JSON. A page may thus hold
 * fewer than `limit` changes with `more` true: clients follow `more`, not the page length.
 */
export const PULL_PAGE_BYTES = 8 * 1024 * 1024;

/** A pull page as the server sends it: the changes already as a JSON array text. */
export interface PulledPage {
  /** JSON array of PulledChange objects (src-shared/sync-wire.ts), built by PostgreSQL (`[]` when empty). */
  changesJson: string;
  count: number;
  /** The last seq in the page; `after` when the page is empty. */
  next: number;
  more: boolean;
  /** The clinic's latest seq, read in the same snapshot as the page (>= every seq in it). */
  latest: number;
}

/**
 * Up to `limit` changes after the cursor within PULL_PAGE_BYTES, in ONE statement that also
 * writes the page's JSON: parsing a thousand rows into objects in JavaScript and
 * serialising them again cost PGlite more than the query itself (22 ms a page against 8).
 *
 * The statement reads a closed seq window, (after, after + limit + 1]. pushChanges hands out
 * seqs without gaps, so that window holds exactly the page and the one change that says more
 * wait. Without the upper bound the plan depends on table statistics, which embedded PGlite
 * never refreshes (it has no autovacuum): a table filled by many small pushes was estimated
 * at a few hundred rows after the cursor, and PostgreSQL chose a bitmap scan of EVERY later
 * change plus a sort for each page, so catching up grew with the square of the log. Were a
 * seq ever skipped, an empty window with changes beyond it is read again unbounded.
 */
export async function pullPage(
  db: ServerDb,
  clinicId: string,
  after: number,
  limit: number,
): Promise<PulledPage> {
  const page = await readPage(db, clinicId, after, after + limit + 1, limit);
  if (page.count > 0 || page.latest <= after) return page;
  return readPage(db, clinicId, after, null, limit);
}

async function readPage(
  db: ServerDb,
  clinicId: string,
  after: number,
  through: number | null,
  limit: number,
): Promise<PulledPage> {
  const upTo = through === null ? sql`` : sql`and seq <= ${through}`;
  // The running total of value sizes keeps a page of photos within its byte budget; the
  // first change always fits. json_agg of the aliased row writes exactly the wire's
  // PulledChange; encode() wraps base64 every 76 characters, translate() unwraps it.
  const result = await db.execute(sql`
    select
      (select c.seq from clinics c where c.id = ${clinicId}) as latest,
      count(*)::int as count,
      max(p.seq) as last,
      coalesce(json_agg(p order by p.seq), '[]')::text as changes
    from (
      select w.seq, w.change_id as "changeId", w.device_id as "deviceId", w.tbl as "table",
        w.row_id as "rowId", w.col as "column", w.clock,
        translate(encode(w.value, 'base64'), E'\n', '') as value
      from (
        select seq, change_id, device_id, tbl, row_id, col, clock, value,
          row_number() over (order by seq) as n,
          sum(octet_length(value)) over (order by seq) as running
        from changes
        where clinic_id = ${clinicId} and seq > ${after} ${upTo}
        order by seq
        limit ${limit + 1}
      ) w
      where w.n <= ${limit} and (w.n = 1 or w.running <= ${PULL_PAGE_BYTES})
    ) p`);
  const row = (result as unknown as { rows: Record<string, unknown>[] }).rows[0]!;
  const count = Number(row.count);
  const next = count > 0 ? Number(row.last) : after;
  const latest = Number(row.latest ?? 0);
  return { changesJson: String(row.changes), count, next, more: latest > next, latest };
}

export async function listDevices(db: ServerDb, self: AuthedDevice): Promise<DeviceInfo[]> {
  const rows = await db
    .select()
    .from(devices)
    .where(eq(devices.clinicId, self.clinicId))
    .orderBy(asc(devices.enrolledAt), asc(devices.id));
  return rows.map((d) => ({
    id: d.id,
    name: d.name,
    enrolledAt: d.enrolledAt.getTime(),
    lastSeenAt: d.lastSeenAt?.getTime() ?? null,
    revokedAt: d.revokedAt?.getTime() ?? null,
    self: d.id === self.id,
  }));
}

/** Revokes a device of the caller's clinic; false when no such device is in that clinic. */
export async function revokeDevice(
  db: ServerDb,
  self: AuthedDevice,
  deviceId: string,
  now: Date,
): Promise<boolean> {
  const [row] = await db
    .select({ id: devices.id, revokedAt: devices.revokedAt })
    .from(devices)
    .where(and(eq(devices.id, deviceId), eq(devices.clinicId, self.clinicId)));
  if (!row) return false;
  // Revoking twice keeps the first time: that is when access actually ended.
  if (!row.revokedAt) {
    await db
      .update(devices)
      .set({ revokedAt: now })
      .where(and(eq(devices.id, deviceId), eq(devices.clinicId, self.clinicId), isNull(devices.revokedAt)));
  }
  return true;
}
