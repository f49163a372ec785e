import type { DoctorProfile } from '../../../../src-shared/types';
import { type FieldErrors, TextAreaField, TextField } from '../../components/form';

/** The doctor profile as typed: years stay text until submit so a half-typed value is kept. */
export interface DoctorValues {
  registrationNumber: string;
  department: string;
  specialization: string;
  yearsOfExperience: string;
  contactNumber: string;
  availabilityNote: string;
}

export const DOCTOR_FIELDS = [
  'doctor.registrationNumber',
  'doctor.department',
  'doctor.specialization',
  'doctor.yearsOfExperience',
  'doctor.contactNumber',
  'doctor.availabilityNote',
] as const;

export function doctorValuesFrom(profile: DoctorProfile | null): DoctorValues {
  return {
    registrationNumber: profile?.registrationNumber ?? '',
    department: profile?.department ?? '',
    specialization: profile?.specialization ?? '',
    yearsOfExperience: profile?.yearsOfExperience == null ? '' : String(profile.yearsOfExperience),
    contactNumber: profile?.contactNumber ?? '',
    availabilityNote: profile?.availabilityNote ?? '',
  };
}

/** Converts typed values to the contract's shape, or names the field that cannot be. */
export function toDoctorProfile(values: DoctorValues): { profile: DoctorProfile } | { errors: FieldErrors } {
  const years = values.yearsOfExperience.trim();
  if (years !== '' && !/^\d{1,2}$/.test(years)) {
    return { errors: { 'doctor.yearsOfExperience': 'Enter whole years, for example 12' } };
  }
  return {
    profile: {
      registrationNumber: values.registrationNumber.trim(),
      department: values.department.trim(),
      specialization: values.specialization.trim(),
      yearsOfExperience: years === '' ? null : Number(years),
      contactNumber: values.contactNumber.trim(),
      availabilityNote: values.availabilityNote,
    },
  };
}

interface DoctorFieldsProps {
  values: DoctorValues;
  onChange: (values: DoctorValues) => void;
  errors: FieldErrors;
}

export function DoctorFields({ values, onChange, errors }: DoctorFieldsProps) {
  const set = (key: keyof DoctorValues) => (value: string) => onChange({ ...values, [key]: value });
  return (
    <fieldset className="fieldset">
      <legend>Doctor profile</legend>
      <div className="grid-2">
        <TextField
          label="Registration number"
          value={values.registrationNumber}
          onChange={set('registrationNumber')}
          error={errors['doctor.registrationNumber']}
          hint="Medical council registration, as on the certificate."
          required
        />
        <TextField
          label="Department"
          value={values.department}
          onChange={set('department')}
          error={errors['doctor.department']}
        />
        <TextField
          label="Specialization"
          value={values.specialization}
          onChange={set('specialization')}
          error={errors['doctor.specialization']}
        />
        <TextField
          label="Years of experience"
          value={values.yearsOfExperience}
          onChange={set('yearsOfExperience')}
          error={errors['doctor.yearsOfExperience']}
          inputMode="numeric"
        />
        <TextField
          label="Contact number"
          type="tel"
          value={values.contactNumber}
          onChange={set('contactNumber')}
          error={errors['doctor.contactNumber']}
          hint="10-digit mobile, or international like +441632960961."
          inputMode="tel"
        />
      </div>
      <TextAreaField
        label="Availability note"
        value={values.availabilityNote}
        onChange={set('availabilityNote')}
        error={errors['doctor.availabilityNote']}
        hint="For example: Mon–Fri mornings; Sat by appointment."
      />
    </fieldset>
  );
}
