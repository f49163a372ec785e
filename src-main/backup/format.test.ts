import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BackupError,
  type BackupKey,
  BackupReader,
  BackupWriter,
  deriveBackupKey,
  type KdfParams,
} from './format.js';

const dir = mkdtempSync(join(tmpdir(), 'kavach-bkfmt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CHUNK = 1024;

// argon2id takes ~200 ms a call: derive each (passphrase, salt) once for these tests.
const derived = new Map<string, Promise<BackupKey>>();
function keyFor(passphrase: string, kdf?: KdfParams): Promise<BackupKey> {
  if (!kdf) {
    const fresh = deriveBackupKey(passphrase);
    void fresh.then((k) => derived.set(`${passphrase}|${k.kdf.salt}`, fresh));
    return fresh;
  }
  const id = `${passphrase}|${kdf.salt}`;
  if (!derived.has(id)) derived.set(id, deriveBackupKey(passphrase, kdf));
  return derived.get(id)!;
}
const SHARED = keyFor('a passphrase long enough');

async function write(payload: Uint8Array, passphrase: string): Promise<string> {
  const file = join(dir, `${Math.random().toString(36).slice(2)}.kvbk`);
  const out = await open(file, 'wx');
  const key = passphrase === 'a passphrase long enough' ? await SHARED : await keyFor(passphrase);
  const writer = new BackupWriter(out, key, payload.length, CHUNK);
  // Pieces of odd sizes: chunking must not depend on how the caller splits the stream.
  for (let at = 0; at < payload.length; at += 700) await writer.push(payload.subarray(at, at + 700));
  await writer.finish();
  await out.close();
  return file;
}

async function readAll(file: string, passphrase: string, n: number): Promise<Buffer> {
  // The reader wipes the key it is given: hand it a copy.
  const r = await BackupReader.open(file, async (kdf) => (await keyFor(passphrase, kdf)).key.slice());
  try {
    const out = Buffer.from(await r.read(n));
    await r.end();
    return out;
  } finally {
    await r.close();
  }
}

const reasonOf = (p: Promise<unknown>) =>
  p.then(
    () => 'opened',
    (e: unknown) => (e instanceof BackupError ? e.reason : String(e)),
  );

describe('backup file format', () => {
  it('round-trips payloads of 0, one chunk exactly and several chunks', async () => {
    for (const n of [0, CHUNK, 3 * CHUNK + 17]) {
      const payload = randomBytes(n);
      const file = await write(payload, 'a passphrase long enough');
      expect((await readAll(file, 'a passphrase long enough', n)).equals(payload)).toBe(true);
    }
  });

  it('a cut at a chunk boundary with the header edited to match is refused, as is a swapped chunk', async () => {
    const payload = randomBytes(3 * CHUNK);
    const file = await write(payload, 'a passphrase long enough');
    const bytes = readFileSync(file);
    const headLen = 14 + bytes.readUInt32BE(10);
    const header = JSON.parse(bytes.subarray(14, headLen).toString());
    const shorter = Buffer.from(JSON.stringify({ ...header, payloadBytes: 2 * CHUNK }));
    const prefix = Buffer.from(bytes.subarray(0, 14));
    prefix.writeUInt32BE(shorter.length, 10);
    const cut = Buffer.concat([prefix, shorter, bytes.subarray(headLen, headLen + 2 * (CHUNK + 16))]);
    writeFileSync(file, cut);
    expect(await reasonOf(readAll(file, 'a passphrase long enough', 2 * CHUNK))).toBe('tampered');
    const f = CHUNK + 16;
    const swapped = Buffer.concat([
      bytes.subarray(0, headLen),
      bytes.subarray(headLen + f, headLen + 2 * f),
      bytes.subarray(headLen, headLen + f),
      bytes.subarray(headLen + 2 * f),
    ]);
    writeFileSync(file, swapped);
    expect(await reasonOf(readAll(file, 'a passphrase long enough', 3 * CHUNK))).toBe('tampered');
  });

  it('tells a wrong passphrase, a non-backup and a cut header apart', async () => {
    const file = await write(randomBytes(100), 'a passphrase long enough');
    expect(await reasonOf(readAll(file, 'another passphrase here', 100))).toBe('wrong-passphrase');
    const junk = join(dir, 'junk.kvbk');
    writeFileSync(junk, Buffer.from('%PDF-1.7 not a backup at all'));
    expect(await reasonOf(readAll(junk, 'x', 1))).toBe('not-a-backup');
    writeFileSync(junk, readFileSync(file).subarray(0, 20));
    expect(await reasonOf(readAll(junk, 'x', 1))).toBe('truncated');
  });
});
