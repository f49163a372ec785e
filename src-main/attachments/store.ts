import { createHash, randomUUID } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { asc, eq } from 'drizzle-orm';
import type { AttachmentInfo, AttachmentMime } from '../../src-shared/clinical/chart.js';
import { decryptAttachment, encryptAttachment, sniffAttachmentType } from '../crypto/attachment-stream.js';
import type { KeyRing } from '../crypto/keyring.js';
import type { Db } from '../store/db.js';
import type { FieldCodec } from '../store/fields.js';
import { attachments } from '../store/schema.js';

export class AttachmentProblem extends Error {
  constructor(
    readonly kind: 'type-not-allowed' | 'incomplete' | 'out-of-order' | 'too-much' | 'no-upload' | 'swapped',
    message: string,
  ) {
    super(message);
  }
}

interface Upload {
  userId: string;
  patientId: string;
  visitId: string | null;
  name: string;
  declared: number;
  pieces: Buffer[];
  received: number;
  startedAt: number;
}

/** Uploads left unfinished this long are dropped (their bytes were only ever in memory). */
const UPLOAD_TTL_MS = 15 * 60_000;
const UPLOADS_PER_USER = 3;
/** A decrypted attachment stays in memory this long for its pieces to be read. */
const OPENED_TTL_MS = 2 * 60_000;

/**
 * Attachments filed in a chart: the bytes encrypted in KVA1 chunks (crypto/attachment-stream)
 * under attachments/<id>.kva in the data folder, the name as an envelope in the database.
 * An upload arrives in pieces and is held in memory until finished, so no plaintext ever
 * touches the disk; reading decrypts the whole file once and hands out pieces.
 */
export class AttachmentStore {
  private readonly uploads = new Map<string, Upload>();
  private readonly opened = new Map<string, { bytes: Uint8Array; at: number }>();

  constructor(
    private readonly db: Db,
    private readonly codec: FieldCodec,
    private readonly ring: KeyRing,
    private readonly dir: string,
    private readonly now: () => number,
  ) {}

  begin(userId: string, patientId: string, visitId: string | null, name: string, declared: number): string {
    this.expire();
    const mine = [...this.uploads.values()].filter((u) => u.userId === userId).length;
    if (mine >= UPLOADS_PER_USER)
      throw new AttachmentProblem(
        'too-much',
        `At most ${UPLOADS_PER_USER} uploads at a time; finish or wait for one.`,
      );
    const id = randomUUID();
    this.uploads.set(id, {
      userId,
      patientId,
      visitId,
      name,
      declared,
      pieces: [],
      received: 0,
      startedAt: this.now(),
    });
    return id;
  }

  piece(userId: string, uploadId: string, index: number, bytes: Buffer): number {
    const u = this.upload(userId, uploadId);
    if (index !== u.pieces.length)
      throw new AttachmentProblem('out-of-order', `Expected piece ${u.pieces.length}, not ${index}.`);
    if (u.received + bytes.length > u.declared) {
      this.uploads.delete(uploadId);
      throw new AttachmentProblem(
        'too-much',
        'The upload is larger than its declared size; it was discarded.',
      );
    }
    u.pieces.push(bytes);
    u.received += bytes.length;
    return u.received;
  }

