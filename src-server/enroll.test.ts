import { createHash, randomBytes } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { groupCode, normalizeCode } from '../src-shared/sync-wire';
import type { RunningServer } from './app';
import { newCode } from './codes';
import { BACKENDS, Client, enroll, newClinic, TestClock, useTestServer } from './testing/harness';

const REFUSED =
  'This enrollment code is not valid: it may be mistyped, expired or already used. Ask an admin for a new code.';
const codeHash = (code: string) => createHash('sha256').update(normalizeCode(code)).digest('hex');

describe.each(BACKENDS)('enrollment and devices on %s', (backend) => {
  let server: RunningServer;
  const clock = new TestClock();

  const started = useTestServer(backend, { now: clock.now });
  // A new rate-limit window for every test: each test counts its own enrollment attempts.
  beforeEach(() => {
    server = started();
    clock.advance(61_000);
  });

  it('a founding code enrolls one workstation, once, with no key ring', async () => {
    const { clinicId, foundingCode } = await server.createClinic('Sunrise Clinic');
    expect(foundingCode).toMatch(/^[0-9A-HJKMNP-TV-Z]{32}$/);
    // Typed forgivingly: grouped, lower case, O for 0 and l for 1.
    const typed = groupCode(foundingCode).toLowerCase().replace(/0/g, 'o').replace(/1/g, 'l');
    const first = await enroll(server.url, typed, 'Admin desk');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ clinicId, clinicName: 'Sunrise Clinic', wrappedKeyRing: null });
    expect(first.body.deviceToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const again = await enroll(server.url, foundingCode, 'Second desk');
    expect(again.status).toBe(404);
    expect(again.body).toEqual({ error: { code: 'NOT_FOUND', message: REFUSED } });
  });

  it('two concurrent redemptions of one code: exactly one succeeds', async () => {
    const { foundingCode } = await server.createClinic('Race Clinic');
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => enroll(server.url, foundingCode, `Desk ${i}`)),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 404, 404, 404, 404, 404]);
    const winner = results.find((r) => r.status === 200)!;
    const list = await new Client(server.url, winner.body.deviceToken).call('GET', '/v1/devices');
    expect(list.body.devices).toHaveLength(1);
  });

  it('a code made by an enrolled device carries its wrapped key ring to the new device', async () => {
    const { clinicId, admin, deviceId } = await newClinic(server);
    const code = newCode();
    const ring = randomBytes(300);
    const made = await admin.call('POST', '/v1/enrollments', {
      codeHash: codeHash(code),
      wrappedKeyRing: ring.toString('base64'),
      ttlSeconds: 600,
    });
    expect(made.status).toBe(200);
    expect(made.body.expiresAt).toBe(clock.t + 600_000);
    clock.advance(1000);
    const joined = await enroll(server.url, groupCode(code), 'Doctor room');
    expect(joined.status).toBe(200);
    expect(joined.body.clinicId).toBe(clinicId);
    expect(Buffer.from(joined.body.wrappedKeyRing!, 'base64').equals(ring)).toBe(true);
    const list = await admin.call('GET', '/v1/devices');
    expect(
      list.body.devices.map((d: { id: string; self: boolean; name: string }) => [d.name, d.self]),
    ).toEqual([
      ['Admin desk', true],
      ['Doctor room', false],
    ]);
    expect(list.body.devices[0].id).toBe(deviceId);
    // The same code cannot be registered twice.
    const dup = await admin.call('POST', '/v1/enrollments', {
      codeHash: codeHash(code),
      wrappedKeyRing: 'AAAA',
      ttlSeconds: 600,
    });
    expect(dup.status).toBe(400);
  });

  it('an expired code is refused with the same answer as a wrong one', async () => {
    const { admin } = await newClinic(server);
    const code = newCode();
    await admin.call('POST', '/v1/enrollments', {
      codeHash: codeHash(code),
      wrappedKeyRing: 'AAAA',
      ttlSeconds: 60,
    });
    clock.advance(61_000);
    const late = await enroll(server.url, code);
    expect(late.status).toBe(404);
    expect(late.body.error.message).toBe(REFUSED);
    // Founding codes last a day.
    const { foundingCode } = await server.createClinic('Late Clinic');
    clock.advance(24 * 3600_000 + 1000);
    const lateFounding = await enroll(server.url, foundingCode);
    expect(lateFounding.status).toBe(404);
    expect(lateFounding.body.error.message).toBe(REFUSED);
  });

  it('a wrong code is refused; a malformed request is a 400', async () => {
    const wrong = await enroll(server.url, newCode());
    expect(wrong.status).toBe(404);
    expect(wrong.body.error.message).toBe(REFUSED);
    const noise = await enroll(server.url, 'UUUU-UUUU-UUUU-UUUU');
    expect(noise.status).toBe(404);
    const short = await enroll(server.url, 'ABC');
    expect(short.status).toBe(400);
    expect(short.body.error.code).toBe('BAD_REQUEST');
    const extra = await new Client(server.url).call('POST', '/v1/enroll', {
      code: newCode(),
      deviceName: 'x',
      clinicId: 'someone else',
    });
    expect(extra.status).toBe(400);
    const notJson = await new Client(server.url).call('POST', '/v1/enroll', '{"code":');
    expect(notJson).toMatchObject({ status: 400, body: { error: { code: 'BAD_REQUEST' } } });
  });

  it('enrollment attempts are rate limited per address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await enroll(server.url, newCode())).status);
    expect(statuses).toEqual([...Array(10).fill(404), 429]);
    const limited = await enroll(server.url, newCode());
    expect(limited.body.error.code).toBe('TOO_MANY');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    clock.advance(61_000);
    expect((await enroll(server.url, newCode())).status).toBe(404);
  });

  it('refuses missing, unknown and revoked tokens', async () => {
    const { admin } = await newClinic(server);
    expect((await new Client(server.url).pull(0)).status).toBe(401);
    const unknown = await new Client(server.url, randomBytes(32).toString('base64url')).pull(0);
    expect(unknown).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHORIZED' } } });

    const code = newCode();
    await admin.call('POST', '/v1/enrollments', {
      codeHash: codeHash(code),
      wrappedKeyRing: 'AAAA',
      ttlSeconds: 600,
    });
    const second = (await enroll(server.url, code, 'Lost laptop')).body;
    const lost = new Client(server.url, second.deviceToken);
    expect((await lost.pull(0)).status).toBe(200);

    const revoked = await admin.call('POST', `/v1/devices/${second.deviceId}/revoke`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.device).toMatchObject({ id: second.deviceId, revokedAt: clock.t, self: false });
    for (const r of [
      await lost.pull(0),
      await lost.push([]),
      await lost.call('GET', '/v1/devices'),
      await lost.call('POST', '/v1/enrollments', {
        codeHash: codeHash(newCode()),
        wrappedKeyRing: 'AA==',
        ttlSeconds: 60,
      }),
    ]) {
      expect(r).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
    }
    // The admin's own access is untouched; an unknown device id is a 404.
    expect((await admin.pull(0)).status).toBe(200);
    expect((await admin.call('POST', '/v1/devices/not-an-id/revoke')).status).toBe(404);
  });

  it('a device cannot see or revoke devices of another clinic', async () => {
    const a = await newClinic(server, 'Clinic A');
    const b = await newClinic(server, 'Clinic B');
    const seen = await b.admin.call('GET', '/v1/devices');
    expect(seen.body.devices.map((d: { id: string }) => d.id)).toEqual([b.deviceId]);
    const attempt = await b.admin.call('POST', `/v1/devices/${a.deviceId}/revoke`);
    expect(attempt.status).toBe(404);
    expect((await a.admin.pull(0)).status).toBe(200);
  });

  it('records when a device was last seen, at most every 30 seconds', async () => {
    const { admin } = await newClinic(server);
    const enrolledAt = clock.t;
    const first = (await admin.call('GET', '/v1/devices')).body.devices[0];
    expect(first.enrolledAt).toBe(enrolledAt);
    expect(first.lastSeenAt).toBe(enrolledAt);
    clock.advance(10_000);
    expect((await admin.call('GET', '/v1/devices')).body.devices[0].lastSeenAt).toBe(enrolledAt);
    clock.advance(25_000);
    expect((await admin.call('GET', '/v1/devices')).body.devices[0].lastSeenAt).toBe(clock.t);
  });

  it('answers health and unknown routes as JSON', async () => {
    expect((await new Client(server.url).call('GET', '/health')).body).toEqual({ ok: true, api: 'v1' });
    const missing = await new Client(server.url).call('GET', '/v1/nothing');
    expect(missing).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
  });
});
