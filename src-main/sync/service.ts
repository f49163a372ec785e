import { groupCode } from '../../src-shared/sync-wire.js';
import type { ConflictCopy, EnrollmentCode, SyncDevice, SyncStatus } from '../../src-shared/types.js';
import { DecryptionError } from '../crypto/envelope.js';
import { Failure } from '../ipc/failure.js';
import type { Db } from '../store/db.js';
import type { FieldCodec } from '../store/fields.js';
import type { MetaRepo } from '../store/meta-repo.js';
import type { SyncRepo } from '../store/sync-repo.js';
import { readRingKeys, syncTokenAccount } from '../vault/device-key.js';
import type { SecretStore } from '../vault/secret-store.js';
import { SyncRequestError } from './client.js';
import type { SyncEngine } from './engine.js';
import {
  codeHash,
  ENROLLMENT_TTL_SECONDS,
  enrollmentKey,
  newEnrollmentCode,
  type RingKey,
  unwrapRing,
  wrapRing,
} from './enrollment.js';

export interface SyncServiceDeps {
  engine: SyncEngine;
  repo: SyncRepo;
  db: () => Db;
  meta: MetaRepo;
  codec: () => FieldCodec;
  secrets: SecretStore;
  /**
   * Replaces this empty workstation's key ring with the clinic's (vault/device-key.ts
   * adoptKeyRing) and rebuilds the services that hold keys.
   */
  adoptRing(
    keys: readonly RingKey[],
    alsoInTransaction: () => void,
    extraSecrets: (installId: string) => [string, string][],
  ): Promise<void>;
}

/** Server failures become refusals the screens can show as they are. */
function refusal(e: unknown): never {
  if (e instanceof Failure) throw e;
  if (e instanceof SyncRequestError) {
    if (e.kind === 'code') throw new Failure('VALIDATION', e.message, { code: e.message });
    if (e.kind === 'not-found') throw new Failure('NOT_FOUND', e.message);
    throw new Failure('UNAVAILABLE', e.message);
  }
  throw e;
}

/** Enrollment, joining and device administration: the operations behind the sync channels. */
export class SyncService {
  private busy = false;

  constructor(private readonly d: SyncServiceDeps) {}

  get engine(): SyncEngine {
    return this.d.engine;
  }

  clinicName(): string | null {
    return this.d.repo.get('clinic_name');
  }

  status(): SyncStatus {
    return this.d.engine.status();
  }

  /** The clinic's first workstation redeems the founding code and sends all it holds. */
  async connect(serverUrl: string, code: string, deviceName: string): Promise<SyncStatus> {
    return this.once(async () => {
      if (this.d.engine.configured)
        throw new Failure('CONFLICT', 'This workstation is already connected to a sync server.');
      const installId = this.d.meta.get('install_id');
      if (!installId) throw new Failure('CONFLICT', 'This workstation has no device key yet.');
      const r = await this.d.engine.client(serverUrl, null).enroll(code, deviceName);
      if (r.wrappedKeyRing !== null) {
        throw new Failure(
          'CONFLICT',
          'That code is for adding a workstation to a clinic that already syncs. Use it under "Join an existing clinic" on a new workstation; this one needs the clinic\'s founding code.',
        );
      }
      await this.d.secrets.set(syncTokenAccount(installId), r.deviceToken);
      this.d.db().transaction(() => this.configure(serverUrl, r, deviceName));
      await this.d.engine.begin(r.deviceToken);
      return this.d.engine.status();
    });
  }

