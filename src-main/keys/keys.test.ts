import { copyFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { KeyStatus } from '../../src-shared/contract.js';
import { openCore } from '../core.js';
import type { Connection } from '../core-types.js';
import { openStore } from '../store/db.js';
import { MetaRepo } from '../store/meta-repo.js';
import { ADMIN, call, type HarnessCore, loginAs, must, startCore } from '../testing/core-harness.js';
import { readRingKeys } from '../vault/device-key.js';
import { createKeytarStore } from '../vault/keytar-store.js';
import { DeviceKeyMissingError } from '../vault/secret-store.js';
import { RecoveryKitError, restoreRecoveryKit } from './restore.js';
import { keyServiceOf } from './service.js';
import { census, DOCTOR, PNG, seedClinic } from './testing.js';

const secrets = createKeytarStore('Kavach-test');
let h: HarnessCore;
const extraDirs: string[] = [];

afterEach(async () => {
  await h?.close();
  for (const d of extraDirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function rawDb<T>(dataDir: string, fn: (db: Database.Database) => T): T {
  const db = new Database(join(dataDir, 'kavach.db'));
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

async function waitUntilDone(admin: Connection): Promise<KeyStatus> {
  for (let i = 0; i < 400; i++) {
    const s = must(await call(admin, 'keys.status', {}));
    if (s.rotation && !s.rotation.running && s.rotation.phase !== 'fields') return s;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('rotation did not finish');
}

async function download(doctor: Connection, id: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (let i = 0; ; i++) {
    const piece = must(await call(doctor, 'attachments.read', { id, index: i }));
    parts.push(Buffer.from(piece.base64, 'base64'));
    if (!piece.more) return Buffer.concat(parts);
  }
}

describe('key rotation', () => {
  it('re-encrypts every envelope and attachment under the new version, keeps search working, and retires the old version', async () => {
    process.env.KAVACH_KEY_ROTATION_BATCH = '7';
    h = await startCore();
    const seeded = await seedClinic(h.core, 12);
    const before = await census(h.dataDir, secrets);
    expect([...before.versions.keys()]).toEqual([1]);
    expect(before.unreadable).toBe(0);

    const admin = await loginAs(h.core, ADMIN.username, ADMIN.password);
    const started = must(await call(admin, 'keys.rotate', {}));
    expect(started.active).toBe(2);
    expect(started.rotation).toMatchObject({ to: 2, from: [1], phase: 'fields', running: true });
    expect(started.rotation!.total).toBeGreaterThan(100);
    // A second rotation while this one runs is refused.
    expect(await call(admin, 'keys.rotate', {})).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });

    // New writes made while the job runs use the new version.
    const desk = await loginAs(h.core, 'desk', 'marigold-window-5');
    const late = must(
      await call(desk, 'patients.register', {
        patient: {
          givenNames: 'Zarina',
          familyName: 'Qureshi',
          sex: 'female',
          birth: { kind: 'exact', date: '1985-01-02' },
          phones: [{ number: '9847099999', label: 'mobile' }],
          allergies: [],
        },
        decision: 'register-new',
      } as never),
    );
    if (late.status !== 'registered') throw new Error('not registered');
    const header = rawDb(
      h.dataDir,
      (db) =>
        (db.prepare('SELECT given_names AS v FROM patients WHERE id = ?').get(late.id) as { v: Buffer }).v,
    );
    expect(header.readUInt16BE(1)).toBe(2);

    const done = await waitUntilDone(admin);
    expect(done.rotation).toMatchObject({ phase: 'done', unreadable: 0, running: false });
    expect(done.rotation!.done).toBe(done.rotation!.total);
    expect(done.versions.map((v) => [v.version, v.status])).toEqual([[2, 'active']]);

    // The scan: nothing names version 1 any more, and every value still opens to what it was.
    const after = await census(h.dataDir, secrets);
    expect([...after.versions.keys()]).toEqual([2]);
    expect(after.unreadable).toBe(0);
    for (const [place, digest] of before.values) {
      // Outbox rows are re-sealed too; a value that changed meanwhile is a newer write, not a loss.
      expect(after.values.get(place), place).toBe(digest);
    }
    expect(keyServiceOf(h.core).remainingOld()).toBe(0);

    // Everything opens through the application, and search uses the rebuilt index.
    const doctor = await loginAs(h.core, DOCTOR.username, DOCTOR.password);
    for (const [i, patientId] of seeded.patientIds.slice(0, 2).entries()) {
      const chart = must(await call(doctor, 'chart.open', { patientId }));
      expect(chart.timeline[0]!.consultation?.diagnosis).toBe('Acute tonsillitis');
      expect(
        must(await call(doctor, 'prescriptions.get', { id: seeded.prescriptionIds[i]! })).items[0]!
          .medicineId,
      ).toBe('paracetamol');
      expect(await download(doctor, seeded.attachmentIds[i]!)).toEqual(PNG);
    }
    const hits = must(await call(desk, 'patients.search', { query: 'Lakshmi' }));
    expect(hits).toHaveLength(12);
    expect(must(await call(desk, 'patients.search', { query: '9847010005' })).map((p) => p.id)).toEqual([
      seeded.patientIds[5],
    ]);
    expect(must(await call(desk, 'patients.search', { query: 'Zarina' })).map((p) => p.id)).toEqual([
      late.id,
    ]);

    // After a restart the ring holds only version 2 and the index is still found.
    await h.reopen();
    const desk2 = await loginAs(h.core, 'desk', 'marigold-window-5');
    expect(must(await call(desk2, 'patients.search', { query: 'Menon Lakshmi' }))).toHaveLength(12);
    expect(must(await call(desk2, 'patients.get', { id: seeded.patientIds[0]! })).notes).toBe(
      'Prefers mornings',
    );
    const audit = rawDb(h.dataDir, (db) =>
      db.prepare("SELECT outcome FROM audit_events WHERE action = 'keys.rotate' ORDER BY seq").all(),
    );
    expect(audit).toEqual([{ outcome: 'ok' }, { outcome: 'failed' }]);
  }, 60_000);

  it('keeps search right while the blind index is rebuilt, including a patient corrected meanwhile', async () => {
    process.env.KAVACH_KEY_ROTATION_BATCH = '3';
    h = await startCore();
    const seeded = await seedClinic(h.core, 9, 0);
    const admin = await loginAs(h.core, ADMIN.username, ADMIN.password);
    const desk = await loginAs(h.core, 'desk', 'marigold-window-5');
    const keys = keyServiceOf(h.core);
    must(await call(admin, 'keys.rotate', {}));
    keys.stop();
    const phase = () => keys.status().rotation!.phase;
    while (phase() === 'fields') keys.step();
    keys.step();
    keys.step();
    // Half-way through the index: search still answers from the old tokens.
    const half = keys.status().rotation!.tables.find((t) => t.name === 'search index')!;
    expect(phase()).toBe('index');
    expect(half.done).toBeGreaterThan(0);
    expect(half.done).toBeLessThan(half.total);
    expect(must(await call(desk, 'patients.search', { query: 'Lakshmi' }))).toHaveLength(9);
    // The first patient was re-indexed already; a correction now re-indexes it under the old key.
    const first = seeded.patientIds[0]!;
    const record = must(await call(desk, 'patients.get', { id: first }));
    must(
      await call(desk, 'patients.update', {
        id: first,
        patient: {
          givenNames: 'Kamala',
          familyName: record.familyName,
          sex: record.sex,
          birth: { kind: 'exact', date: '1990-05-17' },
          phones: record.phones,
          allergies: [],
        },
        keepNationalId: true,
      } as never),
    );
    expect(must(await call(desk, 'patients.search', { query: 'Kamala' })).map((p) => p.id)).toEqual([first]);
    while (keys.step()) {}
    expect(phase()).toBe('done');
    expect(must(await call(desk, 'patients.search', { query: 'Kamala' })).map((p) => p.id)).toEqual([first]);
    expect(must(await call(desk, 'patients.search', { query: 'Lakshmi' }))).toHaveLength(8);
    const kinds = rawDb(h.dataDir, (db) =>
      db.prepare("SELECT count(*) AS n FROM blind_index WHERE kind LIKE 'rekey:%'").get(),
    );
    expect(kinds).toEqual({ n: 0 });
  }, 60_000);

  it('is refused on a syncing workstation that cannot reach its server, and for staff other than an admin', async () => {
    h = await startCore();
    const admin = await loginAs(h.core, ADMIN.username, ADMIN.password);
    must(
      await call(admin, 'staff.create', {
        username: 'desk',
        displayName: 'Front Desk',
        role: 'receptionist',
        password: 'marigold-window-5',
      }),
    );
    rawDb(h.dataDir, (db) =>
      db.prepare("INSERT INTO sync_state (key, value) VALUES ('server_url', 'http://127.0.0.1:9')").run(),
    );
    const refused = await call(admin, 'keys.rotate', {});
    expect(refused).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    if (!refused.ok) expect(refused.error.message).toMatch(/must reach the clinic server first/);
    expect(must(await call(admin, 'keys.status', {})).versions).toHaveLength(1);
    const desk = await loginAs(h.core, 'desk', 'marigold-window-5');
    expect(await call(desk, 'keys.status', {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });
});

describe('recovery kit', () => {
  it('restores the clinic on a new machine; a wrong passphrase is refused and audited; the database holds no kit secret', async () => {
    h = await startCore();
    const seeded = await seedClinic(h.core, 3, 1);
    const admin = await loginAs(h.core, ADMIN.username, ADMIN.password);
    const weak = await call(admin, 'keys.exportRecoveryKit', { passphrase: 'short' });
    expect(weak).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION', fields: { passphrase: expect.any(String) } },
    });
    const passphrase = 'harbour-saffron-lantern-1987';
    const kit = must(await call(admin, 'keys.exportRecoveryKit', { passphrase }));
    expect(kit.fileName).toMatch(/^kavach-recovery-kit-\d{4}-\d{2}-\d{2}\.json$/);
    expect(kit.versions).toEqual([1]);
    expect(must(await call(admin, 'keys.status', {})).recoveryKitExportedAt).not.toBeNull();
    const kitBytes = Buffer.from(kit.base64, 'base64');
    const cdks = await (async () => {
      const store = openStore(h.dataDir, Date.now);
      try {
        return (await readRingKeys(store.db, new MetaRepo(store.db), secrets)).map((k) => Buffer.from(k.cdk));
      } finally {
        store.sqlite.close();
      }
    })();
    await h.core.close();

    // The database and its journal hold neither the passphrase, the kit, nor a raw key.
    const files = ['kavach.db', 'kavach.db-wal']
      .map((f) => join(h.dataDir, f))
      .filter(existsSync)
      .map((f) => readFileSync(f));
    const sealedRing = Buffer.from(JSON.parse(kitBytes.toString('utf8')).ring, 'base64');
    for (const file of files) {
      expect(file.includes(Buffer.from(passphrase))).toBe(false);
      expect(file.includes(sealedRing.subarray(0, 24))).toBe(false);
      for (const cdk of cdks) expect(file.includes(cdk)).toBe(false);
    }

    // A new machine: the same database and attachments, a keychain without this device key.
    const fresh = mkdtempSync(join(tmpdir(), 'kavach-newmachine-'));
    extraDirs.push(fresh);
    for (const f of ['kavach.db', 'kavach.db-wal'])
      if (existsSync(join(h.dataDir, f))) copyFileSync(join(h.dataDir, f), join(fresh, f));
    cpSync(join(h.dataDir, 'attachments'), join(fresh, 'attachments'), { recursive: true });
    const newKeychain = createKeytarStore('Kavach-test-new-machine');
    await expect(openCore({ dataDir: fresh, secrets: newKeychain, log: () => {} })).rejects.toBeInstanceOf(
      DeviceKeyMissingError,
    );

    const wrong = restoreRecoveryKit(fresh, kitBytes, 'harbour-saffron-lantern-1988', newKeychain);
    await expect(wrong).rejects.toBeInstanceOf(RecoveryKitError);
    await expect(wrong).rejects.toMatchObject({
      reason: 'wrong-passphrase',
      message: expect.stringMatching(/passphrase is wrong/),
    });
    await expect(
      restoreRecoveryKit(fresh, Buffer.from('{"not":"a kit"}'), passphrase, newKeychain),
    ).rejects.toMatchObject({ reason: 'malformed' });
    const refusals = rawDb(fresh, (db) => ({
      audit: db
        .prepare("SELECT outcome, detail FROM audit_events WHERE action = 'keys.restoreRecoveryKit'")
        .all(),
      security: db.prepare("SELECT detail FROM security_events WHERE kind = 'decryption-failed'").all(),
    }));
    expect(refusals.audit).toEqual([
      { outcome: 'failed', detail: JSON.stringify({ reason: 'wrong-passphrase' }) },
      { outcome: 'failed', detail: JSON.stringify({ reason: 'malformed' }) },
    ]);
    expect(refusals.security).toEqual([
      { detail: JSON.stringify({ what: 'recovery-kit', reason: 'wrong-passphrase' }) },
    ]);
    // Still locked: a refusal changed nothing.
    await expect(openCore({ dataDir: fresh, secrets: newKeychain, log: () => {} })).rejects.toBeInstanceOf(
      DeviceKeyMissingError,
    );

    expect(await restoreRecoveryKit(fresh, kitBytes, passphrase, newKeychain)).toEqual({ versions: [1] });
    const restored = await openCore({ dataDir: fresh, secrets: newKeychain, log: () => {} });
    try {
      const doctor = await loginAs(restored, DOCTOR.username, DOCTOR.password);
      const chart = must(await call(doctor, 'chart.open', { patientId: seeded.patientIds[0]! }));
      expect(chart.timeline[0]!.consultation?.diagnosis).toBe('Acute tonsillitis');
      expect(await download(doctor, seeded.attachmentIds[0]!)).toEqual(PNG);
      const desk = await loginAs(restored, 'desk', 'marigold-window-5');
      expect(must(await call(desk, 'patients.search', { query: 'Lakshmi' }))).toHaveLength(3);
    } finally {
      await restored.close();
    }
    expect(
      rawDb(fresh, (db) =>
        db
          .prepare(
            "SELECT outcome FROM audit_events WHERE action = 'keys.restoreRecoveryKit' ORDER BY seq DESC LIMIT 1",
          )
          .get(),
      ),
    ).toEqual({ outcome: 'ok' });
  }, 60_000);
});
