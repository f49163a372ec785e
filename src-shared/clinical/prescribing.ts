import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { z } from 'zod';
import { singleLine } from '../text.js';
import {
  classesMentionedIn,
  containsPhrase,
  drugClass,
  foldDrugText,
  type Medicine,
  medicineById,
  medicineComponents,
  ROUTES,
  resolveMedicineName,
} from './reference.js';

/**
 * Prescription rules with no I/O: frequency parsing, the item schema, quantity
 * suggestions, allergy and duplicate-therapy checks, and the canonical form that a signed
 * prescription's digest is computed over.
 */

// ---------------------------------------------------------------------------------------
// Frequencies.

export const FREQUENCIES = {
  OD: { perDay: 1, meaning: 'once a day', aliases: ['QD', 'ONCE DAILY', 'ONCE A DAY', 'DAILY'] },
  BD: { perDay: 2, meaning: 'twice a day', aliases: ['BID', 'TWICE DAILY', 'TWICE A DAY'] },
  TDS: { perDay: 3, meaning: 'three times a day', aliases: ['TID', 'THRICE DAILY', 'THREE TIMES A DAY'] },
  QID: { perDay: 4, meaning: 'four times a day', aliases: ['QDS', 'FOUR TIMES A DAY'] },
  HS: { perDay: 1, meaning: 'once a day at bedtime', aliases: ['AT BEDTIME', 'BEDTIME'] },
  SOS: { perDay: null, meaning: 'only when needed', aliases: ['IF NEEDED'] },
  PRN: { perDay: null, meaning: 'only when needed', aliases: ['AS NEEDED', 'WHEN NEEDED'] },
  STAT: { perDay: null, meaning: 'one dose, immediately', aliases: ['IMMEDIATELY', 'AT ONCE'] },
  Q4H: { perDay: 6, meaning: 'every 4 hours', aliases: ['4 HOURLY', 'EVERY 4 HOURS'] },
  Q6H: { perDay: 4, meaning: 'every 6 hours', aliases: ['6 HOURLY', 'EVERY 6 HOURS'] },
  Q8H: { perDay: 3, meaning: 'every 8 hours', aliases: ['8 HOURLY', 'EVERY 8 HOURS'] },
  Q12H: { perDay: 2, meaning: 'every 12 hours', aliases: ['12 HOURLY', 'EVERY 12 HOURS'] },
  weekly: { perDay: 1 / 7, meaning: 'once a week', aliases: ['ONCE WEEKLY', 'ONCE A WEEK', 'OW'] },
} as const satisfies Record<string, { perDay: number | null; meaning: string; aliases: readonly string[] }>;
export type FrequencyCode = keyof typeof FREQUENCIES;

/** Frequencies with no course length: a duration may be left empty only for these. */
export const AS_NEEDED_OR_ONCE: readonly FrequencyCode[] = ['SOS', 'PRN', 'STAT'];

export interface ParsedFrequency {
  /** "BD", "weekly", or a dose-time pattern rewritten with ½ glyphs ("½-0-½"). */
  normalized: string;
  code: FrequencyCode | null;
  /**
   * Administrations per day. null for SOS, PRN (no schedule) and STAT (a single dose,
   * not a daily rate); 1/7 for weekly. For a pattern, the number of non-zero dose times.
   */
  perDay: number | null;
  /** Dose-time pattern values (morning, noon, [evening,] night); null for abbreviations. */
  slots: number[] | null;
  meaning: string;
}

export type FrequencyResult = { ok: true; value: ParsedFrequency } | { ok: false; error: string };

const CODE_LOOKUP = new Map<string, FrequencyCode>();
for (const [code, f] of Object.entries(FREQUENCIES) as [
  FrequencyCode,
  (typeof FREQUENCIES)[FrequencyCode],
][]) {
  CODE_LOOKUP.set(code.toUpperCase(), code);
  for (const a of f.aliases) CODE_LOOKUP.set(a, code);
}

const FRACTIONS: Record<string, number> = {
  '½': 0.5,
  '¼': 0.25,
  '¾': 0.75,
  '1/2': 0.5,
  '1/4': 0.25,
  '3/4': 0.75,
};
const SLOT = /^(\d{1,2})?(½|¼|¾|\s?1\/2|\s?1\/4|\s?3\/4)?$|^(\d{1,2})\.(5|25|75)$/;

