import { z } from 'zod';
import classesJson from '../../resources/clinical/drug-classes.json' with { type: 'json' };
import formularyJson from '../../resources/clinical/formulary.json' with { type: 'json' };
import icdJson from '../../resources/clinical/icd10-common.json' with { type: 'json' };
import { multiLine, singleLine } from '../text.js';

/**
 * The doctor's bundled reference data (formulary, drug classes, common ICD-10 codes),
 * validated once at module load so that a bad edit to a JSON file fails every test and the
 * app's start-up rather than a prescription. Lookups are pure and synchronous.
 */

export const ROUTES = [
  'oral',
  'sublingual',
  'topical',
  'inhaled',
  'nasal',
  'eye',
  'ear',
  'rectal',
  'vaginal',
  'subcutaneous',
  'intramuscular',
  'intravenous',
  'other',
] as const;
export type Route = (typeof ROUTES)[number];

const ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const ICD_CODE = /^[A-Z]\d{2}(?:\.\d{1,2})?$/;

const label = (max: number) => singleLine({ min: 1, max });
const referenceId = z.string().max(80).regex(ID, { error: 'Ids are lower-case a-z, 0-9 and single hyphens' });

const medicineFormSchema = z.strictObject({
  form: label(60),
  strengths: z.array(label(80)).min(1).max(20),
  route: z.enum(ROUTES),
});

const medicineSchema = z.strictObject({
  id: referenceId,
  name: label(120),
  classes: z.array(referenceId).min(1).max(8),
  forms: z.array(medicineFormSchema).min(1).max(20),
});

const formularySchema = z.strictObject({
  source: label(200),
  sourceUrl: z.url(),
  edition: label(40),
  compiledNote: multiLine({ min: 1, max: 3000 }),
  medicines: z.array(medicineSchema).min(1).max(5000),
});

const drugClassSchema = z.strictObject({
  id: referenceId,
  name: label(120),
  duplicateWarning: z.boolean(),
  crossReactive: z.array(referenceId).max(20),
  allergyTerms: z.array(label(60)).max(100),
});

const drugClassesSchema = z.strictObject({
  note: multiLine({ max: 2000 }),
  classes: z.array(drugClassSchema).min(1).max(1000),
});

const icdSchema = z.strictObject({
  source: label(200),
  codes: z
    .array(z.strictObject({ code: z.string().regex(ICD_CODE), title: label(200) }))
    .min(1)
    .max(20000),
});

export type MedicineForm = z.output<typeof medicineFormSchema>;
export type Medicine = z.output<typeof medicineSchema>;
export type Formulary = z.output<typeof formularySchema>;
export type DrugClass = z.output<typeof drugClassSchema>;
export type Icd10Code = z.output<typeof icdSchema>['codes'][number];

