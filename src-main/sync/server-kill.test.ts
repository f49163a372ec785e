import { type ChildProcess, spawn } from 'node:child_process';
import { createServer as netServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src-server/db.js';
import { changes } from '../../src-server/schema.js';
import { testDatabaseUrl } from '../../src-server/testing/harness.js';
import type { Connection } from '../core-types.js';
import { call, loginAs, must } from '../testing/core-harness.js';
import type { FetchLike } from './client.js';
import { addDesk, DESK, register } from './fixtures.js';
import { type Station, station } from './testing.js';

/**
 * The sync server as a real process (`src-server/main.ts` on the PostgreSQL test cluster),
 * killed with SIGKILL while workstation A pushes a large outbox and again while workstation
 * B pulls the resulting backlog, then restarted on the same port and database. The
 * workstations' own loops (backoff) recover; afterwards every change is on the server
 * exactly once, both hold identical patients, and nothing is lost.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const PATIENTS = 150; // ~20 changes each: about 3,000 changes, six push batches, three pull pages
// Pages of 500 changes: B's backlog (about 3,300 changes) spans several, so the server can be
// killed on a page after the first.
const tuning = {
  auto: true,
  longPollSeconds: 2,
  backoffBaseMs: 100,
  backoffMaxMs: 400,
  periodicMs: 1_000,
  debounceMs: 50,
  pullPage: 500,
};

let env: Record<string, string>;
let port = 0;
let server: ChildProcess | null = null;
let a: Station;
let b: Station;
let deskA: Connection;
let deskB: Connection;
/** Push (by A) and pull (by B) requests answered 200. */
const counts = { push: 0, pull: 0 };
let onRequest: ((path: string) => void) | null = null;
let bOffline = false;

/** A free port below the ephemeral range, so no other test's port-0 listener takes it
 *  while the server is down between a kill and its restart. */
async function freePort(): Promise<number> {
  for (;;) {
    const candidate = 20_000 + Math.floor(Math.random() * 10_000);
    const free = await new Promise<boolean>((resolve) => {
      const s = netServer();
      s.once('error', () => resolve(false));
      s.listen(candidate, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (free) return candidate;
  }
}

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src-server/main.ts', ...args], {
      cwd: root,
      env: { ...process.env, ...env },
    });
    const out = { stdout: '', stderr: '' };
    child.stdout.on('data', (d) => (out.stdout += d));
    child.stderr.on('data', (d) => (out.stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ ...out, code }));
  });
}

function serve(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src-server/main.ts', '--port', String(port)], {
      cwd: root,
      env: { ...process.env, ...env },
    });
    server = child;
    let stderr = '';
    child.stdout.resume();
    child.stderr.on('data', (d) => {
      stderr += d;
      if (/Kavach sync server on /.test(stderr)) resolve();
    });
    child.on('exit', (code, signal) => {
      // Killed by the test before its first line was read: a request already reached it.
      if (signal === 'SIGKILL') resolve();
      else reject(new Error(`server exited (${code}): ${stderr}`));
    });
  });
}

