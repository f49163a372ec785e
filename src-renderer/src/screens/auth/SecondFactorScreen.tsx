import { type FormEvent, useState } from 'react';
import { call } from '../../api';
import { FormAlert, TextField, useFormState } from '../../components/form';
import { enterApp, logout } from '../../session';
import { endSession, useApp } from '../../store';

const SHOWN = ['code'] as const;

/** After the password: a code from the authenticator app, or one recovery code. */
export function SecondFactorScreen() {
  const clinicName = useApp((s) => s.clinicName);
  const [code, setCode] = useState('');
  const form = useFormState();

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (form.busy) return;
    form.clear();
    form.setBusy(true);
    const result = await call('auth.verifySecondFactor', { code: code.trim() });
    form.setBusy(false);
    if (result.ok) {
      enterApp(result.value);
      return;
    }
    setCode('');
    const error = result.error;
    // Locked out, reset meanwhile or timed out: main has ended this sign-in.
    if (error.code === 'ACCOUNT_LOCKED' || error.code === 'UNAUTHENTICATED') endSession(error.message);
    else form.showError(error, SHOWN);
  }

  return (
    <main className="auth-page">
      <form
        ref={form.ref}
        className="card auth-card"
        onSubmit={submit}
        noValidate
        aria-labelledby="second-factor-title"
      >
        <p className="eyebrow">{clinicName ?? 'Kavach'}</p>
        <h1 id="second-factor-title">Second factor</h1>
        <p>Enter the 6-digit code your authenticator app shows now, or one of your recovery codes.</p>
        <FormAlert message={form.summary} testId="second-factor-error" />
        <TextField
          label="Code"
          value={code}
          onChange={setCode}
          error={form.fields.code}
          autoComplete="one-time-code"
          autoFocus
          required
        />
        <div className="actions">
          <button type="submit" className="btn btn-primary" disabled={form.busy}>
            {form.busy ? 'Checking…' : 'Verify'}
          </button>
          <button type="button" className="btn" onClick={() => void logout()}>
            Cancel
          </button>
        </div>
      </form>
    </main>
  );
}
