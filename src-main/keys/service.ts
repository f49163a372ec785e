import type { KeyStatus } from '../../src-shared/contract.js';
import { passwordProblem } from '../auth/passwords.js';
import type { FieldPlace } from '../crypto/envelope.js';
import type { KeyRing } from '../crypto/keyring.js';
import { Failure } from '../ipc/failure.js';
import type { ChangeCapture } from '../store/change-capture.js';
import type { Db } from '../store/db.js';
import type { FieldCodec } from '../store/fields.js';
import type { MetaRepo } from '../store/meta-repo.js';
import { readRingKeys, storeNextVersion, storeReceivedVersion } from '../vault/device-key.js';
import type { SecretStore } from '../vault/secret-store.js';
import { KeyWrapsRepo, openWraps, recordWrap } from './distribution.js';
import { KeysRepo } from './keys-repo.js';
import { sealKit } from './recovery-kit.js';
import { initialState, RotationJob, type RotationState } from './rotation.js';

export interface KeyServiceDeps {
  db: Db;
  meta: MetaRepo;
  secrets: SecretStore;
  ring: () => KeyRing;
  attachmentsDir: string;
  now: () => number;
  log: (line: string) => void;
  clinicName: () => string | null;
  /** Connected to a sync server: a rotation is carried to the other workstations (README). */
  syncConnected: () => boolean;
  /** Before a rotation on a syncing clinic: one full pass; a message when it did not reach the server. */
  syncBeforeRotation: () => Promise<string | null>;
  /** The clinic id the sync server gave (bound into every key wrap). */
  clinicId: () => string | null;
  codec: () => FieldCodec;
  capture: () => ChangeCapture;
  /** A received key wrap that does not open, or names a held version under another key. */
  wrapRefused(version: number, reason: string): void;
  patientsWithIndexKey(key: Uint8Array): { reindex(id: string, opened?: ReadonlyMap<string, string>): void };
  indexRekeyed(): void;
  unreadable(place: FieldPlace | null, reason: string): void;
}

export const PASSPHRASE_RULES =
  'At least 16 characters (a few words), no control characters, not containing your username, not a common password.';

/** Stricter than a login password: the kit is attacked offline and guards every record. */
export function passphraseProblem(passphrase: string, username: string): string | null {
  if (/[\p{Cc}\p{Cf}]/u.test(passphrase)) return 'Use letters, digits, spaces and punctuation only';
  if ([...passphrase].length < 16) return 'Use at least 16 characters: a few words work well';
  return passwordProblem(passphrase, username);
}

/** Rows per batch (one transaction each); KAVACH_KEY_ROTATION_BATCH lowers it for journeys. */
const DEFAULT_BATCH = 500;
const RETRY_MS = 5_000;

