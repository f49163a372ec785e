import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type RunningServer, type ServerOptions } from '../../src-server/app.js';
import { openCore } from '../core.js';
import type { Connection, Core } from '../core-types.js';
import { ADMIN, call, must, type TestClock, testClock } from '../testing/core-harness.js';
import { createKeytarStore } from '../vault/keytar-store.js';
import type { SecretStore } from '../vault/secret-store.js';
import type { SyncEngine, SyncTuning } from './engine.js';

/**
 * Test support for sync: real cores (real keytar, each workstation its own keychain service
 * and data directory) against the real sync server in-process. Not used by the application.
 */
export interface Station {
  readonly core: Core;
  readonly sync: SyncEngine;
  readonly name: string;
  readonly dataDir: string;
  readonly clock: TestClock;
  readonly secrets: SecretStore;
  /** The keychain service name, for a child process opening the same workstation. */
  readonly service: string;
  admin(): Promise<Connection>;
  reopen(): Promise<void>;
  close(): Promise<void>;
}

export async function startServer(
  db: 'pglite' | { url: string } = 'pglite',
  options: Omit<ServerOptions, 'db'> = {},
): Promise<RunningServer> {
  return createServer({ db, ...options });
}

export async function station(
  name: string,
  opts: { setup?: boolean; clock?: TestClock; tuning?: SyncTuning; dataDir?: string; service?: string } = {},
): Promise<Station> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), `kavach-sync-${name}-`));
  const clock = opts.clock ?? testClock();
  const service = opts.service ?? `Kavach-sync-test-${name}-${randomUUID().slice(0, 8)}`;
  const secrets = createKeytarStore(service);
  const tuning: SyncTuning = { auto: false, ...opts.tuning };
  const open = () => openCore({ dataDir, secrets, clock, log: () => {}, sync: tuning });
  let core = await open();
  if (opts.setup) {
    const c = core.connect();
    must(
      await call(c, 'setup.createClinic', {
        clinicName: 'Sushrut Clinic',
        adminDisplayName: ADMIN.displayName,
        adminUsername: ADMIN.username,
        password: ADMIN.password,
        // Tests log in as admins and doctors throughout; second-factor tests turn it on.
        secondFactorRoles: [],
      }),
    );
    c.close();
  }
  let admin: Connection | null = null;
  return {
    get core() {
      return core;
    },
    get sync() {
      return core.sync!;
    },
    name,
    dataDir,
    clock,
    secrets,
    service,
    async admin() {
      if (!admin) {
        admin = core.connect();
        must(await call(admin, 'auth.login', { username: ADMIN.username, password: ADMIN.password }));
      }
      return admin;
    },
    async reopen() {
      admin = null;
      await core.close();
      core = await open();
    },
    async close() {
      await core.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The clinic's first workstation: set up, then connected with a fresh founding code. */
export async function founder(
  server: RunningServer,
  name = 'front-desk',
  opts: Parameters<typeof station>[1] = {},
): Promise<Station> {
  const s = await station(name, { ...opts, setup: true });
  const { foundingCode } = await server.createClinic('Sushrut Clinic');
  must(
    await call(await s.admin(), 'sync.connect', {
      serverUrl: server.url,
      code: foundingCode,
      deviceName: name,
    }),
  );
  await s.sync.syncNow();
  return s;
}

/** A new workstation joined through an enrollment code made on `from`, fully synced. */
export async function joiner(
  server: RunningServer,
  from: Station,
  name: string,
  opts: Parameters<typeof station>[1] = {},
): Promise<Station> {
  const { code } = must(await call(await from.admin(), 'sync.createEnrollment', {}));
  const s = await station(name, opts);
  must(await call(s.core.connect(), 'setup.joinClinic', { serverUrl: server.url, code, deviceName: name }));
  await s.sync.syncNow();
  return s;
}

/**
 * Every station pushes and pulls, round after round, until nothing waits to be sent and all
 * stand at the same cursor (a conflict copy made during a pull travels on the next round).
 */
export async function settle(stations: Station[], maxRounds = 6): Promise<void> {
  for (let round = 0; round < maxRounds; round++) {
    for (const s of stations) await s.sync.syncNow();
    const cursors = new Set(stations.map((s) => s.sync.cursor));
    if (cursors.size === 1 && stations.every((s) => s.sync.status().pending === 0)) return;
  }
  throw new Error(`Stations did not settle in ${maxRounds} rounds`);
}
