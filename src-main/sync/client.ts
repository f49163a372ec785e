import { z } from 'zod';
import {
  type DeviceInfo,
  type EnrollmentCreate,
  type EnrollmentCreated,
  type EnrollResponse,
  LIMITS,
  type PullResponse,
  type PushResponse,
  ROUTES,
  type WireChangeJson,
} from '../../src-shared/sync-wire.js';
import { parsePullPage } from './pull-page.js';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/**
 * Why a request failed, in words fit for the status bar. `kind` decides what the engine
 * does next: retry with backoff (unreachable, busy, server), or stop until someone acts
 * (refused, revoked, code).
 */
export type SyncFailureKind =
  | 'unreachable'
  | 'refused'
  | 'revoked'
  | 'code'
  | 'busy'
  | 'server'
  | 'bad-response'
  | 'not-found'
  | 'aborted';

export class SyncRequestError extends Error {
  override readonly name = 'SyncRequestError';
  constructor(
    readonly kind: SyncFailureKind,
    message: string,
  ) {
    super(message);
  }
}

const REQUEST_TIMEOUT_MS = 20_000;

const enrollResponse = z.object({
  clinicId: z.string().min(1).max(64),
  clinicName: z.string().max(200),
  deviceId: z.string().min(1).max(64),
  deviceToken: z.string().regex(/^[A-Za-z0-9_-]{20,100}$/),
  wrappedKeyRing: z
    .string()
    .max(128 * 1024)
    .nullable(),
});
const device = z.object({
  id: z.string(),
  name: z.string(),
  enrolledAt: z.number(),
  lastSeenAt: z.number().nullable(),
  revokedAt: z.number().nullable(),
  self: z.boolean(),
});

/** The sync server's HTTP API (src-shared/sync-wire.ts) as seen from a workstation. */
export class SyncClient {
  private readonly origin: string;

  constructor(
    serverUrl: string,
    private readonly token: string | null,
    private readonly fetchImpl: FetchLike = fetch,
    /** Changes asked for per pull page (at most LIMITS.pullPage, the server's cap). */
    private readonly pageSize: number = LIMITS.pullPage,
  ) {
    this.origin = serverUrl.replace(/\/+$/, '');
  }

  async enroll(code: string, deviceName: string): Promise<EnrollResponse> {
    return this.parse(enrollResponse, await this.request('POST', ROUTES.enroll, { code, deviceName }));
  }

  async push(changes: WireChangeJson[]): Promise<PushResponse> {
    const r = await this.request('POST', ROUTES.push, { changes });
    return this.parse(z.object({ accepted: z.number(), duplicates: z.number() }), r);
  }

  async pull(after: number, waitSeconds: number, signal?: AbortSignal): Promise<PullResponse> {
    const q = `?after=${after}&limit=${this.pageSize}&wait=${waitSeconds}`;
    const r = await this.request(
      'GET',
      `${ROUTES.pull}${q}`,
      undefined,
      waitSeconds * 1000 + REQUEST_TIMEOUT_MS,
      signal,
    );
    const page = parsePullPage(r);
    if (!page) throw this.notUnderstood();
    return page;
  }

  async createEnrollment(body: EnrollmentCreate): Promise<EnrollmentCreated> {
    const r = await this.request('POST', ROUTES.enrollments, body);
    return this.parse(z.object({ enrollmentId: z.string(), expiresAt: z.number() }), r);
  }

  async devices(): Promise<DeviceInfo[]> {
    return this.parse(z.object({ devices: z.array(device) }), await this.request('GET', ROUTES.devices))
      .devices;
  }

  async revoke(deviceId: string): Promise<void> {
    await this.request('POST', ROUTES.revoke(deviceId), {});
  }

  private parse<T>(schema: z.ZodType<T>, value: unknown): T {
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw this.notUnderstood();
    return parsed.data;
  }

  private notUnderstood(): SyncRequestError {
    return new SyncRequestError(
      'bad-response',
      `The sync server at ${this.origin} sent an answer this version of Kavach does not understand.`,
    );
  }

  private async request(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    timeoutMs = REQUEST_TIMEOUT_MS,
    signal?: AbortSignal,
  ): Promise<unknown> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.origin}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch {
      if (signal?.aborted) throw new SyncRequestError('aborted', 'The request was cancelled.');
      throw new SyncRequestError(
        'unreachable',
        `The sync server at ${this.origin} cannot be reached. Changes are kept on this workstation and sent when it can be reached.`,
      );
    }
    let json: unknown = null;
    try {
      json = await response.json();
    } catch {
      if (signal?.aborted) throw new SyncRequestError('aborted', 'The request was cancelled.');
      if (response.ok)
        throw new SyncRequestError(
          'bad-response',
          `The address ${this.origin} did not answer like a Kavach sync server.`,
        );
    }
    if (response.ok) return json;
    throw this.failure(response.status, path);
  }

  private failure(status: number, path: string): SyncRequestError {
    if ((status === 404 || status === 410) && path !== ROUTES.enroll) {
      return new SyncRequestError('not-found', 'The sync server does not know that workstation.');
    }
    switch (status) {
      case 401:
        return new SyncRequestError(
          'refused',
          'The sync server does not recognise this workstation. An admin must enroll it again.',
        );
      case 403:
        return new SyncRequestError(
          'revoked',
          "The sync server has revoked this workstation's access. An admin must enroll it again.",
        );
      case 404:
      case 410:
        return new SyncRequestError(
          'code',
          'The code was not accepted: it may be mistyped, expired or already used. Ask an admin for a new code.',
        );
      case 413:
        return new SyncRequestError('server', 'The sync server refused a batch as too large.');
      case 429:
        return new SyncRequestError('busy', 'The sync server is busy; Kavach will try again shortly.');
      case 400:
        return new SyncRequestError(
          'bad-response',
          'The sync server refused a request from this workstation as malformed.',
        );
      default:
        return new SyncRequestError(
          'server',
          `The sync server had a problem (HTTP ${status}); Kavach will try again.`,
        );
    }
  }
}
