import { randomUUID } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { and, asc, eq, isNull } from 'drizzle-orm';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { cardFingerprint, mailboxClaimMessage } from '../src-shared/referral-card';
import {
  MAILBOX_LIMITS,
  MAILBOX_ROUTES,
  type MailboxFetched,
  type MailboxListed,
  mailboxClaim,
  mailboxPost,
} from '../src-shared/referral-mailbox';
import type { ServerDb } from './db';
import { badRequest, HttpError } from './errors';
import { RateLimiter } from './rate-limit';
import { mailboxAddresses, mailboxMessages } from './schema';
import type { AuthedDevice } from './store';

/**
 * The referral mailbox (issue 8). Every query is scoped by the clinic of the device token
 * that made the request, exactly like sync: a clinic can leave a package for another clinic
 * (by its card fingerprint) but can only list, read and acknowledge its own.
 */
export interface MailboxDeps {
  db: ServerDb;
  now: () => number;
  deviceOf(request: FastifyRequest): AuthedDevice;
  perMinute?: number;
}

const idParam = z.strictObject({ id: z.uuid() });
const NOT_HERE = () => new HttpError('NOT_FOUND', 'No such package in this clinic’s mailbox');

function bytesOf(value: string, length: number, field: string): Uint8Array {
  const bytes = new Uint8Array(Buffer.from(value, 'base64'));
  if (bytes.length !== length) throw new HttpError('BAD_REQUEST', `${field}: expected ${length} bytes`);
  return bytes;
}

export function registerMailboxRoutes(authed: FastifyInstance, deps: MailboxDeps): void {
  const { db, now, deviceOf } = deps;
  const limiter = new RateLimiter(deps.perMinute ?? MAILBOX_LIMITS.perMinute, 60_000, now);
  const limited = async (request: FastifyRequest, reply: FastifyReply) => {
    const key = deviceOf(request).id;
    if (limiter.take(key)) return;
    reply.header('retry-after', String(limiter.retryAfterSeconds(key)));
    throw new HttpError('TOO_MANY', 'Too many mailbox requests from this workstation; try again shortly');
  };

  authed.post(MAILBOX_ROUTES.address, { onRequest: limited }, async (request) => {
    const device = deviceOf(request);
    const parsed = mailboxClaim.safeParse(request.body);
    if (!parsed.success) throw badRequest(parsed.error);
    const enc = bytesOf(parsed.data.encryptionPublic, 32, 'encryptionPublic');
    const sig = bytesOf(parsed.data.signingPublic, 32, 'signingPublic');
    let valid = false;
    try {
      valid = ed25519.verify(
        bytesOf(parsed.data.signature, 64, 'signature'),
        mailboxClaimMessage(device.clinicId),
        sig,
      );
    } catch {
      valid = false;
    }
    if (!valid) throw new HttpError('FORBIDDEN', 'The address claim is not signed by the card’s key');
    const fingerprint = cardFingerprint(enc, sig);
    await db
      .insert(mailboxAddresses)
      .values({ fingerprint, clinicId: device.clinicId, createdAt: new Date(now()) })
      .onConflictDoNothing();
    const [row] = await db
      .select()
      .from(mailboxAddresses)
      .where(eq(mailboxAddresses.fingerprint, fingerprint));
    if (row?.clinicId !== device.clinicId)
      throw new HttpError('FORBIDDEN', 'That address belongs to another clinic');
    return { fingerprint };
  });

  authed.post(
    MAILBOX_ROUTES.messages,
    { bodyLimit: MAILBOX_LIMITS.bodyBytes, onRequest: limited },
    async (request): Promise<{ id: string }> => {
      const device = deviceOf(request);
      const parsed = mailboxPost.safeParse(request.body);
      if (!parsed.success) throw badRequest(parsed.error);
      const pkg = Buffer.from(parsed.data.package, 'base64');
      if (pkg.length === 0) throw new HttpError('BAD_REQUEST', 'package: empty');
      if (pkg.length > MAILBOX_LIMITS.packageBytes)
        throw new HttpError('TOO_LARGE', 'The package is larger than 25 MB');
      const [address] = await db
        .select({ clinicId: mailboxAddresses.clinicId })
        .from(mailboxAddresses)
        .where(eq(mailboxAddresses.fingerprint, parsed.data.to));
      if (!address) throw new HttpError('NOT_FOUND', 'No clinic on this server has that mailbox address');
      const id = randomUUID();
      await db.insert(mailboxMessages).values({
        id,
        clinicId: address.clinicId,
        fromDevice: device.id,
        package: new Uint8Array(pkg),
        bytes: pkg.length,
        receivedAt: new Date(now()),
      });
      request.log.info({ deviceId: device.id, messageId: id, bytes: pkg.length }, 'mailbox post');
      return { id };
    },
  );

  authed.get(
    MAILBOX_ROUTES.messages,
    { onRequest: limited },
    async (request): Promise<{ messages: MailboxListed[] }> => {
      const device = deviceOf(request);
      const rows = await db
        .select({
          id: mailboxMessages.id,
          bytes: mailboxMessages.bytes,
          receivedAt: mailboxMessages.receivedAt,
        })
        .from(mailboxMessages)
        .where(and(eq(mailboxMessages.clinicId, device.clinicId), isNull(mailboxMessages.ackedAt)))
        .orderBy(asc(mailboxMessages.receivedAt))
        .limit(MAILBOX_LIMITS.listPage);
      return {
        messages: rows.map((r) => ({ id: r.id, bytes: r.bytes, receivedAt: r.receivedAt.getTime() })),
      };
    },
  );

  authed.get('/v1/mailbox/:id', { onRequest: limited }, async (request): Promise<MailboxFetched> => {
    const device = deviceOf(request);
    const params = idParam.safeParse(request.params);
    if (!params.success) throw NOT_HERE();
    const [row] = await db
      .select({ id: mailboxMessages.id, package: mailboxMessages.package })
      .from(mailboxMessages)
      .where(
        and(
          eq(mailboxMessages.id, params.data.id),
          eq(mailboxMessages.clinicId, device.clinicId),
          isNull(mailboxMessages.ackedAt),
        ),
      );
    if (!row) throw NOT_HERE();
    return { id: row.id, package: Buffer.from(row.package).toString('base64') };
  });

  authed.post('/v1/mailbox/:id/ack', { onRequest: limited }, async (request): Promise<{ ok: true }> => {
    const device = deviceOf(request);
    const params = idParam.safeParse(request.params);
    if (!params.success) throw NOT_HERE();
    // The package is dropped on acknowledgement: the server keeps nothing it no longer needs.
    const done = await db
      .update(mailboxMessages)
      .set({ ackedAt: new Date(now()), package: new Uint8Array(0), bytes: 0 })
      .where(and(eq(mailboxMessages.id, params.data.id), eq(mailboxMessages.clinicId, device.clinicId)))
      .returning({ id: mailboxMessages.id });
    if (done.length === 0) throw NOT_HERE();
    return { ok: true };
  });
}
