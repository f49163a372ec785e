import { type FormEvent, useState } from 'react';
import { call } from '../../api';
import { CheckboxField, type FieldErrors, FormAlert, TextField, useFormState } from '../../components/form';
import { enterApp } from '../../session';
import { useApp } from '../../store';
import { JoinClinicForm } from '../sync/JoinClinicForm';
import { PasswordRules } from './PasswordRules';

const SHOWN = ['clinicName', 'adminDisplayName', 'adminUsername', 'password', 'confirm'] as const;

interface SetupValues {
  clinicName: string;
  adminDisplayName: string;
  adminUsername: string;
  password: string;
  confirm: string;
}

const EMPTY: SetupValues = {
  clinicName: '',
  adminDisplayName: '',
  adminUsername: '',
  password: '',
  confirm: '',
};

function useSetupForm() {
  const [values, setValues] = useState(EMPTY);
  const [requireSecondFactor, setRequireSecondFactor] = useState(true);
  const form = useFormState();
  const set = (key: keyof SetupValues) => (value: string) => setValues((v) => ({ ...v, [key]: value }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (form.busy) return;
    form.clear();
    // Main never sees the confirmation: it only guards against a typo in a password nobody can read back.
    if (values.password !== values.confirm) {
      form.setFields({ confirm: 'The two passwords do not match' });
      return;
    }
    form.setBusy(true);
    const { confirm: _confirm, ...payload } = values;
    const result = await call('setup.createClinic', {
      ...payload,
      secondFactorRoles: requireSecondFactor ? ['admin', 'doctor'] : [],
    });
    form.setBusy(false);
    if (!result.ok) {
      form.showError(result.error, SHOWN);
      return;
    }
    useApp.setState({ clinicName: values.clinicName.trim() });
    enterApp(result.value);
  }

  return { values, set, form, submit, requireSecondFactor, setRequireSecondFactor };
}

interface SetupFieldsProps {
  values: SetupValues;
  set: (key: keyof SetupValues) => (value: string) => void;
  errors: FieldErrors;
}

function SetupFields({ values, set, errors }: SetupFieldsProps) {
  const text = (key: keyof SetupValues, label: string, autoComplete: string) => ({
    label,
    value: values[key],
    onChange: set(key),
    error: errors[key],
    autoComplete,
    required: true,
  });
  return (
    <>
      <TextField {...text('clinicName', 'Clinic name', 'organization')} autoFocus />
      <TextField {...text('adminDisplayName', 'Your name', 'name')} />
      <TextField
        {...text('adminUsername', 'Username', 'username')}
        hint="Lower-case letters, digits, dot, dash or underscore."
      />
      <TextField {...text('password', 'Password', 'new-password')} type="password" hint={<PasswordRules />} />
      <TextField {...text('confirm', 'Confirm password', 'new-password')} type="password" />
    </>
  );
}

type SetupMode = 'create' | 'join';

const MODES: readonly { value: SetupMode; label: string }[] = [
  { value: 'create', label: 'Set up this clinic' },
  { value: 'join', label: 'Join an existing clinic' },
];

function CreateClinicForm() {
  const { values, set, form, submit, requireSecondFactor, setRequireSecondFactor } = useSetupForm();
  return (
    <form ref={form.ref} onSubmit={submit} noValidate aria-label="Set up this clinic">
      <p className="lead">
        Name your clinic and create the first administrator account for this workstation.
      </p>
      <FormAlert message={form.summary} testId="setup-error" />
      <SetupFields values={values} set={set} errors={form.fields} />
      <CheckboxField
        label="Require a second factor for admins and doctors"
        checked={requireSecondFactor}
        onChange={setRequireSecondFactor}
        hint="They set up an authenticator app at their next login. You can change this in Settings."
      />
      <div className="alert alert-warning" data-testid="recovery-note">
        <strong>Keep your data recoverable.</strong> The keys that unlock this clinic's records are kept in
        this computer's keychain. If every keychain holding them is lost and no recovery kit was made, the
        data cannot be recovered. Recovery kits will be available from the admin screens in a later release.
      </div>
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={form.busy}>
          {form.busy ? 'Setting up…' : 'Create clinic'}
        </button>
      </div>
    </form>
  );
}

export function SetupScreen() {
  const [mode, setMode] = useState<SetupMode>('create');
  const [locked, setLocked] = useState(false);
  return (
    <main className="auth-page">
      <section className="card auth-card auth-card-wide" aria-labelledby="setup-title">
        <h1 id="setup-title">Set up Kavach</h1>
        <fieldset className="setup-modes">
          <legend className="visually-hidden">How to set up this workstation</legend>
          {MODES.map((m) => (
            <button
              key={m.value}
              type="button"
              className="btn"
              aria-pressed={mode === m.value}
              disabled={locked && mode !== m.value}
              onClick={() => setMode(m.value)}
            >
              {m.label}
            </button>
          ))}
        </fieldset>
        {mode === 'create' ? <CreateClinicForm /> : <JoinClinicForm onLock={setLocked} />}
      </section>
    </main>
  );
}
