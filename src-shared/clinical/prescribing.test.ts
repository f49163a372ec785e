import { describe, expect, it } from 'vitest';
import {
  type AllergyRecord,
  canonicalJson,
  canonicalPrescription,
  checkAllergies,
  checkDuplicateTherapy,
  FREQUENCIES,
  type PrescriptionContent,
  type PrescriptionItem,
  type PrescriptionItemDraft,
  parseFrequency,
  prescriptionDigest,
  prescriptionItemInput,
  suggestQuantity,
} from './prescribing.js';

describe('parseFrequency', () => {
  it.each([
    ['OD', 'OD', 1],
    ['bd', 'BD', 2],
    ['b.i.d.', 'BD', 2],
    ['TID', 'TDS', 3],
    ['tds', 'TDS', 3],
    ['QID', 'QID', 4],
    ['qds', 'QID', 4],
    ['HS', 'HS', 1],
    ['q4h', 'Q4H', 6],
    ['Q6H', 'Q6H', 4],
    ['8 hourly', 'Q8H', 3],
    ['q12h', 'Q12H', 2],
    ['SOS', 'SOS', null],
    ['prn', 'PRN', null],
    ['STAT', 'STAT', null],
    ['1-0-1', '1-0-1', 2],
    ['1-1-1', '1-1-1', 3],
    ['0-0-1', '0-0-1', 1],
    ['1 - 0 - 1', '1-0-1', 2],
    ['1-0-0-1', '1-0-0-1', 2],
    ['½-0-½', '½-0-½', 2],
    ['1/2-0-1/2', '½-0-½', 2],
    ['1½-0-1', '1½-0-1', 2],
    ['2-0-2', '2-0-2', 2],
  ])('%s -> %s, %s a day', (text, normalized, perDay) => {
    const r = parseFrequency(text);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.normalized).toBe(normalized);
    expect(r.value.perDay).toBe(perDay);
    expect(r.value.meaning.length).toBeGreaterThan(3);
  });

  it('gives weekly a seventh of a dose a day', () => {
    const r = parseFrequency('weekly');
    expect(r.ok && r.value.perDay).toBeCloseTo(1 / 7);
  });

  it('explains what a pattern means', () => {
    const r = parseFrequency('1-0-1');
    expect(r.ok && r.value.meaning).toBe('1 in the morning, 1 at night (2 times a day)');
    expect(r.ok && r.value.slots).toEqual([1, 0, 1]);
  });

  it.each([
    ['', /Enter how often/],
    ['   ', /Enter how often/],
    ['fortnightly', /Unknown frequency/],
    ['1-0', /3 dose times/],
    ['1-0-1-0-1', /3 dose times/],
    ['0-0-0', /more than 0/],
    ['x-0-1', /"x" is not a dose count/],
    ['1-0-99', /At most 10/],
  ])('refuses %j with a specific error', (text, error) => {
    const r = parseFrequency(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(error);
  });

  it('lists every abbreviation with a meaning', () => {
    for (const code of [
      'OD',
      'BD',
      'TDS',
      'QID',
      'HS',
      'SOS',
      'PRN',
      'STAT',
      'Q4H',
      'Q6H',
      'Q8H',
      'Q12H',
      'weekly',
    ]) {
      expect(FREQUENCIES[code as keyof typeof FREQUENCIES].meaning).not.toBe('');
    }
  });
});

const valid: PrescriptionItemDraft = {
  medicineId: 'amoxicillin',
  form: 'capsule',
  strength: '500 mg',
  dose: '1 capsule',
  route: 'oral',
  frequency: 'tds',
  durationDays: 5,
  instructions: 'after food',
};

function fieldErrors(input: unknown): Record<string, string[]> {
  const r = prescriptionItemInput.safeParse(input);
  if (r.success) return {};
  const out: Record<string, string[]> = {};
  for (const issue of r.error.issues) {
    const key = issue.path.join('.');
    out[key] = [...(out[key] ?? []), issue.message];
  }
  return out;
}

