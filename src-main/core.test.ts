import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openCore } from './core.js';
import { ADMIN, call, type HarnessCore, loginAs, must, startCore } from './testing/core-harness.js';
import { createKeytarStore } from './vault/keytar-store.js';
import { DeviceKeyMissingError } from './vault/secret-store.js';

let h: HarnessCore | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const DOCTOR = {
  username: 'dr.arjun',
  displayName: 'Arjun Menon',
  role: 'doctor' as const,
  password: 'cardamom-hills-7',
  doctor: {
    registrationNumber: 'TCMC-48213',
    department: 'General Medicine',
    specialization: 'Internal medicine',
    yearsOfExperience: 12,
    contactNumber: '9847012345',
    availabilityNote: 'Mon–Sat mornings',
  },
};

function raw(dataDir: string) {
  return new Database(join(dataDir, 'kavach.db'), { readonly: true });
}

describe('openCore: keys', () => {
  it('creates the device key and clinic key on first start and unwraps them later', async () => {
    h = await startCore();
    const admin = await loginAs(h.core, ADMIN.username, ADMIN.password);
    const created = must(await call(admin, 'staff.create', DOCTOR));
    await h.reopen();
    const again = await loginAs(h.core, ADMIN.username, ADMIN.password);
    const read = must(await call(again, 'staff.get', { id: created.id }));
    expect(read.displayName).toBe('Arjun Menon');
    expect(read.doctor?.registrationNumber).toBe('TCMC-48213');
  });

  it('refuses to start when the device key is missing for an existing database, creating nothing', async () => {
    h = await startCore();
    await h.core.close();
    const db = raw(h.dataDir);
    const installId = (db.prepare("SELECT value FROM meta WHERE key = 'install_id'").get() as { value: string }).value;
    db.close();
    const secrets = createKeytarStore('Kavach-test');
    const saved = await secrets.get(`device-key:${installId}`);
    expect(saved).not.toBeNull();
    await secrets.delete(`device-key:${installId}`);
    await expect(openCore({ dataDir: h.dataDir, secrets, log: () => {} })).rejects.toThrow(DeviceKeyMissingError);
    await expect(openCore({ dataDir: h.dataDir, secrets, log: () => {} })).rejects.toThrow(/will not create a new key/);
    expect(await secrets.get(`device-key:${installId}`)).toBeNull();
    const after = raw(h.dataDir);
    expect((after.prepare('SELECT count(*) AS n FROM key_ring').get() as { n: number }).n).toBe(1);
    after.close();
    await secrets.set(`device-key:${installId}`, saved!);
    await h.reopen();
  });

  it('says exactly that the keychain is unavailable when it is, and leaves no database key behind', () => {
    const script = `
      import { mkdtempSync } from 'node:fs'; import { tmpdir } from 'node:os'; import { join } from 'node:path';
      import { openCore } from './src-main/core.ts';
      import { createKeytarStore } from './src-main/vault/keytar-store.ts';
      const dir = mkdtempSync(join(tmpdir(), 'kavach-nokeychain-'));
      try { await openCore({ dataDir: dir, secrets: createKeytarStore('Kavach-test'), log: () => {} }); console.log('opened'); }
      catch (e) { console.log(e.code + '|' + e.message); }`;
    const out = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/kavach-bus', DISPLAY: '' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(out.stdout).toMatch(/^KEYCHAIN_UNAVAILABLE\|The operating system keychain is not available/);
  });
});

