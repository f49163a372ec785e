import { sql } from 'drizzle-orm';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  type DeviceInfo,
  type EnrollmentCreated,
  type EnrollResponse,
  enrollmentCreate,
  enrollRequest,
  LIMITS,
  type PullResponse,
  type PushResponse,
  pullQuery,
  pushRequest,
  ROUTES,
  SYNC_API_VERSION,
} from '../src-shared/sync-wire';
import { hashCode, hashToken, isWellFormedCode, newDeviceToken, TOKEN_SHAPE } from './codes';
import type { ServerDb } from './db';
import { badRequest, HttpError } from './errors';
import { registerMailboxRoutes } from './mailbox';
import type { RateLimiter } from './rate-limit';
import {
  type AuthedDevice,
  createEnrollment,
  findDeviceByTokenHash,
  listDevices,
  pullPage,
  pushChanges,
  redeemEnrollment,
  revokeDevice,
  touchDevice,
} from './store';
import type { TableStats } from './table-stats';
import type { ClinicWatcher } from './watcher';

export interface RouteDeps {
  db: ServerDb;
  watcher: ClinicWatcher;
  stats: TableStats;
  now: () => number;
  enrollLimiter: RateLimiter;
  pushLimiter: RateLimiter;
  enrollmentLimiter: RateLimiter;
}

/** How often an authenticated request may write devices.last_seen_at. */
const LAST_SEEN_EVERY_MS = 30_000;

// One answer for a wrong, expired or used code, so a guesser learns nothing from it.
const CODE_REFUSED = new HttpError(
  'NOT_FOUND',
  'This enrollment code is not valid: it may be mistyped, expired or already used. Ask an admin for a new code.',
);

const deviceName = z
  .string()
  .transform((s) => s.normalize('NFC').trim())
  .refine((s) => s.length >= 1 && s.length <= 80, { error: 'Expected a device name of 1 to 80 characters' })
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), { error: 'The device name contains control characters' });
const deviceIdParam = z.strictObject({ id: z.uuid() });

const devices = new WeakMap<FastifyRequest, AuthedDevice>();

/** The device a request was authenticated as (set by the onRequest hook). */
function deviceOf(request: FastifyRequest): AuthedDevice {
  const d = devices.get(request);
  if (!d) throw new Error('route reached without authentication');
  return d;
}

function limited(limiter: RateLimiter, key: string, reply: FastifyReply): void {
  if (limiter.take(key)) return;
  reply.header('retry-after', String(limiter.retryAfterSeconds(key)));
  throw new HttpError('TOO_MANY', 'Too many requests from this workstation; it will retry shortly');
}

function decodeBase64(value: string): Uint8Array {
  return Buffer.from(value, 'base64');
}

