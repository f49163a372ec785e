import { createHash } from 'node:crypto';
import { type FileHandle, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { randomBytes } from '@noble/ciphers/utils.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { forgetKey, keyedGcm } from './keyed-gcm.js';

/**
 * Encrypted attachment streams (lab reports, images, PDFs).
 *
 * File format ("KVA1"), all integers big-endian:
 *
 *   header (26 bytes):
 *     [4  magic "KVA1"]
 *     [2  u16 key version: the clinic data key version whose attachment sub-key was used]
 *     [16 random file salt]
 *     [4  u32 chunk size C: plaintext bytes per chunk, 1 KiB .. 4 MiB, default 64 KiB]
 *   then chunks i = 0, 1, 2, ..., each [ciphertext][16-byte GCM tag]:
 *     every chunk but the last carries exactly C plaintext bytes; the last carries 0..C
 *     (a zero-byte file is one empty last chunk; a file of exactly k*C bytes ends with a
 *     full last chunk, not an extra empty one). Nothing follows the last chunk.
 *
 * Keys and nonces: okm = HKDF-SHA256(ikm = the ring's attachment sub-key, salt = file salt,
 * info = "kavach/attachment-file/v1|<attachment id>", 36 bytes). The per-file AES-256-GCM
 * key is okm[0..32], the 4-byte nonce prefix okm[32..36], and chunk i's 12-byte nonce is
 * prefix || u64(i). The index is unique within a file and the key is unique per (file salt,
 * attachment id), so no nonce repeats under one key.
 *
 * Associated data of chunk i: "kavach/attachment/v1|<attachment id>|<i>|<last 0/1>|" followed
 * by the 26 header bytes. So a chunk moved, duplicated or dropped fails (index), a file cut
 * at a chunk boundary fails (its new final chunk was sealed with last = 0), a header taken
 * from another file fails (other salt → other key, and the header is authenticated), and a
 * file stored under another attachment id fails.
 *
 * Decryption reads one chunk ahead to know which chunk is the last. Failures raise
 * AttachmentError: 'malformed' (not a KVA1 header or a bad chunk size), 'unknown-key-version',
 * 'truncated' (the file ends before a chunk sealed as last), 'trailing-data' (a chunk sealed
 * as last is followed by more bytes), 'authentication' (anything else that fails GCM,
 * including a flipped bit, a wrong key, and — when the last chunk was short — bytes appended
 * after it, which merge into that chunk and cannot be told apart from tampering).
 *
 * The file functions write to `<destination>.part`, fsync, then rename, and remove the .part
 * on any failure: a failed decrypt leaves no output file. Memory stays at a few chunks
 * whatever the file size. Error messages carry no paths (file names can name patients),
 * plaintext or key material.
 */

export const ATTACHMENT_MAGIC = 'KVA1';
export const ATTACHMENT_HEADER_BYTES = 4 + 2 + 16 + 4;
export const ATTACHMENT_TAG_BYTES = 16;
export const ATTACHMENT_DEFAULT_CHUNK = 64 * 1024;
export const ATTACHMENT_MIN_CHUNK = 1024;
export const ATTACHMENT_MAX_CHUNK = 4 * 1024 * 1024;
export const ATTACHMENT_MAX_BYTES = 25 * 1024 * 1024;

export type AttachmentType = 'application/pdf' | 'image/png' | 'image/jpeg';
export const ATTACHMENT_ALLOWED_TYPES: readonly AttachmentType[] = [
  'application/pdf',
  'image/png',
  'image/jpeg',
];

export type AttachmentFailureReason =
  | 'truncated'
  | 'authentication'
  | 'malformed'
  | 'trailing-data'
  | 'unknown-key-version';
export type AttachmentRejectReason = 'too-large' | 'type-not-allowed' | 'empty' | 'not-a-file';
export type AttachmentErrorReason = AttachmentFailureReason | AttachmentRejectReason;

const MESSAGES: Record<AttachmentErrorReason, string> = {
  truncated: 'The encrypted attachment is truncated: it ends before its last chunk',
  authentication:
    'The encrypted attachment failed authentication: it was altered, or the key or attachment id is wrong',
  malformed: 'The file is not an encrypted Kavach attachment (bad header)',
  'trailing-data': 'The encrypted attachment has unexpected bytes after its last chunk',
  'unknown-key-version': 'The encrypted attachment uses a key version this workstation does not hold',
  'too-large': 'The file is larger than the 25 MB attachment limit',
  'type-not-allowed': 'Only PDF, PNG and JPEG files can be attached',
  empty: 'The file is empty',
  'not-a-file': 'The path is not a regular file',
};

/** Raised whenever an attachment is refused or cannot be opened; never partial output. */
export class AttachmentError extends Error {
  override readonly name = 'AttachmentError';
  readonly code = 'ATTACHMENT_FAILED';
  constructor(
    readonly reason: AttachmentErrorReason,
    /** Chunk index where decryption failed, when it is known. */
    readonly chunk: number | null = null,
  ) {
    super(chunk === null ? MESSAGES[reason] : `${MESSAGES[reason]} (chunk ${chunk})`);
  }
}

// ---------------------------------------------------------------------------------------
// Type allowlist

export function sniffAttachmentType(firstBytes: Uint8Array): AttachmentType | null {
  const b = firstBytes;
  const starts = (sig: number[]) => b.length >= sig.length && sig.every((v, i) => b[i] === v);
  if (starts([0x25, 0x50, 0x44, 0x46, 0x2d])) return 'application/pdf'; // "%PDF-"
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (starts([0xff, 0xd8, 0xff])) return 'image/jpeg';
  return null;
}

/** Checks a file the user picked before it is encrypted: size cap, non-empty, allowed type. */
export async function validateAttachmentSource(path: string): Promise<AttachmentType> {
  const handle = await open(path, 'r');
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new AttachmentError('not-a-file');
    if (info.size === 0) throw new AttachmentError('empty');
    if (info.size > ATTACHMENT_MAX_BYTES) throw new AttachmentError('too-large');
    const first = new Uint8Array(16);
    const { bytesRead } = await handle.read(first, 0, first.length, 0);
    const type = sniffAttachmentType(first.subarray(0, bytesRead));
    if (!type) throw new AttachmentError('type-not-allowed');
    return type;
  } finally {
    await handle.close();
  }
}

