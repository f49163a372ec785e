import { type FormEvent, useRef, useState } from 'react';
import type { AppError } from '../../../../src-shared/result';
import { call } from '../../api';
import { FormAlert, TextField, useFormState } from '../../components/form';
import { enterApp } from '../../session';
import { useApp } from '../../store';
import { SecondFactorScreen } from './SecondFactorScreen';
import { TotpEnrollScreen } from './TotpEnrollScreen';

const SHOWN = ['username', 'password'] as const;
// One message for both unknown user and wrong password, so the screen never confirms a username.
const BAD_CREDENTIALS = 'The username or password is not correct.';

function useLogin() {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [lockout, setLockout] = useState<string | null>(null);
  const form = useFormState();
  const formRef = useRef<HTMLFormElement>(null);

  function showFailure(error: AppError) {
    setPassword('');
    if (error.code === 'ACCOUNT_LOCKED') setLockout(error.message);
    else if (error.code === 'INVALID_CREDENTIALS') form.setSummary(BAD_CREDENTIALS);
    else form.showError(error, SHOWN);
    formRef.current?.querySelector<HTMLInputElement>('input[type="password"]')?.focus();
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (form.busy) return;
    form.clear();
    setLockout(null);
    form.setBusy(true);
    const result = await call('auth.login', { username: username.trim(), password });
    form.setBusy(false);
    if (result.ok) enterApp(result.value);
    else showFailure(result.error);
  }

  return { username, setUsername, password, setPassword, lockout, form, formRef, submit };
}

function LoginNotices({ lockout }: { lockout: string | null }) {
  const notice = useApp((s) => s.notice);
  return (
    <>
      {notice ? (
        <div className="alert alert-info" role="status">
          {notice}
        </div>
      ) : null}
      {lockout ? (
        <div role="alert" className="alert alert-danger" data-testid="lockout-message">
          <strong>Account locked</strong>
          <p>{lockout}</p>
        </div>
      ) : null}
    </>
  );
}

/** The password, then (where the account has or needs one) the second factor. */
export function LoginScreen() {
  const stage = useApp((s) => s.signInStage);
  if (stage === 'second-factor') return <SecondFactorScreen />;
  if (stage === 'enroll-second-factor') return <TotpEnrollScreen />;
  return <PasswordLogin />;
}

function PasswordLogin() {
  const clinicName = useApp((s) => s.clinicName);
  const { username, setUsername, password, setPassword, lockout, form, formRef, submit } = useLogin();
  return (
    <main className="auth-page">
      <form
        ref={formRef}
        className="card auth-card"
        onSubmit={submit}
        noValidate
        aria-labelledby="login-title"
      >
        <p className="eyebrow">{clinicName ?? 'Kavach'}</p>
        <h1 id="login-title">Log in</h1>
        <LoginNotices lockout={lockout} />
        <FormAlert message={form.summary} testId="login-error" />
        <TextField
          label="Username"
          value={username}
          onChange={setUsername}
          error={form.fields.username}
          autoComplete="username"
          autoFocus
          required
        />
        <TextField
          label="Password"
          type="password"
          value={password}
          onChange={setPassword}
          error={form.fields.password}
          autoComplete="current-password"
          required
        />
        <div className="actions">
          <button type="submit" className="btn btn-primary" disabled={form.busy}>
            {form.busy ? 'Checking…' : 'Log in'}
          </button>
        </div>
      </form>
    </main>
  );
}
