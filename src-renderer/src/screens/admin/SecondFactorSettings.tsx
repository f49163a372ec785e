import { type FormEvent, useEffect, useState } from 'react';
import { ROLE_LABELS, ROLES, type Role } from '../../../../src-shared/roles';
import { call, summaryOf } from '../../api';
import { CheckboxField, FormAlert, useFormState } from '../../components/form';

/** Which roles must sign in with an authenticator app code after their password. */
export function SecondFactorSettings() {
  const [roles, setRoles] = useState<Role[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const form = useFormState();

  useEffect(() => {
    void call('settings.get', {}).then((result) => {
      if (result.ok) setRoles(result.value.secondFactorRoles);
      else setLoadError(summaryOf(result.error));
    });
  }, []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!roles || form.busy) return;
    form.clear();
    setSaved(null);
    form.setBusy(true);
    const result = await call('settings.setSecondFactorRoles', { roles });
    form.setBusy(false);
    if (!result.ok) {
      form.showError(result.error, []);
      return;
    }
    setRoles(result.value.secondFactorRoles);
    setSaved('Second factor requirement saved.');
  }

  if (loadError) return <FormAlert message={loadError} testId="second-factor-load-error" />;
  if (!roles) return null;
  const toggle = (role: Role) => (on: boolean) =>
    setRoles(on ? [...roles.filter((r) => r !== role), role] : roles.filter((r) => r !== role));
  return (
    <form
      ref={form.ref}
      className="card form-card"
      onSubmit={submit}
      noValidate
      aria-labelledby="second-factor-settings-title"
    >
      <h2 id="second-factor-settings-title">Second factor</h2>
      <p className="muted">
        Staff in these roles enter a code from an authenticator app after their password. Those without one
        set it up at their next login.
      </p>
      <FormAlert message={form.summary} testId="second-factor-settings-error" />
      {ROLES.map((role) => (
        <CheckboxField
          key={role}
          label={`Require for ${ROLE_LABELS[role].toLowerCase()}s`}
          checked={roles.includes(role)}
          onChange={toggle(role)}
        />
      ))}
      <p className="status-line" role="status" data-testid="second-factor-settings-notice">
        {saved ?? ''}
      </p>
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={form.busy}>
          {form.busy ? 'Saving…' : 'Save second factor'}
        </button>
      </div>
    </form>
  );
}
