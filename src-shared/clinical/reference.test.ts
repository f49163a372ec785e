import { describe, expect, it } from 'vitest';
import rawClasses from '../../resources/clinical/drug-classes.json' with { type: 'json' };
import rawFormulary from '../../resources/clinical/formulary.json' with { type: 'json' };
import rawIcd from '../../resources/clinical/icd10-common.json' with { type: 'json' };
import {
  classesMentionedIn,
  drugClass,
  drugClasses,
  foldDrugText,
  formulary,
  icd10ByCode,
  icd10Codes,
  icd10Source,
  medicineById,
  resolveMedicineName,
  searchFormulary,
  searchIcd10,
} from './reference.js';

describe('reference data integrity', () => {
  it('names its sources', () => {
    expect(rawFormulary.source).toBe('WHO Model List of Essential Medicines, 23rd list (2023)');
    expect(rawFormulary.edition).toBe('23rd (2023)');
    expect(rawFormulary.sourceUrl).toBe('https://www.who.int/publications/i/item/WHO-MHP-HPS-EML-2023.02');
    expect(rawFormulary.compiledNote.length).toBeGreaterThan(100);
    expect(icd10Source).toMatch(/^ICD-10 \(WHO, 2019 edition\)/);
  });

  it('has at least 150 medicines with unique, well-formed ids', () => {
    const ids = rawFormulary.medicines.map((m) => m.id);
    expect(ids.length).toBeGreaterThanOrEqual(150);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
    expect(formulary.medicines).toHaveLength(ids.length);
  });

  it('every class a medicine or a cross-reaction names exists', () => {
    const classIds = new Set(rawClasses.classes.map((c) => c.id));
    expect(classIds.size).toBe(rawClasses.classes.length);
    for (const m of rawFormulary.medicines) {
      expect(m.classes.length).toBeGreaterThan(0);
      for (const c of m.classes) expect(classIds.has(c), `${m.id} -> ${c}`).toBe(true);
    }
    for (const c of rawClasses.classes) {
      for (const x of c.crossReactive) expect(classIds.has(x), `${c.id} -> ${x}`).toBe(true);
    }
  });

  it('covers the classes the safety checks rely on', () => {
    for (const id of [
      'penicillins',
      'cephalosporins',
      'carbapenems',
      'sulfonamide-antibacterials',
      'nsaids',
      'macrolides',
      'fluoroquinolones',
      'tetracyclines',
      'aminoglycosides',
      'opioids',
      'ace-inhibitors',
      'statins',
      'benzodiazepines',
    ]) {
      expect(drugClass(id), id).toBeDefined();
    }
    expect(drugClass('penicillins')?.crossReactive).toEqual(
      expect.arrayContaining(['cephalosporins', 'carbapenems']),
    );
  });

  it('spans the therapeutic areas a clinic needs', () => {
    for (const id of [
      'amoxicillin',
      'paracetamol',
      'ibuprofen',
      'amlodipine',
      'metformin',
      'salbutamol',
      'omeprazole',
      'artemether-lumefantrine',
      'isoniazid',
      'dolutegravir',
      'carbamazepine',
      'fluoxetine',
      'folic-acid',
      'loratadine',
      'prednisolone',
      'warfarin',
      'simvastatin',
    ]) {
      expect(medicineById(id), id).toBeDefined();
    }
  });

  it('has at least 200 unique ICD-10 codes in WHO form', () => {
    const codes = rawIcd.codes.map((c) => c.code);
    expect(codes.length).toBeGreaterThanOrEqual(200);
    expect(new Set(codes).size).toBe(codes.length);
    for (const c of codes) expect(c).toMatch(/^[A-Z]\d{2}(\.\d{1,2})?$/);
    expect(icd10Codes).toHaveLength(codes.length);
  });
});

