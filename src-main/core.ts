import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { HybridClock } from '../src-shared/hlc.js';
import { todayIso } from '../src-shared/patient.js';
import { adminHandlers } from './admin/handlers.js';
import { appointmentHandlers } from './appointments/handlers.js';
import { attachmentHandlers } from './attachments/handlers.js';
import { billingHandlers } from './billing/handlers.js';
import { BillingRepo } from './billing/repo.js';
import { AttachmentStore } from './attachments/store.js';
import { authHandlers } from './auth/handlers.js';
import { secondFactorHandlers } from './auth/second-factor.js';
import { Session } from './auth/session.js';
import { backupHandlers } from './backup/handlers.js';
import { BackupService } from './backup/service.js';
import { type Clock, type Connection, type Core, type CoreOptions, systemClock } from './core-types.js';
import type { KeyRing } from './crypto/keyring.js';
import { doctorHandlers } from './doctor/handlers.js';
import type { Handlers, Services } from './ipc/handler-types.js';
import { Router } from './ipc/router.js';
import { keyHandlers } from './keys/handlers.js';
import { KeyService, registerKeyService } from './keys/service.js';
import { patientHandlers } from './patients/handlers.js';
import { recordHandlers } from './patients/records.js';
import { referralHandlers } from './referrals/handlers.js';
import { MailboxLink } from './referrals/mailbox-link.js';
import { ReferralRepo } from './referrals/repo.js';
import { prescriptionHandlers } from './prescriptions/handlers.js';
import { settingsHandlers } from './settings/handlers.js';
import { staffHandlers } from './staff/handlers.js';
import { AppointmentsRepo } from './store/appointments-repo.js';
import { AuditRepo } from './store/audit-repo.js';
import { ClinicalRepo } from './store/clinical-repo.js';
import { openStore } from './store/db.js';
import { FieldCodec } from './store/fields.js';
import { MetaRepo } from './store/meta-repo.js';
import { PatientsRepo } from './store/patients-repo.js';
import { SecondFactorRepo } from './store/second-factor-repo.js';
import { SecurityRepo } from './store/security-repo.js';
import { DEFAULT_IDLE_MINUTES, SettingsRepo } from './store/settings-repo.js';
import { SyncRepo } from './store/sync-repo.js';
import { ThrottleRepo } from './store/throttle-repo.js';
import { UsersRepo } from './store/users-repo.js';
import { VisitsRepo } from './store/visits-repo.js';
import { SyncCapture } from './sync/capture.js';
import { SyncEngine } from './sync/engine.js';
import { guardWhileJoining, syncHandlers } from './sync/handlers.js';
import { interopHandlers } from './interop/handlers.js';
import { LabResultsRepo } from './interop/lab-results-repo.js';
import { SyncService } from './sync/service.js';
import { adoptKeyRing, readRingKeys, unlockKeyRing } from './vault/device-key.js';
import { visitHandlers } from './visits/handlers.js';

export type { Connection, Core, CoreOptions } from './core-types.js';

const handlers: Handlers = {
  ...authHandlers,
  ...staffHandlers,
  ...settingsHandlers,
  ...patientHandlers,
  ...recordHandlers,
  ...visitHandlers,
  ...appointmentHandlers,
  ...syncHandlers,
  ...doctorHandlers,
  ...prescriptionHandlers,
  ...attachmentHandlers,
  ...billingHandlers,
  ...adminHandlers,
  ...secondFactorHandlers,
  ...backupHandlers,
  ...keyHandlers,
  ...interopHandlers,
  ...referralHandlers,
};

