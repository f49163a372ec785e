import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpAt } from '../auth/totp.js';
import { ADMIN, call, type HarnessCore, loginAs, must, startCore } from '../testing/core-harness.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'src-main/cli/kavach.ts');
const FAMILY = 'Deshpandeyar';
const PHONE = '9847066602';
const PASSPHRASE = 'monsoon-harbour-lantern-8';

let h: HarnessCore;
let opsSecret: string;
let scratch: string;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The CLI as a script would run it: its own process, secrets only in the environment. */
function kavach(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
      cwd: ROOT,
      env: {
        ...process.env,
        KAVACH_DATA_DIR: h.dataDir,
        KAVACH_USER: ADMIN.username,
        KAVACH_PASSWORD: ADMIN.password,
        KAVACH_KEYCHAIN_SERVICE: 'Kavach-test',
        BACKUP_PASS: PASSPHRASE,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) => {
      // Never patient data on stdout or stderr.
      for (const text of [stdout, stderr]) {
        expect(text).not.toContain(FAMILY);
        expect(text).not.toContain(PHONE);
        expect(text).not.toContain(PASSPHRASE);
        expect(text).not.toContain(ADMIN.password);
      }
      resolveRun({ code, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  h = await startCore();
  scratch = mkdtempSync(join(tmpdir(), 'kavach-cli-'));
  const admin = await loginAs(h.core, ADMIN.username, ADMIN.password);
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
      username: 'ops.admin',
      displayName: 'Ops Admin',
      role: 'admin',
      password: 'lotus-anchor-ferry-6',
    }),
  );
  const ops = await loginAs(h.core, 'ops.admin', 'lotus-anchor-ferry-6');
  opsSecret = must(await call(ops, 'auth.beginTotpEnrollment', {})).secret;
  must(await call(ops, 'auth.confirmTotpEnrollment', { code: totpAt(opsSecret, h.clock.now()) }));
  ops.close();
  const desk = await loginAs(h.core, 'desk', 'marigold-window-5');
  must(
    await call(desk, 'patients.register', {
      patient: {
        givenNames: 'Sharada',
        familyName: FAMILY,
        sex: 'female',
        birth: { kind: 'exact', date: '1979-09-02' },
        phones: [{ number: PHONE, label: 'mobile' }],
      },
      decision: 'register-new',
    }),
  );
});