function parseSlot(raw: string): number | null {
  const m = SLOT.exec(raw);
  if (!m || raw === '') return null;
  if (m[3] !== undefined) return Number(`${m[3]}.${m[4]}`);
  return Number(m[1] ?? 0) + (m[2] ? (FRACTIONS[m[2].trim()] ?? 0) : 0);
}

function formatSlot(n: number): string {
  const whole = Math.floor(n);
  const glyph = { 0.25: '¼', 0.5: '½', 0.75: '¾' }[n - whole] ?? '';
  return whole === 0 && glyph !== '' ? glyph : `${whole}${glyph}`;
}

const SLOT_NAMES = {
  3: ['in the morning', 'at noon', 'at night'],
  4: ['in the morning', 'at noon', 'in the evening', 'at night'],
};
const CODES_HINT =
  'OD, BD, TDS, QID, HS, SOS, PRN, STAT, Q4H, Q6H, Q8H, Q12H, weekly or a pattern like 1-0-1';

function parsePattern(text: string): FrequencyResult {
  const parts = text.split(/\s*[-–—]\s*/);
  if (parts.length !== 3 && parts.length !== 4) {
    return {
      ok: false,
      error: 'Use 3 dose times (morning-noon-night) or 4 (morning-noon-evening-night), like 1-0-1',
    };
  }
  const slots: number[] = [];
  for (const p of parts) {
    const v = parseSlot(p);
    if (v === null)
      return { ok: false, error: `"${p}" is not a dose count; use whole numbers or halves like ½ or 1/2` };
    if (v > 10) return { ok: false, error: 'At most 10 per dose time' };
    slots.push(v);
  }
  if (slots.every((s) => s === 0)) return { ok: false, error: 'At least one dose time must be more than 0' };
  const names = SLOT_NAMES[slots.length as 3 | 4];
  const taken = slots.flatMap((s, i) => (s > 0 ? [`${formatSlot(s)} ${names[i]}`] : []));
  const perDay = taken.length;
  return {
    ok: true,
    value: {
      normalized: slots.map(formatSlot).join('-'),
      code: null,
      perDay,
      slots,
      meaning: `${taken.join(', ')} (${perDay === 1 ? 'once' : `${perDay} times`} a day)`,
    },
  };
}

/** Parses a frequency as a doctor writes it: "BD", "b.i.d.", "q8h", "1-0-1", "½-0-½", "1-0-0-1". */
export function parseFrequency(text: string): FrequencyResult {
  const trimmed = text.normalize('NFC').trim().replace(/\s+/g, ' ');
  if (trimmed === '') return { ok: false, error: `Enter how often: ${CODES_HINT}` };
  // No abbreviation contains a dash, so anything with one is meant as a dose-time pattern.
  if (/[-–—]/.test(trimmed)) return parsePattern(trimmed);
  const key = trimmed
    .toUpperCase()
    .replace(/\./g, '')
    .replace(/\s*HRLY$/, ' HOURLY');
  const code = CODE_LOOKUP.get(key) ?? CODE_LOOKUP.get(key.replace(/\s/g, ''));
  if (!code) return { ok: false, error: `Unknown frequency "${trimmed.slice(0, 20)}"; use ${CODES_HINT}` };
  const f = FREQUENCIES[code];
  return { ok: true, value: { normalized: code, code, perDay: f.perDay, slots: null, meaning: f.meaning } };
}

// ---------------------------------------------------------------------------------------
// Prescription items.

export const INSTRUCTION_PRESETS = [
  'before food',
  'after food',
  'with food',
  'empty stomach',
  'at bedtime',
] as const;

const ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const DURATION_RANGE = 'Duration must be between 1 and 365 days';

/** Text the form must fill in; `missing` is shown whether the key is absent or blank. */
function requiredLine(max: number, missing: string) {
  return z
    .string({ error: missing })
    .pipe(singleLine({ max }))
    .refine((s) => s.trim() !== '', { error: missing });
}

