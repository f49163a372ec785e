import { createHash, randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ATTACHMENT_DEFAULT_CHUNK,
  ATTACHMENT_HEADER_BYTES,
  ATTACHMENT_MAX_BYTES,
  ATTACHMENT_TAG_BYTES,
  AttachmentError,
  type AttachmentErrorReason,
  attachmentFileKeyVersion,
  decryptAttachment,
  decryptAttachmentChunks,
  decryptAttachmentFile,
  encryptAttachment,
  encryptAttachmentFile,
  sniffAttachmentType,
  validateAttachmentSource,
} from './attachment-stream.js';

const dir = mkdtempSync(join(tmpdir(), 'kavach-attach-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
const tmp = (name: string) => join(dir, `${n++}-${name}`);

const key = new Uint8Array(randomBytes(32));
const otherKey = new Uint8Array(randomBytes(32));
const id = 'att-0001';
const ring = (v: number) => (v === 3 ? key : undefined);
const enc = { key, keyVersion: 3, attachmentId: id };
const dec = { keyForVersion: ring, attachmentId: id };
const SMALL = 1024; // smallest allowed chunk: many chunks from little data
const FRAME = SMALL + ATTACHMENT_TAG_BYTES;

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function expectReason(fn: () => unknown, reason: AttachmentErrorReason): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(AttachmentError);
  expect((caught as AttachmentError).reason).toBe(reason);
}

async function expectFileReason(p: Promise<unknown>, reason: AttachmentErrorReason): Promise<void> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(AttachmentError);
  expect((e as AttachmentError).reason).toBe(reason);
}

/** Decrypts `cipher` from disk and checks the reason and that no output (nor .part) remains. */
async function expectFileDecryptFails(
  cipher: Uint8Array,
  reason: AttachmentErrorReason,
  opts: Partial<typeof dec> = {},
): Promise<void> {
  const src = tmp('bad.kva');
  writeFileSync(src, cipher);
  const out = tmp('out.pdf');
  await expectFileReason(decryptAttachmentFile({ ...dec, ...opts, source: src, destination: out }), reason);
  expect(existsSync(out)).toBe(false);
  expect(existsSync(`${out}.part`)).toBe(false);
  // The in-memory path gives the same verdict.
  expectReason(() => decryptAttachment(cipher, { ...dec, ...opts }), reason);
}

