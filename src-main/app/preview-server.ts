import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { fail, type Result } from '../../src-shared/result.js';
import type { Connection, Core } from '../core-types.js';
import { cspFor } from './hardening.js';
import { loadRendererFile } from './protocol.js';

/**
 * The browser preview: the same renderer and the same router as the desktop app, for machines
 * where Electron's runtime cannot be had. The page talks to main over a WebSocket instead of
 * IPC. Anything on this machine can reach a loopback port, so every request needs a secret:
 * a one-time token from the printed address, traded for an HttpOnly cookie, plus an exact
 * Origin check on the socket so another site open in the same browser cannot drive it.
 */

export const COOKIE_NAME = 'kavach_preview';
export const BRIDGE_PATH = '/bridge';
// Room for the largest message the contract allows: a 1 MB photo is 1.33 MB as base64.
export const MAX_PAYLOAD = 2 * 1024 * 1024;
const LOOPBACK = '127.0.0.1';
/** A runaway page must not queue unbounded work on one socket. */
const MAX_IN_FLIGHT = 64;
const REFUSED_TEXT = 'Not signed in. Open the address printed by npm start.\n';

export interface PreviewServerOptions {
  core: Core;
  rendererDir: string;
  host?: string;
  port?: number;
  /** Operational messages only: never tokens, cookies or payloads. */
  log?: (line: string) => void;
}

export interface PreviewServer {
  origin: string;
  url: string;
  newLoginUrl(): string;
  close(): Promise<void>;
}

const digest = (value: string) => createHash('sha256').update(value).digest();
const newSecret = () => randomBytes(32).toString('base64url');

/** Secrets kept only as digests, and compared in constant time against every live one. */
class SecretSet {
  private readonly digests: Buffer[] = [];

  add(secret: string): void {
    this.digests.push(digest(secret));
  }

  private indexOf(candidate: string): number {
    const d = digest(candidate);
    let found = -1;
    this.digests.forEach((known, i) => {
      if (timingSafeEqual(known, d)) found = i;
    });
    return found;
  }

  has(candidate: string): boolean {
    return this.indexOf(candidate) >= 0;
  }

  /** One-time use: true and forgotten if present. */
  take(candidate: string): boolean {
    const i = this.indexOf(candidate);
    if (i >= 0) this.digests.splice(i, 1);
    return i >= 0;
  }
}

export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

function securityHeaders(port: number): Record<string, string> {
  return {
    'Content-Security-Policy': cspFor({ connectSrc: `ws://${LOOPBACK}:${port}` }),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
    'Cross-Origin-Opener-Policy': 'same-origin',
  };
}

interface ServerState {
  core: Core;
  rendererDir: string;
  port: number;
  origin: string;
  tokens: SecretSet;
  sessions: SecretSet;
  log: (line: string) => void;
}

function hasSession(state: ServerState, req: IncomingMessage): boolean {
  const cookie = readCookie(req.headers.cookie, COOKIE_NAME);
  return cookie !== null && state.sessions.has(cookie);
}

/** A rebinding attack reaches us under another host name: answer only to our own. */
function hostIsOurs(state: ServerState, req: IncomingMessage): boolean {
  return req.headers.host === `${LOOPBACK}:${state.port}`;
}

function sendText(state: ServerState, res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { ...securityHeaders(state.port), 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(text);
}

function redirectHome(state: ServerState, res: ServerResponse, cookie?: string): void {
  const headers: Record<string, string> = { ...securityHeaders(state.port), Location: '/' };
  if (cookie) headers['Set-Cookie'] = `${COOKIE_NAME}=${cookie}; HttpOnly; SameSite=Strict; Path=/`;
  res.writeHead(302, headers);
  res.end();
}

async function handleHttp(state: ServerState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (!hostIsOurs(state, req)) return sendText(state, res, 403, REFUSED_TEXT);
  if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(state, res, 405, 'Method not allowed\n');
  const url = new URL(req.url ?? '/', state.origin);
  const token = url.searchParams.get('token');
  if (token !== null) {
    if (state.tokens.take(token)) {
      const secret = newSecret();
      state.sessions.add(secret);
      state.log('preview: a browser signed in with a one-time address');
      return redirectHome(state, res, secret);
    }
    if (hasSession(state, req)) return redirectHome(state, res);
    return sendText(state, res, 403, `This address was already used. ${REFUSED_TEXT}`);
  }
  if (!hasSession(state, req)) return sendText(state, res, 403, REFUSED_TEXT);
  const file = await loadRendererFile(state.rendererDir, url.pathname);
  if (file === null) return sendText(state, res, 404, 'Not found\n');
  res.writeHead(200, { ...securityHeaders(state.port), 'Content-Type': file.contentType });
  res.end(req.method === 'HEAD' ? undefined : file.body);
}

const MALFORMED = { id: null, result: fail('VALIDATION', 'Malformed request') };

interface BridgeRequest {
  id: number;
  channel: string;
  payload: unknown;
}

/** Strict shape: { id: number, channel: string, payload?: any } and no other keys. */
export function parseBridgeRequest(data: RawData, isBinary: boolean): BridgeRequest | null {
  if (isBinary) return null;
  let msg: unknown;
  try {
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer);
    msg = JSON.parse(bytes.toString('utf8'));
  } catch {
    return null;
  }
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return null;
  const { id, channel, payload, ...rest } = msg as Record<string, unknown>;
  if (Object.keys(rest).length > 0) return null;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || typeof channel !== 'string') return null;
  return { id, channel, payload };
}

