import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Channel, InputOf, OutputOf } from '../../src-shared/contract.js';
import type { Result } from '../../src-shared/result.js';
import { openCore } from '../core.js';
import type { Connection, Core } from '../core-types.js';
import { createKeytarStore } from '../vault/keytar-store.js';

/**
 * Test and benchmark support: a real core on a throwaway data directory, with the real
 * keytar store (the test script runs everything inside a private D-Bus session with
 * gnome-keyring). Not used by the application itself.
 */
export interface TestClock {
  now(): number;
  advance(ms: number): void;
}

export function testClock(start = Date.now()): TestClock {
  let offset = 0;
  return {
    now: () => start + offset,
    advance: (ms) => {
      offset += ms;
    },
  };
}

export interface HarnessCore {
  core: Core;
  dataDir: string;
  clock: TestClock;
  close(): Promise<void>;
  reopen(): Promise<Core>;
}

export const ADMIN = { username: 'meera.admin', password: 'monsoon-tulsi-42', displayName: 'Meera Iyer' };

export async function startCore(opts: { setup?: boolean } = {}): Promise<HarnessCore> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kavach-core-'));
  const clock = testClock();
  const secrets = createKeytarStore('Kavach-test');
  const quiet = () => {};
  let core = await openCore({ dataDir, secrets, clock, log: quiet });
  if (opts.setup !== false) {
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
  const h: HarnessCore = {
    get core() {
      return core;
    },
    dataDir,
    clock,
    async close() {
      await core.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
    async reopen() {
      await core.close();
      core = await openCore({ dataDir, secrets, clock, log: quiet });
      return core;
    },
  };
  return h;
}

export function call<C extends Channel>(conn: Connection, channel: C, payload: InputOf<C>): Promise<Result<OutputOf<C>>> {
  return conn.invoke(channel, payload) as Promise<Result<OutputOf<C>>>;
}

export function must<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`Expected success, got ${r.error.code}: ${r.error.message}`);
  return r.value;
}

export async function loginAs(core: Core, username: string, password: string): Promise<Connection> {
  const c = core.connect();
  must(await call(c, 'auth.login', { username, password }));
  return c;
}
