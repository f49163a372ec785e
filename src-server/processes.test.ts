import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { normalizeCode } from '../src-shared/sync-wire';
import { newCode } from './codes';
import { Client, change, changes, enroll, pullAll, testDatabaseUrl } from './testing/harness';

/**
 * The real command line, in separate processes: `create-clinic`, then `serve`, as an
 * operator runs them. Two processes share one PostgreSQL (scale-out); PGlite belongs to one
 * process, so its variant restarts that process instead and checks nothing was lost.
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const started: ChildProcess[] = [];

interface Cli {
  stdout: string;
  stderr: string;
}

function runCli(args: string[], env: Record<string, string>): Promise<Cli & { code: number | null }> {
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

async function createClinicCli(env: Record<string, string>, dataArgs: string[] = []): Promise<string> {
  const r = await runCli(['create-clinic', '--name', 'Sunrise Clinic', ...dataArgs], env);
  expect(r.code, r.stderr).toBe(0);
  const code = /^ {4}([0-9A-Z]{4}(?:-[0-9A-Z]{4}){7})$/m.exec(r.stdout)?.[1];
  expect(code, r.stdout).toBeDefined();
  return code!;
}

/** Starts `serve` on a free port and resolves with its URL once it listens. */
function serve(
  env: Record<string, string>,
  args: string[] = [],
): Promise<{ url: string; child: ChildProcess; logs: Cli }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src-server/main.ts', '--port', '0', ...args], {
      cwd: root,
      env: { ...process.env, ...env },
    });
    started.push(child);
    const logs = { stdout: '', stderr: '' };
    child.stdout!.on('data', (d) => (logs.stdout += d));
    child.stderr!.on('data', (d) => {
      logs.stderr += d;
      const url = /Kavach sync server on (https?:\/\/\S+)/.exec(logs.stderr)?.[1];
      if (url) resolve({ url, child, logs });
    });
    child.on('exit', (code) => reject(new Error(`server exited (${code}): ${logs.stderr}`)));
  });
}

function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

afterAll(async () => {
  await Promise.all(started.map((c) => stop(c, 'SIGKILL')));
});

async function offerCode(admin: Client): Promise<string> {
  const code = newCode();
  const codeHash = createHash('sha256').update(normalizeCode(code)).digest('hex');
  const r = await admin.call('POST', '/v1/enrollments', {
    codeHash,
    wrappedKeyRing: 'AAAA',
    ttlSeconds: 600,
  });
  expect(r.status).toBe(200);
  return code;
}

/** Structured logs must carry neither secrets nor payloads. */
function expectClean(logs: Cli, secrets: string[]): void {
  const text = logs.stdout + logs.stderr;
  expect(text.length).toBeGreaterThan(0);
  for (const s of secrets) expect(text.includes(s), `log contains ${s.slice(0, 12)}...`).toBe(false);
  for (const line of logs.stdout.split('\n').filter(Boolean)) expect(() => JSON.parse(line)).not.toThrow();
}