function kill(): Promise<void> {
  const child = server;
  server = null;
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** Counts requests and lets the test act while one is in flight; B can be cut off. */
const watching =
  (who: 'a' | 'b'): FetchLike =>
  async (url, init) => {
    const path = new URL(url).pathname;
    if (who === 'b' && bOffline) throw new TypeError('fetch failed');
    const response = fetch(url, init);
    response.then(
      (r) => {
        if (r.ok && path === '/v1/push' && who === 'a') counts.push++;
        if (r.ok && path === '/v1/pull' && who === 'b') counts.pull++;
      },
      () => {},
    );
    onRequest?.(`${who} ${path}`);
    return response;
  };

async function until(
  what: string,
  probe: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
): Promise<void> {
  const start = Date.now();
  while (!(await probe())) {
    if (Date.now() - start > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  env = { DATABASE_URL: testDatabaseUrl() };
  port = await freePort();
  const made = await cli(['create-clinic', '--name', 'Sushrut Clinic']);
  expect(made.code, made.stderr).toBe(0);
  const foundingCode = /^ {4}([0-9A-Z]{4}(?:-[0-9A-Z]{4}){7})$/m.exec(made.stdout)![1]!;
  await serve();
  const url = `http://127.0.0.1:${port}`;
  a = await station('srvkill-a', { setup: true, tuning: { ...tuning, fetch: watching('a') } });
  must(
    await call(await a.admin(), 'sync.connect', {
      serverUrl: url,
      code: foundingCode,
      deviceName: 'srvkill-a',
    }),
  );
  await addDesk(await a.admin());
  await a.sync.syncNow();
  const { code } = must(await call(await a.admin(), 'sync.createEnrollment', {}));
  b = await station('srvkill-b', { tuning: { ...tuning, fetch: watching('b') } });
  must(await call(b.core.connect(), 'setup.joinClinic', { serverUrl: url, code, deviceName: 'srvkill-b' }));
  await b.sync.syncNow();
  deskA = await loginAs(a.core, DESK.username, DESK.password);
  deskB = await loginAs(b.core, DESK.username, DESK.password);
}, 60_000);

afterAll(async () => {
  onRequest = null;
  await kill();
  await b?.close();
  await a?.close();
});

/** The workstation's patient ids, read from its database. */
function patientsIn(s: Station): string[] {
  const db = new Database(join(s.dataDir, 'kavach.db'), { readonly: true });
  try {
    return (db.prepare('SELECT id FROM patients').all() as { id: string }[]).map((r) => r.id);
  } finally {
    db.close();
  }
}

describe('the sync server process killed with SIGKILL', () => {
  it('mid-push and mid-pull: restarted, the workstations recover by themselves with nothing lost or duplicated', async () => {
    // A's large outbox is built while the server is down (and B cannot reach it either).
    await kill();
    bOffline = true;
    const ids: string[] = [];
    for (let i = 0; i < PATIENTS; i++) {
      a.clock.advance(1_100); // reception's per-connection rate limit follows the clock
      ids.push(
        await register(deskA, {
          givenNames: `SrvKill${i}`,
          familyName: 'Menon',
          sex: i % 2 ? 'female' : 'male',
          birth: { kind: 'exact', date: '1988-02-02' },
        }),
      );
    }
    b.clock.advance(PATIENTS * 1_100);
    const outboxed = a.sync.status().pending;
    expect(outboxed).toBeGreaterThanOrEqual(PATIENTS * 15);

    // Kill 1: while a push batch is in flight after the first one went through.
    const pushesBefore = counts.push;
    let killedPush: Promise<void> | null = null;
    onRequest = (p) => {
      if (p === 'a /v1/push' && counts.push > pushesBefore && !killedPush)
        killedPush = new Promise((r) => setTimeout(r, 15)).then(kill);
    };
    await serve();
    await until('kill mid-push', () => killedPush !== null);
    await killedPush;
    const leftAfterKill = a.sync.status().pending;
    expect(leftAfterKill).toBeGreaterThan(0);
    expect(leftAfterKill).toBeLessThan(outboxed);
    await until('A sees the server gone', () => a.sync.status().state === 'offline');
    await serve();
    await until(
      'A pushes everything',
      () => a.sync.status().pending === 0 && a.sync.status().state === 'online',
      30_000,
    );

    // Kill 2: while B pulls the backlog, on a page after the first.
    const pullsBefore = counts.pull;
    let killedPull: Promise<void> | null = null;
    onRequest = (p) => {
      if (p === 'b /v1/pull' && counts.pull > pullsBefore && !killedPull)
        killedPull = new Promise((r) => setTimeout(r, 10)).then(kill);
    };
    bOffline = false;
    await until('kill mid-pull', () => killedPull !== null);
    await killedPull;
    onRequest = null;
    const cursorAfterKill = b.sync.cursor;
    await until('B sees the server gone', () => b.sync.status().state === 'offline');
    await serve();
    await until(
      'B catches up',
      () => b.sync.status().state === 'online' && patientsIn(b).length === PATIENTS,
      30_000,
    );
    await until(
      'A catches up',
      () => a.sync.status().state === 'online' && a.sync.cursor === b.sync.cursor,
      10_000,
    );
    expect(cursorAfterKill).toBeLessThan(b.sync.cursor);
    process.stdout.write(
      `server kill: ${outboxed} changes outboxed; ${leftAfterKill} unsent after the push kill; B at seq ${cursorAfterKill} after the pull kill; both at ${b.sync.cursor}\n`,
    );

    // On the server: every change of A's outbox, each exactly once.
    const dbA = new Database(join(a.dataDir, 'kavach.db'), { readonly: true });
    const sent = (dbA.prepare('SELECT change_id AS id FROM outbox').all() as { id: string }[]).map(
      (r) => r.id,
    );
    const clinicId = (
      dbA.prepare("SELECT value FROM sync_state WHERE key = 'clinic_id'").get() as { value: string }
    ).value;
    dbA.close();
    const pg = await openDatabase({ url: env.DATABASE_URL! });
    try {
      const onServer = (
        await pg.db.select({ id: changes.changeId }).from(changes).where(eq(changes.clinicId, clinicId))
      ).map((r) => r.id);
      expect(onServer.length).toBe(new Set(onServer).size);
      expect(onServer.length).toBe(b.sync.cursor);
      const there = new Set(onServer);
      expect(sent.filter((id) => !there.has(id))).toEqual([]);
    } finally {
      await pg.close();
    }

    // Both workstations hold the same patients, every one of them, field for field.
    expect(new Set(patientsIn(a))).toEqual(new Set(ids));
    expect(new Set(patientsIn(b))).toEqual(new Set(ids));
    for (const id of ids) {
      const { updatedAt: ua, ...ra } = must(await call(deskA, 'patients.get', { id }));
      const { updatedAt: ub, ...rb } = must(await call(deskB, 'patients.get', { id }));
      void [ua, ub];
      expect(rb).toEqual(ra);
    }
  }, 120_000);
});