function parseOrThrow<T>(schema: z.ZodType<T>, data: unknown, what: string): T {
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw new Error(`${what} is invalid: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

function uniqueIndex<T>(items: readonly T[], key: (item: T) => string, what: string): Map<string, T> {
  const map = new Map<string, T>();
  for (const item of items) {
    const k = key(item);
    if (map.has(k)) throw new Error(`${what}: duplicate ${k}`);
    map.set(k, item);
  }
  return map;
}

export const formulary: Formulary = parseOrThrow(formularySchema, formularyJson, 'formulary.json');
export const drugClasses: readonly DrugClass[] = parseOrThrow(
  drugClassesSchema,
  classesJson,
  'drug-classes.json',
).classes;
const icd = parseOrThrow(icdSchema, icdJson, 'icd10-common.json');
export const icd10Source: string = icd.source;
export const icd10Codes: readonly Icd10Code[] = icd.codes;

const medicinesById = uniqueIndex(formulary.medicines, (m) => m.id, 'formulary.json');
const classesById = uniqueIndex(drugClasses, (c) => c.id, 'drug-classes.json');
const codesByCode = uniqueIndex(icd10Codes, (c) => c.code, 'icd10-common.json');

for (const m of formulary.medicines) {
  for (const c of m.classes) {
    if (!classesById.has(c)) throw new Error(`formulary.json: ${m.id} names unknown class ${c}`);
  }
}
for (const c of drugClasses) {
  for (const x of c.crossReactive) {
    if (!classesById.has(x)) throw new Error(`drug-classes.json: ${c.id} names unknown class ${x}`);
  }
}

export function medicineById(id: string): Medicine | undefined {
  return medicinesById.get(id);
}

export function drugClass(id: string): DrugClass | undefined {
  return classesById.get(id);
}

/** Medicines in a class, in formulary order. */
export function medicinesInClass(classId: string): Medicine[] {
  return formulary.medicines.filter((m) => m.classes.includes(classId));
}

// ---------------------------------------------------------------------------------------
// Drug-name folding. Doctors write British, American and older Indian spellings
// interchangeably; folding both sides the same way lets "Sulpha", "cephalexin" and
// "acetaminophen" meet the formulary's INN names.

const DIACRITICS = /[\u0300-\u036f]/g;

// Whole-phrase synonyms, applied after folding; the target is the formulary's spelling.
const PHRASE_ALIASES: ReadonlyArray<readonly [string, string]> = [
  ['acetaminophen', 'paracetamol'],
  ['aspirin', 'acetylsalicylic acid'],
  ['asa', 'acetylsalicylic acid'],
  ['co trimoxazole', 'sulfamethoxazole + trimethoprim'],
  ['cotrimoxazole', 'sulfamethoxazole + trimethoprim'],
  ['co amoxiclav', 'amoxicillin + clavulanic acid'],
  ['amoxiclav', 'amoxicillin + clavulanic acid'],
  ['sodium valproate', 'valproic acid'],
  ['valproate', 'valproic acid'],
  ['nitroglycerin', 'glyceryl trinitrate'],
  ['albuterol', 'salbutamol'],
  ['adrenaline', 'epinephrine'],
  ['lignocaine', 'lidocaine'],
  ['frusemide', 'furosemide'],
  ['amoxycillin', 'amoxicillin'],
  ['rifampin', 'rifampicin'],
  ['acyclovir', 'aciclovir'],
  ['valacyclovir', 'valaciclovir'],
  ['indomethacin', 'indometacin'],
  ['chlorpheniramine', 'chlorphenamine'],
  ['phenobarbitone', 'phenobarbital'],
  ['beclomethasone', 'beclometasone'],
  ['cholecalciferol', 'colecalciferol'],
  ['vitamin d3', 'colecalciferol'],
  ['thyroxine', 'levothyroxine'],
  ['chlorthalidone', 'chlortalidone'],
  ['thiamazole', 'methimazole'],
  ['ringer lactate', 'sodium lactate compound solution'],
  ['ringers lactate', 'sodium lactate compound solution'],
  ['ors', 'oral rehydration salt'],
];

function foldToken(token: string): string {
  let t = token.replace(/sulph/g, 'sulf').replace(/^ceph/, 'cef');
  // Plurals: "penicillins", "NSAIDs", "sulfa drugs". Both sides are folded alike, so a
  // word that merely ends in s (ferrous -> ferrou) still compares equal to itself.
  if (t.length > 4 && t.endsWith('s') && !/(ss|us|is)$/.test(t)) t = t.slice(0, -1);
  return t;
}

/**
 * A drug name or allergy text folded to space-separated tokens: lower case, no accents,
 * punctuation dropped (except "+", which separates the parts of a combination), common
 * spelling variants and synonyms mapped onto the formulary's names.
 */
export function foldDrugText(text: string): string {
  const tokens = text
    .normalize('NFKD')
    .replace(DIACRITICS, '')
    .toLowerCase()
    .replace(/β/g, 'beta')
    .replace(/'/g, '')
    .replace(/\+/g, ' + ')
    .replace(/[^a-z0-9+]+/g, ' ')
    .trim()
    .split(' ')
    .filter((t) => t !== '')
    .map(foldToken);
  let folded = ` ${tokens.join(' ')} `;
  for (const [from, to] of FOLDED_ALIASES) folded = folded.split(` ${from} `).join(` ${to} `);
  return folded.trim();
}

function foldWithoutAliases(text: string): string {
  return text
    .toLowerCase()
    .replace(/\+/g, ' + ')
    .replace(/[^a-z0-9+]+/g, ' ')
    .trim()
    .split(' ')
    .filter((t) => t !== '')
    .map(foldToken)
    .join(' ');
}

const FOLDED_ALIASES: ReadonlyArray<readonly [string, string]> = PHRASE_ALIASES.map(
  ([from, to]) => [foldWithoutAliases(from), foldWithoutAliases(to)] as const,
).sort((a, b) => b[0].length - a[0].length);

/** True when `needle`'s tokens occur consecutively in `haystack`'s (both already folded). */
export function containsPhrase(haystack: string, needle: string): boolean {
  if (needle === '') return false;
  return ` ${haystack} `.includes(` ${needle} `);
}

/** A medicine's name folded, without parenthetical notes such as "(soluble)". */
export function medicineKey(m: Medicine): string {
  return foldDrugText(m.name.replace(/\([^)]*\)/g, ' '));
}

/** The active ingredients of a medicine, folded: "amoxicillin + clavulanic acid" has two. */
export function medicineComponents(m: Medicine): string[] {
  return medicineKey(m)
    .split(' + ')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

const medicineKeys: ReadonlyArray<readonly [string, Medicine]> = formulary.medicines
  .map((m) => [medicineKey(m), m] as const)
  .sort((a, b) => b[0].length - a[0].length);

/**
 * The formulary medicine a free-text name refers to: an exact (folded) name, else the
 * longest formulary name the text begins with ("Amoxicillin 500 mg caps" -> amoxicillin).
 * Brand names are not known.
 */
export function resolveMedicineName(name: string): Medicine | undefined {
  const folded = foldDrugText(name);
  if (folded === '') return undefined;
  for (const [key, m] of medicineKeys) if (key === folded) return m;
  for (const [key, m] of medicineKeys) if (folded.startsWith(`${key} `)) return m;
  return undefined;
}

const foldedClassTerms: ReadonlyArray<readonly [DrugClass, string[]]> = drugClasses.map(
  (c) => [c, c.allergyTerms.map(foldDrugText).filter((t) => t !== '')] as const,
);

/** Classes whose allergy terms occur in the text ("sulfa allergy" -> sulfonamide antibacterials). */
export function classesMentionedIn(text: string): DrugClass[] {
  const folded = foldDrugText(text);
  return foldedClassTerms.filter(([, terms]) => terms.some((t) => containsPhrase(folded, t))).map(([c]) => c);
}

// ---------------------------------------------------------------------------------------
// Search.

function clampLimit(limit: number): number {
  return Number.isFinite(limit) ? Math.max(0, Math.min(100, Math.floor(limit))) : 20;
}

/**
 * Medicines whose name contains the query, case-insensitively: names starting with it
 * first, then names with a word starting with it, then other substrings; ties by name.
 * A synonym ("aspirin", "acetaminophen") finds the formulary's name too.
 */
export function searchFormulary(query: string, limit = 20): Medicine[] {
  const q = query.normalize('NFC').toLowerCase().replace(/\s+/g, ' ').trim();
  const max = clampLimit(limit);
  if (q === '' || max === 0) return [];
  const foldedQuery = foldWithoutAliases(q);
  const aliasTargets = new Set(
    foldedQuery === ''
      ? []
      : FOLDED_ALIASES.filter(([from]) => from.startsWith(foldedQuery)).map(([, to]) => to),
  );
  const ranked: Array<{ m: Medicine; rank: number }> = [];
  for (const m of formulary.medicines) {
    const name = m.name.toLowerCase();
    let rank = -1;
    if (name.startsWith(q)) rank = 0;
    else if (name.split(/[\s+(),-]+/).some((w) => w.startsWith(q))) rank = 1;
    else if (name.includes(q)) rank = 2;
    else if (aliasTargets.has(medicineKey(m))) rank = 1;
    if (rank >= 0) ranked.push({ m, rank });
  }
  ranked.sort((a, b) => a.rank - b.rank || a.m.name.localeCompare(b.m.name));
  return ranked.slice(0, max).map((r) => r.m);
}

function compactCode(code: string): string {
  return code.toUpperCase().replace(/[.\s]/g, '');
}

/** Exact code, case-insensitive, with or without the dot ("j06.9", "J069"). */
export function icd10ByCode(code: string): Icd10Code | undefined {
  const compact = compactCode(code.trim());
  if (!/^[A-Z]\d{2,4}$/.test(compact)) return undefined;
  const dotted = compact.length > 3 ? `${compact.slice(0, 3)}.${compact.slice(3)}` : compact;
  return codesByCode.get(dotted);
}

/**
 * Codes starting with the query ("J06", "e11.") or whose title has a word starting with
 * every word of the query ("upper resp"); code matches first, then in code order.
 */
export function searchIcd10(query: string, limit = 20): Icd10Code[] {
  const q = query.normalize('NFC').toLowerCase().trim();
  const max = clampLimit(limit);
  if (q === '' || max === 0) return [];
  const compact = compactCode(q);
  const byCode = /^[a-z]\d{0,4}$/i.test(compact)
    ? icd10Codes.filter((c) => compactCode(c.code).startsWith(compact))
    : [];
  const words = q.split(/[^\p{L}\p{N}]+/u).filter((w) => w !== '');
  const byTitle =
    words.length === 0
      ? []
      : icd10Codes.filter((c) => {
          const titleWords = c.title.toLowerCase().split(/[^\p{L}\p{N}]+/u);
          return words.every((w) => titleWords.some((t) => t.startsWith(w)));
        });
  const seen = new Set<string>();
  const out: Icd10Code[] = [];
  for (const c of [...byCode, ...byTitle]) {
    if (seen.has(c.code)) continue;
    seen.add(c.code);
    out.push(c);
    if (out.length === max) break;
  }
  return out;
}
