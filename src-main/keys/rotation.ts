import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { AttachmentError, decryptAttachment, encryptAttachment } from '../crypto/attachment-stream.js';
import { DecryptionError, envelopeVersion, type FieldPlace } from '../crypto/envelope.js';
import type { KeyRing } from '../crypto/keyring.js';
import type { Db } from '../store/db.js';
import { type EnvelopeTable, envelopeTables } from './catalog.js';
import { WRAP_TABLE } from './distribution.js';
import type { KeysRepo } from './keys-repo.js';

/**
 * The background re-encryption behind a key rotation (DESIGN.md §3). The new version is
 * already active for new writes when this starts. It walks every envelope column of every
 * table in rowid order, a batch per transaction, re-sealing each value whose header names
 * another version, and records its cursor in the same transaction: after a kill -9 it
 * resumes at the first batch that did not commit, and a value is never sealed twice because
 * a re-sealed value already names the new version. Then each attachment file is re-encrypted
 * (.part, fsync, rename), the blind index is rebuilt under the new version's key, and a scan
 * of the whole database decides whether the old versions can be retired.
 *
 * Re-sealing is storage work on this workstation only: it writes no field clock and no
 * outbox entry, so it can never overwrite a newer edit made elsewhere. Outbox values that
 * have not been pushed yet are re-sealed too; the plaintext they carry is unchanged.
 */

export const ATTACHMENT_FILES = 'attachment files';

export interface RotationTarget {
  name: string;
  lastRowid: number;
  done: number;
  total: number;
  complete: boolean;
}

export type RotationPhase = 'fields' | 'index' | 'retire' | 'done' | 'stuck';

export interface RotationState {
  to: number;
  from: number[];
  startedAt: number;
  finishedAt: number | null;
  phase: RotationPhase;
  targets: RotationTarget[];
  resealed: number;
  unreadable: number;
  pass: number;
  message: string | null;
  /** Patients whose blind-index tokens exist under the new key (phase 'index'). */
  index?: { lastRowid: number; done: number; total: number };
}

export interface RotationDeps {
  db: Db;
  repo: KeysRepo;
  ring: () => KeyRing;
  attachmentsDir: string;
  now: () => number;
  /** Rows (or attachment files) per step. */
  batchSize: () => number;
  /** A patients repository whose blind index uses `key`, for rebuilding the index. */
  patientsWithIndexKey(key: Uint8Array): { reindex(id: string, opened?: ReadonlyMap<string, string>): void };
  /** The index now uses the new version: services rebuild their patients repository. */
  indexRekeyed(): void;
  /** A value that could not be opened: reported as a security event. */
  unreadable(place: FieldPlace | null, reason: string): void;
  /**
   * A syncing clinic keeps every version (keys/README.md): the server's log and the other
   * workstations still carry values sealed under the old ones.
   */
  keepOldVersions?: () => boolean;
}

const MAX_PASSES = 3;
/** Envelopes opened and sealed per step (about 0.3 ms each here; the longest step measured 216 ms). */
const VALUES_PER_STEP = 150;
/** Patients re-indexed per step (each opens five fields). */
const INDEX_ROWS_PER_STEP = 50;
/** The patient columns the blind index is built from (patients-repo.ts reindex). */
const INDEXED = ['given_names', 'family_name', 'birth', 'phones', 'national_id'] as const;

export function initialState(to: number, from: number[], repo: KeysRepo, now: number): RotationState {
  const targets: RotationTarget[] = envelopeTables().map((t) => ({
    name: t.name,
    lastRowid: 0,
    done: 0,
    total: repo.count(t.name),
    complete: false,
  }));
  targets.push({
    name: ATTACHMENT_FILES,
    lastRowid: 0,
    done: 0,
    total: repo.count('attachments'),
    complete: false,
  });
  return {
    to,
    from,
    startedAt: now,
    finishedAt: null,
    phase: 'fields',
    targets,
    resealed: 0,
    unreadable: 0,
    pass: 1,
    message: null,
  };
}

export class RotationJob {
  private readonly tables = new Map(envelopeTables().map((t) => [t.name, t]));

  constructor(private readonly d: RotationDeps) {}

  /** Finishes what a crash interrupted between an attachment's commit and its rename. */
  recoverFiles(): void {
    if (!existsSync(this.d.attachmentsDir)) return;
    for (const name of readdirSync(this.d.attachmentsDir)) {
      const path = join(this.d.attachmentsDir, name);
      if (name.endsWith('.kva.rekey.part')) rmSync(path, { force: true });
      if (!name.endsWith('.kva.rekey')) continue;
      const id = name.slice(0, -'.kva.rekey'.length);
      const row = this.d.repo.attachment(id);
      if (row && sha256(readFileSync(path)) === row.fileSha256)
        renameSync(path, join(this.d.attachmentsDir, `${id}.kva`));
      else rmSync(path, { force: true });
    }
  }

