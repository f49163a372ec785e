import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { LedgerCheck } from '../../src-shared/billing.js';
import type { KeyStatus } from '../../src-shared/contract.js';
import type { Result } from '../../src-shared/result.js';
import type { Connection, Core } from '../core-types.js';
import { readSecret } from './prompt.js';

// The core and its schemas load only for commands that need them (dynamic imports below):
// help and usage errors answer at once.

/**
 * The ops CLI: `npm run -s kavach -- <command>` (or the `kavach` bin). It opens the same
 * core as the app (openCore, sync loops off), logs in as an admin through the router, so
 * every command is authorised, rate-limited and audited like a click in Admin, and prints
 * only counts, names of staff accounts, file names and statuses: never patient data.
 */

export const EXIT = {
  OK: 0,
  FAILED: 1,
  USAGE: 2,
  AUTH: 3,
  VERIFY: 4,
  UNAVAILABLE: 5,
} as const;

export const HELP = `Usage: kavach <command> [options]

Commands
  status                      clinic, sync and backup state (no patient data)
  verify-audit                check the audit trail's hash chain
  verify-ledger               check every workstation's billing ledger chain
  users list                  staff accounts: username, role, active
  backup --out DIR            write an encrypted backup into DIR
  verify-backup --from FILE   decrypt a backup and check every digest, restoring nothing
  restore --from FILE --data DIR
                              restore a backup into DIR (new or empty) on this machine; when
                              $KAVACH_DATA_DIR names this machine's workstation, the file is
                              first checked there as its admin, so refusals are audited
  rotate-key                  new clinic data key; waits while everything is re-encrypted
  export-recovery-kit --out DIR
                              clinic key ring under a recovery passphrase (16+ characters)
  restore-recovery-kit --from FILE
                              this workstation's keychain lost its device key: unlock the
                              data folder with the clinic's recovery kit (no login needed)

Options
  --data DIR                  data folder (default $KAVACH_DATA_DIR, else ./data/workstation)
  --user NAME                 admin username (default $KAVACH_USER)
  --passphrase-env VAR        read the backup/recovery passphrase from environment variable VAR;
                              without it the passphrase is asked for (never give it as an argument)
  --json                      machine-readable output (status, users list, verify-audit)
  -h, --help                  this text

Authentication: the admin password comes from $KAVACH_PASSWORD, else a hidden prompt; an
admin with a second factor gives a current code (or a recovery code) in $KAVACH_TOTP or at
a prompt. An admin who still has to enroll a second factor does so in the app first.
Keychain: the OS keychain service "Kavach" (override with $KAVACH_KEYCHAIN_SERVICE).
Running app: the CLI may run beside the app on the same data folder (SQLite WAL); a write
waits up to 5 s for the app's (busy timeout). Still busy when opening: exit 5; a write
that collides with the app's during a command fails with exit 1: run it again.

Exit codes
  0 ok   1 unexpected failure   2 bad usage (also: restore target not empty)
  3 authentication failed (admin password, or the backup passphrase)
  4 verification failed (audit chain or billing ledger broken; backup truncated, altered or not a backup;
    restored data did not verify)
  5 data folder or keychain unavailable, or the database busy
`;

export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

class CliExit extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

interface Args {
  command: string[];
  flags: Map<string, string>;
  bools: Set<string>;
}

const VALUE_FLAGS = new Set(['--data', '--user', '--passphrase-env', '--out', '--from']);
const BOOL_FLAGS = new Set(['--json', '--help', '-h']);

function parse(argv: readonly string[]): Args {
  const args: Args = { command: [], flags: new Map(), bools: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (VALUE_FLAGS.has(a)) {
      const v = argv[i + 1];
      if (v === undefined || v.startsWith('--')) throw new CliExit(EXIT.USAGE, `${a} needs a value.`);
      args.flags.set(a, v);
      i++;
    } else if (BOOL_FLAGS.has(a)) args.bools.add(a);
    else if (a.startsWith('-')) {
      const hint =
        a === '--passphrase' || a === '--password'
          ? ' Secrets are never taken as arguments: use --passphrase-env VAR or the prompt.'
          : '';
      throw new CliExit(EXIT.USAGE, `Unknown option ${a}.${hint}`);
    } else args.command.push(a);
  }
  return args;
}