function envNumber(name: string, fallback: number): number {
  const n = Number(process.env[name]);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

/**
 * Key rotation and the recovery kit, for the keys.* channels and the ops CLI. The rotation
 * job runs in main between calls: one batch per macrotask (setImmediate), so a batch never
 * holds up more than one transaction's worth of other work.
 */
export class KeyService {
  private readonly repo: KeysRepo;
  private readonly job: RotationJob;
  private timer: { cancel(): void } | null = null;
  private stopped = false;
  private starting = false;

  constructor(private readonly d: KeyServiceDeps) {
    this.repo = new KeysRepo(d.db);
    this.job = new RotationJob({
      db: d.db,
      repo: this.repo,
      ring: d.ring,
      attachmentsDir: d.attachmentsDir,
      now: d.now,
      batchSize: () => envNumber('KAVACH_KEY_ROTATION_BATCH', DEFAULT_BATCH),
      patientsWithIndexKey: d.patientsWithIndexKey,
      indexRekeyed: d.indexRekeyed,
      unreadable: d.unreadable,
      keepOldVersions: d.syncConnected,
    });
    this.wraps = new KeyWrapsRepo(d.db);
  }

  private readonly wraps: KeyWrapsRepo;
  /** Wraps of versions held here that were compared with the ring once already. */
  private readonly checkedWraps = new Set<string>();

  get running(): boolean {
    return this.timer !== null;
  }

  status(): KeyStatus {
    const ring = this.d.ring();
    const s = this.repo.rotationState<RotationState>();
    const tables = s ? progressRows(s) : [];
    return {
      versions: this.repo
        .ringRows()
        .map((r) => ({ version: r.version, status: r.status, createdAt: r.createdAt })),
      active: ring.activeVersion,
      recoveryKitExportedAt: this.repo.kitExportedAt(),
      syncConnected: this.d.syncConnected(),
      rotation: s && {
        to: s.to,
        from: s.from,
        phase: s.phase,
        running: this.running,
        startedAt: s.startedAt,
        finishedAt: s.finishedAt,
        pass: s.pass,
        tables,
        done: tables.reduce((n, t) => n + t.done, 0),
        total: tables.reduce((n, t) => n + t.total, 0),
        resealed: s.resealed,
        unreadable: s.unreadable,
        message: s.message,
      },
    };
  }

  /**
   * A new clinic data key version, active for new writes at once, and the background job that
   * re-encrypts everything stored under older versions.
   *
   * On a syncing clinic it first syncs (so it starts from the clinic's newest version and
   * refuses when the server cannot be reached), then writes the key wrap that carries the new
   * version to the other workstations in the same transaction as the version itself.
   */
  async rotate(): Promise<KeyStatus> {
    const syncing = this.d.syncConnected();
    if (syncing) {
      if (this.starting) throw new Failure('CONFLICT', 'A key rotation is already running.');
      const problem = await this.d.syncBeforeRotation();
      if (problem) {
        throw new Failure(
          'CONFLICT',
          `Key rotation on a syncing clinic starts from the clinic's newest key, so this workstation must reach the clinic server first: ${problem}`,
        );
      }
    }
    const clinicId = syncing ? this.d.clinicId() : null;
    if (syncing && !clinicId)
      throw new Failure('CONFLICT', 'This workstation has not finished connecting to the clinic server.');
    const current = this.repo.rotationState<RotationState>();
    if (this.starting || (current && current.phase !== 'done')) {
      throw new Failure(
        'CONFLICT',
        current?.phase === 'stuck'
          ? `The last rotation could not finish: ${current.message ?? ''}`
          : 'A key rotation is already running.',
      );
    }
    this.starting = true;
    try {
      const ring = this.d.ring();
      const from = ring.versionList;
      const indexVersion = ring.pinnedIndexVersion ?? ring.activeVersion;
      // The index keeps its key until the job rebuilds it under the new version.
      ring.pinIndexVersion(indexVersion);
      await storeNextVersion(this.d.db, this.d.meta, this.d.secrets, ring, this.d.now, (to, cdk) => {
        this.repo.setIndexVersion(indexVersion);
        this.repo.saveRotationState(initialState(to, from, this.repo, this.d.now()));
        if (clinicId) {
          const { codec, capture } = { codec: this.d.codec(), capture: this.d.capture() };
          recordWrap(
            { db: this.d.db, ring, codec, capture, clinicId, now: this.d.now },
            { version: to, cdk },
          );
        }
      });
    } finally {
      this.starting = false;
    }
    this.d.log('key rotation started');
    this.schedule();
    return this.status();
  }

  /**
   * After a pulled page: key versions another workstation made, opened from their wraps and
   * added to this ring (wrapped under this device key). The newest becomes active for new
   * writes here too, and this workstation's own re-encryption job starts (or restarts) towards
   * it. True when a version was added: changes waiting for it can be applied now.
   */
  async adoptReceived(): Promise<boolean> {
    const clinicId = this.d.clinicId();
    if (!clinicId || this.starting) return false;
    let adopted = false;
    this.starting = true;
    try {
      for (;;) {
        const ring = this.d.ring();
        // Each wrap is settled once: opened (or compared, for a version held here) or refused.
        const rows = this.wraps.all().filter((r) => !this.checkedWraps.has(r.id));
        if (rows.length === 0) break;
        let progress = false;
        for (const opened of openWraps(rows, ring, this.d.codec(), clinicId)) {
          if (opened.kind === 'failed') {
            this.checkedWraps.add(opened.id);
            this.d.wrapRefused(opened.version, opened.reason);
          } else if (opened.kind === 'key') {
            progress = (await this.storeReceived(ring, opened.version, opened.cdk)) || progress;
          }
        }
        for (const r of rows) if (ring.has(r.version)) this.checkedWraps.add(r.id);
        if (!progress) break;
        adopted = true;
      }
    } finally {
      this.starting = false;
    }
    if (adopted) {
      this.d.log(`key version ${this.d.ring().activeVersion} received; re-encryption started`);
      this.schedule();
    }
    return adopted;
  }

  private async storeReceived(ring: KeyRing, version: number, cdk: Uint8Array): Promise<boolean> {
    const newest = version > Math.max(0, ...ring.versionList);
    const from = ring.versionList;
    const indexVersion = ring.pinnedIndexVersion ?? ring.activeVersion;
    // The index keeps its key until this workstation's job rebuilds it under the new version.
    if (newest) ring.pinIndexVersion(indexVersion);
    try {
      return await storeReceivedVersion(
        this.d.db,
        this.d.meta,
        this.d.secrets,
        ring,
        this.d.now,
        { version, cdk },
        () => {
          if (!newest) return;
          // A job still running towards an older version restarts towards this one; tokens it
          // had built under the older key are dropped and built again.
          this.repo.dropRekeyTokens();
          this.repo.setIndexVersion(indexVersion);
          this.repo.saveRotationState(initialState(version, from, this.repo, this.d.now()));
        },
      );
    } catch (e) {
      cdk.fill(0);
      throw e;
    }
  }

  /** At start-up: finishes a rotation a crash or shutdown interrupted. */
  resume(): void {
    const s = this.repo.rotationState<RotationState>();
    if (!s || s.phase === 'done' || s.phase === 'stuck') return;
    this.job.recoverFiles();
    this.d.log('key rotation resumed');
    this.schedule();
  }

  /** Runs the whole job now, without yielding (the ops CLI and tests). */
  runToEnd(): void {
    this.job.recoverFiles();
    while (this.job.step()) {}
  }

  /** One step; false when there is nothing left (the kill test drives the job this way). */
  step(): boolean {
    return this.job.step();
  }

  /** Envelopes and attachment files that do not name the active version. */
  remainingOld(): number {
    return this.job.remaining(this.d.ring().activeVersion);
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = null;
  }

  private schedule(): void {
    if (this.timer || this.stopped) return;
    const pause = envNumber('KAVACH_KEY_ROTATION_PAUSE_MS', 0);
    const later = (fn: () => void, ms: number) => {
      if (ms > 0) {
        const t = setTimeout(fn, ms);
        this.timer = { cancel: () => clearTimeout(t) };
      } else {
        const t = setImmediate(fn);
        this.timer = { cancel: () => clearImmediate(t) };
      }
    };
    const run = () => {
      this.timer = null;
      if (this.stopped) return;
      let more: boolean;
      try {
        more = this.job.step();
      } catch (e) {
        // Names only: a message could quote a value. The batch rolled back; try again later.
        this.d.log(`key rotation step failed (${(e as Error).name}); retrying`);
        later(run, RETRY_MS);
        return;
      }
      if (more) later(run, pause);
      else this.d.log(`key rotation ${this.repo.rotationState<RotationState>()?.phase ?? 'ended'}`);
    };
    later(run, pause);
  }

  /** The recovery kit for this clinic, as the bytes of its file. */
  async exportKit(
    passphrase: string,
    username: string,
  ): Promise<{ fileName: string; base64: string; versions: number[] }> {
    const problem = passphraseProblem(passphrase, username);
    if (problem) throw new Failure('VALIDATION', problem, { passphrase: problem });
    const keys = await readRingKeys(this.d.db, this.d.meta, this.d.secrets);
    const at = this.d.now();
    let file: Buffer;
    try {
      file = await sealKit(passphrase, keys, this.d.clinicName(), at);
    } finally {
      for (const k of keys) k.cdk.fill(0);
    }
    this.repo.recordKitExport(at);
    return {
      fileName: `kavach-recovery-kit-${new Date(at).toISOString().slice(0, 10)}.json`,
      base64: file.toString('base64'),
      versions: keys.map((k) => k.version),
    };
  }
}

/** Rows walked per table, then the search index (patients re-indexed under the new key). */
function progressRows(s: RotationState): { name: string; done: number; total: number }[] {
  const rows = s.targets.map((t) => ({ name: t.name, done: Math.min(t.done, t.total), total: t.total }));
  const patients = s.targets.find((t) => t.name === 'patients')?.total ?? 0;
  const indexed = s.phase === 'retire' || s.phase === 'done';
  const total = s.index?.total ?? patients;
  rows.push({ name: 'search index', done: indexed ? total : Math.min(s.index?.done ?? 0, total), total });
  return rows;
}

const services = new WeakMap<object, KeyService>();

/** core.ts registers each core's service so the ops CLI can reach it from the Core alone. */
export function registerKeyService(core: object, service: KeyService): void {
  services.set(core, service);
}

function serviceOf(core: object): KeyService {
  const s = services.get(core);
  if (!s) throw new Error('This core has no key service');
  return s;
}

/** Ops CLI: starts a rotation (the job runs in the background of this process). */
export function startRotation(core: object): Promise<KeyStatus> {
  return serviceOf(core).rotate();
}

export function rotationStatus(core: object): KeyStatus {
  return serviceOf(core).status();
}

/** Ops CLI: the recovery kit file's bytes. `username` is checked against the passphrase. */
export async function exportRecoveryKit(core: object, passphrase: string, username = ''): Promise<Buffer> {
  const kit = await serviceOf(core).exportKit(passphrase, username);
  return Buffer.from(kit.base64, 'base64');
}

export { restoreRecoveryKit } from './restore.js';

/** The key service behind a core (tests and the ops CLI). */
export function keyServiceOf(core: object): KeyService {
  return serviceOf(core);
}
