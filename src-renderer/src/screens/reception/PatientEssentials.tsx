import { ChoiceField, type FieldErrors, SelectField, TextField } from '../../components/form';
import { emptyPhone, MAX_PHONES, P, type PatientValues, type PhoneLabel, type Sex } from './patientValues';

export interface SectionProps {
  values: PatientValues;
  update: (change: (v: PatientValues) => PatientValues) => void;
  errors: FieldErrors;
}

const SEX_OPTIONS: { value: Sex | ''; label: string }[] = [
  { value: '', label: 'Choose…' },
  { value: 'female', label: 'Female' },
  { value: 'male', label: 'Male' },
  { value: 'other', label: 'Other' },
  { value: 'unknown', label: 'Unknown' },
];

const BIRTH_OPTIONS = [
  { value: 'exact', label: 'Date known' },
  { value: 'approximate', label: 'Age only' },
] as const;

export const PHONE_LABELS: { value: PhoneLabel; label: string }[] = [
  { value: 'mobile', label: 'Mobile' },
  { value: 'home', label: 'Home' },
  { value: 'work', label: 'Work' },
  { value: 'other', label: 'Other' },
];

export const PHONE_HINT = '10-digit mobile, or international like +441632960961.';

function BirthFields({ values, update, errors }: SectionProps) {
  const birthError = errors[`${P}birth`] ?? errors[`${P}birth.kind`];
  return (
    <div className="birth">
      <ChoiceField
        legend="Birth"
        value={values.birthKind}
        options={BIRTH_OPTIONS}
        onChange={(birthKind) => update((v) => ({ ...v, birthKind }))}
        error={birthError}
      />
      {values.birthKind === 'exact' ? (
        <TextField
          label="Date of birth"
          type="date"
          value={values.birthDate}
          onChange={(birthDate) => update((v) => ({ ...v, birthDate }))}
          error={errors[`${P}birth.date`]}
        />
      ) : (
        <TextField
          label="Age in years"
          value={values.ageYears}
          onChange={(ageYears) => update((v) => ({ ...v, ageYears }))}
          error={errors[`${P}birth.ageYears`]}
          inputMode="numeric"
          hint="Saved as an estimate (shown as ~)."
        />
      )}
    </div>
  );
}

function PhoneRows({ values, update, errors }: SectionProps) {
  const setRow = (index: number, change: Partial<PatientValues['phones'][number]>) =>
    update((v) => ({ ...v, phones: v.phones.map((p, i) => (i === index ? { ...p, ...change } : p)) }));
  const remove = (index: number) => update((v) => ({ ...v, phones: v.phones.filter((_, i) => i !== index) }));
  return (
    <div className="rows">
      {values.phones.map((phone, i) => {
        const name = i === 0 ? 'Phone' : `Phone ${i + 1}`;
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity beyond their place
          <div className="row-fields" key={i}>
            <TextField
              label={name}
              type="tel"
              value={phone.number}
              onChange={(number) => setRow(i, { number })}
              error={errors[`${P}phones.${i}.number`]}
              inputMode="tel"
              hint={i === 0 ? PHONE_HINT : undefined}
              className="grow"
            />
            <SelectField
              label={`${name} type`}
              value={phone.label}
              options={PHONE_LABELS}
              onChange={(label) => setRow(i, { label })}
              error={errors[`${P}phones.${i}.label`]}
            />
            {values.phones.length > 1 ? (
              <button type="button" className="btn btn-small btn-quiet row-remove" onClick={() => remove(i)}>
                Remove<span className="visually-hidden"> {name.toLowerCase()}</span>
              </button>
            ) : null}
          </div>
        );
      })}
      {errors[`${P}phones`] ? <p className="field-error">{errors[`${P}phones`]}</p> : null}
      {values.phones.length < MAX_PHONES ? (
        <button
          type="button"
          className="btn btn-small"
          onClick={() => update((v) => ({ ...v, phones: [...v.phones, emptyPhone()] }))}
        >
          Add another phone
        </button>
      ) : null}
    </div>
  );
}

/** What every walk-in needs: who, sex, age, and a number to call back. */
export function PatientEssentials(props: SectionProps & { autoFocus: boolean }) {
  const { values, update, errors } = props;
  return (
    <>
      <div className="grid-2">
        <TextField
          label="Given name(s)"
          value={values.givenNames}
          onChange={(givenNames) => update((v) => ({ ...v, givenNames }))}
          error={errors[`${P}givenNames`]}
          autoFocus={props.autoFocus}
          required
        />
        <TextField
          label="Family name"
          value={values.familyName}
          onChange={(familyName) => update((v) => ({ ...v, familyName }))}
          error={errors[`${P}familyName`]}
        />
        <SelectField
          label="Sex"
          value={values.sex}
          options={SEX_OPTIONS}
          onChange={(sex) => update((v) => ({ ...v, sex }))}
          error={errors[`${P}sex`]}
        />
        <BirthFields {...props} />
      </div>
      <PhoneRows {...props} />
    </>
  );
}