export const prescriptionItemInput = z
  .strictObject({
    medicineId: z
      .string({ error: 'Choose a medicine from the formulary, or none' })
      .regex(ID, { error: 'Not a formulary id' })
      .refine((id) => medicineById(id) !== undefined, { error: 'This medicine is not in the formulary' })
      .nullable(),
    name: singleLine({ max: 120 }).default(''),
    form: singleLine({ max: 60 }).default(''),
    strength: singleLine({ max: 80 }).default(''),
    dose: requiredLine(60, 'Enter the dose, e.g. 1 tablet, 5 ml or 500 mg'),
    route: z.enum(ROUTES, { error: `Choose a route: ${ROUTES.join(', ')}` }),
    frequency: requiredLine(40, `Enter how often: ${CODES_HINT}`).transform((s, ctx) => {
      const parsed = parseFrequency(s);
      if (parsed.ok) return parsed.value.normalized;
      ctx.addIssue({ code: 'custom', message: parsed.error });
      return z.NEVER;
    }),
    durationDays: z
      .number({ error: 'Enter the duration as a whole number of days' })
      .int({ error: 'Enter the duration as a whole number of days' })
      .min(1, { error: DURATION_RANGE })
      .max(365, { error: DURATION_RANGE })
      .nullable(),
    quantity: singleLine({ max: 40 }).default(''),
    /** One of INSTRUCTION_PRESETS or the doctor's own words. */
    instructions: singleLine({ max: 200 }).default(''),
  })
  .superRefine((item, ctx) => {
    // Runs even when a field failed (zod 4 issues are continuable), so read defensively.
    if (item.medicineId === null && typeof item.name === 'string' && item.name.trim() === '') {
      ctx.addIssue({
        code: 'custom',
        path: ['name'],
        message: "Enter the medicine's name, or choose it from the formulary",
      });
    }
    if (item.durationDays === null && typeof item.frequency === 'string') {
      const parsed = parseFrequency(item.frequency);
      if (parsed.ok && !(parsed.value.code && AS_NEEDED_OR_ONCE.includes(parsed.value.code))) {
        ctx.addIssue({
          code: 'custom',
          path: ['durationDays'],
          message: 'Enter the duration in days (only SOS, PRN and STAT may have none)',
        });
      }
    }
  });

export type PrescriptionItem = z.output<typeof prescriptionItemInput>;
export type PrescriptionItemDraft = z.input<typeof prescriptionItemInput>;

// ---------------------------------------------------------------------------------------
// Quantity.

const UNIT_WORDS: Record<string, 'tablet' | 'capsule'> = {
  tablet: 'tablet',
  tab: 'tablet',
  capsule: 'capsule',
  cap: 'capsule',
};
const COUNT = /^(\d+(?:\.\d+)?)?\s*(½|¼|¾|1\/2|1\/4|3\/4)?\s*(tablets?|tabs?|capsules?|caps?)$/i;
const MASS = /^(\d+(?:\.\d+)?)\s*(mg|g|micrograms?|mcg)$/i;
const MASS_SCALE: Record<string, number> = { mg: 1000, g: 1_000_000, microgram: 1, micrograms: 1, mcg: 1 };

function doseUnits(
  item: Pick<PrescriptionItem, 'dose' | 'form' | 'strength'>,
): { n: number; unit: 'tablet' | 'capsule' } | null {
  const dose = item.dose.trim();
  const counted = COUNT.exec(dose);
  if (counted) {
    const n = Number(counted[1] ?? (counted[2] ? 0 : 1)) + (counted[2] ? (FRACTIONS[counted[2]] ?? 0) : 0);
    const word = counted[3]!.toLowerCase().replace(/s$/, '');
    return n > 0 ? { n, unit: UNIT_WORDS[word]! } : null;
  }
  // "500 mg" of a "250 mg" tablet is two tablets.
  const form: 'tablet' | 'capsule' | null = /capsule/i.test(item.form)
    ? 'capsule'
    : /tablet/i.test(item.form)
      ? 'tablet'
      : null;
  const want = MASS.exec(dose);
  const have = MASS.exec(item.strength.trim());
  if (!form || !want || !have) return null;
  const ratio =
    (Number(want[1]) * MASS_SCALE[want[2]!.toLowerCase()]!) /
    (Number(have[1]) * MASS_SCALE[have[2]!.toLowerCase()]!);
  const step = form === 'capsule' ? 1 : 0.5;
  return ratio > 0 && Number.isInteger(ratio / step) ? { n: ratio, unit: form } : null;
}

/**
 * Tablets or capsules for the whole course, or null when it cannot be worked out (liquids,
 * SOS/PRN, no duration, a dose not in tablets). With a dose-time pattern the pattern's
 * numbers multiply the dose: dose "1 tablet" with "1-0-1" is two tablets a day.
 */