  /** One unit of work (a batch, a file, the index, the final scan). False when nothing is left. */
  step(): boolean {
    const s = this.d.repo.rotationState<RotationState>();
    if (!s || s.phase === 'done' || s.phase === 'stuck') return false;
    if (s.phase === 'fields') {
      const target = s.targets.find((t) => !t.complete);
      if (!target) {
        s.phase = 'index';
        this.d.repo.saveRotationState(s);
      } else if (target.name === ATTACHMENT_FILES) {
        this.attachmentStep(s, target);
      } else {
        this.tableStep(s, target);
      }
      return true;
    }
    if (s.phase === 'index') {
      this.indexStep(s);
      return true;
    }
    return this.retireStep(s);
  }

  private tableStep(s: RotationState, target: RotationTarget): void {
    const t = this.tables.get(target.name);
    const ring = this.d.ring();
    const limit = Math.min(
      this.d.batchSize(),
      Math.max(1, Math.floor(VALUES_PER_STEP / (t?.columns.length ?? 1))),
    );
    this.d.db.transaction(() => {
      if (!t) {
        target.complete = true;
      } else {
        const rows = this.d.repo.batch(t, target.lastRowid, limit);
        const reseal = () => {
          for (const row of rows) {
            const changed = this.resealRow(ring, s, t, row);
            if (changed.length > 0) this.d.repo.updateRow(t.name, row._rid, changed);
          }
        };
        const needs = rows.some((row) => t.columns.some((c) => needsReseal(row[c], s.to)));
        if (needs) this.d.repo.withUpdatesAllowed(t.name, reseal);
        target.done += rows.length;
        target.total = Math.max(target.total, target.done);
        if (rows.length > 0) target.lastRowid = rows[rows.length - 1]!._rid;
        if (rows.length < limit) target.complete = true;
      }
      this.d.repo.saveRotationState(s);
    });
  }

  private resealRow(
    ring: KeyRing,
    s: RotationState,
    t: EnvelopeTable,
    row: Record<string, unknown>,
  ): [string, Buffer][] {
    const changed: [string, Buffer][] = [];
    // A key wrap travels sealed under the version before the one it carries: re-sealing its
    // unsent values under the new version would lock out every workstation waiting for it.
    if (row.tbl === WRAP_TABLE) return changed;
    for (const column of t.columns) {
      const value = row[column];
      if (!needsReseal(value, s.to)) continue;
      const place = t.place(row, column);
      try {
        envelopeVersion(value as Buffer);
        const plain = ring.openField(place, value as Buffer);
        changed.push([column, Buffer.from(ring.sealField(place, plain, s.to))]);
        plain.fill(0);
        s.resealed++;
      } catch (e) {
        if (!(e instanceof DecryptionError)) throw e;
        s.unreadable++;
        this.d.unreadable(place, e.reason);
      }
    }
    return changed;
  }

  private attachmentStep(s: RotationState, target: RotationTarget): void {
    const ring = this.d.ring();
    const [row] = this.d.repo.attachmentsAfter(target.lastRowid, 1);
    if (!row) {
      target.complete = true;
      this.d.repo.saveRotationState(s);
      return;
    }
    let sealed: Buffer | null = null;
    const path = join(this.d.attachmentsDir, `${row.id}.kva`);
    if (row.key_version !== s.to) {
      try {
        sealed = this.reencryptFile(ring, row.id, row.file_sha256, path, s.to);
      } catch (e) {
        if (!(e instanceof AttachmentError || isMissing(e) || e instanceof SwappedFile)) throw e;
        s.unreadable++;
        this.d.unreadable(
          { table: 'attachments', column: 'file', rowId: row.id },
          e instanceof AttachmentError ? e.reason : 'file',
        );
      }
    }
    this.d.db.transaction(() => {
      if (sealed) {
        this.d.repo.setAttachmentFile(row.id, s.to, sha256(sealed));
        s.resealed++;
      }
      target.lastRowid = row._rid;
      target.done++;
      target.total = Math.max(target.total, target.done);
      this.d.repo.saveRotationState(s);
    });
    // The row now names the new file; a crash before this rename is finished by recoverFiles().
    if (sealed) {
      renameSync(`${path}.rekey`, path);
      fsyncDir(this.d.attachmentsDir);
    }
  }

