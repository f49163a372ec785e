import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, inject } from 'vitest';
import type { ApiError, EnrollResponse, WireChangeJson } from '../../src-shared/sync-wire';
import { createServer, type RunningServer, type ServerOptions } from '../app';

/** Every server suite runs once per backend. */
export const BACKENDS = ['pglite', 'postgres'] as const;
export type Backend = (typeof BACKENDS)[number];

/** The throwaway cluster's URL; throws (so the test FAILS, never skips) when it is missing. */
export function testDatabaseUrl(): string {
  const url = inject('kavachDatabaseUrl');
  if (!url) {
    throw new Error(
      `The PostgreSQL test cluster did not start (${inject('kavachPgError') || 'no URL provided'}). ` +
        'install postgresql (as .ci/run does), or set KAVACH_TEST_DATABASE_URL.',
    );
  }
  return url;
}

/** A clock the tests move by hand: expiry and rate-limit windows follow it. */
export class TestClock {
  t = Date.now();
  readonly now = () => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

export async function startTestServer(
  backend: Backend,
  options: Partial<Omit<ServerOptions, 'db'>> = {},
): Promise<RunningServer> {
  return createServer({ db: backend === 'pglite' ? 'pglite' : { url: testDatabaseUrl() }, ...options });
}

/**
 * Starts one server for a describe block. A server that cannot start (no PostgreSQL) is
 * rethrown by the returned getter in every test, so each test FAILS with the reason; a
 * failing beforeAll alone would only mark them skipped.
 */
export function useTestServer(
  backend: Backend,
  options: Partial<Omit<ServerOptions, 'db'>> = {},
): () => RunningServer {
  let server: RunningServer | undefined;
  let failure: unknown;
  beforeAll(async () => {
    try {
      server = await startTestServer(backend, options);
    } catch (err) {
      failure = err;
    }
  });
  afterAll(async () => {
    await server?.close();
  });
  return () => {
    if (!server) throw failure ?? new Error('the test server did not start');
    return server;
  };
}

export interface Reply<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/** A workstation's view of the server: base URL plus, once enrolled, its device token. */
export class Client {
  constructor(
    readonly base: string,
    readonly token?: string,
  ) {}

  // biome-ignore lint/suspicious/noExplicitAny: tests read replies of every shape, error or not
  async call<T = any>(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    signal?: AbortSignal,
  ): Promise<Reply<T>> {
    const headers: Record<string, string> = {};
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(this.base + path, {
      method,
      headers,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      signal,
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T, headers: res.headers };
  }

  push(changes: WireChangeJson[]) {
    return this.call<{ accepted: number; duplicates: number }>('POST', '/v1/push', { changes });
  }

  pull(after: number, extra = '') {
    return this.call('GET', `/v1/pull?after=${after}${extra}`);
  }
}

export async function enroll(base: string, code: string, deviceName = 'Reception 1') {
  return new Client(base).call<EnrollResponse & ApiError>('POST', '/v1/enroll', { code, deviceName });
}

/** A new clinic with its first workstation enrolled through the founding code. */
export async function newClinic(server: RunningServer, name = 'Sunrise Clinic') {
  const { clinicId, foundingCode } = await server.createClinic(name);
  const r = await enroll(server.url, foundingCode, 'Admin desk');
  if (r.status !== 200) throw new Error(`founding enrollment failed: ${JSON.stringify(r.body)}`);
  return { clinicId, deviceId: r.body.deviceId, admin: new Client(server.url, r.body.deviceToken) };
}

/** A wire change whose value is `bytes` (random envelope-sized bytes by default). */
export function change(overrides: Partial<WireChangeJson> = {}, bytes = randomBytes(48)): WireChangeJson {
  return {
    changeId: randomUUID(),
    table: 'patients',
    rowId: `p-${randomUUID()}`,
    column: 'given_names',
    clock: `${String(Date.now()).padStart(15, '0')}-000000-node1`,
    value: Buffer.from(bytes).toString('base64'),
    ...overrides,
  };
}

export function changes(n: number): WireChangeJson[] {
  return Array.from({ length: n }, () => change({}, randomBytes(16)));
}

/** Pulls a clinic's whole log, page by page. */
export async function pullAll(client: Client, pageSize = 1000) {
  const all: { seq: number; changeId: string; value: string; deviceId: string }[] = [];
  let after = 0;
  for (;;) {
    const r = await client.pull(after, `&limit=${pageSize}`);
    if (r.status !== 200) throw new Error(`pull failed: ${r.status} ${JSON.stringify(r.body)}`);
    all.push(...r.body.changes);
    after = r.body.next;
    if (!r.body.more) return { changes: all, latest: r.body.latest as number };
  }
}