function unwrap<T>(r: Result<T>, what: string): T {
  if (r.ok) return r.value;
  const e = r.error;
  const fields = e.fields
    ? ` ${Object.values(e.fields)
        .filter((m) => m !== e.message)
        .join(' ')}`
    : '';
  const code =
    e.code === 'UNAUTHENTICATED' ||
    e.code === 'FORBIDDEN' ||
    e.code === 'INVALID_CREDENTIALS' ||
    e.code === 'ACCOUNT_LOCKED' ||
    e.code === 'ACCOUNT_INACTIVE'
      ? EXIT.AUTH
      : e.code === 'INTERNAL'
        ? EXIT.FAILED
        : EXIT.VERIFY;
  throw new CliExit(code, `${what}: ${e.message}${fields.trimEnd()}`);
}

async function passphrase(args: Args, io: Io, purpose: string, confirm: boolean): Promise<string> {
  const name = args.flags.get('--passphrase-env');
  if (name) {
    const v = io.env[name];
    if (!v) throw new CliExit(EXIT.USAGE, `Environment variable ${name} is not set or empty.`);
    return v;
  }
  const first = await readSecret(`${purpose} passphrase: `);
  if (first === null)
    throw new CliExit(
      EXIT.USAGE,
      `No ${purpose.toLowerCase()} passphrase: use --passphrase-env VAR or run in a terminal.`,
    );
  if (confirm && (await readSecret('Again: ')) !== first)
    throw new CliExit(EXIT.USAGE, 'The passphrases differ.');
  return first;
}

function dataDir(args: Args, io: Io): string {
  return resolve(io.cwd, args.flags.get('--data') ?? io.env.KAVACH_DATA_DIR ?? 'data/workstation');
}

async function secrets(io: Io) {
  const { createKeytarStore } = await import('../vault/keytar-store.js');
  return createKeytarStore(io.env.KAVACH_KEYCHAIN_SERVICE || 'Kavach');
}

function unavailable(e: unknown): CliExit {
  const err = e as { code?: string; message?: string };
  if (typeof err?.code === 'string' && err.code.startsWith('SQLITE_BUSY'))
    return new CliExit(
      EXIT.UNAVAILABLE,
      'The database is busy (the Kavach app is writing to it); try again in a moment.',
    );
  if (
    err?.code === 'KEYCHAIN_UNAVAILABLE' ||
    err?.code === 'DEVICE_KEY_MISSING' ||
    err?.code === 'SCHEMA_TOO_NEW'
  )
    return new CliExit(EXIT.UNAVAILABLE, err.message ?? 'Unavailable.');
  return new CliExit(
    EXIT.FAILED,
    `Could not open the data folder: ${e instanceof Error ? e.name : 'error'}.`,
  );
}

/** Opens the core and logs in as an admin; the caller closes both. */
async function adminSession(
  args: Args,
  io: Io,
  dir = dataDir(args, io),
): Promise<{ core: Core; conn: Connection }> {
  const user = args.flags.get('--user') ?? io.env.KAVACH_USER;
  if (!user) throw new CliExit(EXIT.USAGE, 'Which admin? Give --user NAME or set KAVACH_USER.');
  const password = io.env.KAVACH_PASSWORD || (await readSecret(`Password for ${user}: `));
  if (!password) throw new CliExit(EXIT.USAGE, 'No password: set KAVACH_PASSWORD or run in a terminal.');
  let core: Core;
  try {
    const { openCore } = await import('../core.js');
    core = await openCore({
      dataDir: dir,
      secrets: await secrets(io),
      log: (l) => io.err(l),
      sync: { auto: false },
    });
  } catch (e) {
    throw unavailable(e);
  }
  const conn = core.connect();
  const login = await conn.invoke('auth.login', { username: user, password });
  if (!login.ok) {
    await core.close();
    throw new CliExit(
      login.error.code === 'VALIDATION' ? EXIT.USAGE : EXIT.AUTH,
      `Login refused: ${login.error.message}`,
    );
  }
  let session = login.value as { state?: string; user?: { role?: string } | null };
  if (session.state === 'second-factor') {
    const code = io.env.KAVACH_TOTP || (await readSecret('Authenticator code: '));
    const second = code ? await conn.invoke('auth.verifySecondFactor', { code }) : null;
    if (!second?.ok) {
      await core.close();
      throw new CliExit(
        code ? EXIT.AUTH : EXIT.USAGE,
        code && second && !second.ok
          ? `Second factor refused: ${second.error.message}`
          : 'This admin signs in with a second factor: set KAVACH_TOTP to a current code or run in a terminal.',
      );
    }
    session = second.value as typeof session;
  }
  if (session.state !== 'active') {
    await core.close();
    throw new CliExit(
      EXIT.AUTH,
      `Login for ${user} is not complete (${session.state}); the CLI cannot finish a second factor.`,
    );
  }
  if (session.user?.role !== 'admin') {
    await core.close();
    throw new CliExit(EXIT.AUTH, `${user} is not an admin.`);
  }
  return { core, conn };
}