// ---------------------------------------------------------------------------------------
// Keys, header, per-chunk sealing

const encoder = new TextEncoder();
const MAGIC_BYTES = encoder.encode(ATTACHMENT_MAGIC);

export type KeyForVersion = (version: number) => Uint8Array | undefined;

export interface EncryptOptions {
  /** The ring's attachment sub-key for `keyVersion` (32 bytes). */
  key: Uint8Array;
  keyVersion: number;
  attachmentId: string;
  chunkSize?: number;
}

export interface DecryptOptions {
  keyForVersion: KeyForVersion;
  attachmentId: string;
}

function checkAttachmentId(id: string): void {
  // A '|' inside the id would let two ids share associated data and HKDF info.
  if (id.length === 0 || id.length > 200 || id.includes('|')) {
    throw new Error('Attachment id must be 1..200 characters without "|"');
  }
}

function checkKey(key: Uint8Array | undefined): asserts key is Uint8Array {
  if (!(key instanceof Uint8Array) || key.length !== 32) throw new Error('Attachment key must be 32 bytes');
}

function makeHeader(keyVersion: number, chunkSize: number): Uint8Array {
  if (!Number.isInteger(keyVersion) || keyVersion < 1 || keyVersion > 0xffff)
    throw new Error('Bad key version');
  if (!Number.isInteger(chunkSize) || chunkSize < ATTACHMENT_MIN_CHUNK || chunkSize > ATTACHMENT_MAX_CHUNK) {
    throw new Error(`Chunk size must be ${ATTACHMENT_MIN_CHUNK}..${ATTACHMENT_MAX_CHUNK} bytes`);
  }
  const header = new Uint8Array(ATTACHMENT_HEADER_BYTES);
  const view = new DataView(header.buffer);
  header.set(MAGIC_BYTES, 0);
  view.setUint16(4, keyVersion);
  header.set(randomBytes(16), 6);
  view.setUint32(22, chunkSize);
  return header;
}

