import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src-server/app.js';
import type { Connection } from '../core-types.js';
import { call, loginAs, must } from '../testing/core-harness.js';
import type { FetchLike } from './client.js';
import { addDesk, DESK, register } from './fixtures.js';
import { founder, joiner, type Station, startServer } from './testing.js';

/**
 * The background loops as they run in the application: debounced push after local writes,
 * long-poll pull, backoff with jitter while the server cannot be reached.
 */
let server: RunningServer;
let a: Station;
let b: Station;
let deskA: Connection;
let deskB: Connection;
const requests: { at: number; path: string; ok: boolean }[] = [];
let bOffline = false;

/** Records every request; refuses B's while "offline". */
const recording =
  (who: string): FetchLike =>
  async (url, init) => {
    const path = `${who} ${init?.method ?? 'GET'} ${new URL(url).pathname}`;
    if (who === 'b' && bOffline) {
      requests.push({ at: Date.now(), path, ok: false });
      throw new TypeError('fetch failed');
    }
    requests.push({ at: Date.now(), path, ok: true });
    return fetch(url, init);
  };

beforeAll(async () => {
  server = await startServer();
  a = await founder(server, 'loop-a', { tuning: { auto: true, longPollSeconds: 5, fetch: recording('a') } });
  await addDesk(await a.admin());
  b = await joiner(server, a, 'loop-b', {
    tuning: {
      auto: true,
      longPollSeconds: 5,
      backoffBaseMs: 200,
      backoffMaxMs: 1_500,
      periodicMs: 60_000,
      fetch: recording('b'),
    },
  });
  deskA = await loginAs(a.core, DESK.username, DESK.password);
  deskB = await loginAs(b.core, DESK.username, DESK.password);
});

afterAll(async () => {
  await b?.close();
  await a?.close();
  await server?.close();
});

async function until<T>(
  probe: () => Promise<T | null>,
  timeoutMs: number,
): Promise<{ value: T; ms: number }> {
  const start = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== null) return { value, ms: Date.now() - start };
    if (Date.now() - start > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const found = (desk: Connection, query: string) => async () => {
  const r = must(await call(desk, 'patients.search', { query }));
  return r.length > 0 ? r : null;
};

describe('sync loops', () => {
  it('a registration reaches the other workstation within a second or two, with one debounced push', async () => {
    const before = requests.length;
    await register(deskA, {
      givenNames: 'Devika',
      familyName: 'Rao',
      sex: 'female',
      birth: { kind: 'exact', date: '1999-09-09' },
    });
    const { ms } = await until(found(deskB, 'devika'), 5_000);
    process.stdout.write(`propagation A -> B: ${ms} ms\n`);
    expect(ms).toBeLessThan(2_000);
    expect(requests.slice(before).filter((r) => r.path === 'a POST /v1/push')).toHaveLength(1);
    expect(a.sync.status()).toMatchObject({ state: 'online', pending: 0 });
  });

  it('backs off with jitter while the server is unreachable, says so, and recovers', async () => {
    bOffline = true;
    // The long-poll already in flight runs out; the requests after it fail.
    await until(async () => (b.sync.status().state === 'offline' ? true : null), 10_000);
    const from = requests.length;
    expect(b.sync.status().error).toMatch(/cannot be reached/);
    await register(deskA, {
      givenNames: 'Harish',
      familyName: 'Kumar',
      sex: 'male',
      birth: { kind: 'exact', date: '1977-07-07' },
    });
    await new Promise((r) => setTimeout(r, 4_000));
    const failed = requests.slice(from).filter((r) => r.path.startsWith('b ') && !r.ok);
    // Unbounded retrying would be hundreds of attempts in 4 s; backoff keeps it to a handful.
    expect(failed.length).toBeGreaterThanOrEqual(3);
    expect(failed.length).toBeLessThan(15);
    const gaps = failed.slice(1).map((r, i) => r.at - failed[i]!.at);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(1_500 + 200);
    bOffline = false;
    const { ms } = await until(found(deskB, 'harish'), 5_000);
    process.stdout.write(`recovered after ${ms} ms\n`);
    await until(async () => (b.sync.status().state === 'online' ? true : null), 2_000);
    expect(b.sync.status().error).toBeNull();
  });

  it('pushes a write made while offline once the server is back', async () => {
    bOffline = true;
    await register(deskB, {
      givenNames: 'Ishaan',
      familyName: 'Gupta',
      sex: 'male',
      birth: { kind: 'exact', date: '2010-10-10' },
    });
    await until(
      async () => (b.sync.status().state === 'offline' && b.sync.status().pending > 0 ? true : null),
      10_000,
    );
    bOffline = false;
    await until(found(deskA, 'ishaan'), 8_000);
    await until(async () => (b.sync.status().pending === 0 ? true : null), 5_000);
  });
});