const REQUIRED: Record<string, string[]> = {
  backup: ['--out'],
  'verify-backup': ['--from'],
  'export-recovery-kit': ['--out'],
};

type Command = (args: Args, io: Io, conn: Connection) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  async status(args, io, conn) {
    const setup = unwrap(await conn.invoke('setup.status', {}), 'status') as { clinicName: string | null };
    const sync = unwrap(await conn.invoke('sync.status', {}), 'sync') as {
      state: string;
      pending: number;
      lastSyncAt: number | null;
    };
    const backup = unwrap(await conn.invoke('backup.status', {}), 'backup') as {
      schedule: { enabled: boolean; keep: number } | null;
      lastRun: { at: number; ok: boolean; name: string | null } | null;
      nextDueAt: number | null;
    };
    const staff = unwrap(await conn.invoke('staff.list', { includeInactive: true }), 'users') as {
      active: boolean;
    }[];
    const status = {
      clinic: setup.clinicName,
      dataDir: dataDir(args, io),
      activeUsers: staff.filter((s) => s.active).length,
      sync: { state: sync.state, pending: sync.pending, lastSyncAt: sync.lastSyncAt },
      backup: {
        scheduled: backup.schedule?.enabled ?? false,
        keep: backup.schedule?.keep ?? null,
        lastRun: backup.lastRun
          ? {
              at: new Date(backup.lastRun.at).toISOString(),
              ok: backup.lastRun.ok,
              file: backup.lastRun.name,
            }
          : null,
        nextDueAt: backup.nextDueAt ? new Date(backup.nextDueAt).toISOString() : null,
      },
    };
    if (args.bools.has('--json')) io.out(JSON.stringify(status));
    else {
      io.out(`clinic: ${status.clinic ?? '(not set up)'}`);
      io.out(`data: ${status.dataDir}`);
      io.out(`active users: ${status.activeUsers}`);
      io.out(`sync: ${sync.state}, ${sync.pending} change(s) waiting`);
      io.out(
        `backup: ${status.backup.scheduled ? `daily, keep ${status.backup.keep}` : 'not scheduled'}; last ${
          status.backup.lastRun
            ? `${status.backup.lastRun.ok ? 'ok' : 'FAILED'} at ${status.backup.lastRun.at}`
            : 'never'
        }`,
      );
    }
    return EXIT.OK;
  },

  async 'verify-audit'(args, io, conn) {
    const v = unwrap(await conn.invoke('audit.verify', {}), 'verify-audit') as {
      ok: boolean;
      checked: number;
      firstBroken: { seq: number; reason: string } | null;
    };
    if (args.bools.has('--json')) io.out(JSON.stringify(v));
    else if (v.ok) io.out(`audit chain ok: ${v.checked} events verified`);
    else io.out(`audit chain BROKEN at event ${v.firstBroken?.seq}: ${v.firstBroken?.reason}`);
    return v.ok ? EXIT.OK : EXIT.VERIFY;
  },

  async 'verify-ledger'(args, io, conn) {
    const v = unwrap(await conn.invoke('billing.verifyLedger', {}), 'verify-ledger') as LedgerCheck;
    const entries = v.chains.reduce((n, c) => n + c.entries, 0);
    if (args.bools.has('--json')) io.out(JSON.stringify(v));
    else if (v.ok) io.out(`ledger ok: ${v.chains.length} workstation chains, ${entries} entries verified`);
    else io.out(`ledger BROKEN in workstation ${v.workstationId}'s chain at entry ${v.seq}: ${v.reason}`);
    return v.ok ? EXIT.OK : EXIT.VERIFY;
  },

  async 'users list'(args, io, conn) {
    const staff = unwrap(await conn.invoke('staff.list', { includeInactive: true }), 'users list') as {
      username: string;
      role: string;
      active: boolean;
    }[];
    if (args.bools.has('--json'))
      io.out(JSON.stringify(staff.map(({ username, role, active }) => ({ username, role, active }))));
    else for (const s of staff) io.out(`${s.username}\t${s.role}\t${s.active ? 'active' : 'inactive'}`);
    return EXIT.OK;
  },

  async backup(args, io, conn) {
    const out = args.flags.get('--out')!;
    const pass = await passphrase(args, io, 'Backup', true);
    const created = unwrap(
      await conn.invoke('backup.runNow', { folder: resolve(io.cwd, out), passphrase: pass }),
      'backup',
    ) as {
      file: string;
      bytes: number;
    };
    io.out(`backup written: ${created.file} (${created.bytes} bytes)`);
    return EXIT.OK;
  },

  async 'verify-backup'(args, io, conn) {
    const from = args.flags.get('--from')!;
    const pass = await passphrase(args, io, 'Backup', false);
    const r = await conn.invoke('backup.verify', { file: resolve(io.cwd, from), passphrase: pass });
    if (!r.ok && r.error.fields?.passphrase) throw new CliExit(EXIT.AUTH, r.error.fields.passphrase);
    const c = unwrap(r, 'verify-backup') as {
      tables: number;
      rows: number;
      attachments: number;
      createdAt: number;
    };
    io.out(
      `backup ok: made ${new Date(c.createdAt).toISOString()}, ${c.tables} tables, ${c.rows} rows, ${c.attachments} attachments`,
    );
    return EXIT.OK;
  },

  async 'rotate-key'(_args, io, conn) {
    unwrap(await conn.invoke('keys.rotate', {}), 'rotate-key');
    // The re-encryption runs in the background of this core: wait for it before closing.
    let status: KeyStatus;
    for (;;) {
      status = unwrap(await conn.invoke('keys.status', {}), 'rotate-key') as KeyStatus;
      if (!status.rotation?.running) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const r = status.rotation;
    if (r?.phase !== 'done') {
      io.err(`key rotation did not finish (${r?.phase ?? 'unknown'}): ${r?.message ?? 'see Admin → Keys'}`);
      return EXIT.VERIFY;
    }
    io.out(
      `key rotation finished: version ${status.active} active, ${r.resealed} values re-encrypted, ${r.done} checked`,
    );
    return EXIT.OK;
  },

  async 'export-recovery-kit'(args, io, conn) {
    const out = args.flags.get('--out')!;
    const pass = await passphrase(args, io, 'Recovery', true);
    const kit = unwrap(
      await conn.invoke('keys.exportRecoveryKit', { passphrase: pass }),
      'export-recovery-kit',
    ) as { fileName: string; base64: string };
    const file = join(resolve(io.cwd, out), kit.fileName.replace(/[/\\]/g, '_'));
    writeFileSync(file, Buffer.from(kit.base64, 'base64'), { mode: 0o600, flag: 'wx' });
    io.out(`recovery kit written: ${file}`);
    return EXIT.OK;
  },
};

