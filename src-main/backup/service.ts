import { eq } from 'drizzle-orm';
import type {
  BackupCheck,
  BackupProgress,
  BackupRun,
  BackupSchedule,
  BackupStatus,
} from '../../src-shared/backup.js';
import { type Db, latestSchemaVersion, type Sqlite } from '../store/db.js';
import { meta } from '../store/schema.js';
import type { SecretStore } from '../vault/secret-store.js';
import { type CreatedBackup, createBackup, pruneBackups } from './create.js';
import { type BackupKey, deriveBackupKey, type KdfParams } from './format.js';
import { checkBackup } from './restore.js';

export const DAY_MS = 24 * 60 * 60_000;
/** How often the timer looks whether the daily backup is due. */
const TICK_MS = 10 * 60_000;

// meta rows (local to this workstation, never synced): a folder path, a count, a flag and
// the last run's time and outcome. No patient data.
const CONFIG_KEY = 'backup_schedule';
const LAST_RUN_KEY = 'backup_last_run';

export interface BackupDeps {
  db: Db;
  sqlite: Sqlite;
  dataDir: string;
  secrets: SecretStore;
  installId: () => string | null;
  /** Every clinic data key version, unwrapped; the service wipes them after use. */
  ringKeys: () => Promise<{ version: number; cdk: Uint8Array }[]>;
  now: () => number;
  log: (line: string) => void;
}

/** A refusal fit to show as it is (bad folder, no passphrase set, a run already going). */
export class BackupRefused extends Error {
  override readonly name = 'BackupRefused';
}

/**
 * Encrypted backups on a running workstation: one-off runs, the daily schedule with
 * keep-last-N pruning, and progress for Admin → Backup to poll. The schedule's key is the
 * passphrase's argon2id output, kept in the OS keychain (never the passphrase itself, never
 * the database), so the daily run needs nobody at the keyboard.
 */
export class BackupService {
  private progress: BackupProgress | null = null;
  private running = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly d: BackupDeps) {}

  private readMeta<T>(key: string): T | null {
    const v = this.d.db.select().from(meta).where(eq(meta.key, key)).get()?.value;
    return v ? (JSON.parse(v) as T) : null;
  }

  private writeMeta(key: string, value: unknown): void {
    const text = JSON.stringify(value);
    this.d.db
      .insert(meta)
      .values({ key, value: text })
      .onConflictDoUpdate({ target: meta.key, set: { value: text } })
      .run();
  }

  private keyAccount(): string {
    const id = this.d.installId();
    if (!id) throw new BackupRefused('This workstation is not set up yet.');
    return `backup-key:${id}`;
  }

  private async storedKey(): Promise<BackupKey | null> {
    const raw = await this.d.secrets.get(this.keyAccount());
    if (!raw) return null;
    const v = JSON.parse(raw) as { kdf: KdfParams; key: string };
    return { kdf: v.kdf, key: new Uint8Array(Buffer.from(v.key, 'base64')) };
  }

  async status(): Promise<BackupStatus> {
    const schedule = this.readMeta<BackupSchedule>(CONFIG_KEY);
    const lastRun = this.readMeta<BackupRun>(LAST_RUN_KEY);
    const passphraseSet = (await this.d.secrets.get(this.keyAccount()).catch(() => null)) !== null;
    return {
      schedule,
      passphraseSet,
      running: this.running,
      progress: this.progress,
      lastRun,
      nextDueAt: this.nextDueAt(schedule, passphraseSet),
    };
  }

  private nextDueAt(schedule: BackupSchedule | null, passphraseSet: boolean): number | null {
    if (!schedule?.enabled || !passphraseSet) return null;
    const last = this.readMeta<{ at: number }>('backup_last_ok');
    return last ? last.at + DAY_MS : this.d.now();
  }

  async configure(schedule: BackupSchedule, passphrase: string | null): Promise<BackupStatus> {
    if (passphrase !== null) {
      const key = await deriveBackupKey(passphrase);
      await this.d.secrets.set(
        this.keyAccount(),
        JSON.stringify({ kdf: key.kdf, key: Buffer.from(key.key).toString('base64') }),
      );
      key.key.fill(0);
    } else if (!(await this.storedKey())) {
      throw new BackupRefused('Choose a backup passphrase: none is set on this workstation yet.');
    }
    this.writeMeta(CONFIG_KEY, schedule);
    return this.status();
  }

  /** One backup: into `folder` with `passphrase`, or else the schedule's folder and stored key. */
  async run(target?: { folder: string; passphrase: string }): Promise<CreatedBackup> {
    if (this.running) throw new BackupRefused('A backup is already running; wait for it to finish.');
    this.running = true;
    this.progress = { phase: 'snapshot', done: 0, total: 1 };
    const at = this.d.now();
    let key: BackupKey | null = null;
    let ring: { version: number; cdk: Uint8Array }[] = [];
    try {
      const schedule = this.readMeta<BackupSchedule>(CONFIG_KEY);
      const folder = target?.folder ?? schedule?.folder;
      if (!folder) throw new BackupRefused('No backup folder is configured.');
      key = target ? await deriveBackupKey(target.passphrase) : await this.storedKey();
      if (!key) throw new BackupRefused('No backup passphrase is set on this workstation.');
      ring = await this.d.ringKeys();
      const created = await createBackup({
        sqlite: this.d.sqlite,
        dataDir: this.d.dataDir,
        ring,
        key,
        folder,
        schemaVersion: latestSchemaVersion(),
        now: this.d.now,
        onProgress: (p) => {
          this.progress = p;
        },
      });
      if (!target && schedule) await pruneBackups(folder, schedule.keep);
      this.writeMeta(LAST_RUN_KEY, {
        at,
        ok: true,
        name: created.name,
        bytes: created.bytes,
        message: 'Backup written and checked.',
      } satisfies BackupRun);
      if (!target) this.writeMeta('backup_last_ok', { at });
      return created;
    } catch (e) {
      const message =
        e instanceof BackupRefused
          ? e.message
          : 'The backup failed; nothing was kept. Check the folder is writable and has space.';
      this.writeMeta(LAST_RUN_KEY, { at, ok: false, name: null, bytes: null, message } satisfies BackupRun);
      this.d.log(`backup failed: ${e instanceof Error ? e.name : 'error'}`);
      throw e;
    } finally {
      key?.key.fill(0);
      for (const k of ring) k.cdk.fill(0);
      this.running = false;
    }
  }

  async check(file: string, passphrase: string): Promise<BackupCheck> {
    return checkBackup(file, passphrase);
  }

  /** The scheduled job: runs a backup when one is due. Tests call it directly. */
  async runIfDue(): Promise<CreatedBackup | null> {
    const s = await this.status();
    if (s.running || s.nextDueAt === null || s.nextDueAt > this.d.now()) return null;
    return this.run();
  }

  /** The real-clock timer in main; unref'd so it never keeps a process alive. */
  startTimer(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.runIfDue().catch(() => {
        /* recorded as the last run */
      });
    }, TICK_MS);
    this.timer.unref();
  }

  stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
