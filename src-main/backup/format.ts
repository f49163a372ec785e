import { type FileHandle, open } from 'node:fs/promises';
import { gcm } from '@noble/ciphers/aes.js';
import { randomBytes } from '@noble/ciphers/utils.js';
import { argon2idAsync } from '@noble/hashes/argon2.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { ARGON2_PARAMS } from '../auth/passwords.js';

/**
 * The encrypted backup file ("KAVACHBK", format 1). All integers big-endian.
 *
 *   [8  magic "KAVACHBK"]
 *   [2  u16 format version = 1]
 *   [4  u32 header length H, 1 .. 4096]
 *   [H  header: UTF-8 JSON, not secret but authenticated]
 *        { kdf: { alg: "argon2id", m, t, p, salt (16 bytes, base64) },
 *        fileSalt (16 bytes, base64), check (32 bytes, base64), chunkSize,
 *        payloadBytes: the plaintext length, so the file's exact size is known up front }
 *   then chunks i = 0, 1, 2, ..., each [ciphertext][16-byte GCM tag]; every chunk but the
 *   last holds exactly chunkSize plaintext bytes, the last 0..chunkSize. Nothing follows it.
 *
 * Keys: passKey = argon2id(passphrase, kdf.salt, m >= 19 MiB, t >= 2, p = 1, 32 bytes), the
 * same floor as staff passwords. okm = HKDF-SHA256(passKey, fileSalt, "kavach/backup-file/v1",
 * 68): file key = okm[0..32], nonce prefix = okm[32..36], check = okm[36..68]. The check value
 * in the header tells a wrong passphrase apart from a damaged file before anything is
 * decrypted; it reveals nothing about passKey (HKDF output). Chunk i's nonce is
 * prefix || u64(i); the file salt is fresh per file, so no nonce repeats under one key even
 * when scheduled backups reuse a stored passKey.
 *
 * Associated data of chunk i: "kavach/backup/v1|<i>|<last 0/1>|" + magic, version, length and
 * header bytes, so the header (kdf parameters, salts) is authenticated by every chunk, a
 * reordered or dropped chunk fails (index), and a file cut at a chunk boundary fails (its new
 * final chunk was sealed with last = 0).
 *
 * A file shorter than head + payloadBytes + 16 per chunk is refused as truncated before any
 * decryption, a longer one as having trailing data; a header edited to match a cut file
 * fails every chunk (the header is in the associated data).
 *
 * The decrypted payload is one stream of sections:
 *   [u32 n][n bytes manifest JSON]   counts per table, SHA-256 and size of the database
 *                                    snapshot and of each attachment file, created-at,
 *                                    app schema version (see BackupManifest)
 *   [u32 n][n bytes key ring JSON]   every clinic data key version, so a new machine can
 *                                    open the envelopes; protected by the backup key only
 *   [database snapshot bytes]        exactly manifest.database.bytes
 *   [attachment file bytes ...]      each exactly its manifest size, in manifest order
 * The manifest is inside the encrypted stream: authenticated with everything else, and the
 * table counts stay private. Sizes come from the manifest, so parsing never guesses.
 */

export const BACKUP_MAGIC = 'KAVACHBK';
export const BACKUP_FORMAT = 1;
export const BACKUP_CHUNK = 1024 * 1024;
const TAG = 16;
const PREFIX_BYTES = 8 + 2 + 4;
const MAX_HEADER = 4096;
const encoder = new TextEncoder();

export type BackupFailureReason =
  | 'not-a-backup'
  | 'wrong-passphrase'
  | 'truncated'
  | 'tampered'
  | 'trailing-data';

const MESSAGES: Record<BackupFailureReason, string> = {
  'not-a-backup': 'This file is not a Kavach backup (bad header).',
  'wrong-passphrase': 'The passphrase does not open this backup.',
  truncated: 'The backup file is truncated: it ends before its last part. Use a complete copy.',
  tampered: 'The backup file failed its integrity check: it was altered or damaged.',
  'trailing-data': 'The backup file has unexpected bytes after its end: it was altered.',
};

/** Every refusal to read a backup: no partial output is ever kept after one. */
export class BackupError extends Error {
  override readonly name = 'BackupError';
  constructor(
    readonly reason: BackupFailureReason,
    detail?: string,
  ) {
    super(detail ? `${MESSAGES[reason]} (${detail})` : MESSAGES[reason]);
  }
}

