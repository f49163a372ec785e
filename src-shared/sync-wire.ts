import { z } from 'zod';

/**
 * The sync server's HTTP API as both sides agree on it (DESIGN.md §3 and §5). Bodies are
 * JSON; binary values (envelopes, wrapped key rings) travel as base64. Every route except
 * /health and /v1/enroll needs `Authorization: Bearer <device token>`; the server finds the
 * device by the token's SHA-256, refuses revoked devices, and scopes every query to that
 * device's clinic.
 */

export const SYNC_API_VERSION = 'v1';

export const ROUTES = {
  health: '/health',
  /** Redeem an enrollment (or a clinic's founding) code: no device token yet. */
  enroll: '/v1/enroll',
  /** An enrolled device offers a one-time code for a new workstation of its clinic. */
  enrollments: '/v1/enrollments',
  push: '/v1/push',
  pull: '/v1/pull',
  devices: '/v1/devices',
  /** POST /v1/devices/:id/revoke */
  revoke: (deviceId: string) => `/v1/devices/${encodeURIComponent(deviceId)}/revoke`,
} as const;

export const LIMITS = {
  /** Changes per push request. */
  pushBatch: 500,
  /** Request body bytes the server accepts (an encrypted photo is ~1.4 MB of base64). */
  bodyBytes: 8 * 1024 * 1024,
  /** Changes per pull page (within the server's 8 MiB page cap). A catching-up workstation
   *  applies a page per transaction, and fewer, larger commits cost it less. (Pages of 5,000
   *  were once slower at 100,000 patients: the server's page query then had no upper seq
   *  bound, and PGlite planned a scan of the whole rest of the log; src-server/store.ts.) */
  pullPage: 5000,
  /** Longest long-poll the server holds, in seconds. */
  maxWaitSeconds: 30,
  /** Pushes per device per minute. */
  pushesPerMinute: 240,
  /** Enrollment redemptions per client address per minute (codes are 128-bit, this only
   *  stops noise). */
  enrollPerMinute: 10,
} as const;

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, { error: 'Expected base64' });
const uuid = z.uuid({ error: 'Expected an id' });
// Names checked again against SYNCED_TABLES by the receiving workstation before SQL.
const ident = z.string().regex(/^[a-z_]{1,40}$/, { error: 'Expected a table or column name' });
const rowId = z
  .string()
  .min(1)
  .max(120)
  .regex(/^[A-Za-z0-9:_-]+$/, { error: 'Expected a row id' });
const clock = z.string().regex(/^\d{15}-[0-9a-f]{6}-[A-Za-z0-9_-]{1,64}$/, { error: 'Expected a clock' });

/** One field change as sent: the value is always a field envelope, whatever the column. */
export const wireChangeJson = z.strictObject({
  changeId: uuid,
  table: ident,
  rowId,
  column: ident,
  clock,
  value: base64.max(4 * 1024 * 1024),
});
export type WireChangeJson = z.infer<typeof wireChangeJson>;

export const pushRequest = z.strictObject({
  changes: z.array(wireChangeJson).min(1).max(LIMITS.pushBatch),
});
export type PushRequest = z.infer<typeof pushRequest>;

export interface PushResponse {
  /** Newly stored. */
  accepted: number;
  /** Already stored earlier (same changeId): pushes are idempotent. */
  duplicates: number;
}

export const pullQuery = z.strictObject({
  /** The last per-clinic sequence number this device has applied; 0 to start. */
  after: z.coerce.number().int().min(0),
  limit: z.coerce.number().int().min(1).max(LIMITS.pullPage).default(LIMITS.pullPage),
  /** Seconds to hold the request open when nothing is newer than `after`. */
  wait: z.coerce.number().int().min(0).max(LIMITS.maxWaitSeconds).default(0),
});
export type PullQuery = z.infer<typeof pullQuery>;

export interface PulledChange extends WireChangeJson {
  /** The server's per-clinic order. */
  seq: number;
  /** Which device pushed it (a workstation skips its own). */
  deviceId: string;
}

export interface PullResponse {
  changes: PulledChange[];
  /** The cursor to send next time: the last seq in this page, or `after` when empty. */
  next: number;
  /** True when more changes are waiting beyond this page. */
  more: boolean;
  /** The clinic's newest seq, for progress during an initial sync. */
  latest: number;
}

export const enrollmentCreate = z.strictObject({
  /** hex SHA-256 of the one-time code; the server never sees the code itself here. */
  codeHash: z.string().regex(/^[0-9a-f]{64}$/, { error: 'Expected a SHA-256 hex digest' }),
  /** The clinic's key ring wrapped under a key derived from the code (argon2id + HKDF). */
  wrappedKeyRing: base64.min(1).max(64 * 1024),
  /** Seconds until the code expires (at most a day). */
  ttlSeconds: z.number().int().min(60).max(86_400),
});
export type EnrollmentCreate = z.infer<typeof enrollmentCreate>;

export interface EnrollmentCreated {
  enrollmentId: string;
  expiresAt: number;
}

export const enrollRequest = z.strictObject({
  /** The one-time code as typed (groups and case are normalised by normalizeCode). */
  code: z.string().min(16).max(80),
  deviceName: z.string().min(1).max(80),
});
export type EnrollRequest = z.infer<typeof enrollRequest>;

export interface EnrollResponse {
  clinicId: string;
  clinicName: string;
  deviceId: string;
  /** base64url of 32 random bytes; shown once, stored hashed by the server. */
  deviceToken: string;
  /** null for a clinic's founding code (that workstation already holds the keys). */
  wrappedKeyRing: string | null;
}

export interface DeviceInfo {
  id: string;
  name: string;
  enrolledAt: number;
  lastSeenAt: number | null;
  revokedAt: number | null;
  /** True for the device making the request. */
  self: boolean;
}

export interface ApiError {
  error: {
    code:
      | 'BAD_REQUEST'
      | 'UNAUTHORIZED'
      | 'FORBIDDEN'
      | 'NOT_FOUND'
      | 'GONE'
      | 'TOO_MANY'
      | 'TOO_LARGE'
      | 'INTERNAL';
    message: string;
  };
}

/**
 * Enrollment codes: 20 random bytes in Crockford base-32 (32 characters, 160 bits), shown
 * in groups of four. Typing is forgiving: case, spaces, dashes, and O/I/L read as 0/1/1.
 */
export function normalizeCode(typed: string): string {
  return typed.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
}

export function groupCode(code: string): string {
  return (normalizeCode(code).match(/.{1,4}/g) ?? []).join('-');
}