/**
 * A restore's target has no audit trail yet, so when this machine has a workstation
 * (KAVACH_DATA_DIR), the file is first checked there as its admin through backup.verify:
 * the check, and a refusal with its reason (wrong passphrase, truncated, altered), land in
 * that workstation's audit trail. Without one the refusal is only reported here.
 */
async function checkOnWorkstation(
  args: Args,
  io: Io,
  file: string,
  pass: string,
  dest: string,
): Promise<void> {
  const workstation = io.env.KAVACH_DATA_DIR ? resolve(io.cwd, io.env.KAVACH_DATA_DIR) : null;
  if (!workstation || workstation === dest || !existsSync(join(workstation, 'kavach.db'))) {
    io.err(
      'note: no workstation data folder (KAVACH_DATA_DIR) here, so this restore is not recorded in an audit trail',
    );
    return;
  }
  const { core, conn } = await adminSession(args, io, workstation);
  try {
    const r = await conn.invoke('backup.verify', { file, passphrase: pass });
    if (r.ok) return;
    const why = r.error.fields?.passphrase ?? r.error.fields?.file ?? r.error.message;
    const code = r.error.fields?.passphrase
      ? EXIT.AUTH
      : r.error.code === 'VALIDATION' && !/does not exist/.test(why)
        ? EXIT.VERIFY
        : EXIT.USAGE;
    throw new CliExit(
      code,
      `Restore refused, nothing written (recorded in this workstation's audit trail): ${why}`,
    );
  } finally {
    conn.close();
    await core.close();
  }
}

