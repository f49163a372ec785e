import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Secret } from 'otpauth';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Connection } from '../core-types.js';
import { ADMIN, call, type HarnessCore, loginAs, must, startCore } from '../testing/core-harness.js';
import { checkRecoveryCode, checkTotp, hashRecoveryCode, newRecoveryCodes, stepAt, totpAt } from './totp.js';

// RFC 6238 appendix B, SHA-1: the key is the ASCII "12345678901234567890"; the RFC prints
// 8 digits, a 6-digit code is their last six (the truncation is modulo 10^digits).
const RFC_SECRET = new Secret({
  buffer: new TextEncoder().encode('12345678901234567890').buffer as ArrayBuffer,
}).base32;
const RFC_VECTORS: [number, string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

describe('TOTP rules (RFC 6238)', () => {
  it.each(RFC_VECTORS)('at %i s gives the RFC code %s (last six digits) and accepts it', (seconds, eight) => {
    const code = eight.slice(2);
    expect(totpAt(RFC_SECRET, seconds * 1000)).toBe(code);
    expect(checkTotp(RFC_SECRET, code, seconds * 1000, null)).toEqual({
      ok: true,
      step: Math.floor(seconds / 30),
    });
  });

  it('accepts one step either side and refuses two', () => {
    const now = 1_700_000_000_000;
    for (const [offset, ok] of [
      [-60_000, false],
      [-30_000, true],
      [0, true],
      [30_000, true],
      [60_000, false],
    ] as const) {
      const check = checkTotp(RFC_SECRET, totpAt(RFC_SECRET, now + offset), now, null);
      expect(check.ok, `offset ${offset}`).toBe(ok);
      if (check.ok) expect(check.step).toBe(stepAt(now + offset));
    }
  });

  it('refuses an accepted code again, and any older one, within its window', () => {
    const now = 1_700_000_015_000;
    const code = totpAt(RFC_SECRET, now);
    const first = checkTotp(RFC_SECRET, code, now, null);
    expect(first.ok).toBe(true);
    const step = first.ok ? first.step : -1;
    expect(checkTotp(RFC_SECRET, code, now + 10_000, step)).toEqual({ ok: false, reason: 'replayed' });
    expect(checkTotp(RFC_SECRET, totpAt(RFC_SECRET, now - 30_000), now, step)).toEqual({
      ok: false,
      reason: 'replayed',
    });
    expect(checkTotp(RFC_SECRET, totpAt(RFC_SECRET, now + 30_000), now + 30_000, step).ok).toBe(true);
  });

  it('makes ten distinct recovery codes, stores only their hashes, each usable once', () => {
    const { codes, stored } = newRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) expect(c).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
    expect(JSON.stringify(stored)).not.toContain(codes[0]);
    // Typed in lower case without dashes, it is the same code.
    const check = checkRecoveryCode(stored, codes[3]!.toLowerCase().replace(/-/g, ''));
    expect(check).toEqual({ ok: true, index: 3 });
    stored[3]!.usedAt = 1;
    expect(checkRecoveryCode(stored, codes[3]!)).toEqual({ ok: false, reason: 'reused' });
    expect(checkRecoveryCode(stored, 'AAAA-BBBB-CCCC-DDDD')).toEqual({ ok: false, reason: 'wrong' });
    expect(hashRecoveryCode(codes[0]!)).toMatch(/^[0-9a-f]{64}$/);
  });
});

// --- Through the real core ---

let h: HarnessCore;
let admin: Connection;
let doctorId: string;
const DOCTOR = { username: 'dr.rao', password: 'banyan-river-77' };