export interface KdfParams {
  alg: 'argon2id';
  m: number;
  t: number;
  p: number;
  salt: string;
}

/** A passphrase-derived key with the parameters that made it; wipe key when done. */
export interface BackupKey {
  kdf: KdfParams;
  key: Uint8Array;
}

export async function deriveBackupKey(passphrase: string, kdf?: KdfParams): Promise<BackupKey> {
  const params: KdfParams = kdf ?? {
    alg: 'argon2id',
    ...ARGON2_PARAMS,
    salt: Buffer.from(randomBytes(16)).toString('base64'),
  };
  const key = await argon2idAsync(passphrase.normalize('NFC'), Buffer.from(params.salt, 'base64'), {
    m: params.m,
    t: params.t,
    p: params.p,
    dkLen: 32,
  });
  return { kdf: params, key };
}

interface Header {
  kdf: KdfParams;
  fileSalt: string;
  check: string;
  chunkSize: number;
  payloadBytes: number;
}

export function sealedLength(payloadBytes: number, chunkSize: number): number {
  return payloadBytes + Math.max(1, Math.ceil(payloadBytes / chunkSize)) * TAG;
}

class Sealer {
  private readonly key: Uint8Array;
  private readonly nonce = new Uint8Array(12);
  readonly check: Uint8Array;

  constructor(
    passKey: Uint8Array,
    fileSalt: Uint8Array,
    private readonly headerBytes: Uint8Array,
  ) {
    const okm = hkdf(sha256, passKey, fileSalt, encoder.encode('kavach/backup-file/v1'), 68);
    this.key = okm.slice(0, 32);
    this.nonce.set(okm.subarray(32, 36));
    this.check = okm.slice(36, 68);
    okm.fill(0);
  }

  private params(index: number, last: boolean) {
    new DataView(this.nonce.buffer).setBigUint64(4, BigInt(index));
    const text = encoder.encode(`kavach/backup/v1|${index}|${last ? 1 : 0}|`);
    const aad = new Uint8Array(text.length + this.headerBytes.length);
    aad.set(text);
    aad.set(this.headerBytes, text.length);
    return gcm(this.key, this.nonce, aad);
  }

  seal(plain: Uint8Array, index: number, last: boolean): Uint8Array {
    return this.params(index, last).encrypt(plain);
  }

  tryOpen(frame: Uint8Array, index: number, last: boolean): Uint8Array | null {
    try {
      return this.params(index, last).decrypt(frame);
    } catch {
      return null;
    }
  }

  wipe(): void {
    this.key.fill(0);
    this.check.fill(0);
  }
}

function prefixAndHeader(header: Header): Uint8Array {
  const json = encoder.encode(JSON.stringify(header));
  const out = new Uint8Array(PREFIX_BYTES + json.length);
  out.set(encoder.encode(BACKUP_MAGIC));
  const view = new DataView(out.buffer);
  view.setUint16(8, BACKUP_FORMAT);
  view.setUint32(10, json.length);
  out.set(json, PREFIX_BYTES);
  return out;
}

async function writeAll(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, null);
    done += bytesWritten;
  }
}

/** Writes a backup stream to an open file: push plaintext in any sizes, then finish(). */
export class BackupWriter {
  private readonly sealer: Sealer;
  private readonly buffer: Uint8Array;
  private filled = 0;
  private index = 0;
  private started = false;
  private pushed = 0;
  private readonly head: Uint8Array;

  constructor(
    private readonly out: FileHandle,
    key: BackupKey,
    private readonly payloadBytes: number,
    private readonly chunkSize = BACKUP_CHUNK,
  ) {
    const fileSalt = randomBytes(16);
    // The check value depends on the file salt only, so derive it before the header exists.
    const probe = new Sealer(key.key, fileSalt, new Uint8Array());
    const header: Header = {
      kdf: key.kdf,
      fileSalt: Buffer.from(fileSalt).toString('base64'),
      check: Buffer.from(probe.check).toString('base64'),
      chunkSize,
      payloadBytes,
    };
    probe.wipe();
    this.head = prefixAndHeader(header);
    this.sealer = new Sealer(key.key, fileSalt, this.head);
    this.buffer = new Uint8Array(chunkSize);
  }

