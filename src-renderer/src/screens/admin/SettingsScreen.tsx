import { type FormEvent, useEffect, useState } from 'react';
import { call, summaryOf } from '../../api';
import { FormAlert, TextField, useFormState } from '../../components/form';
import { useApp } from '../../store';
import { AuditBox } from './AuditBox';
import { SecondFactorSettings } from './SecondFactorSettings';

const SHOWN = ['clinicName', 'idleMinutes'] as const;

function useSettings() {
  const [values, setValues] = useState<{ clinicName: string; idleMinutes: string } | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const form = useFormState();

  useEffect(() => {
    void call('settings.get', {}).then((result) => {
      if (result.ok)
        setValues({ clinicName: result.value.clinicName, idleMinutes: String(result.value.idleMinutes) });
      else setLoadError(summaryOf(result.error));
    });
  }, []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!values || form.busy) return;
    form.clear();
    setSaved(null);
    const minutes = values.idleMinutes.trim();
    if (!/^\d{1,2}$/.test(minutes)) {
      form.setFields({ idleMinutes: 'Enter whole minutes between 1 and 60' });
      return;
    }
    form.setBusy(true);
    const result = await call('settings.update', {
      clinicName: values.clinicName.trim(),
      idleMinutes: Number(minutes),
    });
    form.setBusy(false);
    if (!result.ok) {
      form.showError(result.error, SHOWN);
      return;
    }
    useApp.setState({ clinicName: result.value.clinicName, idleMinutes: result.value.idleMinutes });
    setSaved('Settings saved.');
  }

  return { values, setValues, loadError, saved, form, submit };
}

function SettingsForm() {
  const { values, setValues, loadError, saved, form, submit } = useSettings();
  if (loadError) return <FormAlert message={loadError} testId="settings-load-error" />;
  if (!values) return <p className="muted">Loading settings…</p>;
  return (
    <form
      ref={form.ref}
      className="card form-card"
      onSubmit={submit}
      noValidate
      aria-labelledby="clinic-title"
    >
      <h2 id="clinic-title">Clinic</h2>
      <FormAlert message={form.summary} testId="settings-error" />
      <div className="grid-2">
        <TextField
          label="Clinic name"
          value={values.clinicName}
          onChange={(clinicName) => setValues({ ...values, clinicName })}
          error={form.fields.clinicName}
          required
        />
        <TextField
          label="Idle lock (minutes)"
          type="number"
          min={1}
          max={60}
          inputMode="numeric"
          value={values.idleMinutes}
          onChange={(idleMinutes) => setValues({ ...values, idleMinutes })}
          error={form.fields.idleMinutes}
          hint="Lock a window after this many minutes without activity (1–60)."
          required
        />
      </div>
      <p className="status-line" role="status" data-testid="settings-notice">
        {saved ?? ''}
      </p>
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={form.busy}>
          {form.busy ? 'Saving…' : 'Save settings'}
        </button>
      </div>
    </form>
  );
}

export function SettingsScreen() {
  return (
    <section aria-labelledby="settings-title" className="page">
      <div className="page-head">
        <h1 id="settings-title">Settings</h1>
      </div>
      <SettingsForm />
      <SecondFactorSettings />
      <AuditBox />
    </section>
  );
}
