import { type FormEvent, useState } from 'react';
import { ROLE_LABELS } from '../../../../src-shared/roles';
import { call } from '../../api';
import { FormAlert, TextField, useFormState } from '../../components/form';
import { logout } from '../../session';
import { applySession, endSession, useApp } from '../../store';

/**
 * Drawn over the still-mounted work so that half-typed forms survive an idle lock. Only
 * the password is asked; main knows whose session this is.
 */
export function LockPanel() {
  const user = useApp((s) => s.user);
  const [password, setPassword] = useState('');
  const form = useFormState();

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (form.busy) return;
    form.clear();
    form.setBusy(true);
    const result = await call('auth.unlock', { password });
    form.setBusy(false);
    setPassword('');
    if (result.ok) applySession(result.value);
    // Main ends the session when unlocking trips the account lockout; say why on the login screen.
    else if (result.error.code === 'ACCOUNT_LOCKED') endSession(result.error.message);
    else if (result.error.code === 'INVALID_CREDENTIALS') form.setSummary('That password is not correct.');
    else form.showError(result.error, ['password']);
  }

  return (
    <div className="overlay">
      <div className="card lock-card" role="dialog" aria-modal="true" aria-labelledby="lock-title">
        <form ref={form.ref} onSubmit={submit} noValidate>
          <h2 id="lock-title">Session locked</h2>
          <p className="lead">
            Kavach locked this window after a period without activity. Your unsaved work is kept.
          </p>
          {user ? (
            <p className="lock-user" data-testid="lock-user">
              {user.displayName} · {ROLE_LABELS[user.role]}
            </p>
          ) : null}
          <FormAlert message={form.summary} testId="unlock-error" />
          <TextField
            label="Password"
            type="password"
            value={password}
            onChange={setPassword}
            error={form.fields.password}
            autoComplete="current-password"
            autoFocus
            required
          />
          <div className="actions">
            <button type="submit" className="btn btn-primary" disabled={form.busy}>
              {form.busy ? 'Checking…' : 'Unlock'}
            </button>
            <button type="button" className="btn btn-quiet" onClick={() => void logout()}>
              Log out
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}
