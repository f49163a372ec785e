import { randomBytes, randomUUID } from 'node:crypto';
import { HybridClock } from '../src-shared/hlc.js';
import { authHandlers } from './auth/handlers.js';
import { Session } from './auth/session.js';
import { type Clock, type Connection, type Core, type CoreOptions, systemClock } from './core-types.js';
import type { KeyRing } from './crypto/keyring.js';
import type { Handlers, Services } from './ipc/handler-types.js';
import { Router } from './ipc/router.js';
import { appointmentHandlers } from './appointments/handlers.js';
import { patientHandlers } from './patients/handlers.js';
import { recordHandlers } from './patients/records.js';
import { settingsHandlers } from './settings/handlers.js';
import { syncHandlers } from './sync/handlers.js';
import { staffHandlers } from './staff/handlers.js';
import { AppointmentsRepo } from './store/appointments-repo.js';
import { AuditRepo } from './store/audit-repo.js';
import { ChangeCapture } from './store/change-capture.js';
import { openStore } from './store/db.js';
import { FieldCodec } from './store/fields.js';
import { MetaRepo } from './store/meta-repo.js';
import { PatientsRepo } from './store/patients-repo.js';
import { SecurityRepo } from './store/security-repo.js';
import { DEFAULT_IDLE_MINUTES, SettingsRepo } from './store/settings-repo.js';
import { ThrottleRepo } from './store/throttle-repo.js';
import { UsersRepo } from './store/users-repo.js';
import { VisitsRepo } from './store/visits-repo.js';
import { visitHandlers } from './visits/handlers.js';
import { todayIso } from '../src-shared/patient.js';
import { unlockKeyRing } from './vault/device-key.js';

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
  const codec = new FieldCodec(ring, (e) =>
    security.record({
      kind: 'decryption-failed',
      detail: { table: e.place?.table ?? null, column: e.place?.column ?? null, rowId: e.place?.rowId ?? null, reason: e.reason },
    }),
  );
  const nodeId = nodeIdFor(metaRepo);
  const hlc = new HybridClock(nodeId, now, undefined, metaRepo.get('hlc_last') ?? undefined);
  const capture = new ChangeCapture(store.db, hlc, codec, metaRepo, now);
  const settings = new SettingsRepo(store.db, capture, now);
  const services: Services = {
    db: store.db,
    users: new UsersRepo(store.db, codec, capture, now),
    patients: new PatientsRepo(store.db, codec, capture, metaRepo, ring.blindIndexKey(), patientNumberPrefix(nodeId), now),
    visits: new VisitsRepo(store.db, codec, capture, metaRepo, now),
    appointments: new AppointmentsRepo(store.db, codec, capture, now),
    settings,
    throttle: new ThrottleRepo(store.db),
    audit: new AuditRepo(store.db, now),
    security,
    now,
    today: () => todayIso(now()),
    idleMinutes: () => settings.get()?.idleMinutes ?? DEFAULT_IDLE_MINUTES,
  };
  const router = new Router(services, handlers, log);
  const connections = new Set<Connection>();
  let closed = false;

  return {
    connect(): Connection {
      if (closed) throw new Error('Kavach core is closed');
      const id = randomUUID();
      const session = new Session(id);
      const connection: Connection = {
        id,
        invoke: (channel, payload, meta) => {
          if (closed) return Promise.resolve({ ok: false, error: { code: 'INTERNAL', message: 'Kavach is shutting down.' } });
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
      store.sqlite.close();
      ring.wipe();
    },
  };
}