describe('openCore: accounts and sessions', () => {
  it('sets up once; a second setup is refused', async () => {
    h = await startCore();
    const c = h.core.connect();
    expect(must(await call(c, 'setup.status', {}))).toEqual({ needsSetup: false, clinicName: 'Sushrut Clinic' });
    const again = await call(c, 'setup.createClinic', {
      clinicName: 'Other',
      adminDisplayName: 'X',
      adminUsername: 'intruder',
      password: 'another-long-pass-9',
    });
    expect(again).toMatchObject({ ok: false, error: { code: 'SETUP_DONE' } });
  });

  it('enforces password rules with a field error', async () => {
    h = await startCore();
    const admin = await loginAs(h.core, ADMIN.username, ADMIN.password);
    const weak = await call(admin, 'staff.create', { ...DOCTOR, password: 'password123' });
    expect(weak).toMatchObject({ ok: false, error: { code: 'WEAK_PASSWORD', fields: { password: expect.stringMatching(/common/) } } });
    const list = must(await call(admin, 'staff.list', { includeInactive: true }));
    expect(list.map((u) => u.username)).toEqual([ADMIN.username]);
  });

  it('locks an account after five failures with a growing delay, even for the right password', async () => {
    h = await startCore();
    const c = h.core.connect();
    for (let i = 0; i < 4; i++) {
      expect(await call(c, 'auth.login', { username: ADMIN.username, password: `wrong-${i}-password` })).toMatchObject({
        ok: false,
        error: { code: 'INVALID_CREDENTIALS' },
      });
    }
    const fifth = await call(c, 'auth.login', { username: ADMIN.username, password: 'wrong-again-password' });
    expect(fifth).toMatchObject({ ok: false, error: { code: 'ACCOUNT_LOCKED', message: expect.stringMatching(/30 seconds/) } });
    const right = await call(c, 'auth.login', { username: ADMIN.username, password: ADMIN.password });
    expect(right).toMatchObject({ ok: false, error: { code: 'ACCOUNT_LOCKED' } });
    h.clock.advance(31_000);
    const sixth = await call(c, 'auth.login', { username: ADMIN.username, password: 'still-wrong-password' });
    expect(sixth).toMatchObject({ ok: false, error: { code: 'ACCOUNT_LOCKED', message: expect.stringMatching(/60 seconds/) } });
    h.clock.advance(61_000);
    must(await call(c, 'auth.login', { username: ADMIN.username, password: ADMIN.password }));
  });

  it('idle-locks a session after the timeout and unlocks with the password', async () => {
    h = await startCore();
    const c = await loginAs(h.core, ADMIN.username, ADMIN.password);
    h.clock.advance(5 * 60_000 + 1);
    expect(must(await call(c, 'session.status', {})).state).toBe('locked');
    expect(await call(c, 'staff.list', { includeInactive: true })).toMatchObject({ ok: false, error: { code: 'SESSION_LOCKED' } });
    expect(must(await call(c, 'session.status', {}))).toMatchObject({ state: 'locked', user: { role: 'admin' } });
    expect(await call(c, 'auth.unlock', { password: 'not-the-password' })).toMatchObject({ ok: false, error: { code: 'INVALID_CREDENTIALS' } });
    expect(must(await call(c, 'auth.unlock', { password: ADMIN.password }))).toMatchObject({ state: 'active' });
    must(await call(c, 'staff.list', { includeInactive: true }));
  });

  it('keeps each connection’s session apart and refuses other roles’ channels', async () => {
    h = await startCore();
    const admin = await loginAs(h.core, ADMIN.username, ADMIN.password);
    must(await call(admin, 'staff.create', DOCTOR));
    const doctor = await loginAs(h.core, DOCTOR.username, DOCTOR.password);
    const anon = h.core.connect();
    expect(must(await call(doctor, 'session.status', {}))).toEqual({
      state: 'active',
      user: { displayName: 'Arjun Menon', role: 'doctor' },
      idleMinutes: 5,
    });
    expect(must(await call(anon, 'session.status', {})).state).toBe('anonymous');
    expect(await call(doctor, 'staff.list', { includeInactive: true })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await call(anon, 'staff.list', { includeInactive: true })).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    const db = raw(h.dataDir);
    const denied = db.prepare("SELECT count(*) AS n FROM audit_events WHERE action = 'staff.list' AND outcome = 'denied'").get() as { n: number };
    const refused = db.prepare("SELECT count(*) AS n FROM security_events WHERE kind = 'role-refused'").get() as { n: number };
    db.close();
    expect(denied.n).toBe(1);
    expect(refused.n).toBe(1);
  });

  it('deactivates (never deletes) staff, ends their access, and keeps one admin', async () => {
    h = await startCore();
    const admin = await loginAs(h.core, ADMIN.username, ADMIN.password);
    const doc = must(await call(admin, 'staff.create', DOCTOR));
    const doctor = await loginAs(h.core, DOCTOR.username, DOCTOR.password);
    must(await call(admin, 'staff.setActive', { id: doc.id, active: false }));
    expect(await call(doctor, 'session.heartbeat', {})).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    expect(await call(h.core.connect(), 'auth.login', { username: DOCTOR.username, password: DOCTOR.password })).toMatchObject({
      ok: false,
      error: { code: 'ACCOUNT_INACTIVE' },
    });
    const all = must(await call(admin, 'staff.list', { includeInactive: true }));
    expect(all.find((u) => u.id === doc.id)?.active).toBe(false);
    const me = all.find((u) => u.username === ADMIN.username)!;
    expect(await call(admin, 'staff.update', { id: me.id, displayName: 'Meera', role: 'receptionist' })).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT' },
    });
  });

  it('resets a password and clears the lockout', async () => {
    h = await startCore();
    const admin = await loginAs(h.core, ADMIN.username, ADMIN.password);
    const doc = must(await call(admin, 'staff.create', DOCTOR));
    const c = h.core.connect();
    for (let i = 0; i < 5; i++) await call(c, 'auth.login', { username: DOCTOR.username, password: `bad-password-${i}` });
    expect(must(await call(admin, 'staff.get', { id: doc.id })).lockedUntil).not.toBeNull();
    must(await call(admin, 'staff.resetPassword', { id: doc.id, newPassword: 'new-monsoon-pass-3' }));
    must(await call(c, 'auth.login', { username: DOCTOR.username, password: 'new-monsoon-pass-3' }));
  });
});

