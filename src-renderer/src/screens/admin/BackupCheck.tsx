import { type FormEvent, useState } from 'react';
import { call } from '../../api';
import { FormAlert, TextField, useFormState } from '../../components/form';

/** Check a backup file: decrypts it with its passphrase and checks every digest; restores nothing. */
export function BackupCheckForm() {
  const [file, setFile] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [notice, setNotice] = useState<string | null>(null);
  const form = useFormState();

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (form.busy) return;
    form.clear();
    setNotice(null);
    form.setBusy(true);
    const result = await call('backup.verify', { file: file.trim(), passphrase });
    form.setBusy(false);
    if (!result.ok) {
      form.showError(result.error, ['file', 'passphrase']);
      return;
    }
    setPassphrase('');
    const c = result.value;
    setNotice(
      `${c.name} is complete and opens: made ${new Date(c.createdAt).toLocaleString()}, ${c.tables} tables, ${c.rows} rows, ${c.attachments} attachments.`,
    );
  }

  return (
    <form
      ref={form.ref}
      className="card form-card"
      onSubmit={submit}
      noValidate
      aria-labelledby="check-title"
    >
      <h2 id="check-title">Check a backup file</h2>
      <p className="muted">
        Opens a backup with its passphrase and checks every part, without restoring anything.
      </p>
      <FormAlert message={form.summary} testId="check-error" />
      <div className="grid-2">
        <TextField
          label="Backup file"
          value={file}
          onChange={setFile}
          error={form.fields.file}
          hint="The full path of a .kvbk file"
          testId="check-file"
        />
        <TextField
          label="Its passphrase"
          type="password"
          value={passphrase}
          onChange={setPassphrase}
          error={form.fields.passphrase}
          autoComplete="off"
          testId="check-passphrase"
        />
      </div>
      <p className="status-line" role="status" data-testid="check-notice">
        {notice ?? ''}
      </p>
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={form.busy}>
          {form.busy ? 'Checking…' : 'Check file'}
        </button>
      </div>
    </form>
  );
}
