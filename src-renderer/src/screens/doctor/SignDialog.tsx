import { useState } from 'react';
import type { AppError } from '../../../../src-shared/result';
import { summaryOf } from '../../api';
import { Dialog } from '../../components/Dialog';
import { CheckboxField, FormAlert, TextField } from '../../components/form';

interface SignDialogProps {
  /** Resolves with the refusal to show here, or null when the dialog may close. */
  onSign: (proof: { password: string } | { totp: string }) => Promise<AppError | null>;
  onClose: () => void;
}

/** Asks for the doctor's password (or, for a doctor with a second factor, a current code
 *  from their authenticator app), which main checks before it signs. */
export function SignDialog({ onSign, onClose }: SignDialogProps) {
  const [password, setPassword] = useState('');
  const [useCode, setUseCode] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fieldError, setFieldError] = useState<string | undefined>(undefined);

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    setFieldError(undefined);
    const refusal = await onSign(useCode ? { totp: password.trim() } : { password });
    setBusy(false);
    if (!refusal) return;
    setPassword('');
    const field = refusal.fields?.password ?? refusal.fields?.totp;
    if (field) setFieldError(field);
    else setError(summaryOf(refusal));
  }

  return (
    <Dialog title="Sign prescription" onClose={onClose} testId="sign-dialog">
      <form onSubmit={(e) => void submit(e)} aria-label="Sign prescription">
        <p className="muted">
          Enter your {useCode ? 'current code' : 'password'} to sign. A signed prescription never changes.
        </p>
        <FormAlert message={error} testId="sign-error" />
        <TextField
          label={useCode ? 'Code from your authenticator app' : 'Your password'}
          type={useCode ? 'text' : 'password'}
          value={password}
          onChange={setPassword}
          error={fieldError}
          autoComplete={useCode ? 'one-time-code' : 'current-password'}
          autoFocus
        />
        <CheckboxField
          label="Sign with a code from my authenticator app instead"
          checked={useCode}
          onChange={(checked) => {
            setUseCode(checked);
            setPassword('');
            setFieldError(undefined);
          }}
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
