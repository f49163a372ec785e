import { aadhaarProblem } from '../../../../src-shared/aadhaar';
import { SelectField, TextField } from '../../components/form';
import { TagInput } from '../../components/TagInput';
import type { SectionProps } from './PatientEssentials';
import { type BloodGroup, errorUnder, type OtherIdKind, P } from './patientValues';

const OTHER_ID_KINDS: { value: OtherIdKind | ''; label: string }[] = [
  { value: '', label: 'None' },
  { value: 'passport', label: 'Passport' },
  { value: 'voter-id', label: 'Voter ID' },
  { value: 'driving-licence', label: 'Driving licence' },
  { value: 'other', label: 'Other' },
];

const BLOOD_GROUPS: { value: BloodGroup; label: string }[] = [
  { value: 'unknown', label: 'Unknown' },
  ...(['A+', 'A-', 'B+', 'B-', 'AB+', 'AB-', 'O+', 'O-'] as const).map((g) => ({ value: g, label: g })),
];

/** A quick hint while typing; main makes the real check when saving. */
function aadhaarHint(typed: string, masked: string | null): string {
  const digits = typed.replace(/[\s-]/g, '');
  if (digits === '') {
    return masked ? `On record: ${masked}. Leave empty to keep it.` : '12 digits, as on the card.';
  }
  const problem = aadhaarProblem(typed);
  if (problem === 'length') return `${digits.length} of 12 digits.`;
  if (problem === 'leading-digit') return 'An Aadhaar number does not start with 0 or 1.';
  if (problem === 'checksum') return 'The check digit does not match: please re-check the number.';
  return 'Looks valid.';
}

export function AddressFields({ values, update, errors }: SectionProps) {
  const set = (key: keyof SectionProps['values']['address']) => (text: string) =>
    update((v) => ({ ...v, address: { ...v.address, [key]: text } }));
  const a = values.address;
  return (
    <fieldset className="fieldset">
      <legend>Address</legend>
      <TextField
        label="Address line"
        value={a.line}
        onChange={set('line')}
        error={errors[`${P}address.line`]}
      />
      <div className="grid-2">
        <TextField
          label="Village or city"
          value={a.cityOrVillage}
          onChange={set('cityOrVillage')}
          error={errors[`${P}address.cityOrVillage`]}
        />
        <TextField
          label="District"
          value={a.district}
          onChange={set('district')}
          error={errors[`${P}address.district`]}
        />
        <TextField
          label="State"
          value={a.state}
          onChange={set('state')}
          error={errors[`${P}address.state`]}
        />
        <TextField
          label="PIN code"
          value={a.pinCode}
          onChange={set('pinCode')}
          error={errors[`${P}address.pinCode`]}
          inputMode="numeric"
        />
      </div>
    </fieldset>
  );
}

export function IdentityFields({ values, update, errors, masked }: SectionProps & { masked: string | null }) {
  return (
    <fieldset className="fieldset">
      <legend>Identity documents</legend>
      <div className="grid-2">
        <TextField
          label="Aadhaar number"
          value={values.nationalId}
          onChange={(nationalId) => update((v) => ({ ...v, nationalId }))}
          error={errors[`${P}nationalId`]}
          hint={aadhaarHint(values.nationalId, masked)}
          placeholder={masked ?? undefined}
          inputMode="numeric"
          testId="aadhaar-input"
        />
        <div />
        <SelectField
          label="Other ID type"
          value={values.otherIdKind}
          options={OTHER_ID_KINDS}
          onChange={(otherIdKind) => update((v) => ({ ...v, otherIdKind }))}
          error={errors[`${P}otherId.kind`] ?? errors[`${P}otherId`]}
        />
        <TextField
          label="Other ID number"
          value={values.otherIdValue}
          onChange={(otherIdValue) => update((v) => ({ ...v, otherIdValue }))}
          error={errors[`${P}otherId.value`]}
        />
      </div>
    </fieldset>
  );
}

export function HealthFields({ values, update, errors }: SectionProps) {
  return (
    <fieldset className="fieldset">
      <legend>Health</legend>
      <div className="grid-2">
        <SelectField
          label="Blood group"
          value={values.bloodGroup}
          options={BLOOD_GROUPS}
          onChange={(bloodGroup) => update((v) => ({ ...v, bloodGroup }))}
          error={errors[`${P}bloodGroup`]}
        />
        <TextField
          label="Preferred language"
          value={values.preferredLanguage}
          onChange={(preferredLanguage) => update((v) => ({ ...v, preferredLanguage }))}
          error={errors[`${P}preferredLanguage`]}
        />
        <TextField
          label="Height (cm)"
          value={values.heightCm}
          onChange={(heightCm) => update((v) => ({ ...v, heightCm }))}
          error={errors[`${P}heightCm`]}
          inputMode="numeric"
        />
        <TextField
          label="Weight (kg)"
          value={values.weightKg}
          onChange={(weightKg) => update((v) => ({ ...v, weightKg }))}
          error={errors[`${P}weightKg`]}
          inputMode="numeric"
        />
      </div>
      <TagInput
        label="Allergies"
        tags={values.allergies}
        onChange={(allergies) => update((v) => ({ ...v, allergies }))}
        error={errorUnder(errors, `${P}allergies`)}
      />
      <TagInput
        label="Chronic conditions"
        tags={values.chronicConditions}
        onChange={(chronicConditions) => update((v) => ({ ...v, chronicConditions }))}
        error={errorUnder(errors, `${P}chronicConditions`)}
      />
    </fieldset>
  );
}