function nodeIdFor(metaRepo: MetaRepo): string {
  let id = metaRepo.get('node_id');
  if (!id) {
    id = randomBytes(8).toString('hex');
    metaRepo.set('node_id', id);
  }
  return id;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** Five Crockford base-32 characters from this workstation's random node id (25 bits), so
 *  patient numbers from different workstations do not collide without any coordination. */
export function patientNumberPrefix(nodeId: string): string {
  let bits = Number.parseInt(nodeId.slice(0, 7), 16) >>> 3;
  let out = '';
  for (let i = 0; i < 5; i++) {
    out = CROCKFORD[bits & 31] + out;
    bits >>>= 5;
  }
  return out;
}

/**
 * The one way to start Kavach's services: the Electron main process, the browser preview,
 * the tests and the benchmarks all come through here. Throws KeychainUnavailableError,
 * DeviceKeyMissingError or SchemaTooNewError with a message fit to show as it is.
 */
export async function openCore(options: CoreOptions): Promise<Core> {
  const clock: Clock = options.clock ?? systemClock;
  const now = () => clock.now();
  const log = options.log ?? ((line: string) => process.stderr.write(`[kavach] ${line}\n`));
  const store = openStore(options.dataDir, now);
  const metaRepo = new MetaRepo(store.db);
  const security = new SecurityRepo(store.db, now);
  let ring: KeyRing;
  try {
    ring = await unlockKeyRing(store.db, metaRepo, options.secrets, now);
  } catch (e) {
    store.sqlite.close();
    throw e;
  }
  const nodeId = nodeIdFor(metaRepo);
  const hlc = new HybridClock(nodeId, now, undefined, metaRepo.get('hlc_last') ?? undefined);
  const syncRepo = new SyncRepo(store.db);
  let engine: SyncEngine | null = null;

  // Everything that holds a key, built again when a joining workstation adopts the clinic's ring.
  const keyed = (ring: KeyRing) => {
    const codec = new FieldCodec(ring, (e) =>
      security.record({
        kind: 'decryption-failed',
        detail: {
          table: e.place?.table ?? null,
          column: e.place?.column ?? null,
          rowId: e.place?.rowId ?? null,
          reason: e.reason,
        },
      }),
    );
    const capture = new SyncCapture(store.db, hlc, codec, metaRepo, now, () => engine?.notifyLocalWrite());
    return {
      codec,
      capture,
      repos: {
        users: new UsersRepo(store.db, codec, capture, now),
        secondFactors: new SecondFactorRepo(store.db, codec, capture, now),
        patients: new PatientsRepo(
          store.db,
          codec,
          capture,
          metaRepo,
          ring.blindIndexKey(),
          patientNumberPrefix(nodeId),
          now,
        ),
        visits: new VisitsRepo(store.db, codec, capture, metaRepo, now),
        appointments: new AppointmentsRepo(store.db, codec, capture, now),
        clinical: new ClinicalRepo(store.db, codec, capture, now),
        attachments: new AttachmentStore(store.db, codec, ring, join(options.dataDir, 'attachments'), now),
        settings: new SettingsRepo(store.db, capture, now),
        labResults: new LabResultsRepo(store.db, codec, now),
        // Referrals (issue 8): the clinic's key pairs, other clinics' cards, the inbox.
        referrals: new ReferralRepo(store.db, codec, capture, now),
        // Billing (issue 7): its ledger chains under this workstation's node id.
        billing: new BillingRepo(store.db, codec, capture, nodeId, patientNumberPrefix(nodeId), now),
      },
    };
  };
  let live = keyed(ring);
  engine = new SyncEngine(
    {
      live: () => ({
        db: store.db,
        repo: syncRepo,
        codec: live.codec,
        hlc,
        capture: live.capture,
        patients: services.patients,
        security,
        meta: metaRepo,
        now,
        hasKeyVersion: (v: number) => ring.has(v),
      }),
      repo: syncRepo,
      secrets: options.secrets,
      installId: () => metaRepo.get('install_id'),
      now,
      log,
      keysArrived: () => services.keys.adoptReceived(),
      fieldKeys: () => ring.fieldKeyCopies(),
    },
    options.sync,
  );
  const sync = new SyncService({
    engine,
    repo: syncRepo,
    db: () => store.db,
    meta: metaRepo,
    codec: () => live.codec,
    secrets: options.secrets,
    async adoptRing(keys, alsoInTransaction, extraSecrets) {
      const next = await adoptKeyRing(
        store.db,
        metaRepo,
        options.secrets,
        now,
        keys,
        alsoInTransaction,
        extraSecrets,
      );
      const old = ring;
      ring = next;
      live = keyed(ring);
      Object.assign(services, live.repos);
      old.wipe();
    },
  });
  const services: Services = {
    db: store.db,
    ...live.repos,
    throttle: new ThrottleRepo(store.db),
    backup: new BackupService({
      db: store.db,
      sqlite: store.sqlite,
      dataDir: options.dataDir,
      secrets: options.secrets,
      installId: () => metaRepo.get('install_id'),
      ringKeys: () => readRingKeys(store.db, metaRepo, options.secrets),
      now,
      log,
    }),
    audit: new AuditRepo(store.db, now),
    security,
    sync,
    mailbox: new MailboxLink({
      secrets: options.secrets,
      installId: () => metaRepo.get('install_id'),
      serverUrl: () => syncRepo.get('server_url'),
      clinicId: () => syncRepo.get('clinic_id'),
    }),
    keys: new KeyService({
      db: store.db,
      meta: metaRepo,
      secrets: options.secrets,
      ring: () => ring,
      attachmentsDir: join(options.dataDir, 'attachments'),
      now,
      log,
      clinicName: () => services.settings.get()?.clinicName ?? null,
      syncConnected: () => engine?.configured ?? false,
      syncBeforeRotation: async () => {
        if (!engine) return 'sync is not running.';
        const s = await engine.syncNow();
        return s.state === 'online' ? null : (s.error ?? 'the clinic server could not be reached.');
      },
      clinicId: () => syncRepo.get('clinic_id'),
      codec: () => live.codec,
      capture: () => live.capture,
      wrapRefused: (version, reason) =>
        security.record({
          kind: 'decryption-failed',
          detail: {
            table: 'key_wraps',
            column: 'wrapped_key',
            rowId: `v${version}`,
            reason,
            during: 'key-distribution',
          },
        }),
      patientsWithIndexKey: (key) =>
        new PatientsRepo(store.db, live.codec, live.capture, metaRepo, key, patientNumberPrefix(nodeId), now),
      // The blind index was rebuilt under the new key version: search with it from now on.
      indexRekeyed: () => {
        services.patients = keyed(ring).repos.patients;
      },
      unreadable: (place, reason) =>
        security.record({
          kind: 'decryption-failed',
          detail: {
            table: place?.table ?? null,
            column: place?.column ?? null,
            rowId: place?.rowId ?? null,
            reason,
            during: 'key-rotation',
          },
        }),
    }),
    now,
    today: () => todayIso(now()),
    idleMinutes: () => services.settings.get()?.idleMinutes ?? DEFAULT_IDLE_MINUTES,
  };
  const syncEngine = engine;
  const router = new Router(services, guardWhileJoining(handlers), log);
  await syncEngine.start();
  // The daily backup, when an admin has turned it on (checks every 10 minutes; unref'd).
  services.backup.startTimer();
  const connections = new Set<Connection>();
  let closed = false;

  const core: Core = {
    sync: syncEngine,
    connect(): Connection {
      if (closed) throw new Error('Kavach core is closed');
      const id = randomUUID();
      const session = new Session(id);
      const connection: Connection = {
        id,
        invoke: (channel, payload, meta) => {
          if (closed)
            return Promise.resolve({
              ok: false,
              error: { code: 'INTERNAL', message: 'Kavach is shutting down.' },
            });
          return router.invoke(session, channel, payload, meta);
        },
        close: () => {
          session.end();
          router.forget(id);
          connections.delete(connection);
        },
      };
      connections.add(connection);
      return connection;
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const c of [...connections]) c.close();
      services.keys.stop();
      services.backup.stopTimer();
      await syncEngine.close();
      store.sqlite.close();
      ring.wipe();
    },
  };
  registerKeyService(core, services.keys);
  // A rotation that a crash or shutdown interrupted carries on in the background.
  services.keys.resume();
  return core;
}
