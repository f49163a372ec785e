import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { fail, ok } from '../../src-shared/result.js';
import type { Connection, Core, InvokeMeta } from '../core-types.js';
import { COOKIE_NAME, MAX_PAYLOAD, type PreviewServer, startPreviewServer } from './preview-server.js';

interface Recorded {
  connects: number;
  closes: number;
  calls: Array<{ channel: string; payload: unknown; meta?: InvokeMeta }>;
}

/** In-memory core stand-in: answers session.status, throws on 'test.throw', refuses the rest. */
function standInCore(rec: Recorded): Core {
  return {
    connect(): Connection {
      rec.connects += 1;
      return {
        id: `c${rec.connects}`,
        async invoke(channel, payload, meta) {
          rec.calls.push({ channel, payload, meta });
          if (channel === 'test.throw') throw new Error('stack must not cross the bridge');
          if (channel === 'session.status') return ok({ state: 'anonymous', user: null, idleMinutes: 10 });
          return fail('UNKNOWN_CHANNEL', 'Unknown channel');
        },
        close: () => {
          rec.closes += 1;
        },
      };
    },
    close: async () => {},
  };
}

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Raw http so paths like /../x reach the server unnormalised. */
function get(origin: string, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(origin);
    const req = httpRequest({ hostname, port, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function expectSecurityHeaders(reply: Reply, port: string) {
  expect(reply.headers['content-security-policy']).toBe(
    "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; " +
      `form-action 'none'; connect-src 'self' ws://127.0.0.1:${port}`,
  );
  expect(reply.headers['x-content-type-options']).toBe('nosniff');
  expect(reply.headers['referrer-policy']).toBe('no-referrer');
  expect(reply.headers['cache-control']).toBe('no-store');
  expect(reply.headers['cross-origin-opener-policy']).toBe('same-origin');
}

async function signIn(server: PreviewServer, loginUrl = server.url): Promise<string> {
  const reply = await get(server.origin, loginUrl.slice(server.origin.length));
  expect(reply.status).toBe(302);
  const setCookie = reply.headers['set-cookie']?.[0] ?? '';
  return setCookie.split(';')[0] ?? '';
}

function openSocket(server: PreviewServer, headers: Record<string, string>): Promise<WebSocket> {
  const ws = new WebSocket(`${server.origin.replace('http', 'ws')}/bridge`, { headers });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function nextMessage(
  ws: WebSocket,
): Promise<{ id: number | null; result: { ok: boolean; error?: unknown } }> {
  return new Promise((resolve) => ws.once('message', (data) => resolve(JSON.parse(String(data)))));
}

describe('preview server (in-memory core stand-in)', () => {
  let dir: string;
  let server: PreviewServer;
  let rec: Recorded;
  let port: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kavach-preview-'));
    mkdirSync(join(dir, 'renderer', 'assets'), { recursive: true });
    writeFileSync(join(dir, 'renderer', 'index.html'), '<!doctype html><title>Kavach</title>');
    writeFileSync(join(dir, 'renderer', 'assets', 'app.js'), 'export {};');
    writeFileSync(join(dir, 'secret.txt'), 'outside the renderer');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  beforeEach(async () => {
    rec = { connects: 0, closes: 0, calls: [] };
    server = await startPreviewServer({
      core: standInCore(rec),
      rendererDir: join(dir, 'renderer'),
      log: () => {},
    });
    port = new URL(server.origin).port;
  });
  afterEach(() => server.close());

  it('binds only 127.0.0.1', async () => {
    expect(server.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/);
    for (const host of ['0.0.0.0', 'localhost', '::', '192.168.1.2']) {
      await expect(startPreviewServer({ core: standInCore(rec), rendererDir: dir, host })).rejects.toThrow();
    }
  });

  it('trades a token for a cookie once, and redirects it out of the address bar', async () => {
    const path = server.url.slice(server.origin.length);
    const first = await get(server.origin, path);
    expect(first.status).toBe(302);
    expect(first.headers.location).toBe('/');
    expectSecurityHeaders(first, port);
    const cookie = first.headers['set-cookie']?.[0] ?? '';
    expect(cookie).toMatch(
      new RegExp(`^${COOKIE_NAME}=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=/$`),
    );

    const again = await get(server.origin, path);
    expect(again.status).toBe(403);
    expect(again.headers['set-cookie']).toBeUndefined();

    const other = await signIn(server, server.newLoginUrl());
    expect(other).not.toBe(cookie.split(';')[0]);
    expect((await get(server.origin, '/?token=made-up')).status).toBe(403);
  });

  it('requires the cookie for every file and serves the app shell for routes', async () => {
    const refused = await get(server.origin, '/');
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('Open the address printed by npm start');
    expectSecurityHeaders(refused, port);
    expect((await get(server.origin, '/', { Cookie: `${COOKIE_NAME}=forged` })).status).toBe(403);

    const cookie = await signIn(server);
    const home = await get(server.origin, '/', { Cookie: cookie });
    expect(home.status).toBe(200);
    expect(home.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(home.body).toContain('<title>Kavach</title>');
    expectSecurityHeaders(home, port);
    const js = await get(server.origin, '/assets/app.js', { Cookie: cookie });
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await get(server.origin, '/staff/42', { Cookie: cookie })).body).toContain(
      '<title>Kavach</title>',
    );
    const missing = await get(server.origin, '/assets/none.js', { Cookie: cookie });
    expect(missing.status).toBe(404);
    expectSecurityHeaders(missing, port);
  });

  it('refuses path traversal and foreign Host headers', async () => {
    const cookie = await signIn(server);
    for (const path of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/..%5csecret.txt',
    ]) {
      const reply = await get(server.origin, path, { Cookie: cookie });
      expect(reply.status, path).toBe(404);
      expect(reply.body).not.toContain('outside the renderer');
    }
    const rebound = await get(server.origin, '/', { Cookie: cookie, Host: `attacker.example:${port}` });
    expect(rebound.status).toBe(403);
  });

  it('opens the bridge only with the cookie and the exact Origin', async () => {
    const cookie = await signIn(server);
    await expect(openSocket(server, { Origin: 'http://evil.example', Cookie: cookie })).rejects.toThrow(
      '403',
    );
    await expect(openSocket(server, { Origin: `http://localhost:${port}`, Cookie: cookie })).rejects.toThrow(
      '403',
    );
    await expect(openSocket(server, { Cookie: cookie })).rejects.toThrow('403');
    await expect(openSocket(server, { Origin: server.origin })).rejects.toThrow('403');
    expect(rec.connects).toBe(0);

    const ws = await openSocket(server, { Origin: server.origin, Cookie: cookie });
    const answer = nextMessage(ws);
    ws.send(JSON.stringify({ id: 7, channel: 'session.status', payload: {} }));
    expect(await answer).toStrictEqual({
      id: 7,
      result: { ok: true, value: { state: 'anonymous', user: null, idleMinutes: 10 } },
    });
    expect(rec.calls[0]).toStrictEqual({
      channel: 'session.status',
      payload: {},
      meta: { trustedSender: true },
    });
    expect(rec.connects).toBe(1);
    ws.close();
    await new Promise((r) => ws.once('close', r));
    await expect.poll(() => rec.closes).toBe(1);
  });

  it('survives malformed frames and keeps answering', async () => {
    const cookie = await signIn(server);
    const ws = await openSocket(server, { Origin: server.origin, Cookie: cookie });
    const malformed = [
      'not json',
      '[1,2]',
      'null',
      '{"id":"1","channel":"session.status"}',
      '{"id":1}',
      '{"id":1.5,"channel":"session.status"}',
      '{"id":1,"channel":"session.status","payload":{},"extra":true}',
    ];
    for (const frame of malformed) {
      const answer = nextMessage(ws);
      ws.send(frame);
      expect(await answer, frame).toStrictEqual({
        id: null,
        result: { ok: false, error: { code: 'VALIDATION', message: 'Malformed request' } },
      });
    }
    const binary = nextMessage(ws);
    ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect((await binary).id).toBeNull();

    const thrown = nextMessage(ws);
    ws.send(JSON.stringify({ id: 2, channel: 'test.throw' }));
    const reply = await thrown;
    expect(reply).toStrictEqual({
      id: 2,
      result: { ok: false, error: { code: 'INTERNAL', message: expect.any(String) } },
    });
    expect(JSON.stringify(reply)).not.toContain('stack must not cross');

    const fine = nextMessage(ws);
    ws.send(JSON.stringify({ id: 3, channel: 'session.status' }));
    expect((await fine).result.ok).toBe(true);
    ws.close();
  });

  it('closes a socket that sends more than 1 MiB, and stays up', async () => {
    const cookie = await signIn(server);
    const ws = await openSocket(server, { Origin: server.origin, Cookie: cookie });
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    ws.send(JSON.stringify({ id: 1, channel: 'session.status', payload: 'x'.repeat(MAX_PAYLOAD) }));
    expect(await closed).toBe(1009);
    const again = await openSocket(server, { Origin: server.origin, Cookie: cookie });
    const answer = nextMessage(again);
    again.send(JSON.stringify({ id: 4, channel: 'session.status' }));
    expect((await answer).id).toBe(4);
    again.close();
  });
});