  /**
   * A new workstation joins: redeem the code, unwrap the clinic's key ring with the key the
   * code derives, adopt it under a new device key, then pull everything (in the background,
   * resumable: the cursor moves with each applied page).
   */
  async join(
    serverUrl: string,
    code: string,
    deviceName: string,
    isEmpty: () => boolean,
  ): Promise<SyncStatus> {
    return this.once(async () => {
      if (this.d.engine.configured || !isEmpty())
        throw new Failure('SETUP_DONE', 'This workstation is already set up. Log in instead.');
      const r = await this.d.engine.client(serverUrl, null).enroll(code, deviceName);
      if (r.wrappedKeyRing === null) {
        throw new Failure(
          'CONFLICT',
          "That is a clinic's founding code: use it on the clinic's first workstation, under Sync in the admin settings.",
        );
      }
      const key = await enrollmentKey(code, r.clinicId);
      let keys: RingKey[];
      try {
        keys = unwrapRing(key, r.clinicId, r.wrappedKeyRing);
      } catch (e) {
        if (e instanceof DecryptionError)
          throw new Failure(
            'CONFLICT',
            'The clinic keys sent with this code could not be opened. Ask an admin for a new code.',
          );
        throw e;
      } finally {
        key.fill(0);
      }
      try {
        await this.d.adoptRing(
          keys,
          () => {
            this.configure(serverUrl, r, deviceName);
            this.d.repo.set('joining', '1');
          },
          (installId) => [[syncTokenAccount(installId), r.deviceToken]],
        );
      } finally {
        for (const k of keys) k.cdk.fill(0);
      }
      await this.d.engine.begin(r.deviceToken);
      return this.d.engine.status();
    });
  }

  async createEnrollment(): Promise<EnrollmentCode> {
    const clinicId = this.requireConnected();
    const code = newEnrollmentCode();
    const keys = await readRingKeys(this.d.db(), this.d.meta, this.d.secrets);
    const key = await enrollmentKey(code, clinicId);
    let wrapped: string;
    try {
      wrapped = wrapRing(key, clinicId, keys);
    } finally {
      key.fill(0);
      for (const k of keys) k.cdk.fill(0);
    }
    try {
      const created = await this.d.engine
        .client()
        .createEnrollment({
          codeHash: codeHash(code),
          wrappedKeyRing: wrapped,
          ttlSeconds: ENROLLMENT_TTL_SECONDS,
        });
      return { code: groupCode(code), expiresAt: created.expiresAt };
    } catch (e) {
      return refusal(e);
    }
  }

  async devices(): Promise<SyncDevice[]> {
    this.requireConnected();
    try {
      return (await this.d.engine.client().devices()).map((d) => ({ ...d }));
    } catch (e) {
      return refusal(e);
    }
  }

  async revoke(deviceId: string): Promise<SyncDevice[]> {
    this.requireConnected();
    if (deviceId === this.d.engine.deviceId)
      throw new Failure('CONFLICT', 'This is the workstation you are using; revoke it from another one.');
    try {
      await this.d.engine.client().revoke(deviceId);
    } catch (e) {
      refusal(e);
    }
    return this.devices();
  }

  conflicts(rowId: string): ConflictCopy[] {
    const codec = this.d.codec();
    return this.d.repo.conflictCopies(rowId).map((c) => ({
      id: c.id,
      table: c.sourceTable,
      rowId: c.sourceRowId,
      column: c.sourceColumn,
      text: codec.openText('conflict_copies', 'text', c.id, c.text),
      at: c.createdAt,
    }));
  }

  private configure(
    serverUrl: string,
    r: { clinicId: string; clinicName: string; deviceId: string },
    deviceName: string,
  ): void {
    const repo = this.d.repo;
    repo.set('server_url', serverUrl.replace(/\/+$/, ''));
    repo.set('device_id', r.deviceId);
    repo.set('device_name', deviceName);
    repo.set('clinic_id', r.clinicId);
    repo.set('clinic_name', r.clinicName);
    repo.set('cursor', '0');
  }

  private requireConnected(): string {
    const clinicId = this.d.repo.get('clinic_id');
    if (!this.d.engine.configured || !clinicId) {
      throw new Failure(
        'CONFLICT',
        'This workstation is not connected to a sync server yet. Connect it under Sync first.',
      );
    }
    return clinicId;
  }

  /** One enrollment at a time: a second click must not redeem a second code. */
  private async once<T>(work: () => Promise<T>): Promise<T> {
    if (this.busy) throw new Failure('CONFLICT', 'Another connection attempt is in progress.');
    this.busy = true;
    try {
      return await work();
    } catch (e) {
      return refusal(e);
    } finally {
      this.busy = false;
    }
  }
}
