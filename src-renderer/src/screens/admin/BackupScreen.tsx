import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { BACKUP_PASSPHRASE_RULE, type BackupStatus } from '../../../../src-shared/backup';
import { call, summaryOf } from '../../api';
import { CheckboxField, FormAlert, TextField, useFormState } from '../../components/form';
import { BackupCheckForm } from './BackupCheck';

/** Polled this often while a backup runs (progress), and slowly otherwise (the daily run). */
const POLL_RUNNING_MS = 500;
const POLL_IDLE_MS = 15_000;

function when(ms: number): string {
  return new Date(ms).toLocaleString();
}

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

function useBackupStatus() {
  const [status, setStatus] = useState<BackupStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    const result = await call('backup.status', {});
    if (result.ok) {
      setStatus(result.value);
      setError(null);
    } else setError(summaryOf(result.error));
  }, []);
  const running = status?.running ?? false;
  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), running ? POLL_RUNNING_MS : POLL_IDLE_MS);
    return () => clearInterval(timer);
  }, [running, load]);
  return { status, setStatus, error, load };
}

function Progress({ status }: { status: BackupStatus }) {
  const p = status.progress;
  if (!status.running || !p) return null;
  const text =
    p.phase === 'snapshot'
      ? 'Taking a consistent copy of the database…'
      : `Encrypting and writing: ${megabytes(p.done)} of ${megabytes(p.total)}`;
  return (
    <div data-testid="backup-progress">
      <p role="status">{text}</p>
      <progress
        className="sync-progress"
        max={Math.max(p.total, 1)}
        value={p.phase === 'snapshot' ? 0 : p.done}
        aria-label="Backup progress"
      />
    </div>
  );
}

function LastRun({ status }: { status: BackupStatus }) {
  const r = status.lastRun;
  return (
    <p className="muted" data-testid="backup-last-run">
      {r
        ? `Last backup ${when(r.at)}: ${r.ok ? `${r.name} (${megabytes(r.bytes ?? 0)}).` : r.message}`
        : 'No backup has been made on this workstation yet.'}
      {status.nextDueAt !== null ? ` Next daily backup due ${when(status.nextDueAt)}.` : ''}
    </p>
  );
}

function ScheduleForm({ status, onSaved }: { status: BackupStatus; onSaved: (s: BackupStatus) => void }) {
  const [folder, setFolder] = useState(status.schedule?.folder ?? '');
  const [keep, setKeep] = useState(String(status.schedule?.keep ?? 7));
  const [enabled, setEnabled] = useState(status.schedule?.enabled ?? true);
  const [passphrase, setPassphrase] = useState('');
  const [again, setAgain] = useState('');
  const [notice, setNotice] = useState<string | null>(null);
  const form = useFormState();

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (form.busy) return;
    form.clear();
    setNotice(null);
    if (passphrase !== again) {
      form.setFields({ again: 'The two passphrases differ' });
      return;
    }
    const keepNumber = /^\d{1,3}$/.test(keep.trim()) ? Number(keep.trim()) : Number.NaN;
    if (!Number.isInteger(keepNumber)) {
      form.setFields({ keep: 'Enter a whole number from 1 to 365' });
      return;
    }
    form.setBusy(true);
    const result = await call('backup.configure', {
      folder: folder.trim(),
      keep: keepNumber,
      enabled,
      newPassphrase: passphrase === '' ? null : passphrase,
    });
    form.setBusy(false);
    if (!result.ok) {
      form.showError(result.error, ['folder', 'keep', 'newPassphrase']);
      return;
    }
    setPassphrase('');
    setAgain('');
    setNotice('Backup schedule saved.');
    onSaved(result.value);
  }

  return (
    <form
      ref={form.ref}
      className="card form-card"
      onSubmit={submit}
      noValidate
      aria-labelledby="schedule-title"
    >
      <h2 id="schedule-title">Daily backup</h2>
      <p className="muted">
        Once a day, an encrypted backup of this workstation (records, audit trail, attachments and the clinic
        key) goes to the folder below, and only the newest ones are kept. Use a folder on another disk.
      </p>
      <FormAlert message={form.summary} testId="schedule-error" />
      <TextField
        label="Backup folder"
        value={folder}
        onChange={setFolder}
        error={form.fields.folder}
        hint="The full path, like /media/usb/kavach-backups"
        required
        testId="backup-folder"
      />
      <div className="grid-2">
        <TextField
          label="Keep the last"
          value={keep}
          onChange={setKeep}
          error={form.fields.keep}
          hint="backups (1 to 365)"
          inputMode="numeric"
          testId="backup-keep"
        />
        <CheckboxField label="Back up every day" checked={enabled} onChange={setEnabled} />
      </div>
      <div className="grid-2">
        <TextField
          label={status.passphraseSet ? 'New backup passphrase (leave empty to keep)' : 'Backup passphrase'}
          type="password"
          value={passphrase}
          onChange={setPassphrase}
          error={form.fields.newPassphrase}
          hint={BACKUP_PASSPHRASE_RULE}
          autoComplete="new-password"
          testId="backup-passphrase"
        />
        <TextField
          label="Passphrase again"
          type="password"
          value={again}
          onChange={setAgain}
          error={form.fields.again}
          autoComplete="new-password"
          testId="backup-passphrase-again"
        />
      </div>
      <p className="status-line" role="status" data-testid="schedule-notice">
        {notice ?? ''}
      </p>
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={form.busy}>
          {form.busy ? 'Saving…' : 'Save schedule'}
        </button>
      </div>
    </form>
  );
}

function RunNow({ status, onDone }: { status: BackupStatus; onDone: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function run() {
    setBusy(true);
    setError(null);
    setNotice(null);
    // The status poll shows progress while this call is under way.
    const started = call('backup.runNow', {});
    onDone();
    const result = await started;
    setBusy(false);
    if (result.ok) setNotice(`Backup written: ${result.value.name} (${megabytes(result.value.bytes)}).`);
    else setError(summaryOf(result.error));
    onDone();
  }
  const ready = status.schedule !== null && status.passphraseSet;
  return (
    <div>
      <FormAlert message={error} testId="run-error" />
      <p className="status-line" role="status" data-testid="run-notice">
        {notice ?? ''}
      </p>
      <div className="actions">
        <button
          type="button"
          className="btn btn-primary"
          disabled={!ready || busy || status.running}
          onClick={() => void run()}
          data-testid="backup-run"
        >
          {busy || status.running ? 'Backing up…' : 'Back up now'}
        </button>
        {ready ? null : <span className="muted">Save a folder and a passphrase first.</span>}
      </div>
    </div>
  );
}

export function BackupScreen() {
  const { status, setStatus, error, load } = useBackupStatus();
  return (
    <section aria-labelledby="backup-title" className="page">
      <div className="page-head">
        <h1 id="backup-title">Backup</h1>
      </div>
      <p className="card form-card" role="note">
        A backup can only be opened with its passphrase: without it, nobody (Kavach included) can restore it.
        Restoring is done on a new or empty data folder with the command line: npm run kavach -- restore
        --from FILE --data DIR.
      </p>
      <FormAlert message={error} testId="backup-load-error" />
      {status ? (
        <>
          <section className="card form-card" aria-labelledby="backup-state-title">
            <h2 id="backup-state-title">Status</h2>
            <LastRun status={status} />
            <Progress status={status} />
            <RunNow status={status} onDone={() => void load()} />
          </section>
          <ScheduleForm status={status} onSaved={setStatus} />
          <BackupCheckForm />
        </>
      ) : null}
    </section>
  );
}