describe('attachment streams: round trips', () => {
  const sizes = [0, 1, SMALL - 1, SMALL, SMALL + 1, 3 * SMALL, 3 * SMALL + 7];

  it.each(sizes)('in memory, %i bytes with 1 KiB chunks', (size) => {
    const plain = new Uint8Array(randomBytes(size));
    const sealed = encryptAttachment(plain, { ...enc, chunkSize: SMALL });
    const chunks = Math.max(1, Math.ceil(size / SMALL));
    expect(sealed.length).toBe(ATTACHMENT_HEADER_BYTES + size + chunks * ATTACHMENT_TAG_BYTES);
    expect(Buffer.from(decryptAttachment(sealed, dec)).equals(Buffer.from(plain))).toBe(true);
  });

  it.each([
    0,
    1,
    ATTACHMENT_DEFAULT_CHUNK - 1,
    ATTACHMENT_DEFAULT_CHUNK,
    ATTACHMENT_DEFAULT_CHUNK + 1,
    3 * 1024 * 1024 + 12345,
  ])('on disk, %i bytes with the default chunk', async (size) => {
    const plain = randomBytes(size);
    const src = tmp('src.bin');
    const enc1 = tmp('enc.kva');
    const out = tmp('out.bin');
    writeFileSync(src, plain);
    const r = await encryptAttachmentFile({ ...enc, source: src, destination: enc1 });
    const sealed = readFileSync(enc1);
    expect(r.bytes).toBe(size);
    expect(r.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(r.sha256).toBe(createHash('sha256').update(sealed).digest('hex'));
    const chunks = Math.max(1, Math.ceil(size / ATTACHMENT_DEFAULT_CHUNK));
    expect(sealed.length).toBe(ATTACHMENT_HEADER_BYTES + size + chunks * ATTACHMENT_TAG_BYTES);
    expect(existsSync(`${enc1}.part`)).toBe(false);
    expect((await decryptAttachmentFile({ ...dec, source: enc1, destination: out })).bytes).toBe(size);
    expect(readFileSync(out).equals(plain)).toBe(true);
    expect(await attachmentFileKeyVersion(enc1)).toBe(3);
    // The file and memory formats are the same.
    expect(Buffer.from(decryptAttachment(sealed, dec)).equals(plain)).toBe(true);
  });

  it('streams chunks for a preview', async () => {
    const plain = randomBytes(5 * SMALL + 3);
    const src = tmp('src.bin');
    const encPath = tmp('enc.kva');
    writeFileSync(src, plain);
    await encryptAttachmentFile({ ...enc, chunkSize: SMALL, source: src, destination: encPath });
    const parts: Buffer[] = [];
    for await (const c of decryptAttachmentChunks({ ...dec, source: encPath })) parts.push(Buffer.from(c));
    expect(parts.length).toBe(6);
    expect(Buffer.concat(parts).equals(plain)).toBe(true);
  });

  it('does not contain a plaintext marker, and two encryptions of one file differ', () => {
    const marker = Buffer.from('PATIENT-MARKER-Nguyen-Thi-Minh-0912345678');
    const plain = Buffer.concat([Buffer.from('%PDF-1.7\n'), marker, randomBytes(5000), marker]);
    const a = Buffer.from(encryptAttachment(plain, enc));
    const b = Buffer.from(encryptAttachment(plain, enc));
    expect(a.includes(marker)).toBe(false);
    expect(a.includes(Buffer.from('Nguyen'))).toBe(false);
    expect(a.includes(Buffer.from('%PDF'))).toBe(false);
    expect(a.equals(b)).toBe(false);
  });

  it('has the documented header', () => {
    const sealed = encryptAttachment(new Uint8Array(10), { ...enc, chunkSize: 4096 });
    const view = new DataView(sealed.buffer, sealed.byteOffset);
    expect(Buffer.from(sealed.subarray(0, 4)).toString('latin1')).toBe('KVA1');
    expect(view.getUint16(4)).toBe(3);
    expect(view.getUint32(22)).toBe(4096);
  });
});

describe('attachment streams: tampering fails loudly and leaves no output', () => {
  // 3 full chunks and a short last one.
  const plain = new Uint8Array(randomBytes(3 * SMALL + 100));
  const sealed = encryptAttachment(plain, { ...enc, chunkSize: SMALL });
  const H = ATTACHMENT_HEADER_BYTES;
  const frame = (i: number) => sealed.slice(H + i * FRAME, H + (i + 1) * FRAME);
  const join = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));
  // A file ending in a full last chunk (exactly 3 chunks).
  const even = encryptAttachment(new Uint8Array(randomBytes(3 * SMALL)), { ...enc, chunkSize: SMALL });

  it('a flipped bit anywhere', async () => {
    const cases: [number, AttachmentErrorReason][] = [
      [0, 'malformed'], // magic
      [4, 'unknown-key-version'],
      [5, 'unknown-key-version'],
      [6, 'authentication'], // salt
      [21, 'authentication'],
      [22, 'malformed'], // chunk size out of range
      [H, 'authentication'],
      [H + 500, 'authentication'],
      [H + FRAME - 1, 'authentication'], // a tag
      [H + 2 * FRAME + 3, 'authentication'],
      [sealed.length - 1, 'authentication'],
    ];
    for (const [at, expected] of cases) {
      const bad = sealed.slice();
      bad[at]! ^= 0x01;
      await expectFileDecryptFails(bad, expected);
    }
    // Chunk-size bits that keep it in range still fail authentication (the header is bound).
    const bad = sealed.slice();
    bad[24]! ^= 0x08; // 1024 -> 3072
    expectReason(() => decryptAttachment(bad, dec), 'authentication');
  });

  it('truncation: the last chunk (or more) missing, cut inside a chunk, or inside the header', async () => {
    await expectFileDecryptFails(sealed.slice(0, H + 3 * FRAME), 'truncated');
    await expectFileDecryptFails(sealed.slice(0, H + FRAME), 'truncated');
    await expectFileDecryptFails(even.slice(0, H + 2 * FRAME), 'truncated');
    await expectFileDecryptFails(sealed.slice(0, H), 'truncated');
    await expectFileDecryptFails(sealed.slice(0, H + 10), 'truncated');
    await expectFileDecryptFails(sealed.slice(0, 12), 'truncated');
    // Cut inside the short last chunk: indistinguishable from an altered chunk.
    await expectFileDecryptFails(sealed.slice(0, sealed.length - 1), 'authentication');
    await expectFileDecryptFails(new Uint8Array(0), 'malformed');
  });

  it('reordered and duplicated chunks', async () => {
    const tail = sealed.slice(H + 3 * FRAME);
    const head = sealed.slice(0, H);
    await expectFileDecryptFails(join(head, frame(1), frame(0), frame(2), tail), 'authentication');
    await expectFileDecryptFails(join(head, frame(0), frame(0), frame(1), frame(2), tail), 'authentication');
    await expectFileDecryptFails(join(head, frame(0), frame(1), frame(1), frame(2), tail), 'authentication');
    await expectFileDecryptFails(join(head, frame(0), frame(1), frame(2), frame(2), tail), 'authentication');
    // The last chunk moved to the front.
    await expectFileDecryptFails(join(head, tail, frame(0), frame(1), frame(2)), 'authentication');
    // A full last chunk repeated: the first copy is a valid last chunk followed by bytes.
    const evenLast = even.slice(H + 2 * FRAME);
    await expectFileDecryptFails(join(even, evenLast), 'trailing-data');
  });

  it('bytes after the last chunk', async () => {
    await expectFileDecryptFails(join(even, new Uint8Array([0])), 'trailing-data');
    await expectFileDecryptFails(join(even, new Uint8Array(randomBytes(5000))), 'trailing-data');
    // After a short last chunk the extra bytes merge into it (documented): still refused.
    await expectFileDecryptFails(join(sealed, new Uint8Array([0])), 'authentication');
  });

  it('a header swapped from another file', async () => {
    const other = encryptAttachment(new Uint8Array(randomBytes(3 * SMALL + 100)), {
      ...enc,
      chunkSize: SMALL,
    });
    await expectFileDecryptFails(join(other.slice(0, H), sealed.slice(H)), 'authentication');
  });

  it('the wrong attachment id, key version or key', async () => {
    await expectFileDecryptFails(sealed, 'authentication', { attachmentId: 'att-0002' });
    await expectFileDecryptFails(sealed, 'unknown-key-version', {
      keyForVersion: (v) => (v === 2 ? key : undefined),
    });
    await expectFileDecryptFails(sealed, 'authentication', { keyForVersion: () => otherKey });
  });

  it('a failed decrypt leaves an existing destination untouched', async () => {
    const src = tmp('bad.kva');
    const out = tmp('existing.pdf');
    writeFileSync(src, sealed.slice(0, H + FRAME));
    writeFileSync(out, 'previous contents');
    await expectFileReason(decryptAttachmentFile({ ...dec, source: src, destination: out }), 'truncated');
    expect(readFileSync(out, 'utf8')).toBe('previous contents');
    expect(readdirSync(dir).some((f) => f.endsWith('.part'))).toBe(false);
  });

  it('a truncated stream throws after yielding only authenticated chunks', async () => {
    const src = tmp('cut.kva');
    writeFileSync(src, sealed.slice(0, H + 2 * FRAME));
    const got: number[] = [];
    await expectFileReason(
      (async () => {
        for await (const c of decryptAttachmentChunks({ ...dec, source: src })) got.push(c.length);
      })(),
      'truncated',
    );
    expect(got).toEqual([SMALL]);
  });
});