export function registerRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { db, watcher, now } = deps;

  app.get(ROUTES.health, async () => {
    await db.execute(sql`select 1`);
    return { ok: true, api: SYNC_API_VERSION };
  });

  app.post(
    ROUTES.enroll,
    { onRequest: async (request, reply) => limited(deps.enrollLimiter, request.ip, reply) },
    async (request): Promise<EnrollResponse> => {
      const parsed = enrollRequest.safeParse(request.body);
      if (!parsed.success) throw badRequest(parsed.error);
      const name = deviceName.safeParse(parsed.data.deviceName);
      if (!name.success) throw badRequest(name.error);
      if (!isWellFormedCode(parsed.data.code)) throw CODE_REFUSED;
      const deviceToken = newDeviceToken();
      const redeemed = await redeemEnrollment(
        db,
        hashCode(parsed.data.code),
        name.data,
        hashToken(deviceToken),
        new Date(now()),
      );
      if (!redeemed) throw CODE_REFUSED;
      request.log.info({ clinicId: redeemed.clinicId, deviceId: redeemed.deviceId }, 'device enrolled');
      return {
        clinicId: redeemed.clinicId,
        clinicName: redeemed.clinicName,
        deviceId: redeemed.deviceId,
        deviceToken,
        wrappedKeyRing: redeemed.wrappedKeyRing
          ? Buffer.from(redeemed.wrappedKeyRing).toString('base64')
          : null,
      };
    },
  );

  // Everything below needs a device token; an encapsulated plugin scopes the hook to it.
  app.register(async (authed) => {
    authed.addHook('onRequest', async (request) => {
      const match = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '');
      if (!match || !TOKEN_SHAPE.test(match[1]!)) {
        throw new HttpError('UNAUTHORIZED', 'A device token is required (Authorization: Bearer <token>)');
      }
      const device = await findDeviceByTokenHash(db, hashToken(match[1]!));
      if (!device) throw new HttpError('UNAUTHORIZED', 'This device token is not known to the server');
      if (device.revokedAt) {
        throw new HttpError('FORBIDDEN', "This workstation's access to the clinic has been revoked");
      }
      devices.set(request, device);
      const t = now();
      if (!device.lastSeenAt || t - device.lastSeenAt.getTime() >= LAST_SEEN_EVERY_MS) {
        await touchDevice(db, device.id, new Date(t));
      }
    });

    authed.post(
      ROUTES.push,
      {
        bodyLimit: LIMITS.bodyBytes,
        // Route hooks run after the scope's authentication and before the (up to 8 MB) body
        // is read, so a flooding workstation costs no parsing.
        onRequest: async (request, reply) => limited(deps.pushLimiter, deviceOf(request).id, reply),
      },
      async (request): Promise<PushResponse> => {
        const device = deviceOf(request);
        const parsed = pushRequest.safeParse(request.body);
        if (!parsed.success) throw badRequest(parsed.error);
        const batch = parsed.data.changes.map((c) => ({ ...c, value: decodeBase64(c.value) }));
        const result = await pushChanges(db, device, batch);
        if (result.accepted > 0) {
          watcher.notify(device.clinicId, result.latest);
          deps.stats.inserted(result.accepted);
        }
        request.log.info(
          {
            deviceId: device.id,
            accepted: result.accepted,
            duplicates: result.duplicates,
            latest: result.latest,
          },
          'push',
        );
        return { accepted: result.accepted, duplicates: result.duplicates };
      },
    );

    authed.get(ROUTES.pull, async (request, reply) => {
      const device = deviceOf(request);
      const parsed = pullQuery.safeParse(request.query);
      if (!parsed.success) throw badRequest(parsed.error);
      const { after, limit, wait } = parsed.data;
      let page = await pullPage(db, device.clinicId, after, limit);
      if (page.count === 0 && wait > 0) {
        // The client going away ends the wait early; nothing is held in the database.
        const gone = new AbortController();
        const onClose = () => gone.abort();
        reply.raw.once('close', onClose);
        await watcher.wait(device.clinicId, after, wait * 1000, gone.signal);
        reply.raw.off('close', onClose);
        page = await pullPage(db, device.clinicId, after, limit);
      }
      // A PullResponse, with the changes array exactly as PostgreSQL wrote it.
      const rest: Omit<PullResponse, 'changes'> = { next: page.next, more: page.more, latest: page.latest };
      const body = `{"changes":${page.changesJson},${JSON.stringify(rest).slice(1)}`;
      return reply.type('application/json; charset=utf-8').send(body);
    });

    authed.post(
      ROUTES.enrollments,
      { onRequest: async (request, reply) => limited(deps.enrollmentLimiter, deviceOf(request).id, reply) },
      async (request): Promise<EnrollmentCreated> => {
        const device = deviceOf(request);
        const parsed = enrollmentCreate.safeParse(request.body);
        if (!parsed.success) throw badRequest(parsed.error);
        const t = now();
        const expiresAt = new Date(t + parsed.data.ttlSeconds * 1000);
        const id = await createEnrollment(
          db,
          device,
          parsed.data.codeHash,
          decodeBase64(parsed.data.wrappedKeyRing),
          new Date(t),
          expiresAt,
        );
        if (!id)
          throw new HttpError('BAD_REQUEST', 'That enrollment code is already registered; make a new one');
        request.log.info({ deviceId: device.id, enrollmentId: id }, 'enrollment offered');
        return { enrollmentId: id, expiresAt: expiresAt.getTime() };
      },
    );

    authed.get(ROUTES.devices, async (request): Promise<{ devices: DeviceInfo[] }> => {
      return { devices: await listDevices(db, deviceOf(request)) };
    });

    authed.post('/v1/devices/:id/revoke', async (request): Promise<{ device: DeviceInfo }> => {
      const self = deviceOf(request);
      const params = deviceIdParam.safeParse(request.params);
      const notHere = new HttpError('NOT_FOUND', 'No such device in this clinic');
      if (!params.success) throw notHere;
      if (!(await revokeDevice(db, self, params.data.id, new Date(now())))) throw notHere;
      const device = (await listDevices(db, self)).find((d) => d.id === params.data.id);
      if (!device) throw notHere;
      request.log.info({ deviceId: self.id, revoked: device.id }, 'device revoked');
      return { device };
    });

    // Referral mailbox (issue 8): its own file, the same device-token scope.
    registerMailboxRoutes(authed, { db, now, deviceOf });
  });
}