export function suggestQuantity(
  item: Pick<PrescriptionItem, 'dose' | 'form' | 'strength' | 'frequency' | 'durationDays'>,
): { count: number; unit: 'tablet' | 'capsule'; text: string } | null {
  const units = doseUnits(item);
  const freq = parseFrequency(item.frequency);
  if (!units || !freq.ok) return null;
  let doses: number | null = null;
  if (freq.value.code === 'STAT') doses = 1;
  else if (item.durationDays !== null && freq.value.slots) {
    doses = freq.value.slots.reduce((a, b) => a + b, 0) * item.durationDays;
  } else if (item.durationDays !== null && freq.value.perDay !== null) {
    // Weekly for 30 days is 5 doses (days 1, 8, 15, 22, 29); the epsilon absorbs 1/7 rounding.
    doses = Math.ceil(freq.value.perDay * item.durationDays - 1e-9);
  }
  if (doses === null) return null;
  const count = Math.ceil(doses * units.n - 1e-9);
  return { count, unit: units.unit, text: `${count} ${units.unit}${count === 1 ? '' : 's'}` };
}

// ---------------------------------------------------------------------------------------
// Allergy and duplicate-therapy checks.

export type ItemRef = Pick<PrescriptionItem, 'medicineId' | 'name'>;

interface ResolvedItem {
  medicine: Medicine | undefined;
  label: string;
  classes: string[];
  components: string[];
}

/** What an item is: its formulary entry, else a formulary name or class term in its free text. */
function resolveItem(item: ItemRef): ResolvedItem {
  const medicine = item.medicineId ? medicineById(item.medicineId) : resolveMedicineName(item.name);
  if (medicine) {
    return {
      medicine,
      label: medicine.name,
      classes: medicine.classes,
      components: medicineComponents(medicine),
    };
  }
  const folded = foldDrugText(item.name);
  return {
    medicine: undefined,
    label: item.name.trim(),
    classes: classesMentionedIn(item.name).map((c) => c.id),
    components: folded === '' ? [] : [folded],
  };
}

export interface AllergyRecord {
  substance: string;
  status: 'active' | 'inactive' | 'resolved';
}

export interface AllergyFlag {
  itemIndex: number;
  allergySubstance: string;
  drugClass: string | null;
  kind: 'direct' | 'class' | 'cross-reactive';
  message: string;
}

function className(id: string): string {
  return drugClass(id)?.name ?? id;
}

function directMatch(allergy: string, components: string[]): boolean {
  // "amoxicillin rash" names amoxicillin; "heparin" names "heparin sodium"; "acid" alone
  // does not name "clavulanic acid" (the allergy must start the ingredient's name).
  return components.some((c) => containsPhrase(allergy, c) || c === allergy || c.startsWith(`${allergy} `));
}

/** Flags items that match an active allergy: by name, by class, or by a cross-reactive class. */
export function checkAllergies(
  items: readonly ItemRef[],
  allergies: readonly AllergyRecord[],
): AllergyFlag[] {
  const active = allergies
    .filter((a) => a.status === 'active')
    .map((a) => ({
      substance: a.substance,
      folded: foldDrugText(a.substance),
      classes: classesMentionedIn(a.substance),
    }))
    .filter((a) => a.folded !== '');
  const flags: AllergyFlag[] = [];
  items.forEach((item, itemIndex) => {
    const r = resolveItem(item);
    for (const a of active) {
      const base = { itemIndex, allergySubstance: a.substance };
      if (directMatch(a.folded, r.components)) {
        flags.push({
          ...base,
          drugClass: null,
          kind: 'direct',
          message: `${r.label}: patient is allergic to ${a.substance}`,
        });
        continue;
      }
      const same = a.classes.find((c) => r.classes.includes(c.id));
      if (same) {
        flags.push({
          ...base,
          drugClass: same.id,
          kind: 'class',
          message: `${r.label} is in the same class (${same.name}) as the patient's allergy to ${a.substance}`,
        });
        continue;
      }
      const cross = r.classes.find((id) => a.classes.some((c) => c.crossReactive.includes(id)));
      if (cross) {
        flags.push({
          ...base,
          drugClass: cross,
          kind: 'cross-reactive',
          message: `${r.label} (${className(cross)}) may cross-react with the patient's allergy to ${a.substance}`,
        });
      }
    }
  });
  return flags;
}

