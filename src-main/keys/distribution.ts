import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import { DecryptionError } from '../crypto/envelope.js';
import type { KeyRing } from '../crypto/keyring.js';
import type { ChangeCapture } from '../store/change-capture.js';
import type { Db } from '../store/db.js';
import type { FieldCodec } from '../store/fields.js';
import { fieldClocks, outbox } from '../store/schema.js';
import { keyWraps } from '../store/schema-keys.js';
import type { OutboxEntry } from '../store/sync-repo.js';

/**
 * Carrying a new clinic data key version to the clinic's other workstations without the
 * server ever seeing a key (keys/README.md, "Rotation on a syncing clinic"). The rotation
 * writes one insert-only `key_wraps` row: the new version's key sealed under a sub-key of the
 * previous active version, bound to the clinic and both version numbers. It travels like any
 * change (each value a field envelope under the previous version), so every workstation that
 * holds version N can open version N+1 and add it to its own ring.
 */

export const WRAP_TABLE = 'key_wraps';
export const wrapRowId = (version: number) => `v${version}`;

export interface WrapRow {
  id: string;
  version: number;
  wrappedUnder: number;
  wrappedKey: Buffer;
}

export class KeyWrapsRepo {
  constructor(private readonly db: Db) {}

  insert(row: WrapRow, at: number): void {
    this.db
      .insert(keyWraps)
      .values({ ...row, createdAt: at, updatedAt: at })
      .run();
  }

  all(): WrapRow[] {
    return this.db
      .select({
        id: keyWraps.id,
        version: keyWraps.version,
        wrappedUnder: keyWraps.wrappedUnder,
        wrappedKey: keyWraps.wrappedKey,
      })
      .from(keyWraps)
      .orderBy(asc(keyWraps.version))
      .all();
  }

  /**
   * Unsent wrap changes: the engine pushes these before anything else, so no change sealed
   * under a new version reaches the server ahead of the key that opens it (the rotation job
   * re-seals unsent outbox values whose clocks are older than the wrap's).
   */
  pendingChanges(): OutboxEntry[] {
    // Found through the wraps' own field clocks (a few rows, by primary key) and the pending
    // index on (sent_at, clock): scanning a large unsent outbox for each batch would not do.
    const clocks = this.db
      .select({ clock: fieldClocks.clock })
      .from(fieldClocks)
      .where(eq(fieldClocks.tbl, WRAP_TABLE))
      .all()
      .map((r) => r.clock);
    if (clocks.length === 0) return [];
    return this.db
      .select({
        changeId: outbox.changeId,
        tbl: outbox.tbl,
        rowId: outbox.rowId,
        col: outbox.col,
        clock: outbox.clock,
        value: outbox.value,
      })
      .from(outbox)
      .where(and(isNull(outbox.sentAt), inArray(outbox.clock, clocks), eq(outbox.tbl, WRAP_TABLE)))
      .orderBy(asc(outbox.clock))
      .all();
  }
}

export interface WrapDeps {
  db: Db;
  ring: KeyRing;
  codec: FieldCodec;
  capture: ChangeCapture;
  clinicId: string;
  now: () => number;
}

/**
 * Inside the rotation's transaction, before `next` joins the live ring: the wrap row and its
 * outbox entries. The codec still seals under the previous version, which every enrolled
 * workstation holds.
 */
export function recordWrap(d: WrapDeps, next: { version: number; cdk: Uint8Array }): void {
  const under = d.ring.activeVersion;
  if (next.version <= under) throw new Error('A wrap carries a newer version');
  const id = wrapRowId(next.version);
  const inner = Buffer.from(d.ring.wrapNext(under, d.clinicId, next));
  // The applier opens every received value as text: the inner wrap travels as base64.
  const wrappedKey = d.codec.sealText('key_wraps', 'wrapped_key', id, inner.toString('base64'));
  inner.fill(0);
  const at = d.now();
  new KeyWrapsRepo(d.db).insert({ id, version: next.version, wrappedUnder: under, wrappedKey }, at);
  d.capture.record('key_wraps', id, [
    { column: 'version', plain: next.version },
    { column: 'wrapped_under', plain: under },
    { column: 'wrapped_key', envelope: wrappedKey },
    { column: 'created_at', plain: at },
  ]);
}

export type OpenedWrap =
  | { kind: 'key'; version: number; cdk: Uint8Array }
  | { kind: 'waiting'; version: number }
  | { kind: 'failed'; id: string; version: number; reason: string };

/**
 * The received wraps whose previous version this ring holds, opened. The caller adds what
 * opened to the ring and asks again (a wrap of v3 under v2 opens once v2 is in). A wrap whose
 * previous version is not here yet waits; one that fails authentication is reported, and so
 * is a wrap of a version held here under a different key (two workstations rotated to the
 * same number): never adopted.
 */
export function openWraps(rows: WrapRow[], ring: KeyRing, codec: FieldCodec, clinicId: string): OpenedWrap[] {
  const out: OpenedWrap[] = [];
  for (const row of rows) {
    if (row.id !== wrapRowId(row.version) || row.wrappedUnder >= row.version) {
      out.push({ kind: 'failed', id: row.id, version: row.version, reason: 'malformed' });
      continue;
    }
    const held = ring.has(row.version);
    if (!ring.has(row.wrappedUnder)) {
      if (!held) out.push({ kind: 'waiting', version: row.version });
      continue;
    }
    let cdk: Uint8Array;
    try {
      const text = codec.openText('key_wraps', 'wrapped_key', row.id, row.wrappedKey);
      cdk = ring.unwrapNext(row.wrappedUnder, clinicId, row.version, Buffer.from(text, 'base64'));
    } catch (e) {
      if (!(e instanceof DecryptionError)) throw e;
      out.push({ kind: 'failed', id: row.id, version: row.version, reason: e.reason });
      continue;
    }
    if (held) {
      if (!ring.sameKey(row.version, cdk))
        out.push({ kind: 'failed', id: row.id, version: row.version, reason: 'version-clash' });
      cdk.fill(0);
      continue;
    }
    out.push({ kind: 'key', version: row.version, cdk });
  }
  return out;
}