describe('openCore: change capture, audit and encryption at rest', () => {
  it('writes row, field clocks and outbox together, every outbox value an envelope', async () => {
    h = await startCore();
    const admin = await loginAs(h.core, ADMIN.username, ADMIN.password);
    const doc = must(await call(admin, 'staff.create', DOCTOR));
    const db = raw(h.dataDir);
    const rows = db.prepare('SELECT col, clock, value FROM outbox WHERE row_id = ? ORDER BY clock').all(doc.id) as {
      col: string;
      clock: string;
      value: Buffer;
    }[];
    const clocks = db.prepare('SELECT col FROM field_clocks WHERE row_id = ?').all(doc.id) as { col: string }[];
    db.close();
    expect(rows.map((r) => r.col).sort()).toEqual(
      ['active', 'created_at', 'display_name', 'doctor_profile', 'password_hash', 'role', 'username'].sort(),
    );
    expect(clocks).toHaveLength(7);
    for (const r of rows) expect(r.value[0]).toBe(0x01);
    const sorted = [...rows.map((r) => r.clock)].sort();
    expect(new Set(sorted).size).toBe(rows.length);
  });

  it('audits logins and staff changes in a chain that verifies', async () => {
    h = await startCore();
    const admin = await loginAs(h.core, ADMIN.username, ADMIN.password);
    must(await call(admin, 'staff.create', DOCTOR));
    await call(h.core.connect(), 'auth.login', { username: 'nobody', password: 'whatever-password' });
    const verdict = must(await call(admin, 'audit.verify', {}));
    expect(verdict.ok).toBe(true);
    const db = raw(h.dataDir);
    const actions = (db.prepare('SELECT action, outcome FROM audit_events ORDER BY seq').all() as { action: string; outcome: string }[]).map(
      (r) => `${r.action}:${r.outcome}`,
    );
    db.close();
    expect(actions).toEqual(['setup.createClinic:ok', 'auth.login:ok', 'staff.create:ok', 'auth.login:failed', 'audit.verify:ok']);
    expect(verdict.checked).toBe(4);
  });

  it('reports a tampered field as a typed failure and a security event, never as garbage', async () => {
    h = await startCore();
    const admin = await loginAs(h.core, ADMIN.username, ADMIN.password);
    const doc = must(await call(admin, 'staff.create', DOCTOR));
    const db = new Database(join(h.dataDir, 'kavach.db'));
    const row = db.prepare('SELECT display_name FROM users WHERE id = ?').get(doc.id) as { display_name: Buffer };
    row.display_name[20]! ^= 0xff;
    db.prepare('UPDATE users SET display_name = ? WHERE id = ?').run(row.display_name, doc.id);
    const result = await call(admin, 'staff.get', { id: doc.id });
    expect(result).toMatchObject({ ok: false, error: { code: 'INTERNAL', message: expect.stringMatching(/could not be decrypted/) } });
    const ev = db.prepare("SELECT detail FROM security_events WHERE kind = 'decryption-failed'").get() as { detail: string };
    db.close();
    expect(JSON.parse(ev.detail)).toEqual({ table: 'users', column: 'display_name', rowId: doc.id, reason: 'authentication' });
  });

  it('leaves no sensitive value in plaintext in the database files', async () => {
    h = await startCore();
    const admin = await loginAs(h.core, ADMIN.username, ADMIN.password);
    must(await call(admin, 'staff.create', DOCTOR));
    await h.core.close();
    const files = readdirSync(h.dataDir).filter((f) => f.startsWith('kavach.db'));
    expect(files).toContain('kavach.db');
    const secrets = [DOCTOR.displayName, DOCTOR.doctor.registrationNumber, DOCTOR.doctor.contactNumber, DOCTOR.password, ADMIN.displayName, ADMIN.password, 'Arjun', 'Menon', 'Mon–Sat'];
    for (const f of files) {
      const bytes = readFileSync(join(h.dataDir, f));
      for (const s of secrets) {
        expect(bytes.includes(Buffer.from(s, 'utf8')), `${s.length}-char value found in ${f}`).toBe(false);
        expect(bytes.includes(Buffer.from(s, 'utf16le'))).toBe(false);
      }
    }
    await h.reopen();
  });
});