describe('searchFormulary', () => {
  it('ranks names starting with the query before other matches', () => {
    const ids = searchFormulary('amox', 10).map((m) => m.id);
    expect(ids.slice(0, 2)).toEqual(['amoxicillin', 'amoxicillin-clavulanic-acid']);
    const cillin = searchFormulary('cillin', 50).map((m) => m.id);
    expect(cillin).toContain('amoxicillin');
    expect(cillin).toContain('benzylpenicillin');
  });

  it('is case-insensitive, honours the limit and finds synonyms', () => {
    expect(searchFormulary('PARACET', 5)[0]?.id).toBe('paracetamol');
    expect(searchFormulary('a', 3)).toHaveLength(3);
    expect(searchFormulary('   ', 5)).toEqual([]);
    expect(searchFormulary('aspirin', 5).map((m) => m.id)).toContain('acetylsalicylic-acid');
    expect(searchFormulary('xyzzy', 5)).toEqual([]);
  });

  it('puts word-start matches before substrings', () => {
    const ids = searchFormulary('sulf', 50).map((m) => m.id);
    expect(ids.indexOf('sulfasalazine')).toBeGreaterThanOrEqual(0);
    expect(ids.indexOf('sulfasalazine')).toBeLessThan(ids.indexOf('zinc-sulfate'));
    expect(ids.indexOf('zinc-sulfate')).toBeLessThan(ids.length);
    const ol = searchFormulary('ol', 100).map((m) => m.id);
    expect(ol[0]).toBe('olanzapine');
    expect(ol.indexOf('paracetamol')).toBeGreaterThan(0);
  });
});

describe('ICD-10 lookups', () => {
  it('finds by code, with or without the dot', () => {
    expect(icd10ByCode('J06.9')?.title).toBe('Acute upper respiratory infection, unspecified');
    expect(icd10ByCode('j069')?.code).toBe('J06.9');
    expect(icd10ByCode('I10')?.title).toBe('Essential (primary) hypertension');
    expect(icd10ByCode('Z99.99')).toBeUndefined();
    expect(icd10ByCode('nonsense')).toBeUndefined();
  });

  it('searches by code prefix and by title words', () => {
    expect(searchIcd10('J06', 5).map((c) => c.code)).toEqual(['J06.9']);
    expect(searchIcd10('e11', 50).every((c) => c.code.startsWith('E11'))).toBe(true);
    expect(searchIcd10('upper resp', 5).map((c) => c.code)).toContain('J06.9');
    expect(searchIcd10('type 2 diabetes', 50).length).toBeGreaterThanOrEqual(5);
    expect(searchIcd10('dengue', 1)).toHaveLength(1);
    expect(searchIcd10('', 5)).toEqual([]);
  });
});

describe('drug-name folding', () => {
  it('treats common spellings alike', () => {
    expect(foldDrugText('Sulpha drugs')).toBe(foldDrugText('sulfa drug'));
    expect(foldDrugText('Cephalexin')).toBe(foldDrugText('cefalexin'));
    expect(foldDrugText('Acetaminophen')).toBe('paracetamol');
    expect(foldDrugText('β-lactams')).toBe(foldDrugText('beta lactam'));
  });

  it('resolves free-text generic names and ignores unknown brands', () => {
    expect(resolveMedicineName('Amoxicillin 500 mg caps')?.id).toBe('amoxicillin');
    expect(resolveMedicineName('amoxicillin + clavulanic acid')?.id).toBe('amoxicillin-clavulanic-acid');
    expect(resolveMedicineName('Co-trimoxazole DS')?.id).toBe('sulfamethoxazole-trimethoprim');
    expect(resolveMedicineName('Augmentin 625')).toBeUndefined();
  });

  it('finds classes named in allergy text', () => {
    expect(classesMentionedIn('PCN').map((c) => c.id)).toContain('penicillins');
    expect(classesMentionedIn('sulpha').map((c) => c.id)).toEqual(['sulfonamide-antibacterials']);
    expect(classesMentionedIn('NSAIDs').map((c) => c.id)).toEqual(['nsaids']);
    expect(classesMentionedIn('dust')).toEqual([]);
    expect(drugClasses.length).toBeGreaterThan(20);
  });
});