interface ParsedHeader {
  keyVersion: number;
  chunkSize: number;
}

function parseHeader(header: Uint8Array): ParsedHeader {
  if (header.length < ATTACHMENT_HEADER_BYTES) {
    // Cut inside the header: truncated if what is left still looks like one.
    const n = Math.min(header.length, MAGIC_BYTES.length);
    const magicSoFar = header.subarray(0, n).every((v, i) => v === MAGIC_BYTES[i]);
    throw new AttachmentError(header.length > 0 && magicSoFar ? 'truncated' : 'malformed');
  }
  if (!MAGIC_BYTES.every((v, i) => header[i] === v)) throw new AttachmentError('malformed');
  const view = new DataView(header.buffer, header.byteOffset, ATTACHMENT_HEADER_BYTES);
  const keyVersion = view.getUint16(4);
  const chunkSize = view.getUint32(22);
  if (keyVersion === 0 || chunkSize < ATTACHMENT_MIN_CHUNK || chunkSize > ATTACHMENT_MAX_CHUNK) {
    throw new AttachmentError('malformed');
  }
  return { keyVersion, chunkSize };
}

/** Per-file key material and associated-data builder; wipe() when done. */
class ChunkCipher {
  private readonly fileKey: Uint8Array;
  private readonly nonce = new Uint8Array(12);
  private readonly aadPrefix: string;
  readonly header: Uint8Array;

  constructor(attachmentKey: Uint8Array, header: Uint8Array, attachmentId: string) {
    checkKey(attachmentKey);
    this.header = header.slice(0, ATTACHMENT_HEADER_BYTES);
    const okm = hkdf(
      sha256,
      attachmentKey,
      this.header.subarray(6, 22),
      encoder.encode(`kavach/attachment-file/v1|${attachmentId}`),
      36,
    );
    this.fileKey = okm.slice(0, 32);
    this.nonce.set(okm.subarray(32, 36), 0);
    okm.fill(0);
    this.aadPrefix = `kavach/attachment/v1|${attachmentId}|`;
  }

  private nonceFor(index: number): Uint8Array {
    if (!Number.isSafeInteger(index) || index < 0) throw new Error('Bad chunk index');
    new DataView(this.nonce.buffer).setBigUint64(4, BigInt(index));
    return this.nonce;
  }

  private aad(index: number, last: boolean): Uint8Array {
    const text = encoder.encode(`${this.aadPrefix}${index}|${last ? 1 : 0}|`);
    const out = new Uint8Array(text.length + this.header.length);
    out.set(text, 0);
    out.set(this.header, text.length);
    return out;
  }

  seal(plaintext: Uint8Array, index: number, last: boolean): Uint8Array {
    return keyedGcm(this.fileKey).seal(this.nonceFor(index), plaintext, this.aad(index, last));
  }

  private tryOpen(frame: Uint8Array, index: number, last: boolean): Uint8Array | null {
    try {
      return keyedGcm(this.fileKey).open(this.nonceFor(index), frame, this.aad(index, last));
    } catch {
      return null;
    }
  }

  /**
   * Opens chunk `index`. `final` says whether the file ends right after this frame; `full`
   * whether the frame has the full chunk length. On failure the probes below only pick the
   * reason; whatever they open is wiped and never returned.
   */
  open(frame: Uint8Array, index: number, final: boolean, full: boolean): Uint8Array {
    if (frame.length < ATTACHMENT_TAG_BYTES) throw new AttachmentError('truncated', index);
    const plain = this.tryOpen(frame, index, final);
    if (plain) return plain;
    if (full) {
      const probe = this.tryOpen(frame, index, !final);
      if (probe) {
        probe.fill(0);
        // final && sealed as not-last: chunks are missing. Not final && sealed as last: extra bytes.
        throw new AttachmentError(final ? 'truncated' : 'trailing-data', index);
      }
    }
    throw new AttachmentError('authentication', index);
  }

  wipe(): void {
    forgetKey(this.fileKey);
    this.fileKey.fill(0);
    this.nonce.fill(0);
  }
}

