import { describe, expect, it } from 'vitest';
import { isValidAadhaar } from '../src-shared/aadhaar.js';
import { patientInputAt } from '../src-shared/patient.js';
import { isValidPhone } from '../src-shared/text.js';
import { createPatientGenerator } from './generate.js';

const TODAY = '2026-03-15';

describe('benchmark patient generator', () => {
  const patients = (() => {
    const g = createPatientGenerator(42, TODAY);
    return Array.from({ length: 1000 }, () => g.next());
  })();

  it('produces 1000 patients that all pass the registration schema', () => {
    const schema = patientInputAt(TODAY);
    const failures = patients.map((p) => schema.safeParse(p)).filter((r) => !r.success);
    expect(failures.map((r) => r.error?.issues[0])).toEqual([]);
  });

  it('gives valid Aadhaar numbers, Indian mobiles and PIN codes', () => {
    const ids = patients.map((p) => p.nationalId ?? '').filter((id) => id !== '');
    expect(ids.length).toBeGreaterThan(700);
    for (const id of ids) {
      expect(id.replace(/\s/g, '')).toMatch(/^[2-9]\d{11}$/);
      expect(isValidAadhaar(id)).toBe(true);
    }
    const phones = patients.flatMap((p) => [
      ...(p.phones ?? []).map((x) => x.number),
      ...(p.emergencyContacts ?? []).map((c) => c.phone),
    ]);
    expect(phones.length).toBeGreaterThan(900);
    for (const phone of phones) {
      expect(isValidPhone(phone)).toBe(true);
      expect(phone.replace(/\D/g, '').slice(-10)).toMatch(/^[6-9]\d{9}$/);
    }
    // Phones are nearly unique: a few shared family numbers at most.
    const mobiles = patients.flatMap((p) =>
      (p.phones ?? []).map((x) => x.number.replace(/\D/g, '').slice(-10)),
    );
    expect(new Set(mobiles).size).toBeGreaterThan(mobiles.length * 0.99);
    for (const p of patients) expect(p.address?.pinCode ?? '').toMatch(/^(?:[1-9]\d{5})?$/);
  });

  it('mixes exact dates of birth with approximate ages', () => {
    const approximate = patients.filter((p) => p.birth.kind === 'approximate').length;
    expect(approximate).toBeGreaterThan(50);
    expect(approximate).toBeLessThan(400);
  });

  it('is repeatable for a seed and differs across seeds', () => {
    const a = createPatientGenerator(7, TODAY);
    const b = createPatientGenerator(7, TODAY);
    const c = createPatientGenerator(8, TODAY);
    const first = a.next();
    expect(b.next()).toEqual(first);
    expect(c.next()).not.toEqual(first);
  });
});