describe('server processes on postgres', () => {
  it('two server processes on one PostgreSQL accept pushes together; either serves the whole log in order', async () => {
    const env = { DATABASE_URL: testDatabaseUrl() };
    const foundingCode = await createClinicCli(env);
    const [a, b] = await Promise.all([serve(env), serve(env)]);
    const one = await enroll(a.url, foundingCode, 'Reception');
    expect(one.status).toBe(200);
    const viaA = new Client(a.url, one.body.deviceToken);
    const two = await enroll(b.url, await offerCode(viaA), 'Doctor room');
    expect(two.status).toBe(200);
    const viaB = new Client(b.url, two.body.deviceToken);

    // A long-poll on B is woken by a push through A: only the database connects them.
    const t0 = Date.now();
    const waiting = viaB.pull(0, '&wait=20');
    await new Promise((r) => setTimeout(r, 300));
    const first = change();
    await viaA.push([first]);
    const woke = await waiting;
    expect(woke.body.changes.map((c: { changeId: string }) => c.changeId)).toEqual([first.changeId]);
    expect(Date.now() - t0).toBeLessThan(3000);

    const batchesA = Array.from({ length: 8 }, () => changes(60));
    const batchesB = Array.from({ length: 8 }, () => changes(60));
    const results = await Promise.all([
      ...batchesA.map((x) => viaA.push(x)),
      ...batchesB.map((x) => viaB.push(x)),
    ]);
    expect(results.map((r) => r.body.accepted)).toEqual(Array(16).fill(60));

    const fromA = await pullAll(viaA, 300);
    const fromB = await pullAll(viaB, 1000);
    expect(fromA.changes).toEqual(fromB.changes);
    expect(fromA.changes.map((c) => c.seq)).toEqual(Array.from({ length: 961 }, (_, i) => i + 1));
    const sent = [first, ...batchesA.flat(), ...batchesB.flat()];
    expect(new Set(fromA.changes.map((c) => c.changeId))).toEqual(new Set(sent.map((c) => c.changeId)));
    expect(fromA.latest).toBe(961);

    await Promise.all([stop(a.child), stop(b.child)]);
    const secrets = [one.body.deviceToken, two.body.deviceToken, foundingCode.replace(/-/g, ''), first.value];
    expectClean(a.logs, secrets);
    expectClean(b.logs, secrets);
  });
});

/** GET over HTTPS trusting only `ca` (the test's self-signed certificate). */
function httpsGet(url: string, ca: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { ca }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

describe('server process listening beyond loopback', () => {
  it('warns loudly without TLS, and serves HTTPS given a certificate and key', async () => {
    const env = { DATABASE_URL: testDatabaseUrl() };
    const plain = await serve(env, ['--host', '0.0.0.0']);
    expect(plain.logs.stderr).toMatch(/WARNING: listening on 0\.0\.0\.0 WITHOUT TLS/);
    await stop(plain.child);

    const dir = mkdtempSync(join(tmpdir(), 'kavach-tls-'));
    try {
      const [cert, key] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
      const made = spawnSync('openssl', [
        ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1'],
        ...['-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert],
      ]);
      expect(made.status, String(made.stderr)).toBe(0);
      const secure = await serve(env, ['--host', '0.0.0.0', '--tls-cert', cert, '--tls-key', key]);
      expect(secure.url).toMatch(/^https:/);
      expect(secure.logs.stderr).not.toMatch(/WITHOUT TLS/);
      const port = new URL(secure.url).port;
      const health = await httpsGet(`https://127.0.0.1:${port}/health`, readFileSync(cert));
      expect(health).toEqual({ status: 200, body: JSON.stringify({ ok: true, api: 'v1' }) });
      await stop(secure.child);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('server process on pglite', () => {
  it('keeps its data in --data across a SIGKILL and restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kavach-server-'));
    try {
      const env = { DATABASE_URL: '' };
      const foundingCode = await createClinicCli(env, ['--data', dir]);
      const first = await serve(env, ['--data', dir]);
      const joined = await enroll(first.url, foundingCode);
      expect(joined.status).toBe(200);
      const sent = changes(120);
      expect((await new Client(first.url, joined.body.deviceToken).push(sent)).body.accepted).toBe(120);
      await stop(first.child, 'SIGKILL');
      expectClean(first.logs, [joined.body.deviceToken, foundingCode.replace(/-/g, ''), sent[0]!.value]);

      const second = await serve(env, ['--data', dir]);
      const client = new Client(second.url, joined.body.deviceToken);
      const after = await pullAll(client);
      expect(after.changes.map((c) => c.changeId)).toEqual(sent.map((c) => c.changeId));
      expect(after.changes.map((c) => c.seq)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
      expect((await client.push(changes(5))).body.accepted).toBe(5);
      await stop(second.child);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