  /** Writes the re-encrypted file beside the old one as <id>.kva.rekey and returns its bytes. */
  private reencryptFile(ring: KeyRing, id: string, expectedSha: string, path: string, to: number): Buffer {
    const old = readFileSync(path);
    if (sha256(old) !== expectedSha) throw new SwappedFile();
    const plain = decryptAttachment(old, { keyForVersion: (v) => ring.attachmentKey(v), attachmentId: id });
    const next = Buffer.from(
      encryptAttachment(plain, { key: ring.attachmentKey(to)!, keyVersion: to, attachmentId: id }),
    );
    plain.fill(0);
    const part = `${path}.rekey.part`;
    const fd = openSync(part, 'w', 0o600);
    try {
      writeSync(fd, next);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(part, `${path}.rekey`);
    return next;
  }

  /**
   * The blind index under the new version's key, a batch of patients per transaction, while
   * search keeps using the old tokens: each patient's new tokens are written under a
   * 'rekey:' kind that no search asks for. The switch is one transaction at the end.
   */
  private indexStep(s: RotationState): void {
    if (this.d.repo.indexVersion() === s.to) {
      s.phase = 'retire';
      this.d.repo.saveRotationState(s);
      return;
    }
    s.index ??= { lastRowid: 0, done: 0, total: this.d.repo.count('patients') };
    const progress = s.index;
    const ring = this.d.ring();
    const limit = Math.min(this.d.batchSize(), INDEX_ROWS_PER_STEP);
    const rows = this.d.repo.patientsForIndex(progress.lastRowid, limit);
    if (rows.length === 0) {
      this.switchIndex(s);
      return;
    }
    const fresh = this.d.patientsWithIndexKey(ring.blindIndexKey(s.to));
    this.d.db.transaction(() => {
      for (const row of rows) {
        const opened = new Map<string, string>();
        try {
          for (const column of INDEXED) {
            opened.set(
              column,
              ring.openText({ table: 'patients', column, rowId: row.id }, row[column] as Buffer),
            );
          }
        } catch (e) {
          if (!(e instanceof DecryptionError)) throw e;
          continue;
        }
        this.d.repo.rekeyTokens(row.id, () => fresh.reindex(row.id, opened));
      }
      progress.lastRowid = rows[rows.length - 1]!._rid;
      progress.done += rows.length;
      progress.total = Math.max(progress.total, progress.done);
      this.d.repo.saveRotationState(s);
    });
  }

  private switchIndex(s: RotationState): void {
    const ring = this.d.ring();
    const fresh = this.d.patientsWithIndexKey(ring.blindIndexKey(s.to));
    this.d.db.transaction(() => {
      // Patients registered or re-indexed after their batch carry no new tokens yet.
      for (const id of this.d.repo.patientsWithoutRekeyTokens()) {
        try {
          this.d.repo.rekeyTokens(id, () => fresh.reindex(id));
        } catch (e) {
          if (!(e instanceof DecryptionError)) throw e;
        }
      }
      this.d.repo.switchToRekeyTokens();
      this.d.repo.setIndexVersion(s.to);
      s.phase = 'retire';
      this.d.repo.saveRotationState(s);
    });
    ring.pinIndexVersion(s.to);
    this.d.indexRekeyed();
  }

  /** The scan: retire the old versions only when no envelope or file still names them. */
  private retireStep(s: RotationState): boolean {
    const left = this.remaining(s.to);
    if (left === 0) {
      const keep = this.d.keepOldVersions?.() ?? false;
      this.d.db.transaction(() => {
        if (!keep) this.d.repo.deleteVersions(s.from);
        s.phase = 'done';
        s.finishedAt = this.d.now();
        this.d.repo.saveRotationState(s);
      });
      const ring = this.d.ring();
      if (!keep) for (const v of s.from) if (ring.versionList.includes(v)) ring.retire(v);
      return false;
    }
    if (s.unreadable === 0 && s.pass >= MAX_PASSES && (this.d.keepOldVersions?.() ?? false)) {
      // Syncing: old versions stay anyway, and values other workstations sealed before they
      // learned the new version keep arriving; the next rotation (or pass) re-seals them.
      s.phase = 'done';
      s.finishedAt = this.d.now();
      s.message = `${left} stored values still name an older key version (received from workstations that had not learned the new one yet); the older versions are kept.`;
    } else if (s.unreadable > 0 || s.pass >= MAX_PASSES) {
      s.phase = 'stuck';
      s.message = `${left} stored values could not be re-encrypted (they do not open); the old key version is kept so nothing is lost.`;
    } else {
      // Values that arrived under an old version while the pass ran: walk again.
      s.pass++;
      s.phase = 'fields';
      for (const t of s.targets) Object.assign(t, { lastRowid: 0, done: 0, complete: false });
      delete s.index;
    }
    this.d.repo.saveRotationState(s);
    return s.phase === 'fields';
  }

  /** Envelopes and attachment files that do not name version `to`. */
  remaining(to: number): number {
    let n = this.d.repo.attachmentsNotVersion(to);
    for (const t of this.tables.values())
      for (const c of t.columns) n += this.d.repo.countNotVersion(t.name, c, to);
    return n;
  }
}

class SwappedFile extends Error {}

function needsReseal(value: unknown, to: number): boolean {
  if (!(value instanceof Uint8Array)) return false;
  return value.length < 3 || value[0] !== 0x01 || ((value[1]! << 8) | value[2]!) !== to;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function isMissing(e: unknown): boolean {
  return (e as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
