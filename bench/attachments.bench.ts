// Attachment benchmark (issue "Attachments"): encrypting and decrypting a 20 MB attachment
// on disk with Kavach's streams (@noble/ciphers AES-256-GCM, 64 KiB chunks, .part + fsync +
// rename), beside node:crypto's AES-256-GCM (createCipheriv) doing the same work in the same
// run: the same file, chunk size, header, per-chunk nonces and associated data, read-ahead and
// write discipline, so the difference is the cipher implementation. Also the same two ciphers
// in memory (no disk), to show how much of the file figure is I/O.
//   node scripts/bench.mjs attachments [--reps N] [--size-mb N] [--chunk-kib N]
// (or directly: npx tsx bench/attachments.bench.ts ...; it needs no keyring).
// Prints only timings, sizes and throughput: never key material or file contents.
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type FileHandle, open, rename, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ATTACHMENT_HEADER_BYTES,
  ATTACHMENT_TAG_BYTES,
  decryptAttachment,
  decryptAttachmentFile,
  encryptAttachment,
  encryptAttachmentFile,
} from '../src-main/crypto/attachment-stream.js';
import { Samples } from './report.js';

interface Options {
  reps: number;
  sizeMiB: number;
  chunkKiB: number;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { reps: 7, sizeMiB: 20, chunkKiB: 64 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v <= 0) throw new Error(`${a} needs a positive whole number`);
      return v;
    };
    if (a === '--reps') o.reps = value();
    else if (a === '--size-mb') o.sizeMiB = value();
    else if (a === '--chunk-kib') o.chunkKiB = value();
    else throw new Error(`Unknown option ${a}. Use --reps N, --size-mb N, --chunk-kib N.`);
  }
  if (o.sizeMiB > 25) throw new Error('--size-mb must be at most 25 (the attachment cap)');
  return o;
}

// ----------------------------------------------------------------------------------------
// The node:crypto baseline: the KVA1 layout with node's AES-256-GCM.

const encoder = new TextEncoder();

function nodeFileKey(key: Uint8Array, header: Uint8Array, id: string): { fileKey: Buffer; prefix: Buffer } {
  const okm = Buffer.from(
    hkdfSync('sha256', key, header.subarray(6, 22), encoder.encode(`kavach/attachment-file/v1|${id}`), 36),
  );
  return { fileKey: okm.subarray(0, 32), prefix: okm.subarray(32, 36) };
}

function nodeNonce(prefix: Buffer, index: number): Buffer {
  const n = Buffer.alloc(12);
  prefix.copy(n, 0);
  n.writeBigUInt64BE(BigInt(index), 4);
  return n;
}

function nodeAad(id: string, index: number, last: boolean, header: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(`kavach/attachment/v1|${id}|${index}|${last ? 1 : 0}|`), header]);
}

function nodeSeal(
  k: ReturnType<typeof nodeFileKey>,
  id: string,
  header: Uint8Array,
  chunk: Uint8Array,
  i: number,
  last: boolean,
) {
  const c = createCipheriv('aes-256-gcm', k.fileKey, nodeNonce(k.prefix, i));
  c.setAAD(nodeAad(id, i, last, header));
  const body = c.update(chunk);
  c.final();
  return Buffer.concat([body, c.getAuthTag()]);
}

function nodeOpen(
  k: ReturnType<typeof nodeFileKey>,
  id: string,
  header: Uint8Array,
  frame: Uint8Array,
  i: number,
  last: boolean,
) {
  const tagAt = frame.length - ATTACHMENT_TAG_BYTES;
  if (tagAt < 0) throw new Error('truncated');
  const d = createDecipheriv('aes-256-gcm', k.fileKey, nodeNonce(k.prefix, i));
  d.setAAD(nodeAad(id, i, last, header));
  d.setAuthTag(frame.subarray(tagAt));
  const body = d.update(frame.subarray(0, tagAt));
  d.final(); // throws when the tag does not verify
  return body;
}