  async push(bytes: Uint8Array): Promise<void> {
    if (!this.started) {
      await writeAll(this.out, this.head);
      this.started = true;
    }
    this.pushed += bytes.length;
    if (this.pushed > this.payloadBytes) throw new Error('Backup payload is longer than announced');
    let at = 0;
    while (at < bytes.length) {
      // A full buffer is sealed only once more bytes arrive: the last chunk must be marked last.
      if (this.filled === this.chunkSize) {
        await writeAll(this.out, this.sealer.seal(this.buffer, this.index++, false));
        this.filled = 0;
      }
      const n = Math.min(bytes.length - at, this.chunkSize - this.filled);
      this.buffer.set(bytes.subarray(at, at + n), this.filled);
      this.filled += n;
      at += n;
    }
  }

  async finish(): Promise<void> {
    await this.push(new Uint8Array());
    if (this.pushed !== this.payloadBytes) throw new Error('Backup payload is shorter than announced');
    await writeAll(this.out, this.sealer.seal(this.buffer.subarray(0, this.filled), this.index++, true));
    this.buffer.fill(0);
    this.sealer.wipe();
  }
}

/** Length-prefixed section for the payload's JSON parts. */
export function section(json: unknown): Uint8Array {
  const body = encoder.encode(JSON.stringify(json));
  const out = new Uint8Array(4 + body.length);
  new DataView(out.buffer).setUint32(0, body.length);
  out.set(body, 4);
  return out;
}

async function readFull(handle: FileHandle, buf: Uint8Array): Promise<Uint8Array> {
  let filled = 0;
  while (filled < buf.length) {
    const { bytesRead } = await handle.read(buf, filled, buf.length - filled, null);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buf.subarray(0, filled);
}

function parseHeader(json: Uint8Array): Header {
  let h: Header;
  try {
    h = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json)) as Header;
  } catch {
    throw new BackupError('not-a-backup');
  }
  const k = h?.kdf;
  const ok =
    k?.alg === 'argon2id' &&
    Number.isInteger(k.m) &&
    k.m >= ARGON2_PARAMS.m &&
    k.m <= 1024 * 1024 &&
    Number.isInteger(k.t) &&
    k.t >= ARGON2_PARAMS.t &&
    k.t <= 20 &&
    k.p === 1 &&
    typeof k.salt === 'string' &&
    typeof h.fileSalt === 'string' &&
    typeof h.check === 'string' &&
    Number.isInteger(h.chunkSize) &&
    h.chunkSize >= 1024 &&
    h.chunkSize <= 16 * 1024 * 1024 &&
    Number.isSafeInteger(h.payloadBytes) &&
    h.payloadBytes >= 0;
  if (!ok) throw new BackupError('not-a-backup', 'unsupported parameters');
  return h;
}

/**
 * Reads a backup stream: open() checks the header and the passphrase, then read(n) returns
 * exactly n plaintext bytes (or fails), and end() confirms the stream ended where it was
 * sealed to end. Plaintext handed out before a failure must be discarded by the caller.
 */
export class BackupReader {
  private sealer!: Sealer;
  private chunkSize = 0;
  private index = 0;
  private pending: Uint8Array = new Uint8Array();
  private pendingAt = 0;
  private next: Uint8Array | null = null;
  private finished = false;

  private constructor(private readonly handle: FileHandle) {}

  static async open(
    path: string,
    passphrase: (kdf: KdfParams) => Promise<Uint8Array>,
  ): Promise<BackupReader> {
    const handle = await open(path, 'r');
    const reader = new BackupReader(handle);
    try {
      await reader.start(passphrase);
      return reader;
    } catch (e) {
      await handle.close();
      throw e;
    }
  }