describe('attachment streams: inputs', () => {
  it('checks keys, ids, versions and chunk sizes', () => {
    const p = new Uint8Array(4);
    expect(() => encryptAttachment(p, { ...enc, key: new Uint8Array(16) })).toThrow(/32 bytes/);
    expect(() => encryptAttachment(p, { ...enc, attachmentId: 'a|b' })).toThrow(/\|/);
    expect(() => encryptAttachment(p, { ...enc, attachmentId: '' })).toThrow();
    expect(() => encryptAttachment(p, { ...enc, keyVersion: 0 })).toThrow(/version/);
    expect(() => encryptAttachment(p, { ...enc, chunkSize: 100 })).toThrow(/Chunk size/);
    const sealed = encryptAttachment(p, enc);
    expect(() => decryptAttachment(sealed, { ...dec, keyForVersion: () => new Uint8Array(31) })).toThrow(
      /32 bytes/,
    );
  });

  it('refuses to encrypt more than the cap', () => {
    expectReason(() => encryptAttachment(new Uint8Array(ATTACHMENT_MAX_BYTES + 1), enc), 'too-large');
  });

  it('a failed encrypt leaves no destination', async () => {
    const out = tmp('never.kva');
    await expect(
      encryptAttachmentFile({ ...enc, key: new Uint8Array(8), source: tmp('missing'), destination: out }),
    ).rejects.toThrow();
    await expect(
      encryptAttachmentFile({ ...enc, source: join(dir, 'does-not-exist'), destination: out }),
    ).rejects.toThrow();
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${out}.part`)).toBe(false);
  });

  it('sniffs PDF, PNG and JPEG by magic bytes only', () => {
    expect(sniffAttachmentType(new TextEncoder().encode('%PDF-1.4\n'))).toBe('application/pdf');
    expect(sniffAttachmentType(new Uint8Array([...PNG, 0, 0]))).toBe('image/png');
    expect(sniffAttachmentType(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]))).toBe('image/jpeg');
    expect(sniffAttachmentType(new Uint8Array(PNG.slice(0, 7)))).toBeNull();
    expect(sniffAttachmentType(new TextEncoder().encode('GIF89a'))).toBeNull();
    expect(sniffAttachmentType(new TextEncoder().encode('MZ\x90\x00'))).toBeNull();
    expect(sniffAttachmentType(new TextEncoder().encode('<html>%PDF-'))).toBeNull();
    expect(sniffAttachmentType(new Uint8Array(0))).toBeNull();
  });

  it('validates a source: type, empty, the 25 MB cap (sparse file), not a file', async () => {
    const pdf = tmp('report.pdf');
    writeFileSync(pdf, '%PDF-1.7\n%\xe2\xe3\n');
    expect(await validateAttachmentSource(pdf)).toBe('application/pdf');
    const png = tmp('scan.png');
    writeFileSync(png, new Uint8Array([...PNG, 1, 2, 3]));
    expect(await validateAttachmentSource(png)).toBe('image/png');

    const exe = tmp('report.pdf'); // the name says PDF, the bytes do not
    writeFileSync(exe, 'MZ not a pdf');
    await expectFileReason(validateAttachmentSource(exe), 'type-not-allowed');
    await expect(validateAttachmentSource(exe)).rejects.toThrow(/PDF, PNG and JPEG/);

    const empty = tmp('empty.pdf');
    writeFileSync(empty, '');
    await expectFileReason(validateAttachmentSource(empty), 'empty');

    const atCap = tmp('at-cap.pdf');
    writeFileSync(atCap, '%PDF-1.7\n');
    truncateSync(atCap, ATTACHMENT_MAX_BYTES);
    expect(await validateAttachmentSource(atCap)).toBe('application/pdf');
    const big = tmp('big.pdf');
    writeFileSync(big, '%PDF-1.7\n');
    truncateSync(big, ATTACHMENT_MAX_BYTES + 1);
    await expectFileReason(validateAttachmentSource(big), 'too-large');
    await expect(validateAttachmentSource(big)).rejects.toThrow(/25 MB/);

    await expectFileReason(validateAttachmentSource(dir), 'not-a-file');
  });

  it('stops encrypting a file that is over the cap', async () => {
    const big = tmp('big.pdf');
    writeFileSync(big, '%PDF-1.7\n');
    truncateSync(big, ATTACHMENT_MAX_BYTES + 1);
    const out = tmp('big.kva');
    await expectFileReason(encryptAttachmentFile({ ...enc, source: big, destination: out }), 'too-large');
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${out}.part`)).toBe(false);
  });
});
