import { randomBytes } from 'node:crypto';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { cardFingerprint, mailboxClaimMessage } from '../src-shared/referral-card';
import { MAILBOX_LIMITS, MAILBOX_ROUTES } from '../src-shared/referral-mailbox';
import type { RunningServer } from './app';
import { mailboxMessages } from './schema';
import { type Client, newClinic, TestClock, useTestServer } from './testing/harness';

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

function card() {
  const enc = x25519.keygen();
  const sig = ed25519.keygen();
  return { enc, sig, fingerprint: cardFingerprint(enc.publicKey, sig.publicKey) };
}
type Card = ReturnType<typeof card>;

function claim(client: Client, clinicId: string, c: Card, signer = c.sig.secretKey) {
  return client.call('POST', MAILBOX_ROUTES.address, {
    encryptionPublic: b64(c.enc.publicKey),
    signingPublic: b64(c.sig.publicKey),
    signature: b64(ed25519.sign(mailboxClaimMessage(clinicId), signer)),
  });
}

describe('referral mailbox on pglite', () => {
  let server: RunningServer;
  const clock = new TestClock();
  const started = useTestServer('pglite', { now: clock.now });
  beforeEach(() => {
    server = started();
    clock.advance(61_000);
  });

  it('delivers a package to the addressed clinic only; another clinic cannot list, read or ack it', async () => {
    const a = await newClinic(server, 'Clinic A');
    const b = await newClinic(server, 'Clinic B');
    const cardB = card();
    expect((await claim(b.admin, b.clinicId, cardB)).body).toEqual({ fingerprint: cardB.fingerprint });
    const pkg = randomBytes(3000);
    const posted = await a.admin.call('POST', MAILBOX_ROUTES.messages, {
      to: cardB.fingerprint,
      package: b64(pkg),
    });
    expect(posted.status).toBe(200);
    const id = posted.body.id as string;

    // A (the sender) sees nothing of B's mailbox.
    expect((await a.admin.call('GET', MAILBOX_ROUTES.messages)).body.messages).toEqual([]);
    expect((await a.admin.call('GET', MAILBOX_ROUTES.message(id))).status).toBe(404);
    expect((await a.admin.call('POST', MAILBOX_ROUTES.ack(id), {})).status).toBe(404);

    const listed = await b.admin.call('GET', MAILBOX_ROUTES.messages);
    expect(listed.body.messages).toEqual([{ id, bytes: 3000, receivedAt: expect.any(Number) }]);
    const fetched = await b.admin.call('GET', MAILBOX_ROUTES.message(id));
    expect(Buffer.from(fetched.body.package, 'base64').equals(pkg)).toBe(true);
    expect((await b.admin.call('POST', MAILBOX_ROUTES.ack(id), {})).status).toBe(200);
    expect((await b.admin.call('GET', MAILBOX_ROUTES.messages)).body.messages).toEqual([]);
    expect((await b.admin.call('GET', MAILBOX_ROUTES.message(id))).status).toBe(404);
    // Acknowledged: the server no longer holds the bytes.
    const [row] = await server.db.select().from(mailboxMessages).where(eq(mailboxMessages.id, id));
    expect(row?.bytes).toBe(0);
    expect(row?.package.length).toBe(0);
  });

  it('an address is claimed only with the card’s signing key, and only once', async () => {
    const b = await newClinic(server, 'Clinic B');
    const c = await newClinic(server, 'Clinic C');
    const cardB = card();
    // C presents B's public keys but cannot sign for them.
    expect((await claim(c.admin, c.clinicId, cardB, card().sig.secretKey)).status).toBe(403);
    // A signature B made for its own clinic id does not work for C's.
    expect((await claim(b.admin, c.clinicId, cardB)).status).toBe(403);
    expect((await claim(b.admin, b.clinicId, cardB)).status).toBe(200);
    expect((await claim(b.admin, b.clinicId, cardB)).status).toBe(200);
  });

  it('refuses an unknown address, a malformed body, a package over 25 MB, and no token', async () => {
    const a = await newClinic(server, 'Clinic A');
    const to = card().fingerprint;
    expect(
      (await a.admin.call('POST', MAILBOX_ROUTES.messages, { to, package: b64(randomBytes(10)) })).status,
    ).toBe(404);
    expect((await a.admin.call('POST', MAILBOX_ROUTES.messages, { to: 'x', package: 'AA==' })).status).toBe(
      400,
    );
    expect(
      (await a.admin.call('POST', MAILBOX_ROUTES.messages, { to, package: 'AA==', extra: 1 })).status,
    ).toBe(400);
    const big = Buffer.alloc(MAILBOX_LIMITS.packageBytes + 1).toString('base64');
    expect((await a.admin.call('POST', MAILBOX_ROUTES.messages, { to, package: big })).status).toBe(413);
    const anon = await fetch(server.url + MAILBOX_ROUTES.messages);
    expect(anon.status).toBe(401);
  });

  it('limits each workstation’s mailbox requests per minute', async () => {
    const a = await newClinic(server, 'Clinic A');
    const statuses: number[] = [];
    for (let i = 0; i <= MAILBOX_LIMITS.perMinute; i++)
      statuses.push((await a.admin.call('GET', MAILBOX_ROUTES.messages)).status);
    expect(statuses.slice(0, MAILBOX_LIMITS.perMinute).every((s) => s === 200)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    clock.advance(61_000);
    expect((await a.admin.call('GET', MAILBOX_ROUTES.messages)).status).toBe(200);
  });
});
