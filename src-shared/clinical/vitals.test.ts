import { describe, expect, it } from 'vitest';
import { bmi, vitalsInput } from './vitals.js';

function errors(input: unknown): Record<string, string[]> {
  const r = vitalsInput.safeParse(input);
  if (r.success) return {};
  const out: Record<string, string[]> = {};
  for (const issue of r.error.issues) {
    const key = issue.path.join('.');
    out[key] = [...(out[key] ?? []), issue.message];
  }
  return out;
}

describe('vitalsInput', () => {
  it('accepts a full set and fills the rest with null', () => {
    const v = vitalsInput.parse({ systolicMmHg: 120, diastolicMmHg: 80, pulsePerMin: 72 });
    expect(v).toEqual({
      systolicMmHg: 120,
      diastolicMmHg: 80,
      pulsePerMin: 72,
      temperatureC: null,
      spo2Percent: null,
      respiratoryRatePerMin: null,
      weightKg: null,
      heightCm: null,
    });
    expect(vitalsInput.safeParse({ temperatureC: 37.2 }).success).toBe(true);
    expect(vitalsInput.safeParse({ weightKg: 0.5, heightCm: 250, spo2Percent: 100 }).success).toBe(true);
  });

  it('needs at least one value', () => {
    expect(errors({})).toEqual({ '': ['Enter at least one vital sign'] });
    expect(errors({ pulsePerMin: null })).toEqual({ '': ['Enter at least one vital sign'] });
  });

  it.each([
    [{ pulsePerMin: 19 }, 'pulsePerMin', 'Pulse must be between 20 and 250 per minute'],
    [{ pulsePerMin: 251 }, 'pulsePerMin', 'Pulse must be between 20 and 250 per minute'],
    [{ temperatureC: 98.6 }, 'temperatureC', 'Temperature must be between 30 and 45 °C'],
    [{ spo2Percent: 49 }, 'spo2Percent', 'SpO2 must be between 50 and 100 %'],
    [{ spo2Percent: 101 }, 'spo2Percent', 'SpO2 must be between 50 and 100 %'],
    [
      { respiratoryRatePerMin: 3 },
      'respiratoryRatePerMin',
      'Respiratory rate must be between 4 and 80 per minute',
    ],
    [{ weightKg: 0.4 }, 'weightKg', 'Weight must be between 0.5 and 350 kg'],
    [{ heightCm: 251 }, 'heightCm', 'Height must be between 30 and 250 cm'],
    [
      { systolicMmHg: 261, diastolicMmHg: 80 },
      'systolicMmHg',
      'Systolic blood pressure must be between 50 and 260 mmHg',
    ],
    [
      { systolicMmHg: 120, diastolicMmHg: 29 },
      'diastolicMmHg',
      'Diastolic blood pressure must be between 30 and 160 mmHg',
    ],
  ])('%j fails on %s', (input, field, message) => {
    expect(errors(input)).toEqual({ [field]: [message] });
  });

  it('wants both blood pressures or neither, systolic above diastolic', () => {
    expect(errors({ systolicMmHg: 120 })).toEqual({
      diastolicMmHg: ['Enter the diastolic pressure as well'],
    });
    expect(errors({ diastolicMmHg: 80 })).toEqual({ systolicMmHg: ['Enter the systolic pressure as well'] });
    expect(errors({ systolicMmHg: 80, diastolicMmHg: 80 })).toEqual({
      systolicMmHg: ['Systolic pressure must be higher than diastolic'],
    });
  });

  it('refuses fractions where only whole numbers make sense, strings and unknown keys', () => {
    expect(Object.keys(errors({ pulsePerMin: 72.5 }))).toEqual(['pulsePerMin']);
    expect(Object.keys(errors({ pulsePerMin: '72' }))).toEqual(['pulsePerMin']);
    expect(Object.keys(errors({ pulsePerMin: 72, mood: 'fine' }))).toEqual(['']);
  });
});

describe('bmi', () => {
  it.each([
    [50, 170, 17.3, 'underweight'],
    [70, 175, 22.9, 'normal'],
    [80, 175, 26.1, 'pre-obesity'],
    [95, 170, 32.9, 'obesity-class-1'],
    [110, 170, 38.1, 'obesity-class-2'],
    [130, 170, 45, 'obesity-class-3'],
  ])('%s kg at %s cm is %s (%s)', (w, h, value, category) => {
    expect(bmi(w, h)).toEqual({ value, category });
  });

  it('categorises the rounded value it shows', () => {
    // 24.96 would be "normal" unrounded but is shown as 25.0.
    const r = bmi(72.13, 170);
    expect(r.value).toBe(25);
    expect(r.category).toBe('pre-obesity');
  });

  it('refuses impossible inputs', () => {
    expect(() => bmi(0, 170)).toThrow(RangeError);
    expect(() => bmi(70, 0)).toThrow(RangeError);
    expect(() => bmi(Number.NaN, 170)).toThrow(RangeError);
  });
});
