import type { TypedVitals } from '../../../../src-shared/clinical/chart';
import { BMI_CATEGORY_LABELS, bmi, type VitalName } from '../../../../src-shared/clinical/vitals';
import { TextField } from '../../components/form';

export const VITAL_LABELS: Record<VitalName, string> = {
  systolicMmHg: 'BP systolic (mmHg)',
  diastolicMmHg: 'BP diastolic (mmHg)',
  pulsePerMin: 'Pulse (per minute)',
  temperatureC: 'Temperature (°C)',
  spo2Percent: 'SpO2 (%)',
  respiratoryRatePerMin: 'Respiratory rate (per minute)',
  weightKg: 'Weight (kg)',
  heightCm: 'Height (cm)',
};

const ORDER: readonly VitalName[] = [
  'systolicMmHg',
  'diastolicMmHg',
  'pulsePerMin',
  'temperatureC',
  'spo2Percent',
  'respiratoryRatePerMin',
  'weightKg',
  'heightCm',
];

function bmiText(vitals: TypedVitals): string {
  if (vitals.weightKg === '' || vitals.heightCm === '') return 'Enter weight and height';
  try {
    const b = bmi(Number(vitals.weightKg), Number(vitals.heightCm));
    return `${b.value} (${BMI_CATEGORY_LABELS[b.category]})`;
  } catch {
    return 'Check weight and height';
  }
}

interface VitalsFieldsProps {
  vitals: TypedVitals;
  onChange: (vitals: TypedVitals) => void;
  errors: Record<string, string>;
  disabled: boolean;
}

/** The eight vital signs as typed, with the BMI worked out as the doctor types. */
export function VitalsFields({ vitals, onChange, errors, disabled }: VitalsFieldsProps) {
  return (
    <fieldset className="fieldset vitals" disabled={disabled}>
      <legend>Vitals</legend>
      {errors.vitals ? <p className="field-error">{errors.vitals}</p> : null}
      <div className="vitals-grid">
        {ORDER.map((name) => (
          <TextField
            key={name}
            label={VITAL_LABELS[name]}
            value={vitals[name]}
            inputMode="text"
            onChange={(v) => onChange({ ...vitals, [name]: v.trim() })}
            error={errors[`vitals.${name}`]}
          />
        ))}
        <div className="field">
          <span className="field-label" id="bmi-label">
            BMI
          </span>
          <output aria-labelledby="bmi-label" className="bmi" data-testid="bmi">
            {bmiText(vitals)}
          </output>
        </div>
      </div>
    </fieldset>
  );
}
