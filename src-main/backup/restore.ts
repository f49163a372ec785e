import { createHash, randomUUID } from 'node:crypto';
import { type FileHandle, mkdir, mkdtemp, open, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { asc } from 'drizzle-orm';
import type { BackupCheck } from '../../src-shared/backup.js';
import { generateDeviceKey, KeyRing, wrapCdk } from '../crypto/keyring.js';
import { AuditRepo } from '../store/audit-repo.js';
import { DB_FILE, latestSchemaVersion, openStore } from '../store/db.js';
import { PATIENT_FIELDS } from '../store/patients-repo.js';
import { keyRing, meta, users } from '../store/schema.js';
import type { SecretStore } from '../vault/secret-store.js';
import { ATTACHMENT_ID, type BackupManifest, type RingKeys, tableCounts } from './create.js';
import { BackupError, BackupReader, deriveBackupKey } from './format.js';

/** Refusals that are about the target or the restored content rather than the file's bytes. */
export class RestoreError extends Error {
  override readonly name = 'RestoreError';
  constructor(
    readonly reason: 'target-not-empty' | 'verification-failed' | 'schema-too-new',
    message: string,
  ) {
    super(message);
  }
}

const MAX_MANIFEST = 8 * 1024 * 1024;
const MAX_RING = 64 * 1024;
const SAMPLE = 25;

function checkManifest(m: BackupManifest): void {
  const ok =
    m?.kind === 'kavach-backup' &&
    Number.isInteger(m.schemaVersion) &&
    typeof m.counts === 'object' &&
    Number.isSafeInteger(m.database?.bytes) &&
    /^[0-9a-f]{64}$/.test(m.database?.sha256 ?? '') &&
    Array.isArray(m.attachments) &&
    m.attachments.every(
      (a) => ATTACHMENT_ID.test(a.id) && Number.isSafeInteger(a.bytes) && /^[0-9a-f]{64}$/.test(a.sha256),
    );
  if (!ok) throw new BackupError('tampered', 'the manifest is not valid');
}

/**
 * Reads a whole backup, calling `sinks` for the database and each attachment and checking
 * every digest against the manifest, the passphrase before anything else and the stream's
 * sealed end last. Any failure throws BackupError; the caller discards what the sinks got.
 */
async function readBackup(
  file: string,
  passphrase: string,
  sinks?: {
    ring(keys: RingKeys): void;
    database(piece: Uint8Array): Promise<void>;
    attachment(id: string, piece: Uint8Array): Promise<void>;
  },
): Promise<BackupManifest> {
  const reader = await BackupReader.open(file, async (kdf) => (await deriveBackupKey(passphrase, kdf)).key);
  try {
    const manifest = await reader.readSection<BackupManifest>(MAX_MANIFEST);
    checkManifest(manifest);
    const ring = await reader.readSection<RingKeys>(MAX_RING);
    if (!Array.isArray(ring?.keys) || ring.keys.length === 0)
      throw new BackupError('tampered', 'no key ring');
    sinks?.ring(ring);
    for (const k of ring.keys) k.cdk = '';
    const dbHash = createHash('sha256');
    await reader.readInto(manifest.database.bytes, async (p) => {
      dbHash.update(p);
      await sinks?.database(p);
    });
    if (dbHash.digest('hex') !== manifest.database.sha256)
      throw new BackupError('tampered', 'database digest');
    for (const a of manifest.attachments) {
      const h = createHash('sha256');
      await reader.readInto(a.bytes, async (p) => {
        h.update(p);
        await sinks?.attachment(a.id, p);
      });
      if (h.digest('hex') !== a.sha256) throw new BackupError('tampered', 'attachment digest');
    }
    await reader.end();
    return manifest;
  } finally {
    await reader.close();
  }
}

/** Decrypts and checks a backup without writing anything (Admin → Backup "Check a file"). */
export async function checkBackup(file: string, passphrase: string): Promise<BackupCheck> {
  const m = await readBackup(file, passphrase);
  return {
    name: basename(file),
    createdAt: m.createdAt,
    schemaVersion: m.schemaVersion,
    tables: Object.keys(m.counts).length,
    rows: Object.values(m.counts).reduce((s, n) => s + n, 0),
    attachments: m.attachments.length,
  };
}

export interface RestoreInput {
  file: string;
  passphrase: string;
  /** The new data directory: must not exist, or be empty. */
  target: string;
  /** This machine's keychain: the clinic key ring is re-wrapped under a new device key there. */
  secrets: SecretStore;
  now: () => number;
}

export interface RestoreResult {
  manifest: BackupManifest;
  patientsChecked: number;
  auditEvents: number;
}

async function assertEmptyTarget(target: string): Promise<void> {
  const info = await stat(target).catch(() => null);
  if (!info) return;
  if (!info.isDirectory() || (await readdir(target)).length > 0) {
    throw new RestoreError(
      'target-not-empty',
      'The restore target must be a new or empty folder; it already holds files, and nothing was changed.',
    );
  }
}

/**
 * Restores a backup into a new data directory: decrypts into a temporary sibling folder,
 * checks digests and counts, re-wraps the clinic key ring under a new device key in this
 * machine's keychain, verifies the audit chain and decrypts a sample of patient and staff
 * fields, then renames the folder into place. On any failure the temporary folder and the
 * new keychain entry are removed and the target is left as it was.
 */
export async function restoreBackup(input: RestoreInput): Promise<RestoreResult> {
  const target = resolve(input.target);
  await assertEmptyTarget(target);
  const parent = dirname(target);
  await mkdir(parent, { recursive: true, mode: 0o700 });
  let work: string | null = null;
  let newAccount: string | null = null;
  const ringKeys: { version: number; cdk: Uint8Array }[] = [];
  try {
    // The passphrase is checked (inside readBackup) before the temporary folder exists.
    const out: { db: FileHandle | null } = { db: null };
    const attachmentOut = new Map<string, FileHandle>();
    const ensureWork = async () => {
      work ??= await mkdtemp(join(parent, `.${basename(target)}.restore-`));
      return work;
    };
    let manifest: BackupManifest;
    try {
      manifest = await readBackup(input.file, input.passphrase, {
        ring(r) {
          for (const k of r.keys)
            ringKeys.push({ version: k.version, cdk: new Uint8Array(Buffer.from(k.cdk, 'base64')) });
        },
        async database(p) {
          out.db ??= await open(join(await ensureWork(), DB_FILE), 'wx', 0o600);
          await out.db.write(p);
        },
        async attachment(id, p) {
          let h = attachmentOut.get(id);
          if (!h) {
            const dir = join(await ensureWork(), 'attachments');
            await mkdir(dir, { recursive: true, mode: 0o700 });
            h = await open(join(dir, `${id}.kva`), 'wx', 0o600);
            attachmentOut.set(id, h);
          }
          await h.write(p);
        },
      });
    } finally {
      for (const h of [out.db, ...attachmentOut.values()]) {
        if (!h) continue;
        await h.sync().catch(() => {});
        await h.close();
      }
    }
    const dir = await ensureWork();
    if (manifest.schemaVersion > latestSchemaVersion()) {
      throw new RestoreError(
        'schema-too-new',
        `This backup was made by a newer version of Kavach (schema ${manifest.schemaVersion}); install it to restore. Nothing was changed.`,
      );
    }
    const store = openStore(dir, input.now);
    try {
      // Counts before migrations could add rows: the snapshot exactly as it was backed up.
      // (openStore migrates an older backup forward; for the current schema this is a no-op.)
      if (manifest.schemaVersion === latestSchemaVersion()) {
        const counts = tableCounts(store.sqlite);
        for (const [table, n] of Object.entries(manifest.counts)) {
          if (counts[table] !== n)
            throw new RestoreError(
              'verification-failed',
              `Table ${table} holds ${counts[table] ?? 0} rows, the manifest says ${n}.`,
            );
        }
      }
      const audit = new AuditRepo(store.db, input.now);
      const chain = audit.verify();
      if (!chain.ok)
        throw new RestoreError(
          'verification-failed',
          'The restored audit trail’s hash chain does not verify.',
        );
      const ring = new KeyRing();
      for (const k of ringKeys) ring.add(k.version, k.cdk.slice());
      let checked = 0;
      try {
        const stored = store.db.select().from(keyRing).orderBy(asc(keyRing.version)).all();
        if (stored.length !== ringKeys.length)
          throw new RestoreError(
            'verification-failed',
            'The key ring in the backup does not match the database.',
          );
        const sample = store.sqlite
          .prepare(`SELECT * FROM patients ORDER BY random() LIMIT ${SAMPLE}`)
          .all() as Record<string, unknown>[];
        for (const row of sample) {
          for (const [, column] of PATIENT_FIELDS) {
            const value = ring.openField(
              { table: 'patients', column, rowId: String(row.id) },
              row[column] as Uint8Array,
            );
            value.fill(0);
          }
          checked += 1;
        }
        for (const u of store.db
          .select({ id: users.id, d: users.displayName })
          .from(users)
          .limit(SAMPLE)
          .all()) {
          ring.openField({ table: 'users', column: 'display_name', rowId: u.id }, u.d).fill(0);
        }
      } catch (e) {
        if (e instanceof RestoreError) throw e;
        throw new RestoreError(
          'verification-failed',
          'A sample of restored fields did not decrypt with the backup’s keys.',
        );
      } finally {
        ring.wipe();
      }
      // Re-wrap the ring under a new device key for this machine, under a new install id so
      // the source workstation's keychain entries are never touched (it may still be in use).
      const installId = randomUUID();
      const deviceKey = generateDeviceKey();
      newAccount = `device-key:${installId}`;
      await input.secrets.set(newAccount, Buffer.from(deviceKey).toString('base64'));
      const newest = Math.max(...ringKeys.map((k) => k.version));
      store.db.transaction((tx) => {
        tx.delete(keyRing).run();
        for (const k of ringKeys) {
          tx.insert(keyRing)
            .values({
              version: k.version,
              wrappedCdk: Buffer.from(wrapCdk(deviceKey, k.version, k.cdk)),
              createdAt: input.now(),
              status: k.version === newest ? 'active' : 'retired',
            })
            .run();
        }
        tx.insert(meta)
          .values({ key: 'install_id', value: installId })
          .onConflictDoUpdate({ target: meta.key, set: { value: installId } })
          .run();
        audit.append({
          actorUserId: null,
          actorRole: null,
          action: 'backup.restore',
          outcome: 'ok',
          detail: {
            createdAt: manifest.createdAt,
            patientsChecked: checked,
            attachments: manifest.attachments.length,
          },
        });
      });
      deviceKey.fill(0);
      const result: RestoreResult = { manifest, patientsChecked: checked, auditEvents: chain.checked + 1 };
      store.sqlite.pragma('wal_checkpoint(TRUNCATE)');
      store.sqlite.close();
      const existing = await stat(target).catch(() => null);
      if (existing) await rmdir(target); // empty, checked above
      await rename(dir, target);
      work = null;
      newAccount = null;
      return result;
    } finally {
      if (store.sqlite.open) store.sqlite.close();
    }
  } finally {
    for (const k of ringKeys) k.cdk.fill(0);
    if (work) await rm(work, { recursive: true, force: true });
    if (newAccount) await input.secrets.delete(newAccount).catch(() => false);
  }
}
