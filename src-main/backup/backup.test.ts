import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCore } from '../core.js';
import type { Connection } from '../core-types.js';
import { latestSchemaVersion, openStore } from '../store/db.js';
import { MetaRepo } from '../store/meta-repo.js';
import { ADMIN, call, type HarnessCore, loginAs, must, startCore } from '../testing/core-harness.js';
import { readRingKeys } from '../vault/device-key.js';
import { createKeytarStore } from '../vault/keytar-store.js';
import { BackupError } from './format.js';
import { RestoreError, restoreBackup } from './restore.js';
import { BackupService, DAY_MS } from './service.js';

const PASSPHRASE = 'saffron-lighthouse-quietly-27';
const GIVEN = 'Vaidehi';
const FAMILY = 'Kulkarnihalli';
const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  randomBytes(300_000),
]);

let h: HarnessCore;
let admin: Connection;
let doctor: Connection;
let patientId: string;
let attachmentId: string;
let scratch: string;
let backupFile: string;
/** A second machine: another keychain service, so another device key. */
const newMachine = createKeytarStore('Kavach-test-new-machine');

beforeAll(async () => {
  h = await startCore();
  scratch = mkdtempSync(join(tmpdir(), 'kavach-backup-'));
  admin = await loginAs(h.core, ADMIN.username, ADMIN.password);
  must(
    await call(admin, 'staff.create', {
      username: 'desk',
      displayName: 'Front Desk',
      role: 'receptionist',
      password: 'marigold-window-5',
    }),
  );
  must(
    await call(admin, 'staff.create', {
      username: 'dr.rao',
      displayName: 'Dr Anjali Rao',
      role: 'doctor',
      password: 'river-stone-9931',
      doctor: {
        registrationNumber: 'KMC-1234',
        department: '',
        specialization: '',
        yearsOfExperience: 3,
        contactNumber: '',
        availabilityNote: '',
      },
    }),
  );
  const desk = await loginAs(h.core, 'desk', 'marigold-window-5');
  const r = must(
    await call(desk, 'patients.register', {
      patient: {
        givenNames: GIVEN,
        familyName: FAMILY,
        sex: 'female',
        birth: { kind: 'exact', date: '1988-02-11' },
        phones: [{ number: '9847055501', label: 'mobile' }],
      },
      decision: 'register-new',
    }),
  );
  if (r.status !== 'registered') throw new Error('setup: not registered');
  patientId = r.id;
  doctor = await loginAs(h.core, 'dr.rao', 'river-stone-9931');
  const { uploadId } = must(
    await call(doctor, 'attachments.begin', { patientId, visitId: null, name: 'cbc.png', bytes: PNG.length }),
  );
  must(await call(doctor, 'attachments.upload', { uploadId, index: 0, base64: PNG.toString('base64') }));
  attachmentId = must(await call(doctor, 'attachments.finish', { uploadId })).id;
  const created = must(
    await call(admin, 'backup.runNow', { folder: join(scratch, 'out'), passphrase: PASSPHRASE }),
  );
  backupFile = created.file;
});