describe('prescriptionItemInput', () => {
  it('accepts a formulary item and normalises the frequency', () => {
    const item = prescriptionItemInput.parse(valid);
    expect(item.frequency).toBe('TDS');
    expect(item.name).toBe('');
    expect(item.quantity).toBe('');
  });

  it('keeps text as typed, NFC-normalised', () => {
    const item = prescriptionItemInput.parse({
      ...valid,
      medicineId: null,
      name: 'Nguye\u0302\u0303n tonic',
      dose: '1/2 tab',
      instructions: '<5 mg at night',
    });
    expect(item.name).toBe('Nguyễn tonic'.normalize('NFC'));
    expect(item.dose).toBe('1/2 tab');
    expect(item.instructions).toBe('<5 mg at night');
  });

  it('requires a name for an unknown drug', () => {
    const errors = fieldErrors({ ...valid, medicineId: null });
    expect(Object.keys(errors)).toEqual(['name']);
    expect(errors.name?.[0]).toMatch(/name/);
  });

  it('refuses a medicine id not in the formulary', () => {
    expect(Object.keys(fieldErrors({ ...valid, medicineId: 'unobtainium' }))).toEqual(['medicineId']);
  });

  it('says when the dose is missing or blank', () => {
    const { dose: _dose, ...noDose } = valid;
    expect(fieldErrors(noDose).dose?.[0]).toMatch(/Enter the dose/);
    expect(fieldErrors({ ...valid, dose: '  ' }).dose?.[0]).toMatch(/Enter the dose/);
  });

  it('checks duration on durationDays', () => {
    expect(fieldErrors({ ...valid, durationDays: -3 }).durationDays).toEqual([
      'Duration must be between 1 and 365 days',
    ]);
    expect(fieldErrors({ ...valid, durationDays: 366 }).durationDays).toBeDefined();
    expect(fieldErrors({ ...valid, durationDays: 2.5 }).durationDays?.[0]).toMatch(/whole number/);
    expect(fieldErrors({ ...valid, durationDays: null }).durationDays?.[0]).toMatch(/SOS, PRN and STAT/);
    expect(fieldErrors({ ...valid, durationDays: null, frequency: 'SOS' })).toEqual({});
    expect(fieldErrors({ ...valid, durationDays: null, frequency: 'stat' })).toEqual({});
  });

  it('refuses a frequency that does not parse, on frequency', () => {
    expect(fieldErrors({ ...valid, frequency: 'sometimes' }).frequency?.[0]).toMatch(/Unknown frequency/);
    expect(fieldErrors({ ...valid, frequency: '' }).frequency?.[0]).toMatch(/Enter how often/);
  });

  it('is strict about keys, routes, lengths and control characters', () => {
    expect(Object.keys(fieldErrors({ ...valid, extra: 1 }))).toEqual(['']);
    expect(Object.keys(fieldErrors({ ...valid, route: 'by mouth' }))).toEqual(['route']);
    expect(Object.keys(fieldErrors({ ...valid, instructions: 'x'.repeat(201) }))).toEqual(['instructions']);
    expect(Object.keys(fieldErrors({ ...valid, dose: '1 tab\u0000' }))).toEqual(['dose']);
  });
});

function item(over: Partial<PrescriptionItem>): PrescriptionItem {
  return prescriptionItemInput.parse({ ...valid, ...over });
}

describe('suggestQuantity', () => {
  it('multiplies dose count, doses a day and days', () => {
    expect(suggestQuantity(item({}))?.text).toBe('15 capsules');
    expect(
      suggestQuantity(item({ dose: '2 tablets', form: 'tablet', frequency: 'BD', durationDays: 7 }))?.count,
    ).toBe(28);
    expect(
      suggestQuantity(item({ dose: '1 tab', form: 'tablet', frequency: '1-0-1', durationDays: 10 }))?.count,
    ).toBe(20);
    expect(
      suggestQuantity(item({ dose: '1 tablet', form: 'tablet', frequency: '½-0-½', durationDays: 5 }))?.count,
    ).toBe(5);
    expect(
      suggestQuantity(item({ dose: '½ tablet', form: 'tablet', frequency: 'OD', durationDays: 5 }))?.count,
    ).toBe(3);
  });

  it('works out tablets from mass when the dose is a multiple of the strength', () => {
    expect(
      suggestQuantity(
        item({ dose: '1 g', form: 'tablet', strength: '500 mg', frequency: 'BD', durationDays: 3 }),
      )?.count,
    ).toBe(12);
    expect(suggestQuantity(item({ dose: '250 mg', form: 'capsule', strength: '500 mg' }))).toBeNull();
  });

  it('handles weekly, STAT and as-needed', () => {
    expect(suggestQuantity(item({ dose: '1 tablet', frequency: 'weekly', durationDays: 28 }))?.count).toBe(4);
    expect(suggestQuantity(item({ dose: '1 tablet', frequency: 'weekly', durationDays: 30 }))?.count).toBe(5);
    expect(suggestQuantity(item({ dose: '2 tablets', frequency: 'STAT', durationDays: null }))?.count).toBe(
      2,
    );
    expect(suggestQuantity(item({ dose: '1 tablet', frequency: 'SOS', durationDays: null }))).toBeNull();
  });

  it('gives up on liquids', () => {
    expect(suggestQuantity(item({ dose: '5 ml', form: 'oral liquid' }))).toBeNull();
  });
});

