import { type FormEvent, useState } from 'react';
import type { StaffSummary } from '../../../../src-shared/types';
import { call } from '../../api';
import { FormAlert, TextField, useFormState } from '../../components/form';
import { PasswordRules } from '../auth/PasswordRules';

interface ResetPasswordFormProps {
  staff: StaffSummary;
  onDone: () => void;
  onCancel: () => void;
}

function useResetPassword(staff: StaffSummary, onDone: () => void) {
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const form = useFormState();

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (form.busy) return;
    form.clear();
    if (password !== confirm) {
      form.setFields({ confirm: 'The two passwords do not match' });
      return;
    }
    form.setBusy(true);
    const result = await call('staff.resetPassword', { id: staff.id, newPassword: password });
    form.setBusy(false);
    if (result.ok) onDone();
    else form.showError({ ...result.error, fields: renameNewPassword(result.error.fields) }, ['password']);
  }

  return { password, setPassword, confirm, setConfirm, form, submit };
}

export function ResetPasswordForm({ staff, onDone, onCancel }: ResetPasswordFormProps) {
  const { password, setPassword, confirm, setConfirm, form, submit } = useResetPassword(staff, onDone);
  return (
    <form
      ref={form.ref}
      className="card form-card"
      onSubmit={submit}
      noValidate
      aria-labelledby="reset-title"
    >
      <h2 id="reset-title">Reset password for {staff.displayName}</h2>
      <p className="muted">
        The new password replaces the old one at once and clears any lockout. Give it to {staff.displayName}{' '}
        in person.
      </p>
      <FormAlert message={form.summary} testId="reset-error" />
      <div className="grid-2">
        <TextField
          label="New password"
          type="password"
          value={password}
          onChange={setPassword}
          error={form.fields.password}
          hint={<PasswordRules />}
          autoComplete="new-password"
          autoFocus
          required
        />
        <TextField
          label="Confirm new password"
          type="password"
          value={confirm}
          onChange={setConfirm}
          error={form.fields.confirm}
          autoComplete="new-password"
          required
        />
      </div>
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={form.busy}>
          {form.busy ? 'Saving…' : 'Set new password'}
        </button>
        <button type="button" className="btn btn-quiet" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

// Main may name the field after the channel's input (newPassword) or the rule (password).
function renameNewPassword(fields?: Record<string, string>): Record<string, string> | undefined {
  if (!fields?.newPassword) return fields;
  const { newPassword, ...rest } = fields;
  return { ...rest, password: newPassword };
}