function openerFor(header: Uint8Array, o: DecryptOptions): { cipher: ChunkCipher; parsed: ParsedHeader } {
  checkAttachmentId(o.attachmentId);
  const parsed = parseHeader(header);
  const key = o.keyForVersion(parsed.keyVersion);
  if (!key) throw new AttachmentError('unknown-key-version');
  return { cipher: new ChunkCipher(key, header, o.attachmentId), parsed };
}

// ---------------------------------------------------------------------------------------
// In memory (small uses and tests)

export function encryptAttachment(bytes: Uint8Array, o: EncryptOptions): Uint8Array {
  checkAttachmentId(o.attachmentId);
  checkKey(o.key);
  if (bytes.length > ATTACHMENT_MAX_BYTES) throw new AttachmentError('too-large');
  const chunkSize = o.chunkSize ?? ATTACHMENT_DEFAULT_CHUNK;
  const header = makeHeader(o.keyVersion, chunkSize);
  const cipher = new ChunkCipher(o.key, header, o.attachmentId);
  try {
    const chunks = Math.max(1, Math.ceil(bytes.length / chunkSize));
    const out = new Uint8Array(header.length + bytes.length + chunks * ATTACHMENT_TAG_BYTES);
    out.set(header, 0);
    let at = header.length;
    for (let i = 0; i < chunks; i++) {
      const sealed = cipher.seal(bytes.subarray(i * chunkSize, (i + 1) * chunkSize), i, i === chunks - 1);
      out.set(sealed, at);
      at += sealed.length;
    }
    return out;
  } finally {
    cipher.wipe();
  }
}