function rows<T>(sql: string, ...params: unknown[]): T[] {
  const db = new Database(join(h.dataDir, 'kavach.db'), { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

const audits = (action: string) =>
  rows<{ outcome: string; detail: string; subject_id: string | null; actor_user_id: string | null }>(
    'SELECT outcome, detail, subject_id, actor_user_id FROM audit_events WHERE action = ? ORDER BY seq',
    action,
  );

async function login(username = DOCTOR.username, password = DOCTOR.password) {
  const c = h.core.connect();
  const info = must(await call(c, 'auth.login', { username, password }));
  return { c, info };
}

/** Logs the doctor in for the first time and sets up TOTP; returns the key and codes. */
async function enrollDoctor() {
  const { c, info } = await login();
  expect(info.state).toBe('enroll-second-factor');
  const { secret, uri } = must(await call(c, 'auth.beginTotpEnrollment', {}));
  expect(uri).toMatch(/^otpauth:\/\/totp\/.*secret=/);
  const confirmed = must(
    await call(c, 'auth.confirmTotpEnrollment', { code: totpAt(secret, h.clock.now()) }),
  );
  expect(confirmed.session.state).toBe('active');
  return { c, secret, codes: confirmed.recoveryCodes };
}

describe('second factor through the core', () => {
  beforeEach(async () => {
    h = await startCore();
    admin = await loginAs(h.core, ADMIN.username, ADMIN.password);
    doctorId = must(
      await call(admin, 'staff.create', {
        username: DOCTOR.username,
        displayName: 'Dr Anjali Rao',
        role: 'doctor',
        password: DOCTOR.password,
        doctor: {
          registrationNumber: 'TCMC-4411',
          department: 'General',
          specialization: '',
          yearsOfExperience: 9,
          contactNumber: '',
          availabilityNote: '',
        },
      }),
    ).id;
    const settings = must(await call(admin, 'settings.setSecondFactorRoles', { roles: ['doctor', 'admin'] }));
    expect(settings.secondFactorRoles).toEqual(['admin', 'doctor']);
  });

  afterEach(async () => {
    await h.close();
  });

  it('is required for admin and doctor in a newly set-up clinic', async () => {
    const fresh = await startCore({ setup: false });
    try {
      const c = fresh.core.connect();
      must(
        await call(c, 'setup.createClinic', {
          clinicName: 'New Clinic',
          adminDisplayName: 'New Admin',
          adminUsername: 'new.admin',
          password: 'tamarind-lane-903',
        }),
      );
      expect(must(await call(c, 'settings.get', {})).secondFactorRoles).toEqual(['admin', 'doctor']);
      const again = fresh.core.connect();
      const info = must(
        await call(again, 'auth.login', { username: 'new.admin', password: 'tamarind-lane-903' }),
      );
      expect(info.state).toBe('enroll-second-factor');
    } finally {
      await fresh.close();
    }
  });

  it('forces enrollment on a role that requires it and allows nothing else until done', async () => {
    must(
      await call(admin, 'staff.create', {
        username: 'desk',
        displayName: 'Desk',
        role: 'receptionist',
        password: 'marigold-window-5',
      }),
    );
    expect((await login('desk', 'marigold-window-5')).info.state).toBe('active');

    const { c, info } = await login();
    expect(info).toMatchObject({ state: 'enroll-second-factor', user: { role: 'doctor' } });
    for (const r of [
      await call(c, 'visits.queue', { doctor: 'mine', includeFinished: false }),
      await call(c, 'auth.verifySecondFactor', { code: '123456' }),
    ])
      expect(r).toMatchObject({ ok: false, error: { code: 'SECOND_FACTOR_REQUIRED' } });
    const { secret } = must(await call(c, 'auth.beginTotpEnrollment', {}));
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const wrong = await call(c, 'auth.confirmTotpEnrollment', {
      code: totpAt(secret, h.clock.now() + 120_000),
    });
    expect(wrong).toMatchObject({
      ok: false,
      error: { code: 'INVALID_CREDENTIALS', fields: { code: expect.any(String) } },
    });
    const done = must(await call(c, 'auth.confirmTotpEnrollment', { code: totpAt(secret, h.clock.now()) }));
    expect(done.recoveryCodes).toHaveLength(10);
    expect(done.session.state).toBe('active');
    must(await call(c, 'visits.queue', { doctor: 'mine', includeFinished: false }));
    // The key is shown once: after confirmation it is never handed out again.
    expect(await call(c, 'auth.beginTotpEnrollment', {})).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT' },
    });
    expect(must(await call(admin, 'staff.get', { id: doctorId })).secondFactor).toBe(true);
    expect(audits('auth.confirmTotpEnrollment').map((a) => a.outcome)).toEqual(['failed', 'ok']);
  });

  it('asks an enrolled user for a code at login and refuses a replayed one', async () => {
    const { secret } = await enrollDoctor();
    h.clock.advance(30_000);
    const { c, info } = await login();
    expect(info.state).toBe('second-factor');
    expect(await call(c, 'chart.open', { patientId: doctorId })).toMatchObject({
      ok: false,
      error: { code: 'SECOND_FACTOR_REQUIRED' },
    });
    const code = totpAt(secret, h.clock.now());
    const ok = must(
      await call(c, 'auth.verifySecondFactor', { code: `${code.slice(0, 3)} ${code.slice(3)}` }),
    );
    expect(ok.state).toBe('active');

    const { c: again } = await login();
    const replay = await call(again, 'auth.verifySecondFactor', { code });
    expect(replay).toMatchObject({
      ok: false,
      error: { code: 'INVALID_CREDENTIALS', message: expect.stringContaining('already been used') },
    });
    h.clock.advance(30_000);
    expect(
      must(await call(again, 'auth.verifySecondFactor', { code: totpAt(secret, h.clock.now()) })).state,
    ).toBe('active');
    expect(
      audits('auth.verifySecondFactor').map((a) => [a.outcome, JSON.parse(a.detail).reason ?? null]),
    ).toEqual([
      ['ok', null],
      ['failed', 'replayed'],
      ['ok', null],
    ]);
  });

  it('accepts a recovery code once and refuses it the second time, audited', async () => {
    const { codes } = await enrollDoctor();
    const first = await login();
    expect(must(await call(first.c, 'auth.verifySecondFactor', { code: codes[0]! })).state).toBe('active');
    const second = await login();
    const reused = await call(second.c, 'auth.verifySecondFactor', { code: codes[0]! });
    expect(reused).toMatchObject({
      ok: false,
      error: {
        code: 'INVALID_CREDENTIALS',
        message: expect.stringContaining('recovery code has already been used'),
      },
    });
    expect(
      must(await call(second.c, 'auth.verifySecondFactor', { code: codes[1]!.toLowerCase() })).state,
    ).toBe('active');
    const trail = audits('auth.verifySecondFactor').map((a) => JSON.parse(a.detail));
    expect(trail).toEqual([
      { method: 'recovery', recoveryCodesLeft: 9 },
      { method: 'recovery', reason: 'reused' },
      { method: 'recovery', recoveryCodesLeft: 8 },
    ]);
  });

  it('counts wrong codes towards the lockout, which the password alone does not reset', async () => {
    const { secret } = await enrollDoctor();
    const wrongCode = () => totpAt(secret, h.clock.now() + 5 * 60_000);
    let { c } = await login();
    for (let i = 0; i < 3; i++)
      expect(await call(c, 'auth.verifySecondFactor', { code: wrongCode() })).toMatchObject({
        ok: false,
        error: { code: 'INVALID_CREDENTIALS' },
      });
    ({ c } = await login());
    expect(await call(c, 'auth.verifySecondFactor', { code: wrongCode() })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_CREDENTIALS' },
    });
    expect(await call(c, 'auth.verifySecondFactor', { code: wrongCode() })).toMatchObject({
      ok: false,
      error: { code: 'ACCOUNT_LOCKED' },
    });
    // The locked window's session is over, and the password no longer gets anyone in.
    expect(must(await call(c, 'session.status', {})).state).toBe('anonymous');
    expect(await call(h.core.connect(), 'auth.login', DOCTOR)).toMatchObject({
      ok: false,
      error: { code: 'ACCOUNT_LOCKED' },
    });
    const events = rows<{ kind: string }>(
      "SELECT kind FROM security_events WHERE channel = 'auth.verifySecondFactor'",
    ).map((r) => r.kind);
    expect(events.filter((k) => k === 'login-failed')).toHaveLength(5);
    expect(events).toContain('account-locked');
    expect(audits('auth.verifySecondFactor').filter((a) => a.outcome === 'failed')).toHaveLength(5);
  });

  it('lets another admin reset it (audited) but not an admin their own', async () => {
    await enrollDoctor();
    const adminId = must(await call(admin, 'staff.list', { includeInactive: false })).find(
      (u) => u.username === ADMIN.username,
    )!.id;
    expect(await call(admin, 'staff.resetSecondFactor', { id: adminId })).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT' },
    });
    const reset = must(await call(admin, 'staff.resetSecondFactor', { id: doctorId }));
    expect(reset.secondFactor).toBe(false);
    expect(audits('staff.resetSecondFactor').map((a) => [a.outcome, a.subject_id, a.actor_user_id])).toEqual([
      ['failed', adminId, adminId],
      ['ok', doctorId, adminId],
    ]);
    expect((await login()).info.state).toBe('enroll-second-factor');
  });

  it('signs a prescription with a current code instead of the password, once per code', async () => {
    const { secret } = await enrollDoctor();
    must(
      await call(admin, 'staff.create', {
        username: 'desk',
        displayName: 'Desk',
        role: 'receptionist',
        password: 'marigold-window-5',
      }),
    );
    const desk = await loginAs(h.core, 'desk', 'marigold-window-5');
    const reg = must(
      await call(desk, 'patients.register', {
        patient: {
          givenNames: 'Lakshmi',
          familyName: 'Menon',
          sex: 'female',
          birth: { kind: 'exact', date: '1990-05-17' },
        },
        decision: 'register-new',
      }),
    );
    if (reg.status !== 'registered') throw new Error('not registered');
    const visit = must(
      await call(desk, 'visits.checkIn', {
        patientId: reg.id,
        doctorId,
        reason: 'Fever',
        priority: 'routine',
      }),
    );
    h.clock.advance(30_000);
    const { c } = await login();
    const code = totpAt(secret, h.clock.now());
    must(await call(c, 'auth.verifySecondFactor', { code }));
    const item = {
      medicineId: 'paracetamol',
      name: '',
      form: 'tablet',
      strength: '500 mg',
      dose: '1 tablet',
      route: 'oral' as const,
      frequency: 'SOS',
      durationDays: null,
      quantity: '10 tablets',
      instructions: 'after food',
    };
    const base = {
      visitId: visit.id,
      previousId: null,
      items: [item],
      advice: '',
      followUp: '',
      overrides: [],
    };
    expect(await call(c, 'prescriptions.sign', base)).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION', fields: { password: expect.any(String) } },
    });
    // The code that opened the session is used up.
    expect(await call(c, 'prescriptions.sign', { ...base, totp: code })).toMatchObject({
      ok: false,
      error: { fields: { totp: expect.stringContaining('already been used') } },
    });
    h.clock.advance(30_000);
    const signed = must(
      await call(c, 'prescriptions.sign', { ...base, totp: totpAt(secret, h.clock.now()) }),
    );
    expect(signed.doctorId).toBe(doctorId);
    const withPassword = must(
      await call(c, 'prescriptions.sign', { ...base, previousId: signed.id, password: DOCTOR.password }),
    );
    expect(withPassword.version).toBe(2);
  });

  it('keeps the key and the recovery codes out of the database file in plaintext', async () => {
    const { secret, codes } = await enrollDoctor();
    const raw = Buffer.from(Secret.fromBase32(secret).bytes);
    for (const f of readdirSync(h.dataDir).filter((n) => n.startsWith('kavach.db'))) {
      const bytes = readFileSync(join(h.dataDir, f));
      for (const needle of [
        Buffer.from(secret),
        raw,
        ...codes.map((c) => Buffer.from(c)),
        ...codes.map((c) => Buffer.from(c.replace(/-/g, ''))),
      ])
        expect(bytes.includes(needle), `a secret in ${f}`).toBe(false);
    }
    await h.reopen();
  });
});
