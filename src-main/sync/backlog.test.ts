import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src-server/app.js';
import { LIMITS } from '../../src-shared/sync-wire.js';
import type { SyncStatus } from '../../src-shared/types.js';
import { call, loginAs, must } from '../testing/core-harness.js';
import type { FetchLike } from './client.js';
import { addDesk, clinicRing, DESK, patientChanges } from './fixtures.js';
import { founder, type Station, startServer, station } from './testing.js';

/**
 * A clinic with a 50,000-change history (2,400 patients, every field a change, sealed with
 * the clinic's real keys and pushed through the real server) and a new workstation joining
 * it: the initial sync pages through with progress, survives a dropped connection and a
 * restart half-way, and ends with every patient searchable.
 */
const PATIENTS = 2_400;
let server: RunningServer;
let a: Station;
let total = 0;

beforeAll(async () => {
  server = await startServer();
  a = await founder(server, 'old-desk');
  await addDesk(await a.admin());
  await a.sync.syncNow();
  const ring = await clinicRing(a);
  const wall = a.clock.now() - 60_000;
  const all = Array.from({ length: PATIENTS }, (_, i) => patientChanges(ring, i, wall, 'BKQG9')).flat();
  ring.wipe();
  const client = a.sync.client();
  for (let i = 0; i < all.length; i += LIMITS.pushBatch)
    await client.push(all.slice(i, i + LIMITS.pushBatch));
  total = all.length;
}, 300_000);

afterAll(async () => {
  await a?.close();
  await server?.close();
});

describe('a 50,000-change backlog', () => {
  it('pages a joining workstation through it with progress, resuming after a dropped connection and a restart', async () => {
    expect(total).toBeGreaterThanOrEqual(50_000);
    const { code } = must(await call(await a.admin(), 'sync.createEnrollment', {}));
    // The connection drops after the 5th page.
    const DROP_AFTER = 5;
    expect(total).toBeGreaterThan(2 * DROP_AFTER * LIMITS.pullPage);
    let pulls = 0;
    const flaky: FetchLike = async (url, init) => {
      if (url.includes('/v1/pull') && ++pulls > DROP_AFTER) throw new TypeError('fetch failed');
      return fetch(url, init);
    };
    const b = await station('new-desk', { tuning: { fetch: flaky } });
    try {
      must(
        await call(b.core.connect(), 'setup.joinClinic', {
          serverUrl: server.url,
          code,
          deviceName: 'new-desk',
        }),
      );
      const seen: NonNullable<SyncStatus['initialSync']>[] = [];
      let restarting = false;
      const watch = setInterval(() => {
        if (restarting) return;
        const p = b.sync.status().initialSync;
        if (p) seen.push(p);
      }, 5);
      const started = performance.now();
      const dropped = await b.sync.syncNow();
      expect(dropped.state).toBe('offline');
      expect(dropped.error).toMatch(/cannot be reached/);
      expect(dropped.initialSync!.applied).toBe(DROP_AFTER * LIMITS.pullPage);
      // Those pages were checked with the helper thread, which ended when the pull failed.
      expect(b.sync.helperStarts).toBe(1);
      expect(b.sync.helperRunning).toBe(false);
      // Restart: still joining, no login yet, and the pull resumes from the saved cursor.
      restarting = true;
      await b.reopen();
      restarting = false;
      expect(must(await call(b.core.connect(), 'setup.status', {})).needsSetup).toBe(true);
      pulls = -1_000_000;
      const done = await b.sync.syncNow();
      const seconds = (performance.now() - started) / 1000;
      clearInterval(watch);
      expect(done).toMatchObject({ state: 'online', initialSync: null, error: null });
      // The reopened workstation's engine started its own helper, and ended it when caught up.
      expect(b.sync.helperStarts).toBe(1);
      expect(b.sync.helperRunning).toBe(false);
      const totals = new Set(seen.map((p) => p.total));
      expect(Math.max(...totals)).toBeGreaterThanOrEqual(total);
      const applied = seen.map((p) => p.applied);
      expect(applied).toEqual([...applied].sort((x, y) => x - y));
      // Progress moved page by page, before and after the restart.
      expect(new Set(applied).size).toBeGreaterThan(DROP_AFTER);
      process.stdout.write(
        `backlog: ${total} changes applied in ${seconds.toFixed(1)} s (${Math.round(total / seconds)} changes/s incl. HTTP)\n`,
      );
      const desk = await loginAs(b.core, DESK.username, DESK.password);
      const found = must(await call(desk, 'patients.search', { query: 'BKQG9-02399' }));
      expect(found.map((p) => p.patientNumber)).toEqual(['BKQG9-02399']);
      expect(must(await call(desk, 'patients.search', { query: 'given1234' })).length).toBe(1);
    } finally {
      await b.close();
    }
  }, 600_000);
});
