import { type FormEvent, useState } from 'react';
import type { SessionInfo, TotpEnrollment } from '../../../../src-shared/types';
import { call, summaryOf } from '../../api';
import { CheckboxField, FormAlert, TextField, useFormState } from '../../components/form';
import { enterApp, logout } from '../../session';
import { endSession, useApp } from '../../store';
import { QrCanvas } from './QrCanvas';

/** The key in groups of four, as authenticator apps ask for it to be typed. */
const grouped = (secret: string) => secret.replace(/(.{4})(?=.)/g, '$1 ');

function StartStep({ onStarted }: { onStarted: (e: TotpEnrollment) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function start() {
    setBusy(true);
    setError(null);
    const result = await call('auth.beginTotpEnrollment', {});
    setBusy(false);
    if (result.ok) onStarted(result.value);
    else if (result.error.code === 'UNAUTHENTICATED') endSession(result.error.message);
    else setError(summaryOf(result.error));
  }
  return (
    <>
      <p>
        Your role must sign in with a second factor. Install an authenticator app on your phone (any app for
        6-digit time-based codes), then continue to scan its QR code.
      </p>
      <FormAlert message={error} testId="enroll-error" />
      <div className="actions">
        <button type="button" className="btn btn-primary" onClick={() => void start()} disabled={busy}>
          {busy ? 'Preparing…' : 'Set up authenticator app'}
        </button>
        <button type="button" className="btn" onClick={() => void logout()}>
          Cancel
        </button>
      </div>
    </>
  );
}

function ConfirmStep({
  enrollment,
  onConfirmed,
}: {
  enrollment: TotpEnrollment;
  onConfirmed: (codes: string[], session: SessionInfo) => void;
}) {
  const [code, setCode] = useState('');
  const form = useFormState();
  async function submit(event: FormEvent) {
    event.preventDefault();
    if (form.busy) return;
    form.clear();
    form.setBusy(true);
    const result = await call('auth.confirmTotpEnrollment', { code: code.trim() });
    form.setBusy(false);
    if (result.ok) onConfirmed(result.value.recoveryCodes, result.value.session);
    else if (result.error.code === 'UNAUTHENTICATED') endSession(result.error.message);
    else {
      setCode('');
      form.showError(result.error, ['code']);
    }
  }
  return (
    <form ref={form.ref} onSubmit={submit} noValidate aria-label="Confirm authenticator app">
      <p>Scan this code with the app:</p>
      <QrCanvas text={enrollment.uri} label="QR code for your authenticator app" />
      <p>Or type this key into the app by hand (time-based, 6 digits, 30 seconds):</p>
      <p className="mono totp-secret" data-testid="totp-secret">
        {grouped(enrollment.secret)}
      </p>
      <FormAlert message={form.summary} testId="enroll-error" />
      <TextField
        label="Code from the app"
        value={code}
        onChange={setCode}
        error={form.fields.code}
        autoComplete="one-time-code"
        inputMode="numeric"
        autoFocus
        required
      />
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={form.busy}>
          {form.busy ? 'Checking…' : 'Confirm'}
        </button>
        <button type="button" className="btn" onClick={() => void logout()}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function RecoveryCodesStep({ codes, session }: { codes: string[]; session: SessionInfo }) {
  const [saved, setSaved] = useState(false);
  return (
    <>
      <div className="alert alert-info" role="status">
        Your authenticator app is set up.
      </div>
      <p>
        Keep these recovery codes somewhere safe, away from your phone. Each one lets you sign in once if you
        lose the phone. They are shown only now.
      </p>
      <ol className="mono recovery-codes" data-testid="recovery-codes">
        {codes.map((c) => (
          <li key={c}>{c}</li>
        ))}
      </ol>
      <CheckboxField label="I have saved these recovery codes" checked={saved} onChange={setSaved} />
      <div className="actions">
        <button type="button" className="btn btn-primary" disabled={!saved} onClick={() => enterApp(session)}>
          Continue
        </button>
      </div>
    </>
  );
}

/** First sign-in of a role that requires a second factor: set up TOTP, then see the codes. */
export function TotpEnrollScreen() {
  const clinicName = useApp((s) => s.clinicName);
  const [enrollment, setEnrollment] = useState<TotpEnrollment | null>(null);
  const [done, setDone] = useState<{ codes: string[]; session: SessionInfo } | null>(null);
  return (
    <main className="auth-page">
      <section className="card auth-card" aria-labelledby="enroll-title">
        <p className="eyebrow">{clinicName ?? 'Kavach'}</p>
        <h1 id="enroll-title">Set up a second factor</h1>
        {done ? (
          <RecoveryCodesStep codes={done.codes} session={done.session} />
        ) : enrollment ? (
          <ConfirmStep
            enrollment={enrollment}
            onConfirmed={(codes, session) => setDone({ codes, session })}
          />
        ) : (
          <StartStep onStarted={setEnrollment} />
        )}
      </section>
    </main>
  );
}