afterAll(async () => {
  await h.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** A fresh target folder and a check that nothing but the backup file's own folder changed. */
function target(name: string) {
  const parent = join(scratch, name);
  mkdirSync(parent);
  return { parent, dir: join(parent, 'data') };
}

async function refused(file: string, passphrase = PASSPHRASE): Promise<unknown> {
  const t = target(`t-${Math.random().toString(36).slice(2)}`);
  const e = await restoreBackup({ file, passphrase, target: t.dir, secrets: newMachine, now: Date.now }).then(
    () => null,
    (err: unknown) => err,
  );
  expect(readdirSync(t.parent), String(e)).toEqual([]);
  return e;
}

describe('backup and restore', () => {
  it('round trip onto a new machine: patients found and decrypted, audit chain verifies, attachments open', async () => {
    const t = target('roundtrip');
    const result = await restoreBackup({
      file: backupFile,
      passphrase: PASSPHRASE,
      target: t.dir,
      secrets: newMachine,
      now: Date.now,
    });
    expect(result.patientsChecked).toBe(1);
    expect(result.manifest.attachments.map((a) => a.id)).toEqual([attachmentId]);
    expect(readdirSync(t.parent)).toEqual(['data']);
    const core = await openCore({
      dataDir: t.dir,
      secrets: newMachine,
      log: () => {},
      sync: { auto: false },
    });
    try {
      const a = await loginAs(core, ADMIN.username, ADMIN.password);
      const check = must(await call(a, 'audit.verify', {}));
      expect(check.ok).toBe(true);
      const desk = await loginAs(core, 'desk', 'marigold-window-5');
      const found = must(await call(desk, 'patients.search', { query: FAMILY }));
      expect(found.map((p) => p.id)).toEqual([patientId]);
      const record = must(await call(desk, 'patients.get', { id: patientId }));
      expect(record.givenNames).toBe(GIVEN);
      const dr = await loginAs(core, 'dr.rao', 'river-stone-9931');
      const piece = must(await call(dr, 'attachments.read', { id: attachmentId, index: 0 }));
      expect(Buffer.from(piece.base64, 'base64').equals(PNG)).toBe(true);
    } finally {
      await core.close();
    }
  });

  it('holds no patient name, phone or key in plaintext', () => {
    const bytes = readFileSync(backupFile);
    for (const secret of [GIVEN, FAMILY, '9847055501', 'Front Desk']) {
      expect(bytes.includes(Buffer.from(secret, 'utf8'))).toBe(false);
      expect(bytes.includes(Buffer.from(secret, 'utf16le'))).toBe(false);
    }
    expect(bytes.subarray(0, 8).toString()).toBe('KAVACHBK');
  });

  it('refuses a wrong passphrase clearly and writes nothing', async () => {
    const e = await refused(backupFile, 'not-the-passphrase-at-all');
    expect(e).toBeInstanceOf(BackupError);
    expect((e as BackupError).reason).toBe('wrong-passphrase');
    expect((e as Error).message).toMatch(/passphrase does not open/);
  });

  it('refuses a truncated file and a flipped byte, writing nothing', async () => {
    const bytes = readFileSync(backupFile);
    const cut = join(scratch, 'cut.kvbk');
    writeFileSync(cut, bytes.subarray(0, bytes.length - 1000));
    const e1 = await refused(cut);
    expect((e1 as BackupError).reason).toBe('truncated');
    expect((e1 as Error).message).toMatch(/truncated/);
    const longer = join(scratch, 'longer.kvbk');
    writeFileSync(longer, Buffer.concat([bytes, Buffer.from('extra')]));
    expect(((await refused(longer)) as BackupError).reason).toBe('trailing-data');
    const flipped = Buffer.from(bytes);
    flipped[Math.floor(bytes.length / 2)]! ^= 0x01;
    const bad = join(scratch, 'flipped.kvbk');
    writeFileSync(bad, flipped);
    const e2 = await refused(bad);
    expect((e2 as BackupError).reason).toBe('tampered');
    expect((e2 as Error).message).toMatch(/integrity check/);
    const header = Buffer.from(bytes);
    header[20] = header[20]! ^ 0x01; // inside the authenticated JSON header
    writeFileSync(bad, header);
    expect(await refused(bad)).toBeInstanceOf(BackupError);
  });

  it('refuses to restore into a folder that holds files, leaving them alone', async () => {
    const t = target('busy');
    mkdirSync(t.dir);
    writeFileSync(join(t.dir, 'keep.txt'), 'mine');
    const e = await restoreBackup({
      file: backupFile,
      passphrase: PASSPHRASE,
      target: t.dir,
      secrets: newMachine,
      now: Date.now,
    }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RestoreError);
    expect((e as RestoreError).reason).toBe('target-not-empty');
    expect(readdirSync(t.dir)).toEqual(['keep.txt']);
    expect(readdirSync(t.parent)).toEqual(['data']);
  });

  it('checks a file through backup.verify; a wrong passphrase is a field error and a failed audit event', async () => {
    const ok = must(await call(admin, 'backup.verify', { file: backupFile, passphrase: PASSPHRASE }));
    expect(ok.attachments).toBe(1);
    expect(ok.schemaVersion).toBe(latestSchemaVersion());
    const bad = await call(admin, 'backup.verify', { file: backupFile, passphrase: 'wrong-but-long-enough' });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.error.fields?.passphrase).toMatch(/passphrase does not open/);
    const db = new Database(join(h.dataDir, 'kavach.db'), { readonly: true });
    try {
      const last = db
        .prepare(
          "SELECT outcome, detail FROM audit_events WHERE action = 'backup.verify' ORDER BY seq DESC LIMIT 1",
        )
        .get() as {
        outcome: string;
        detail: string;
      };
      expect(last.outcome).toBe('failed');
      expect(JSON.parse(last.detail).reason).toBe('wrong-passphrase');
    } finally {
      db.close();
    }
  });

  it('daily schedule: runs when due, not before, keeps the last N; progress and last run in backup.status', async () => {
    const folder = join(scratch, 'daily');
    const noKey = await call(admin, 'backup.configure', {
      folder,
      keep: 2,
      enabled: true,
      newPassphrase: null,
    });
    expect(noKey.ok).toBe(false);
    const status = must(
      await call(admin, 'backup.configure', { folder, keep: 2, enabled: true, newPassphrase: PASSPHRASE }),
    );
    expect(status.passphraseSet).toBe(true);
    expect(status.schedule).toEqual({ folder, keep: 2, enabled: true });
    // The job function on its own clock, over the same database and keychain as the core.
    const store = openStore(h.dataDir, h.clock.now);
    const secrets = createKeytarStore('Kavach-test');
    const meta = new MetaRepo(store.db);
    const job = new BackupService({
      db: store.db,
      sqlite: store.sqlite,
      dataDir: h.dataDir,
      secrets,
      installId: () => meta.get('install_id'),
      ringKeys: () => readRingKeys(store.db, meta, secrets),
      now: h.clock.now,
      log: () => {},
    });
    try {
      const first = await job.runIfDue();
      expect(first).not.toBeNull();
      expect(await job.runIfDue()).toBeNull();
      h.clock.advance(DAY_MS - 60_000);
      expect(await job.runIfDue()).toBeNull();
      for (let i = 0; i < 3; i++) {
        h.clock.advance(DAY_MS + 1000);
        expect(await job.runIfDue()).not.toBeNull();
      }
      expect(readdirSync(folder).sort()).toHaveLength(2);
      const again = await loginAs(h.core, ADMIN.username, ADMIN.password);
      const s = must(await call(again, 'backup.status', {}));
      expect(s.lastRun?.ok).toBe(true);
      expect(readdirSync(folder)).toContain(s.lastRun?.name);
      expect(s.progress?.phase ?? 'done').toBe('done');
      expect(s.nextDueAt).toBe((s.lastRun?.at ?? 0) + DAY_MS);
      // The newest kept backup restores with the passphrase given at configure time.
      const t = target('scheduled');
      const newest = readdirSync(folder).sort().at(-1)!;
      await restoreBackup({
        file: join(folder, newest),
        passphrase: PASSPHRASE,
        target: t.dir,
        secrets: newMachine,
        now: Date.now,
      });
      expect(existsSync(join(t.dir, 'kavach.db'))).toBe(true);
    } finally {
      store.sqlite.close();
    }
  });
});