const active = (substance: string): AllergyRecord => ({ substance, status: 'active' });
const byId = (medicineId: string) => ({ medicineId, name: '' });
const byName = (name: string) => ({ medicineId: null, name });

describe('checkAllergies', () => {
  it('flags amoxicillin against a penicillin allergy as the same class', () => {
    const [flag, ...rest] = checkAllergies([byId('amoxicillin')], [active('Penicillin')]);
    expect(rest).toEqual([]);
    expect(flag).toMatchObject({
      itemIndex: 0,
      allergySubstance: 'Penicillin',
      drugClass: 'penicillins',
      kind: 'class',
    });
    expect(flag?.message).toMatch(/amoxicillin/);
  });

  it('flags cefalexin against a penicillin allergy as cross-reactive', () => {
    expect(checkAllergies([byId('paracetamol'), byId('cefalexin')], [active('PCN')])).toEqual([
      expect.objectContaining({ itemIndex: 1, kind: 'cross-reactive', drugClass: 'cephalosporins' }),
    ]);
  });

  it('ignores inactive and resolved allergies', () => {
    const allergies: AllergyRecord[] = [
      { substance: 'penicillin', status: 'inactive' },
      { substance: 'amoxicillin', status: 'resolved' },
    ];
    expect(checkAllergies([byId('amoxicillin')], allergies)).toEqual([]);
  });

  it('flags co-trimoxazole against sulfa and sulpha', () => {
    for (const s of ['sulfa', 'Sulpha drugs', 'sulphonamides']) {
      expect(checkAllergies([byId('sulfamethoxazole-trimethoprim')], [active(s)])).toEqual([
        expect.objectContaining({ kind: 'class', drugClass: 'sulfonamide-antibacterials' }),
      ]);
    }
  });

  it('flags ibuprofen against NSAID and aspirin allergies', () => {
    for (const s of ['NSAID', 'NSAIDs', 'aspirin']) {
      expect(checkAllergies([byId('ibuprofen')], [active(s)])).toEqual([
        expect.objectContaining({ kind: 'class', drugClass: 'nsaids' }),
      ]);
    }
    expect(checkAllergies([byId('acetylsalicylic-acid')], [active('Aspirin')])[0]?.kind).toBe('direct');
  });

  it('matches direct names across spellings', () => {
    expect(checkAllergies([byId('cefalexin')], [active('Cephalexin')])[0]?.kind).toBe('direct');
    expect(checkAllergies([byId('paracetamol')], [active('acetaminophen')])[0]?.kind).toBe('direct');
    expect(
      checkAllergies([byId('amoxicillin-clavulanic-acid')], [active('amoxicillin - rash')])[0]?.kind,
    ).toBe('direct');
    expect(checkAllergies([byId('amoxicillin-clavulanic-acid')], [active('acid')])).toEqual([]);
  });

  it('matches free-text generic names against the formulary and class terms', () => {
    expect(checkAllergies([byName('Amoxycillin 500mg')], [active('penicillin')])[0]).toMatchObject({
      kind: 'class',
      drugClass: 'penicillins',
    });
    expect(checkAllergies([byName('Diclofenac sodium 50 mg')], [active('NSAID')])[0]?.kind).toBe('class');
    expect(checkAllergies([byName('Augmentin 625')], [active('penicillin')])).toEqual([]);
    expect(checkAllergies([byName('Augmentin 625')], [active('augmentin')])[0]?.kind).toBe('direct');
  });

  it('does not flag unrelated medicines', () => {
    expect(
      checkAllergies([byId('metformin'), byId('azithromycin')], [active('penicillin'), active('dust')]),
    ).toEqual([]);
  });
});

describe('checkDuplicateTherapy', () => {
  it('warns for two NSAIDs', () => {
    const warnings = checkDuplicateTherapy([
      byId('ibuprofen'),
      byId('paracetamol'),
      byName('diclofenac 50 mg'),
    ]);
    expect(warnings).toEqual([
      expect.objectContaining({ itemIndexes: [0, 2], kind: 'same-class', drugClass: 'nsaids' }),
    ]);
  });

  it('warns for the same medicine twice, by id or by name', () => {
    expect(checkDuplicateTherapy([byId('amlodipine'), byName('Amlodipine 5 mg')])).toEqual([
      expect.objectContaining({ itemIndexes: [0, 1], kind: 'same-medicine' }),
    ]);
  });

  it('warns for a shared ingredient and for ACE inhibitor with ARB', () => {
    expect(checkDuplicateTherapy([byId('amlodipine'), byId('telmisartan-amlodipine')])[0]?.kind).toBe(
      'same-ingredient',
    );
    expect(checkDuplicateTherapy([byId('enalapril'), byId('losartan')])[0]?.drugClass).toBe(
      'renin-angiotensin-agents',
    );
  });

  it('stays quiet for routine combinations', () => {
    expect(checkDuplicateTherapy([byId('isoniazid'), byId('pyrazinamide'), byId('ethambutol')])).toEqual([]);
    expect(checkDuplicateTherapy([byId('metformin'), byId('amlodipine')])).toEqual([]);
  });
});