  private async start(passKeyFor: (kdf: KdfParams) => Promise<Uint8Array>): Promise<void> {
    const prefix = await readFull(this.handle, new Uint8Array(PREFIX_BYTES));
    const magic = encoder.encode(BACKUP_MAGIC);
    const magicSoFar = prefix.subarray(0, Math.min(8, prefix.length)).every((v, i) => v === magic[i]);
    if (prefix.length < PREFIX_BYTES)
      throw new BackupError(prefix.length > 0 && magicSoFar ? 'truncated' : 'not-a-backup');
    if (!magicSoFar) throw new BackupError('not-a-backup');
    const view = new DataView(prefix.buffer, prefix.byteOffset);
    if (view.getUint16(8) !== BACKUP_FORMAT) throw new BackupError('not-a-backup', 'unknown format version');
    const length = view.getUint32(10);
    if (length < 2 || length > MAX_HEADER) throw new BackupError('not-a-backup');
    const json = await readFull(this.handle, new Uint8Array(length));
    if (json.length < length) throw new BackupError('truncated');
    const header = parseHeader(json);
    const head = new Uint8Array(PREFIX_BYTES + length);
    head.set(prefix);
    head.set(json, PREFIX_BYTES);
    const passKey = await passKeyFor(header.kdf);
    this.sealer = new Sealer(passKey, Buffer.from(header.fileSalt, 'base64'), head);
    passKey.fill(0);
    const expected = Buffer.from(header.check, 'base64');
    if (expected.length !== 32 || !Buffer.from(this.sealer.check).equals(expected)) {
      this.sealer.wipe();
      throw new BackupError('wrong-passphrase');
    }
    this.chunkSize = header.chunkSize;
    const size = (await this.handle.stat()).size;
    const fileBytes = head.length + sealedLength(header.payloadBytes, header.chunkSize);
    if (size < fileBytes) throw new BackupError('truncated', `${size} of ${fileBytes} bytes`);
    if (size > fileBytes) throw new BackupError('trailing-data');
    this.next = await this.readFrame();
  }

  private async readFrame(): Promise<Uint8Array> {
    const frame = await readFull(this.handle, new Uint8Array(this.chunkSize + TAG));
    return frame;
  }

  private async advance(): Promise<void> {
    if (this.finished) throw new BackupError('tampered', 'more data expected than the file holds');
    const frame = this.next!;
    const full = frame.length === this.chunkSize + TAG;
    const following = full ? await this.readFrame() : new Uint8Array();
    const final = following.length === 0;
    if (frame.length < TAG) throw new BackupError('truncated');
    const plain = this.sealer.tryOpen(frame, this.index, final);
    if (!plain) {
      const probe = full ? this.sealer.tryOpen(frame, this.index, !final) : null;
      if (probe) {
        probe.fill(0);
        throw new BackupError(final ? 'truncated' : 'trailing-data');
      }
      throw new BackupError('tampered', `part ${this.index}`);
    }
    this.index += 1;
    this.pending.fill(0);
    this.pending = plain;
    this.pendingAt = 0;
    this.next = following;
    this.finished = final;
  }

  /** Exactly n bytes of plaintext, calling `sink` for each piece (kept small in memory). */
  async readInto(n: number, sink: (piece: Uint8Array) => Promise<void> | void): Promise<void> {
    let left = n;
    while (left > 0) {
      if (this.pendingAt === this.pending.length) await this.advance();
      const take = Math.min(left, this.pending.length - this.pendingAt);
      await sink(this.pending.subarray(this.pendingAt, this.pendingAt + take));
      this.pendingAt += take;
      left -= take;
    }
  }

  async read(n: number): Promise<Uint8Array> {
    const out = new Uint8Array(n);
    let at = 0;
    await this.readInto(n, (p) => {
      out.set(p, at);
      at += p.length;
    });
    return out;
  }

  async readSection<T>(maxBytes: number): Promise<T> {
    const n = new DataView((await this.read(4)).buffer).getUint32(0);
    if (n > maxBytes) throw new BackupError('tampered', 'section too large');
    const body = await this.read(n);
    try {
      return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body)) as T;
    } finally {
      body.fill(0);
    }
  }

  /** Confirms every byte was consumed and the stream ended at a chunk sealed as last. */
  async end(): Promise<void> {
    if (this.pendingAt !== this.pending.length)
      throw new BackupError('tampered', 'unexpected data after the last section');
    // A payload that ends exactly at a chunk boundary still has the sealed-empty last chunk to read.
    while (!this.finished) {
      await this.advance();
      if (this.pending.length !== 0)
        throw new BackupError('tampered', 'unexpected data after the last section');
    }
  }

  async close(): Promise<void> {
    this.pending.fill(0);
    this.sealer?.wipe();
    await this.handle.close();
  }
}
