import { z } from 'zod';

/** Encrypted backups (src-main/backup): what the Admin → Backup screen and the CLI see. */

export interface BackupProgress {
  phase: 'snapshot' | 'writing' | 'done';
  done: number;
  total: number;
}

export interface BackupSchedule {
  folder: string;
  keep: number;
  enabled: boolean;
}

export interface BackupRun {
  at: number;
  ok: boolean;
  /** The file's name (never a patient's): kavach-backup-YYYYMMDD-HHMMSS.kvbk. */
  name: string | null;
  bytes: number | null;
  message: string;
}

export interface BackupStatus {
  schedule: BackupSchedule | null;
  /** A passphrase-derived key for scheduled backups is in this workstation's keychain. */
  passphraseSet: boolean;
  running: boolean;
  progress: BackupProgress | null;
  lastRun: BackupRun | null;
  /** When the scheduled backup is next due (ms since epoch), or null when off. */
  nextDueAt: number | null;
}

export interface BackupCheck {
  name: string;
  createdAt: number;
  schemaVersion: number;
  tables: number;
  rows: number;
  attachments: number;
}

export const BACKUP_PASSPHRASE_RULE =
  'At least 12 characters; keep it safe: without it the backup cannot be opened.';

export const backupPassphraseInput = z
  .string({ error: 'Expected the passphrase' })
  .min(12, { error: 'Use at least 12 characters' })
  .max(256, { error: 'At most 256 characters' });

/** An absolute folder or file path on this workstation, chosen by an admin. */
export const localPathInput = z
  .string({ error: 'Expected a path' })
  .min(1, { error: 'Enter a folder' })
  .max(500, { error: 'At most 500 characters' })
  .refine((s) => ![...s].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f), {
    error: 'The path has control characters',
  })
  .refine((s) => s.startsWith('/') || /^[A-Za-z]:[\\/]/.test(s), {
    error: 'Enter the full path, like /media/usb/kavach-backups',
  });

export const backupConfigureInput = z.strictObject({
  folder: localPathInput,
  keep: z
    .number({ error: 'Expected a number' })
    .int({ error: 'A whole number' })
    .min(1, { error: 'Keep at least 1 backup' })
    .max(365, { error: 'At most 365 backups' }),
  enabled: z.boolean({ error: 'Expected true or false' }),
  /** Null keeps the passphrase already set. */
  newPassphrase: backupPassphraseInput.nullable(),
});

export const backupRunInput = z
  .strictObject({
    folder: localPathInput.optional(),
    passphrase: backupPassphraseInput.optional(),
  })
  .refine((v) => (v.folder === undefined) === (v.passphrase === undefined), {
    error: 'Give both a folder and a passphrase, or neither to use the schedule’s',
    path: ['passphrase'],
  });

export const backupVerifyInput = z.strictObject({
  file: localPathInput,
  passphrase: backupPassphraseInput,
});

export interface BackupCreated {
  name: string;
  bytes: number;
  /** Full path of the written file, in the folder the admin chose. */
  file: string;
}
