import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import type { BackupProgress } from '../../src-shared/backup.js';
import { type BackupKey, BackupWriter, section } from './format.js';

/** What the encrypted payload says about itself; checked field by field on restore. */
export interface BackupManifest {
  kind: 'kavach-backup';
  createdAt: number;
  schemaVersion: number;
  /** Rows per table of the snapshot (sqlite_% and migration bookkeeping included as they are). */
  counts: Record<string, number>;
  database: { bytes: number; sha256: string };
  attachments: { id: string; bytes: number; sha256: string }[];
}

export interface RingKeys {
  keys: { version: number; cdk: string }[];
}

export const ATTACHMENT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const BACKUP_NAME = /^kavach-backup-\d{8}-\d{6}(-\d+)?\.kvbk$/;

export function backupFileName(at: number): string {
  const iso = new Date(at).toISOString(); // 2026-11-21T09:18:08.123Z
  return `kavach-backup-${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}.kvbk`;
}

export function tableCounts(sqlite: BetterSqlite3.Database): Record<string, number> {
  const tables = sqlite
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .pluck()
    .all() as string[];
  const counts: Record<string, number> = {};
  for (const t of tables) {
    // Names come from sqlite_master of our own file, quoted as identifiers.
    counts[t] = sqlite
      .prepare(`SELECT count(*) FROM "${t.replaceAll('"', '""')}"`)
      .pluck()
      .get() as number;
  }
  return counts;
}

export async function sha256File(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const piece of createReadStream(path)) {
    hash.update(piece as Buffer);
    bytes += (piece as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

async function pipeFile(path: string, writer: BackupWriter, onBytes: (n: number) => void): Promise<void> {
  for await (const piece of createReadStream(path, { highWaterMark: 1024 * 1024 })) {
    await writer.push(piece as Buffer);
    onBytes((piece as Buffer).length);
  }
}

export interface CreateBackupInput {
  sqlite: BetterSqlite3.Database;
  dataDir: string;
  /** Every clinic data key version (the caller wipes them). */
  ring: { version: number; cdk: Uint8Array }[];
  key: BackupKey;
  folder: string;
  schemaVersion: number;
  now: () => number;
  onProgress?: (p: BackupProgress) => void;
}

export interface CreatedBackup {
  file: string;
  name: string;
  bytes: number;
  manifest: BackupManifest;
}

/**
 * Writes one encrypted backup into `folder`: a consistent snapshot through SQLite's online
 * backup API (the app keeps running), then the attachment files, all through BackupWriter.
 * The snapshot sits briefly in the data folder (same protection as the live database) and is
 * removed afterwards; the backup is written as `.part`, fsynced and renamed.
 */
export async function createBackup(input: CreateBackupInput): Promise<CreatedBackup> {
  const progress = (p: BackupProgress) => input.onProgress?.(p);
  const at = input.now();
  await mkdir(input.folder, { recursive: true, mode: 0o700 });
  const workDir = join(input.dataDir, 'backup-work');
  await mkdir(workDir, { recursive: true, mode: 0o700 });
  const snapshot = join(workDir, `snapshot-${process.pid}-${at}.db`);
  let name = backupFileName(at);
  for (let i = 2; await exists(join(input.folder, name)); i++)
    name = backupFileName(at).replace('.kvbk', `-${i}.kvbk`);
  const file = join(input.folder, name);
  const part = `${file}.part`;
  try {
    progress({ phase: 'snapshot', done: 0, total: 1 });
    await input.sqlite.backup(snapshot);
    const Driver = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
    const snap = new Driver(snapshot, { readonly: true });
    let counts: Record<string, number>;
    try {
      counts = tableCounts(snap);
    } finally {
      snap.close();
    }
    const database = await sha256File(snapshot);
    // Files are written before their rows, so every attachment the snapshot names is here.
    const attachmentDir = join(input.dataDir, 'attachments');
    const names = (await readdir(attachmentDir).catch(() => [] as string[]))
      .filter((n) => n.endsWith('.kva'))
      .sort();
    const attachments: BackupManifest['attachments'] = [];
    for (const n of names) {
      const id = n.slice(0, -4);
      if (!ATTACHMENT_ID.test(id)) continue;
      attachments.push({ id, ...(await sha256File(join(attachmentDir, n))) });
    }
    const manifest: BackupManifest = {
      kind: 'kavach-backup',
      createdAt: at,
      schemaVersion: input.schemaVersion,
      counts,
      database,
      attachments,
    };
    const total = database.bytes + attachments.reduce((s, a) => s + a.bytes, 0);
    let done = 0;
    const onBytes = (n: number) => {
      done += n;
      progress({ phase: 'writing', done, total });
    };
    await rm(part, { force: true });
    const out = await open(part, 'wx', 0o600);
    const head = section(manifest);
    const ring = section({
      keys: input.ring.map((k) => ({ version: k.version, cdk: Buffer.from(k.cdk).toString('base64') })),
    } satisfies RingKeys);
    try {
      const writer = new BackupWriter(out, input.key, head.length + ring.length + total);
      await writer.push(head);
      await writer.push(ring);
      await pipeFile(snapshot, writer, onBytes);
      for (const a of attachments) await pipeFile(join(attachmentDir, `${a.id}.kva`), writer, onBytes);
      await writer.finish();
      await out.sync();
    } finally {
      ring.fill(0);
      await out.close();
    }
    // An attachment replaced while it was being read would not match its digest: refuse.
    for (const a of attachments) {
      if ((await sha256File(join(attachmentDir, `${a.id}.kva`))).sha256 !== a.sha256) {
        throw new Error('An attachment changed while it was being backed up; run the backup again.');
      }
    }
    await rename(part, file);
    const bytes = (await stat(file)).size;
    progress({ phase: 'done', done: total, total });
    return { file, name, bytes, manifest };
  } catch (e) {
    await rm(part, { force: true });
    throw e;
  } finally {
    await rm(snapshot, { force: true });
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Keeps the newest `keep` backups in `folder` (by their timestamped names); returns the removed names. */
export async function pruneBackups(folder: string, keep: number): Promise<string[]> {
  const names = (await readdir(folder)).filter((n) => BACKUP_NAME.test(n)).sort();
  const remove = names.slice(0, Math.max(0, names.length - keep));
  for (const n of remove) await rm(join(folder, n), { force: true });
  return remove;
}