function content(over: Partial<PrescriptionContent> = {}): PrescriptionContent {
  return {
    prescriptionId: '6f1c2f1e-2b7a-4c55-9d3e-0a1b2c3d4e5f',
    version: 1,
    previousId: null,
    patientId: '00000000-0000-4000-8000-000000000001',
    visitId: '00000000-0000-4000-8000-000000000002',
    doctorId: '00000000-0000-4000-8000-000000000003',
    signedAt: 1_767_225_600_000,
    items: [item({})],
    advice: 'Drink fluids',
    followUp: '2026-01-08',
    diagnosis: [{ code: 'J03.9', title: 'Acute tonsillitis, unspecified' }],
    overrides: [],
    ...over,
  };
}

describe('canonical prescription', () => {
  it('does not depend on key order', () => {
    const a = content();
    const reversed = Object.fromEntries(Object.entries(a).reverse()) as unknown as PrescriptionContent;
    const itemReversed = Object.fromEntries(
      Object.entries(a.items[0]!).reverse(),
    ) as unknown as PrescriptionItem;
    const b = { ...reversed, items: [itemReversed] };
    expect(canonicalPrescription(b)).toBe(canonicalPrescription(a));
    expect(prescriptionDigest(b)).toBe(prescriptionDigest(a));
  });

  it('changes the digest when an item changes', () => {
    const before = prescriptionDigest(content());
    expect(prescriptionDigest(content({ items: [item({ durationDays: 6 })] }))).not.toBe(before);
    expect(prescriptionDigest(content({ advice: 'Drink fluids.' }))).not.toBe(before);
  });

  it('leaves out keys outside the content and NFC-normalises strings', () => {
    const extra = { ...content(), draftNote: 'not signed' } as PrescriptionContent;
    expect(canonicalPrescription(extra)).toBe(canonicalPrescription(content()));
    expect(canonicalPrescription(content({ advice: 'Cafe\u0301' }))).toBe(
      canonicalPrescription(content({ advice: 'Café' })),
    );
  });

  it('refuses fractions, undefined and non-plain objects', () => {
    expect(() => canonicalJson({ a: 1.5 })).toThrow(/integers only/);
    expect(() => canonicalJson({ a: undefined })).toThrow(/undefined/);
    expect(() => canonicalJson(new Date(0))).toThrow();
    expect(() => canonicalPrescription(content({ version: 1.5 }))).toThrow();
  });

  it('matches a digest computed independently', async () => {
    const known: PrescriptionContent = {
      prescriptionId: 'p1',
      version: 2,
      previousId: 'p0',
      patientId: 'pt',
      visitId: 'v',
      doctorId: 'd',
      signedAt: 1700000000000,
      items: [],
      advice: 'Rest — ½ day',
      followUp: null,
      diagnosis: [{ title: 'Fever', code: 'R50.9' }],
      overrides: [],
    };
    const expectedJson =
      '{"advice":"Rest — ½ day","diagnosis":[{"code":"R50.9","title":"Fever"}],"doctorId":"d","followUp":null,' +
      '"items":[],"overrides":[],"patientId":"pt","prescriptionId":"p1","previousId":"p0",' +
      '"signedAt":1700000000000,"version":2,"visitId":"v"}';
    expect(canonicalPrescription(known)).toBe(expectedJson);
    // Node's own SHA-256 (globalThis.crypto is node:crypto's webcrypto; src-shared is also
    // type-checked for the browser, which has no node:crypto module).
    const hash = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(expectedJson));
    const expected = [...new Uint8Array(hash)].map((b) => b.toString(16).padStart(2, '0')).join('');
    expect(prescriptionDigest(known)).toBe(expected);
    // Pinned from `node -e "require('node:crypto').createHash('sha256')..."` over the same text.
    expect(expected).toBe('c90efaf989664daf7bf92991044c67c22f98c0bd55b31ac46c2648d30c05f557');
  });
});
