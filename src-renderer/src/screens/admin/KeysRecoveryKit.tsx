import { type FormEvent, useState } from 'react';
import { call } from '../../api';
import { base64ToBlob } from '../../components/blob';
import { FormAlert, TextField, useFormState } from '../../components/form';
import { useDownload } from '../doctor/download';

const RULES =
  'At least 16 characters (a few words), not containing your username, not a common password. Write it down and keep it apart from the file.';

/** Export recovery kit: the passphrase twice, then the file is handed to the browser to save. */
export function RecoveryKitForm({ onExported }: { onExported: () => void }) {
  const [passphrase, setPassphrase] = useState('');
  const [again, setAgain] = useState('');
  const [notice, setNotice] = useState<string | null>(null);
  const form = useFormState();
  const download = useDownload();

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (form.busy) return;
    form.clear();
    setNotice(null);
    if (passphrase !== again) {
      form.setFields({ again: 'The two passphrases differ' });
      return;
    }
    form.setBusy(true);
    const result = await call('keys.exportRecoveryKit', { passphrase });
    form.setBusy(false);
    if (!result.ok) {
      form.showError(result.error, ['passphrase']);
      return;
    }
    setPassphrase('');
    setAgain('');
    download.start(base64ToBlob(result.value.base64, 'application/json'), result.value.fileName);
    setNotice(`Recovery kit ready (key version ${result.value.versions.join(', ')}). Keep the file offline.`);
    onExported();
  }

  return (
    <form ref={form.ref} className="card form-card" onSubmit={submit} noValidate aria-labelledby="kit-title">
      <h2 id="kit-title">Recovery kit</h2>
      <p className="muted">
        The clinic data key, locked with a passphrase you choose. With the file and the passphrase an admin
        can bring the clinic's data back on a workstation whose keychain was lost.
      </p>
      <FormAlert message={form.summary} testId="kit-error" />
      <div className="grid-2">
        <TextField
          label="Recovery passphrase"
          type="password"
          value={passphrase}
          onChange={setPassphrase}
          error={form.fields.passphrase}
          hint={RULES}
          autoComplete="new-password"
          required
          testId="kit-passphrase"
        />
        <TextField
          label="Passphrase again"
          type="password"
          value={again}
          onChange={setAgain}
          error={form.fields.again}
          autoComplete="new-password"
          required
          testId="kit-passphrase-again"
        />
      </div>
      <p className="status-line" role="status" data-testid="kit-notice">
        {notice ?? ''}
      </p>
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={form.busy}>
          {form.busy ? 'Preparing…' : 'Export recovery kit'}
        </button>
        {download.element}
      </div>
    </form>
  );
}