afterAll(async () => {
  await h.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe('kavach CLI (beside a running core on the same data folder)', () => {
  it('status, users list and verify-audit as an admin; exit codes for bad usage and a wrong password', async () => {
    // One at a time: each logs in and audits, and two writers' transactions on one SQLite
    // file can collide (see README, Ops CLI). The usage errors never open the database.
    const status = await kavach(['status']);
    const users = await kavach(['users', 'list']);
    const audit = await kavach(['verify-audit']);
    const wrong = await kavach(['status'], { KAVACH_PASSWORD: 'not-the-password-1' });
    // An admin with a TOTP second factor: a current code in KAVACH_TOTP completes the login.
    const totp = { KAVACH_USER: 'ops.admin', KAVACH_PASSWORD: 'lotus-anchor-ferry-6' };
    const noCode = await kavach(['users', 'list'], totp);
    const withCode = await kavach(['users', 'list'], {
      ...totp,
      // The next step's code: the one used to enroll may still be current, and a replay is refused.
      KAVACH_TOTP: totpAt(opsSecret, Date.now() + 30_000),
    });
    // Keys: export a recovery kit, then rotate (the CLI waits for the re-encryption).
    const kit = await kavach(['export-recovery-kit', '--out', scratch, '--passphrase-env', 'KIT_PASS'], {
      KIT_PASS: 'tamarind-quarry-vellum-42',
    });
    const rotate = await kavach(['rotate-key']);
    const [usage, argvSecret, help] = await Promise.all([
      kavach(['backup']),
      kavach(['backup', '--out', scratch, '--passphrase', PASSPHRASE.replace(/./g, 'x')]),
      kavach(['--help']),
    ]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain('clinic: Sushrut Clinic');
    expect(status.stdout).toContain('active users: 3');
    expect(users.code, users.stderr).toBe(0);
    expect(users.stdout.trim().split('\n').sort()).toEqual(
      [`desk\treceptionist\tactive`, `${ADMIN.username}\tadmin\tactive`, 'ops.admin\tadmin\tactive'].sort(),
    );
    expect(audit.code, audit.stderr).toBe(0);
    expect(audit.stdout).toMatch(/^audit chain ok: \d+ events verified\n$/);
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toMatch(/Login refused/);
    expect(wrong.stdout).toBe('');
    expect(noCode.code).toBe(2);
    expect(noCode.stderr).toMatch(/set KAVACH_TOTP/);
    expect(withCode.code, withCode.stderr).toBe(0);
    expect(withCode.stdout).toContain('ops.admin\tadmin\tactive');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/backup needs --out DIR/);
    expect(argvSecret.code).toBe(2);
    expect(argvSecret.stderr).toMatch(/never taken as arguments/);
    expect(kit.code, kit.stderr).toBe(0);
    expect(kit.stdout).toMatch(/^recovery kit written: .*kavach-recovery-kit-.*\.json\n$/);
    expect(readdirSync(scratch).filter((n) => n.startsWith('kavach-recovery-kit-'))).toHaveLength(1);
    expect(rotate.code, rotate.stderr).toBe(0);
    expect(rotate.stdout).toMatch(/^key rotation finished: version 2 active/);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Exit codes/);
  });

  it('backup and restore round trip: refusals audited on this workstation, restore on a new machine', async () => {
    const out = join(scratch, 'backups');
    const backup = await kavach(['backup', '--out', out, '--passphrase-env', 'BACKUP_PASS']);
    expect(backup.code, backup.stderr).toBe(0);
    const [name] = readdirSync(out);
    expect(name).toMatch(/^kavach-backup-\d{8}-\d{6}\.kvbk$/);
    const file = join(out, name!);
    const cut = join(scratch, 'cut.kvbk');
    writeFileSync(cut, readFileSync(file).subarray(0, 5000));

    // On this machine (KAVACH_DATA_DIR is the workstation): checked there first, so audited.
    const wrongPass = await kavach(
      ['restore', '--from', file, '--data', join(scratch, 'r1'), '--passphrase-env', 'OTHER'],
      {
        OTHER: 'not-the-right-one',
      },
    );
    expect(wrongPass.code).toBe(3);
    expect(wrongPass.stderr).toMatch(/nothing written .*: The passphrase does not open this backup/);
    const truncated = await kavach([
      'restore',
      '--from',
      cut,
      '--data',
      join(scratch, 'r2'),
      '--passphrase-env',
      'BACKUP_PASS',
    ]);
    expect(truncated.code).toBe(4);
    expect(truncated.stderr).toMatch(/truncated/);
    const db = new Database(join(h.dataDir, 'kavach.db'), { readonly: true });
    try {
      const rows = db
        .prepare("SELECT outcome, detail FROM audit_events WHERE action = 'backup.verify' ORDER BY seq")
        .all() as { outcome: string; detail: string }[];
      expect(rows.map((r) => [r.outcome, JSON.parse(r.detail).reason])).toEqual([
        ['failed', 'wrong-passphrase'],
        ['failed', 'truncated'],
      ]);
    } finally {
      db.close();
    }

    // A new machine: another keychain, no workstation of its own.
    const newMachine = { KAVACH_KEYCHAIN_SERVICE: 'Kavach-test-cli-new-machine', KAVACH_DATA_DIR: '' };
    const occupied = join(scratch, 'occupied');
    mkdirSync(occupied);
    writeFileSync(join(occupied, 'keep.txt'), 'x');
    const busy = await kavach(
      ['restore', '--from', file, '--data', occupied, '--passphrase-env', 'BACKUP_PASS'],
      newMachine,
    );
    expect(busy.code).toBe(2);
    expect(busy.stderr).toMatch(/new or empty folder/);
    expect(readdirSync(occupied)).toEqual(['keep.txt']);
    expect(
      readdirSync(scratch)
        .filter((n) => !n.startsWith('kavach-recovery-kit-'))
        .sort(),
    ).toEqual(['backups', 'cut.kvbk', 'occupied']);

    const target = join(scratch, 'restored');
    const restored = await kavach(
      ['restore', '--from', file, '--data', target, '--passphrase-env', 'BACKUP_PASS'],
      newMachine,
    );
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toMatch(/audit chain verified .* 1 patient records decrypted/);
    // The restored folder opens with the new machine's keychain, and its trail still verifies.
    const after = await kavach(['verify-audit', '--data', target], newMachine);
    expect(after.code, after.stderr).toBe(0);
  });

  it('restore-recovery-kit: a workstation whose keychain lost its device key is unlocked by the kit', async () => {
    const KIT = 'tamarind-quarry-vellum-43';
    const kitDir = join(scratch, 'kit-now');
    mkdirSync(kitDir);
    const exported = await kavach(['export-recovery-kit', '--out', kitDir, '--passphrase-env', 'KIT_PASS'], {
      KIT_PASS: KIT,
    });
    expect(exported.code, exported.stderr).toBe(0);
    const kitFile = join(kitDir, readdirSync(kitDir)[0]!);
    // The same data folder on a machine whose keychain no longer holds the device key.
    await h.core.close();
    const lost = join(scratch, 'lost-keychain');
    cpSync(h.dataDir, lost, { recursive: true });
    await h.reopen();
    const machine = { KAVACH_DATA_DIR: lost, KAVACH_KEYCHAIN_SERVICE: 'Kavach-test-cli-lost-keychain' };
    const locked = await kavach(['status'], machine);
    expect(locked.code).toBe(5);
    const wrong = await kavach(['restore-recovery-kit', '--from', kitFile, '--passphrase-env', 'KIT_PASS'], {
      ...machine,
      KIT_PASS: 'not-the-kit-passphrase-00',
    });
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toMatch(/nothing changed/);
    expect((await kavach(['status'], machine)).code).toBe(5);
    const restored = await kavach(
      ['restore-recovery-kit', '--from', kitFile, '--passphrase-env', 'KIT_PASS'],
      {
        ...machine,
        KIT_PASS: KIT,
      },
    );
    expect(restored.code, restored.stderr).toBe(0);
    const status = await kavach(['status'], machine);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain('clinic: Sushrut Clinic');
  });

  it('verify-ledger checks the billing ledger chains (exit 0 when they verify)', async () => {
    const r = await kavach(['verify-ledger']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('ledger ok: 0 workstation chains, 0 entries verified');
  });
});
