import { z } from 'zod';

/**
 * Vital signs recorded at a visit. Every value is optional (a dressing visit may record only
 * a temperature) but at least one must be given. Ranges are what a living patient can
 * show, wide enough for children and the very ill: they catch typing slips (a pulse of
 * 720, a temperature in Fahrenheit), not abnormal results, which the doctor must see.
 */

interface Range {
  what: string;
  min: number;
  max: number;
  unit: string;
  integer: boolean;
}

export const VITAL_RANGES = {
  systolicMmHg: { what: 'Systolic blood pressure', min: 50, max: 260, unit: 'mmHg', integer: true },
  diastolicMmHg: { what: 'Diastolic blood pressure', min: 30, max: 160, unit: 'mmHg', integer: true },
  pulsePerMin: { what: 'Pulse', min: 20, max: 250, unit: 'per minute', integer: true },
  temperatureC: { what: 'Temperature', min: 30, max: 45, unit: '°C', integer: false },
  spo2Percent: { what: 'SpO2', min: 50, max: 100, unit: '%', integer: true },
  respiratoryRatePerMin: { what: 'Respiratory rate', min: 4, max: 80, unit: 'per minute', integer: true },
  weightKg: { what: 'Weight', min: 0.5, max: 350, unit: 'kg', integer: false },
  heightCm: { what: 'Height', min: 30, max: 250, unit: 'cm', integer: false },
} as const satisfies Record<string, Range>;

export type VitalName = keyof typeof VITAL_RANGES;

function measurement({ what, min, max, unit, integer }: Range) {
  const range = `${what} must be between ${min} and ${max} ${unit}`;
  const base = z.number({ error: `${what} must be a number (${unit})` });
  const whole = integer ? base.int({ error: `${what} must be a whole number (${unit})` }) : base;
  return whole.min(min, { error: range }).max(max, { error: range }).nullable().default(null);
}

export const vitalsInput = z
  .strictObject({
    systolicMmHg: measurement(VITAL_RANGES.systolicMmHg),
    diastolicMmHg: measurement(VITAL_RANGES.diastolicMmHg),
    pulsePerMin: measurement(VITAL_RANGES.pulsePerMin),
    temperatureC: measurement(VITAL_RANGES.temperatureC),
    spo2Percent: measurement(VITAL_RANGES.spo2Percent),
    respiratoryRatePerMin: measurement(VITAL_RANGES.respiratoryRatePerMin),
    weightKg: measurement(VITAL_RANGES.weightKg),
    heightCm: measurement(VITAL_RANGES.heightCm),
  })
  .superRefine((v, ctx) => {
    // Runs even when a field failed (zod 4 issues are continuable): compare only numbers.
    const sys = typeof v.systolicMmHg === 'number' ? v.systolicMmHg : null;
    const dia = typeof v.diastolicMmHg === 'number' ? v.diastolicMmHg : null;
    if (v.systolicMmHg !== null && v.diastolicMmHg === null) {
      ctx.addIssue({
        code: 'custom',
        path: ['diastolicMmHg'],
        message: 'Enter the diastolic pressure as well',
      });
    }
    if (v.diastolicMmHg !== null && v.systolicMmHg === null) {
      ctx.addIssue({
        code: 'custom',
        path: ['systolicMmHg'],
        message: 'Enter the systolic pressure as well',
      });
    }
    if (sys !== null && dia !== null && sys <= dia) {
      ctx.addIssue({
        code: 'custom',
        path: ['systolicMmHg'],
        message: 'Systolic pressure must be higher than diastolic',
      });
    }
    if (Object.values(v).every((x) => x === null)) {
      ctx.addIssue({ code: 'custom', path: [], message: 'Enter at least one vital sign' });
    }
  });

export type Vitals = z.output<typeof vitalsInput>;
export type VitalsDraft = z.input<typeof vitalsInput>;

export type BmiCategory =
  | 'underweight'
  | 'normal'
  | 'pre-obesity'
  | 'obesity-class-1'
  | 'obesity-class-2'
  | 'obesity-class-3';

export const BMI_CATEGORY_LABELS: Record<BmiCategory, string> = {
  underweight: 'Underweight',
  normal: 'Normal weight',
  'pre-obesity': 'Pre-obesity',
  'obesity-class-1': 'Obesity class I',
  'obesity-class-2': 'Obesity class II',
  'obesity-class-3': 'Obesity class III',
};

/**
 * Body-mass index rounded to one decimal, with the WHO adult category of that rounded value
 * (so the number shown and its label never disagree). Adults only: children need BMI-for-age
 * charts. WHO's lower public-health action points for Asian populations (23 and 27.5) are
 * not applied here. Throws RangeError outside the vitals ranges.
 */
export function bmi(weightKg: number, heightCm: number): { value: number; category: BmiCategory } {
  const w = VITAL_RANGES.weightKg;
  const h = VITAL_RANGES.heightCm;
  if (!(weightKg >= w.min && weightKg <= w.max))
    throw new RangeError(`Weight must be between ${w.min} and ${w.max} kg`);
  if (!(heightCm >= h.min && heightCm <= h.max))
    throw new RangeError(`Height must be between ${h.min} and ${h.max} cm`);
  const metres = heightCm / 100;
  const value = Math.round((weightKg / (metres * metres)) * 10) / 10;
  let category: BmiCategory;
  if (value < 18.5) category = 'underweight';
  else if (value < 25) category = 'normal';
  else if (value < 30) category = 'pre-obesity';
  else if (value < 35) category = 'obesity-class-1';
  else if (value < 40) category = 'obesity-class-2';
  else category = 'obesity-class-3';
  return { value, category };
}