  /** Checks type by magic bytes, encrypts, writes (.part, fsync, rename) and files the row. */
  finish(userId: string, uploadId: string): AttachmentInfo {
    const u = this.upload(userId, uploadId);
    this.uploads.delete(uploadId);
    if (u.received !== u.declared) {
      throw new AttachmentProblem(
        'incomplete',
        `Only ${u.received} of ${u.declared} bytes arrived; upload the file again.`,
      );
    }
    const bytes = Buffer.concat(u.pieces);
    u.pieces.length = 0;
    const mime = sniffAttachmentType(bytes.subarray(0, 16));
    if (!mime) {
      bytes.fill(0);
      throw new AttachmentProblem(
        'type-not-allowed',
        'Only PDF, PNG and JPEG files can be attached (checked by their content, not their name).',
      );
    }
    const id = randomUUID();
    const keyVersion = this.ring.activeVersion;
    const key = this.ring.attachmentKey(keyVersion)!;
    const sealed = encryptAttachment(bytes, { key, keyVersion, attachmentId: id });
    bytes.fill(0);
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const path = this.path(id);
    const part = `${path}.part`;
    const fd = openSync(part, 'w', 0o600);
    try {
      writeSync(fd, sealed);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(part, path);
    const at = this.now();
    const info: AttachmentInfo = {
      id,
      patientId: u.patientId,
      visitId: u.visitId,
      name: u.name,
      mime,
      bytes: u.declared,
      uploadedBy: userId,
      uploadedAt: at,
    };
    try {
      this.db
        .insert(attachments)
        .values({
          id,
          patientId: u.patientId,
          visitId: u.visitId,
          name: this.codec.sealText('attachments', 'name', id, u.name),
          mime,
          bytes: u.declared,
          keyVersion,
          fileSha256: createHash('sha256').update(sealed).digest('hex'),
          uploadedBy: userId,
          uploadedAt: at,
        })
        .run();
    } catch (e) {
      rmSync(path, { force: true });
      throw e;
    }
    return info;
  }

  list(patientId: string): AttachmentInfo[] {
    return this.db
      .select()
      .from(attachments)
      .where(eq(attachments.patientId, patientId))
      .orderBy(asc(attachments.uploadedAt))
      .all()
      .map((r) => this.info(r));
  }

  byId(id: string): AttachmentInfo | null {
    const row = this.db.select().from(attachments).where(eq(attachments.id, id)).get();
    return row ? this.info(row) : null;
  }

  /**
   * The whole file decrypted (cached briefly for the following pieces). A file that was
   * swapped, truncated or altered fails with AttachmentError or AttachmentProblem: never
   * a partial result.
   */
  plaintext(id: string): Uint8Array {
    this.expire();
    const cached = this.opened.get(id);
    if (cached) return cached.bytes;
    const row = this.db.select().from(attachments).where(eq(attachments.id, id)).get();
    if (!row) throw new AttachmentProblem('no-upload', 'No attachment with that id.');
    const sealed = readFileSync(this.path(id));
    if (createHash('sha256').update(sealed).digest('hex') !== row.fileSha256) {
      throw new AttachmentProblem(
        'swapped',
        'The attachment file on disk is not the one that was filed; it was not opened.',
      );
    }
    const bytes = decryptAttachment(sealed, {
      keyForVersion: (v) => this.ring.attachmentKey(v),
      attachmentId: id,
    });
    this.opened.set(id, { bytes, at: this.now() });
    return bytes;
  }

  /** Forget a decrypted copy (after the last piece was read). */
  close(id: string): void {
    this.opened.get(id)?.bytes.fill(0);
    this.opened.delete(id);
  }

  private info(row: typeof attachments.$inferSelect): AttachmentInfo {
    return {
      id: row.id,
      patientId: row.patientId,
      visitId: row.visitId,
      name: this.codec.openText('attachments', 'name', row.id, row.name),
      mime: row.mime as AttachmentMime,
      bytes: row.bytes,
      uploadedBy: row.uploadedBy,
      uploadedAt: row.uploadedAt,
    };
  }

  path(id: string): string {
    return join(this.dir, `${id}.kva`);
  }

  private upload(userId: string, uploadId: string): Upload {
    this.expire();
    const u = this.uploads.get(uploadId);
    // Another user's upload id is treated as unknown.
    if (!u || u.userId !== userId)
      throw new AttachmentProblem('no-upload', 'No upload in progress with that id; start again.');
    return u;
  }

  private expire(): void {
    const t = this.now();
    for (const [id, u] of this.uploads) if (t - u.startedAt > UPLOAD_TTL_MS) this.uploads.delete(id);
    for (const [id, o] of this.opened) if (t - o.at > OPENED_TTL_MS) this.close(id);
  }
}
