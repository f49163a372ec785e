import { useState } from 'react';
import type { AppError } from '../../../../src-shared/result';
import { summaryOf } from '../../api';
import { Dialog } from '../../components/Dialog';
import { FormAlert, TextField } from '../../components/form';

interface SignDialogProps {
  /** Resolves with the refusal to show here, or null when the dialog may close. */
  onSign: (password: string) => Promise<AppError | null>;
  onClose: () => void;
}

/** Asks for the doctor's password, which main checks before it signs. */
export function SignDialog({ onSign, onClose }: SignDialogProps) {
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fieldError, setFieldError] = useState<string | undefined>(undefined);

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    setFieldError(undefined);
    const refusal = await onSign(password);
    setBusy(false);
    if (!refusal) return;
    setPassword('');
    if (refusal.fields?.password) setFieldError(refusal.fields.password);
    else setError(summaryOf(refusal));
  }

  return (
    <Dialog title="Sign prescription" onClose={onClose} testId="sign-dialog">
      <form onSubmit={(e) => void submit(e)} aria-label="Sign prescription">
        <p className="muted">Enter your password to sign. A signed prescription never changes.</p>
        <FormAlert message={error} testId="sign-error" />
        <TextField
          label="Your password"
          type="password"
          value={password}
          onChange={setPassword}
          error={fieldError}
          autoComplete="current-password"
          autoFocus
        />
        <div className="actions">
          <button type="submit" className="btn btn-primary" disabled={busy || password === ''}>
            {busy ? 'Signing…' : 'Sign'}
          </button>
          <button type="button" className="btn btn-quiet" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
