import { type FormEvent, useState } from 'react';
import type { Result } from '../../../../src-shared/result';
import { ROLE_LABELS, ROLES, type Role } from '../../../../src-shared/roles';
import type { DoctorProfile, StaffDetail } from '../../../../src-shared/types';
import { call } from '../../api';
import { type FieldErrors, FormAlert, SelectField, TextField, useFormState } from '../../components/form';
import { PasswordRules } from '../auth/PasswordRules';
import {
  DOCTOR_FIELDS,
  DoctorFields,
  type DoctorValues,
  doctorValuesFrom,
  toDoctorProfile,
} from './DoctorFields';

const ROLE_OPTIONS = ROLES.map((role) => ({ value: role, label: ROLE_LABELS[role] }));
const SHOWN = ['username', 'displayName', 'role', 'password', ...DOCTOR_FIELDS];

interface StaffFormProps {
  /** Absent when adding a new account. */
  existing?: StaffDetail;
  onSaved: (staff: StaffDetail, created: boolean) => void;
  onCancel: () => void;
}

interface Values {
  username: string;
  displayName: string;
  role: Role;
  password: string;
  doctor: DoctorValues;
}

function initialValues(existing?: StaffDetail): Values {
  return {
    username: existing?.username ?? '',
    displayName: existing?.displayName ?? '',
    role: existing?.role ?? 'receptionist',
    password: '',
    doctor: doctorValuesFrom(existing?.doctor ?? null),
  };
}

function save(
  values: Values,
  doctor: DoctorProfile | null,
  existing?: StaffDetail,
): Promise<Result<StaffDetail>> {
  const displayName = values.displayName.trim();
  if (existing) return call('staff.update', { id: existing.id, displayName, role: values.role, doctor });
  return call('staff.create', {
    username: values.username.trim(),
    displayName,
    role: values.role,
    password: values.password,
    doctor,
  });
}

function useStaffForm(existing: StaffDetail | undefined, onSaved: StaffFormProps['onSaved']) {
  const [values, setValues] = useState<Values>(() => initialValues(existing));
  const form = useFormState();

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (form.busy) return;
    form.clear();
    let doctor: DoctorProfile | null = null;
    if (values.role === 'doctor') {
      const converted = toDoctorProfile(values.doctor);
      if ('errors' in converted) {
        form.setFields(converted.errors);
        return;
      }
      doctor = converted.profile;
    }
    form.setBusy(true);
    const result = await save(values, doctor, existing);
    form.setBusy(false);
    if (result.ok) onSaved(result.value, !existing);
    else form.showError(result.error, SHOWN);
  }

  return { values, setValues, form, submit };
}

interface AccountFieldsProps {
  existing?: StaffDetail | undefined;
  values: Values;
  setValues: (update: (v: Values) => Values) => void;
  errors: FieldErrors;
}

function AccountFields({ existing, values, setValues, errors }: AccountFieldsProps) {
  const set = (key: 'username' | 'displayName' | 'password') => (value: string) =>
    setValues((v) => ({ ...v, [key]: value }));
  return (
    <div className="grid-2">
      {existing ? (
        <div className="field">
          <span className="field-label">Username</span>
          <p className="readonly" data-testid="staff-form-username">
            {existing.username}
          </p>
        </div>
      ) : (
        <TextField
          label="Username"
          value={values.username}
          onChange={set('username')}
          error={errors.username}
          hint="Lower-case letters, digits, dot, dash or underscore."
          autoFocus
          required
        />
      )}
      <TextField
        label="Display name"
        value={values.displayName}
        onChange={set('displayName')}
        error={errors.displayName}
        autoFocus={Boolean(existing)}
        required
      />
      <SelectField
        label="Role"
        value={values.role}
        options={ROLE_OPTIONS}
        onChange={(role) => setValues((v) => ({ ...v, role }))}
        error={errors.role}
      />
      {existing ? null : (
        <TextField
          label="Initial password"
          type="password"
          value={values.password}
          onChange={set('password')}
          error={errors.password}
          hint={<PasswordRules />}
          autoComplete="new-password"
          required
        />
      )}
    </div>
  );
}

export function StaffForm({ existing, onSaved, onCancel }: StaffFormProps) {
  const { values, setValues, form, submit } = useStaffForm(existing, onSaved);
  const title = existing ? `Edit ${existing.displayName}` : 'Add staff member';
  return (
    <form
      ref={form.ref}
      className="card form-card"
      onSubmit={submit}
      noValidate
      aria-labelledby="staff-form-title"
    >
      <h2 id="staff-form-title">{title}</h2>
      <FormAlert message={form.summary} testId="staff-form-error" />
      <AccountFields existing={existing} values={values} setValues={setValues} errors={form.fields} />
      {values.role === 'doctor' ? (
        <DoctorFields
          values={values.doctor}
          onChange={(doctor) => setValues((v) => ({ ...v, doctor }))}
          errors={form.fields}
        />
      ) : null}
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={form.busy}>
          {form.busy ? 'Saving…' : existing ? 'Save changes' : 'Add staff member'}
        </button>
        <button type="button" className="btn btn-quiet" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