async function answer(connection: Connection, request: BridgeRequest): Promise<Result<unknown>> {
  try {
    // Cookie and exact Origin were checked at upgrade: this socket is our own page.
    return await connection.invoke(request.channel, request.payload, { trustedSender: true });
  } catch {
    return fail('INTERNAL', 'Something went wrong. Try again.');
  }
}

function serveSocket(state: ServerState, socket: WebSocket): void {
  const connection: Connection = state.core.connect();
  let inFlight = 0;
  const reply = (body: unknown) => {
    if (socket.readyState !== socket.OPEN) return;
    try {
      socket.send(JSON.stringify(body));
    } catch {
      socket.send(JSON.stringify({ id: null, result: fail('INTERNAL', 'Something went wrong. Try again.') }));
    }
  };
  socket.on('message', async (data, isBinary) => {
    const request = parseBridgeRequest(data, isBinary);
    if (request === null) return reply(MALFORMED);
    if (inFlight >= MAX_IN_FLIGHT) {
      return reply({ id: request.id, result: fail('RATE_LIMITED', 'Too many requests at once') });
    }
    inFlight += 1;
    const result = await answer(connection, request);
    inFlight -= 1;
    reply({ id: request.id, result });
  });
  socket.on('error', () => state.log('preview: a bridge socket failed and was closed'));
  socket.on('close', () => connection.close());
}

function refuseUpgrade(socket: Duplex): void {
  socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
}

function handleUpgrade(
  state: ServerState,
  wss: WebSocketServer,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
) {
  const path = new URL(req.url ?? '/', state.origin).pathname;
  const allowed =
    path === BRIDGE_PATH &&
    hostIsOurs(state, req) &&
    req.headers.origin === state.origin &&
    hasSession(state, req);
  if (!allowed) {
    state.log('preview: refused a bridge connection (wrong origin or not signed in)');
    return refuseUpgrade(socket);
  }
  wss.handleUpgrade(req, socket, head, (ws) => serveSocket(state, ws));
}

function listen(server: ReturnType<typeof createServer>, host: string, port: number): Promise<number> {
  return new Promise((resolvePort, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolvePort((server.address() as AddressInfo).port);
    });
  });
}

export async function startPreviewServer(opts: PreviewServerOptions): Promise<PreviewServer> {
  const host = opts.host ?? LOOPBACK;
  if (host !== LOOPBACK) throw new Error(`The preview binds only ${LOOPBACK}, not ${host}`);
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const state: ServerState = {
    core: opts.core,
    rendererDir: opts.rendererDir,
    port: 0,
    origin: '',
    tokens: new SecretSet(),
    sessions: new SecretSet(),
    log,
  };
  const server = createServer((req, res) => {
    handleHttp(state, req, res).catch(() => {
      if (!res.headersSent) sendText(state, res, 500, 'Something went wrong\n');
      else res.destroy();
    });
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD });
  server.on('upgrade', (req, socket, head) => handleUpgrade(state, wss, req, socket, head));
  state.port = await listen(server, host, opts.port ?? 0);
  state.origin = `http://${LOOPBACK}:${state.port}`;

  const newLoginUrl = () => {
    const token = newSecret();
    state.tokens.add(token);
    return `${state.origin}/?token=${token}`;
  };
  const close = async () => {
    for (const client of wss.clients) client.terminate();
    await new Promise<void>((done) => wss.close(() => done()));
    server.closeAllConnections();
    await new Promise<void>((done) => server.close(() => done()));
  };
  return { origin: state.origin, url: newLoginUrl(), newLoginUrl, close };
}