async function restore(args: Args, io: Io): Promise<number> {
  const from = args.flags.get('--from');
  const target = args.flags.get('--data');
  if (!from || !target)
    throw new CliExit(EXIT.USAGE, 'restore needs --from FILE and --data DIR (a new or empty folder).');
  const pass = await passphrase(args, io, 'Backup', false);
  const file = resolve(io.cwd, from);
  const dest = resolve(io.cwd, target);
  await checkOnWorkstation(args, io, file, pass, dest);
  const { BackupError } = await import('../backup/format.js');
  const { RestoreError, restoreBackup } = await import('../backup/restore.js');
  try {
    const r = await restoreBackup({
      file,
      passphrase: pass,
      target: dest,
      secrets: await secrets(io),
      now: Date.now,
    });
    const rows = Object.values(r.manifest.counts).reduce((s, n) => s + n, 0);
    io.out(
      `restored into ${resolve(io.cwd, target)}: ${Object.keys(r.manifest.counts).length} tables, ${rows} rows, ${r.manifest.attachments.length} attachments; digests and counts match, audit chain verified (${r.auditEvents} events), ${r.patientsChecked} patient records decrypted as a sample`,
    );
    return EXIT.OK;
  } catch (e) {
    if (e instanceof BackupError)
      throw new CliExit(
        e.reason === 'wrong-passphrase' ? EXIT.AUTH : EXIT.VERIFY,
        `Restore refused, nothing written: ${e.message}`,
      );
    if (e instanceof RestoreError)
      throw new CliExit(
        e.reason === 'target-not-empty' ? EXIT.USAGE : EXIT.VERIFY,
        `Restore refused: ${e.message}`,
      );
    if ((e as NodeJS.ErrnoException)?.code === 'ENOENT')
      throw new CliExit(EXIT.USAGE, 'Restore refused: the backup file does not exist.');
    throw unavailable(e);
  }
}

/**
 * A workstation whose keychain lost its device key cannot open its database, so nobody can
 * log in: the recovery kit (exported earlier by an admin) unwraps the clinic key ring and
 * it is kept under a new device key. The attempt, refused or not, is audited in that
 * database by restoreRecoveryKit.
 */
async function restoreKit(args: Args, io: Io): Promise<number> {
  const from = args.flags.get('--from');
  if (!from) throw new CliExit(EXIT.USAGE, 'restore-recovery-kit needs --from FILE.');
  const dir = dataDir(args, io);
  if (!existsSync(join(dir, 'kavach.db'))) throw new CliExit(EXIT.USAGE, `No Kavach data folder at ${dir}.`);
  let kit: Buffer;
  try {
    kit = readFileSync(resolve(io.cwd, from));
  } catch {
    throw new CliExit(EXIT.USAGE, 'The recovery kit file cannot be read.');
  }
  const pass = await passphrase(args, io, 'Recovery', false);
  const { restoreRecoveryKit } = await import('../keys/restore.js');
  const { RecoveryKitError } = await import('../keys/recovery-kit.js');
  try {
    const r = await restoreRecoveryKit(dir, kit, pass, await secrets(io));
    io.out(`recovery kit restored: key versions ${r.versions.join(', ')}; staff can log in again`);
    return EXIT.OK;
  } catch (e) {
    if (e instanceof RecoveryKitError)
      throw new CliExit(
        e.reason === 'wrong-passphrase' ? EXIT.AUTH : EXIT.VERIFY,
        `Recovery refused, nothing changed: ${e.message}`,
      );
    throw unavailable(e);
  }
}

export async function main(argv: readonly string[], io: Io): Promise<number> {
  try {
    const args = parse(argv);
    const name = args.command[0] === 'users' ? args.command.slice(0, 2).join(' ') : (args.command[0] ?? '');
    if (args.bools.has('--help') || args.bools.has('-h') || name === 'help') {
      io.out(HELP);
      return EXIT.OK;
    }
    if (name === 'restore') return await restore(args, io);
    if (name === 'restore-recovery-kit') return await restoreKit(args, io);
    const command = COMMANDS[name];
    if (!command) {
      io.err(name ? `Unknown command "${name}".` : 'No command given.');
      io.err(HELP);
      return EXIT.USAGE;
    }
    // Usage is checked before the login, so a script's mistake costs no password attempt.
    for (const flag of REQUIRED[name] ?? []) {
      if (!args.flags.has(flag))
        throw new CliExit(EXIT.USAGE, `${name} needs ${flag} ${flag === '--from' ? 'FILE' : 'DIR'}.`);
    }
    const { core, conn } = await adminSession(args, io);
    try {
      return await command(args, io, conn);
    } finally {
      conn.close();
      await core.close();
    }
  } catch (e) {
    if (e instanceof CliExit) {
      io.err(e.message);
      return e.code;
    }
    const u = unavailable(e);
    io.err(u.message);
    return u.code;
  }
}

/** The process entry (this file run directly, or bin.mjs). */
export async function run(): Promise<void> {
  process.exitCode = await main(process.argv.slice(2), {
    out: (l) => process.stdout.write(`${l}\n`),
    err: (l) => process.stderr.write(`${l}\n`),
    env: process.env,
    cwd: process.cwd(),
  });
}

if (process.argv[1] && /[/\\]cli[/\\]kavach\.ts$/.test(process.argv[1])) await run();