export interface DuplicateWarning {
  itemIndexes: [number, number];
  kind: 'same-medicine' | 'same-ingredient' | 'same-class';
  drugClass: string | null;
  message: string;
}

/** Pairs of items that are the same medicine, share an ingredient, or share a therapeutic class. */
export function checkDuplicateTherapy(items: readonly ItemRef[]): DuplicateWarning[] {
  const resolved = items.map(resolveItem);
  const out: DuplicateWarning[] = [];
  for (let i = 0; i < resolved.length; i++) {
    for (let j = i + 1; j < resolved.length; j++) {
      const a = resolved[i]!;
      const b = resolved[j]!;
      const itemIndexes: [number, number] = [i, j];
      const sameMedicine = a.medicine && b.medicine ? a.medicine.id === b.medicine.id : sameText(a, b);
      if (sameMedicine) {
        out.push({
          itemIndexes,
          kind: 'same-medicine',
          drugClass: null,
          message: `${a.label} is prescribed twice`,
        });
        continue;
      }
      const shared = a.components.find((c) => b.components.includes(c));
      if (shared) {
        out.push({
          itemIndexes,
          kind: 'same-ingredient',
          drugClass: null,
          message: `${a.label} and ${b.label} both contain ${shared}`,
        });
        continue;
      }
      const cls = a.classes.find((c) => b.classes.includes(c) && drugClass(c)?.duplicateWarning !== false);
      if (cls) {
        out.push({
          itemIndexes,
          kind: 'same-class',
          drugClass: cls,
          message: `${a.label} and ${b.label} are both ${className(cls)}`,
        });
      }
    }
  }
  return out;
}

function sameText(a: ResolvedItem, b: ResolvedItem): boolean {
  const fa = a.components.join(' + ');
  return fa !== '' && fa === b.components.join(' + ');
}

// ---------------------------------------------------------------------------------------
// Canonical form for signing.

export type JsonValue =
  | null
  | boolean
  | number
  | string
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

export interface PrescriptionContent {
  prescriptionId: string;
  version: number;
  previousId: string | null;
  patientId: string;
  visitId: string;
  doctorId: string;
  /** Milliseconds since the epoch, like every other timestamp in the app. */
  signedAt: number;
  items: readonly PrescriptionItem[];
  advice: string;
  /** 'YYYY-MM-DD' or null. */
  followUp: string | null;
  diagnosis: readonly JsonValue[];
  overrides: readonly JsonValue[];
}

const CONTENT_KEYS = [
  'prescriptionId',
  'version',
  'previousId',
  'patientId',
  'visitId',
  'doctorId',
  'signedAt',
  'items',
  'advice',
  'followUp',
  'diagnosis',
  'overrides',
] as const satisfies readonly (keyof PrescriptionContent)[];

/**
 * JSON with object keys sorted by UTF-16 code unit (as RFC 8785 does), no whitespace,
 * strings and keys NFC-normalised, and only safe integers as numbers: a fraction's decimal
 * form is where two implementations are most likely to disagree, so it is refused.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean') return String(value);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value))
      throw new TypeError(`Canonical JSON allows integers only, not ${value}`);
    return String(value === 0 ? 0 : value);
  }
  if (typeof value === 'string') return JSON.stringify(value.normalize('NFC'));
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const entries = new Map<string, unknown>();
    for (const [k, v] of Object.entries(value)) {
      const key = k.normalize('NFC');
      if (entries.has(key)) throw new TypeError(`Two keys normalise to ${JSON.stringify(key)}`);
      if (v === undefined) throw new TypeError(`Key ${JSON.stringify(key)} is undefined`);
      entries.set(key, v);
    }
    const keys = [...entries.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(entries.get(k))}`).join(',')}}`;
  }
  throw new TypeError(`Canonical JSON cannot hold a ${typeof value}`);
}

/** The signed content as canonical JSON; keys outside PrescriptionContent are left out. */
export function canonicalPrescription(content: PrescriptionContent): string {
  const picked: Record<string, unknown> = {};
  for (const key of CONTENT_KEYS) {
    if (content[key] === undefined) throw new TypeError(`Prescription content lacks ${key}`);
    picked[key] = content[key];
  }
  return canonicalJson(picked);
}

/** Lower-case hex SHA-256 of the canonical JSON's UTF-8 bytes. */
export function prescriptionDigest(content: PrescriptionContent): string {
  return bytesToHex(sha256(utf8ToBytes(canonicalPrescription(content))));
}