function makeHeader(version: number, chunkSize: number): Uint8Array {
  const h = Buffer.alloc(ATTACHMENT_HEADER_BYTES);
  h.write('KVA1', 0, 'latin1');
  h.writeUInt16BE(version, 4);
  randomBytes(16).copy(h, 6);
  h.writeUInt32BE(chunkSize, 22);
  return h;
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

/** Same .part + fsync + rename discipline as the Kavach functions. */
async function writeThroughPart(
  destination: string,
  body: (out: FileHandle) => Promise<void>,
): Promise<void> {
  const part = `${destination}.part`;
  await rm(part, { force: true });
  const out = await open(part, 'wx', 0o600);
  try {
    await body(out);
    await out.sync();
  } finally {
    await out.close();
  }
  await rename(part, destination);
}

async function nodeEncryptFile(
  key: Uint8Array,
  id: string,
  source: string,
  destination: string,
  chunkSize: number,
) {
  const header = makeHeader(1, chunkSize);
  const k = nodeFileKey(key, header, id);
  const input = await open(source, 'r');
  const hash = createHash('sha256');
  const bufs = [new Uint8Array(chunkSize), new Uint8Array(chunkSize)];
  try {
    await writeThroughPart(destination, async (out) => {
      hash.update(header);
      await out.write(header);
      let index = 0;
      let cur = await readFull(input, bufs[0]!);
      for (;;) {
        const next = cur.length === chunkSize ? await readFull(input, bufs[(index + 1) % 2]!) : null;
        const last = next === null || next.length === 0;
        const sealed = nodeSeal(k, id, header, cur, index, last);
        hash.update(sealed);
        await out.write(sealed);
        if (last) break;
        cur = next!;
        index++;
      }
    });
  } finally {
    k.fileKey.fill(0);
    await input.close();
  }
  return hash.digest('hex');
}

async function nodeDecryptFile(key: Uint8Array, id: string, source: string, destination: string) {
  const input = await open(source, 'r');
  try {
    const header = Buffer.from(await readFull(input, new Uint8Array(ATTACHMENT_HEADER_BYTES)));
    const frameSize = header.readUInt32BE(22) + ATTACHMENT_TAG_BYTES;
    const k = nodeFileKey(key, header, id);
    const bufs = [new Uint8Array(frameSize), new Uint8Array(frameSize)];
    try {
      await writeThroughPart(destination, async (out) => {
        let index = 0;
        let cur = await readFull(input, bufs[0]!);
        for (;;) {
          const next = cur.length === frameSize ? await readFull(input, bufs[(index + 1) % 2]!) : null;
          const last = next === null || next.length === 0;
          await out.write(nodeOpen(k, id, header, cur, index, last));
          if (last) break;
          cur = next!;
          index++;
        }
      });
    } finally {
      k.fileKey.fill(0);
    }
  } finally {
    await input.close();
  }
}

function nodeEncryptMemory(key: Uint8Array, id: string, bytes: Uint8Array, chunkSize: number): Buffer {
  const header = makeHeader(1, chunkSize);
  const k = nodeFileKey(key, header, id);
  const chunks = Math.max(1, Math.ceil(bytes.length / chunkSize));
  const parts: Uint8Array[] = [header];
  for (let i = 0; i < chunks; i++) {
    parts.push(
      nodeSeal(k, id, header, bytes.subarray(i * chunkSize, (i + 1) * chunkSize), i, i === chunks - 1),
    );
  }
  k.fileKey.fill(0);
  return Buffer.concat(parts);
}

function nodeDecryptMemory(key: Uint8Array, id: string, sealed: Uint8Array): Buffer {
  const header = sealed.subarray(0, ATTACHMENT_HEADER_BYTES);
  const frameSize = Buffer.from(header).readUInt32BE(22) + ATTACHMENT_TAG_BYTES;
  const k = nodeFileKey(key, header, id);
  const parts: Uint8Array[] = [];
  for (let at = ATTACHMENT_HEADER_BYTES, i = 0; at < sealed.length; at += frameSize, i++) {
    parts.push(
      nodeOpen(k, id, header, sealed.subarray(at, at + frameSize), i, at + frameSize >= sealed.length),
    );
  }
  k.fileKey.fill(0);
  return Buffer.concat(parts);
}

// ----------------------------------------------------------------------------------------

const say = (line: string) => process.stderr.write(`${line}\n`);
const print = (line = '') => process.stdout.write(`${line}\n`);
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function timed(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

function markdownTable(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((l) => l[i]!.length)));
  const line = (l: string[]) =>
    `| ${l.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? `${'-'.repeat(w + 2)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const size = o.sizeMiB * 1024 * 1024;
  const chunkSize = o.chunkKiB * 1024;
  const dir = mkdtempSync(join(tmpdir(), 'kavach-bench-attach-'));
  const key = new Uint8Array(randomBytes(32));
  const id = 'bench-attachment-1';
  const ring = (v: number) => (v === 1 ? key : undefined);
  try {
    const plain = randomBytes(size);
    const plainSha = sha(plain);
    const src = join(dir, 'source.bin');
    writeFileSync(src, plain);
    const p = (name: string) => join(dir, name);

    const ops = ['encrypt file', 'decrypt file', 'encrypt in memory', 'decrypt in memory'] as const;
    const kav = Object.fromEntries(ops.map((op) => [op, new Samples(o.reps)])) as Record<
      (typeof ops)[number],
      Samples
    >;
    const nod = Object.fromEntries(ops.map((op) => [op, new Samples(o.reps)])) as Record<
      (typeof ops)[number],
      Samples
    >;

    // One warm-up round (JIT, page cache), then o.reps timed rounds; the order alternates.
    for (let rep = -1; rep < o.reps; rep++) {
      say(rep < 0 ? 'warm-up round' : `round ${rep + 1}/${o.reps}`);
      const rounds: [Samples, Samples, () => Promise<unknown> | unknown][] = [
        [
          kav['encrypt file'],
          kav['decrypt file'],
          async () => {
            await encryptAttachmentFile({
              key,
              keyVersion: 1,
              attachmentId: id,
              source: src,
              destination: p('k.kva'),
              chunkSize,
            });
          },
        ],
        [
          nod['encrypt file'],
          nod['decrypt file'],
          () => nodeEncryptFile(key, id, src, p('n.kva'), chunkSize),
        ],
      ];
      const order = rep % 2 === 0 ? rounds : [...rounds].reverse();
      for (const [encS, decS, enc] of order) {
        const isKavach = encS === kav['encrypt file'];
        const e = await timed(enc);
        const d = await timed(() =>
          isKavach
            ? decryptAttachmentFile({
                keyForVersion: ring,
                attachmentId: id,
                source: p('k.kva'),
                destination: p('k.out'),
              })
            : nodeDecryptFile(key, id, p('n.kva'), p('n.out')),
        );
        if (rep >= 0) {
          encS.add(e);
          decS.add(d);
        }
      }
      // Outside the timed region: both round trips gave the source back.
      if (sha(readFileSync(p('k.out'))) !== plainSha || sha(readFileSync(p('n.out'))) !== plainSha) {
        throw new Error('Round trip mismatch');
      }

      let kSealed: Uint8Array = new Uint8Array(0);
      let nSealed: Uint8Array = new Uint8Array(0);
      let kOut: Uint8Array = new Uint8Array(0);
      let nOut: Uint8Array = new Uint8Array(0);
      const ke = await timed(() => {
        kSealed = encryptAttachment(plain, { key, keyVersion: 1, attachmentId: id, chunkSize });
      });
      const kd = await timed(() => {
        kOut = decryptAttachment(kSealed, { keyForVersion: ring, attachmentId: id });
      });
      const ne = await timed(() => {
        nSealed = nodeEncryptMemory(key, id, plain, chunkSize);
      });
      const nd = await timed(() => {
        nOut = nodeDecryptMemory(key, id, nSealed);
      });
      if (sha(kOut) !== plainSha || sha(nOut) !== plainSha) throw new Error('Round trip mismatch');
      if (rep >= 0) {
        kav['encrypt in memory'].add(ke);
        kav['decrypt in memory'].add(kd);
        nod['encrypt in memory'].add(ne);
        nod['decrypt in memory'].add(nd);
      }
    }

    const mbps = (s: Samples) => o.sizeMiB / (s.percentile(50) / 1000);
    const rows = ops.map((op) => {
      const k = mbps(kav[op]);
      const n = mbps(nod[op]);
      return [
        op,
        String(kav[op].count),
        k.toFixed(1),
        kav[op].percentile(50).toFixed(0),
        n.toFixed(1),
        nod[op].percentile(50).toFixed(0),
        `${(k / n).toFixed(2)}x`,
      ];
    });
    print();
    print(
      `Kavach attachment benchmark: ${o.sizeMiB} MiB random file, ${o.chunkKiB} KiB chunks, AES-256-GCM, ${o.reps} timed rounds after 1 warm-up (medians)`,
    );
    print(
      `machine: ${cpus().length} x ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, node ${process.version}, ${process.platform}/${process.arch}, files in ${tmpdir()}`,
    );
    print(
      'Kavach = keyed-gcm.ts (@noble/ciphers AES and GHASH); node = node:crypto createCipheriv, same format and I/O; MB = 2^20 bytes',
    );
    print('file rows include reading, writing, fsync and rename; memory rows are the cipher work only');
    print();
    print(
      markdownTable(
        ['operation', 'n', 'Kavach MB/s', 'Kavach ms', 'node MB/s', 'node ms', 'Kavach/node'],
        rows,
      ),
    );
  } finally {
    key.fill(0);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  say(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exit(1);
});