export function decryptAttachment(bytes: Uint8Array, o: DecryptOptions): Uint8Array {
  const { cipher, parsed } = openerFor(bytes.subarray(0, ATTACHMENT_HEADER_BYTES), o);
  const frameSize = parsed.chunkSize + ATTACHMENT_TAG_BYTES;
  const parts: Uint8Array[] = [];
  try {
    let at = ATTACHMENT_HEADER_BYTES;
    for (let index = 0; ; index++) {
      const frame = bytes.subarray(at, at + frameSize);
      at += frame.length;
      const final = at >= bytes.length;
      parts.push(cipher.open(frame, index, final, frame.length === frameSize));
      if (final) break;
    }
  } catch (e) {
    for (const p of parts) p.fill(0);
    throw e;
  } finally {
    cipher.wipe();
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
    p.fill(0);
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Streaming (files)

/** Reads until `buf` is full or the file ends; returns the filled part. */
async function readFull(handle: FileHandle, buf: Uint8Array): Promise<Uint8Array> {
  let filled = 0;
  while (filled < buf.length) {
    const { bytesRead } = await handle.read(buf, filled, buf.length - filled, null);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buf.subarray(0, filled);
}

async function writeAll(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, null);
    done += bytesWritten;
  }
}

/** Writes through `<destination>.part`, then fsyncs and renames; removes the .part on failure. */
async function writeAtomically<T>(
  destination: string,
  body: (write: (bytes: Uint8Array) => Promise<void>) => Promise<T>,
): Promise<T> {
  const part = `${destination}.part`;
  await rm(part, { force: true });
  // 'wx': never follow or reuse something that appeared at the .part path meanwhile.
  const out = await open(part, 'wx', 0o600);
  let closed = false;
  try {
    const result = await body((bytes) => writeAll(out, bytes));
    await out.sync();
    await out.close();
    closed = true;
    await rename(part, destination);
    await syncDirectory(dirname(destination));
    return result;
  } catch (e) {
    if (!closed) await out.close().catch(() => {});
    await rm(part, { force: true });
    throw e;
  }
}

async function syncDirectory(dir: string): Promise<void> {
  // Makes the rename durable on POSIX; Windows cannot open a directory this way (best effort).
  try {
    const d = await open(dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  } catch {
    /* best effort */
  }
}

export interface EncryptFileOptions extends EncryptOptions {
  source: string;
  destination: string;
}

/**
 * Encrypts `source` into `destination`. Returns the plaintext byte count and the hex
 * SHA-256 of the encrypted file as written (safe to store and sync in plaintext, and it
 * lets a receiver check a transfer; a hash of the plaintext would identify the document).
 */
export async function encryptAttachmentFile(
  o: EncryptFileOptions,
): Promise<{ bytes: number; sha256: string }> {
  checkAttachmentId(o.attachmentId);
  checkKey(o.key);
  const chunkSize = o.chunkSize ?? ATTACHMENT_DEFAULT_CHUNK;
  const header = makeHeader(o.keyVersion, chunkSize);
  const input = await open(o.source, 'r');
  const cipher = new ChunkCipher(o.key, header, o.attachmentId);
  const hash = createHash('sha256');
  const bufs = [new Uint8Array(chunkSize), new Uint8Array(chunkSize)] as const;
  try {
    return await writeAtomically(o.destination, async (write) => {
      hash.update(header);
      await write(header);
      let total = 0;
      let index = 0;
      let cur = await readFull(input, bufs[0]);
      for (;;) {
        let next: Uint8Array | null = null;
        if (cur.length === chunkSize) next = await readFull(input, bufs[(index + 1) % 2]!);
        const last = next === null || next.length === 0;
        total += cur.length;
        // The source may have grown since it was validated: the cap holds here too.
        if (total > ATTACHMENT_MAX_BYTES) throw new AttachmentError('too-large');
        const sealed = cipher.seal(cur, index, last);
        hash.update(sealed);
        await write(sealed);
        if (last) return { bytes: total, sha256: hash.digest('hex') };
        cur = next!;
        index++;
      }
    });
  } finally {
    cipher.wipe();
    bufs[0].fill(0);
    bufs[1].fill(0);
    await input.close();
  }
}

export interface DecryptSourceOptions extends DecryptOptions {
  source: string;
}

/**
 * Yields the plaintext chunk by chunk, each only after it authenticated. The stream is
 * good only if the generator finishes: if it throws (truncated, altered...), whatever a
 * preview showed from it must be discarded.
 */
export async function* decryptAttachmentChunks(
  o: DecryptSourceOptions,
): AsyncGenerator<Uint8Array, void, void> {
  checkAttachmentId(o.attachmentId);
  const input = await open(o.source, 'r');
  let cipher: ChunkCipher | null = null;
  try {
    const header = await readFull(input, new Uint8Array(ATTACHMENT_HEADER_BYTES));
    const opened = openerFor(header, o);
    cipher = opened.cipher;
    const frameSize = opened.parsed.chunkSize + ATTACHMENT_TAG_BYTES;
    const bufs = [new Uint8Array(frameSize), new Uint8Array(frameSize)] as const;
    let index = 0;
    let cur = await readFull(input, bufs[0]);
    for (;;) {
      const full = cur.length === frameSize;
      let next: Uint8Array | null = null;
      if (full) next = await readFull(input, bufs[(index + 1) % 2]!);
      const final = next === null || next.length === 0;
      yield cipher.open(cur, index, final, full);
      if (final) return;
      cur = next!;
      index++;
    }
  } finally {
    cipher?.wipe();
    await input.close();
  }
}

export interface DecryptFileOptions extends DecryptSourceOptions {
  destination: string;
}

/** Decrypts `source` into `destination` (a path the user picked); nothing is left there on failure. */
export async function decryptAttachmentFile(o: DecryptFileOptions): Promise<{ bytes: number }> {
  return writeAtomically(o.destination, async (write) => {
    let bytes = 0;
    for await (const chunk of decryptAttachmentChunks(o)) {
      await write(chunk);
      bytes += chunk.length;
      chunk.fill(0);
    }
    return { bytes };
  });
}

/** The key version an encrypted attachment file claims, without opening it (for rotation). */
export async function attachmentFileKeyVersion(path: string): Promise<number> {
  const handle = await open(path, 'r');
  try {
    const header = await readFull(handle, new Uint8Array(ATTACHMENT_HEADER_BYTES));
    return parseHeader(header).keyVersion;
  } finally {
    await handle.close();
  }
}
