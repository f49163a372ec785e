import { isValidAadhaar, maskAadhaar, normalizeAadhaar } from '../../src-shared/aadhaar.js';
import { ageFrom, estimatedBirthDate, type PatientInput, todayIso } from '../../src-shared/patient.js';
import { isLikelySameName } from '../../src-shared/similarity.js';
import type { PatientSummary } from '../../src-shared/types.js';
import { nameTokens, phoneToken } from '../crypto/blind-index.js';
import type { Handlers, Services } from '../ipc/handler-types.js';
import { MAX_PREFIX, MIN_PREFIX, type PatientBrief, type RegistrablePatient, type StoredPatient } from '../store/patients-repo.js';

const SEARCH_LIMIT = 50;

export function summarize(p: PatientBrief, today: string, lastVisit: string | null = null): PatientSummary {
  return {
    id: p.id,
    patientNumber: p.patientNumber,
    name: [p.givenNames, p.familyName].filter(Boolean).join(' '),
    ageYears: ageFrom(p.birth.date, today),
    ageEstimated: p.birth.kind === 'approximate',
    sex: p.sex,
    nationalIdMasked: p.nationalId ? maskAadhaar(p.nationalId) : '',
    lastVisit,
  };
}

/** Same Aadhaar, a shared phone, or a similar name born within a year: worth a look. */
export function possibleDuplicates(s: Services, p: RegistrablePatient, today: string) {
  const repo = s.patients;
  const reasons = new Map<string, string[]>();
  const add = (ids: string[], reason: string) => {
    for (const id of ids) reasons.set(id, [...(reasons.get(id) ?? []), reason]);
  };
  if (p.nationalId) add(repo.idsWithAny('national-id', [normalizeAadhaar(p.nationalId)]), 'Same Aadhaar number');
  const phones = p.phones.map((x) => phoneToken(x.number)).filter((x): x is string => x !== null);
  add(repo.idsWithAny('phone', phones), 'Same phone number');
  const year = Number(p.birth.date.slice(0, 4));
  const first = nameTokens(p.givenNames)[0] ?? '';
  const nameCandidates =
    [...first].length >= MIN_PREFIX
      ? repo.idsWithBoth(
          ['name-prefix', [...first].slice(0, MIN_PREFIX).join('')],
          ['birth-year', [year - 1, year, year + 1].map(String)],
          200,
        )
      : [];
  const fullName = `${p.givenNames} ${p.familyName}`;
  const similar = repo
    .summariesByIds(nameCandidates)
    .filter((c) => isLikelySameName(`${c.givenNames} ${c.familyName}`, fullName));
  add(
    similar.map((c) => c.id),
    'Similar name, born within a year',
  );
  const found = repo.summariesByIds([...reasons.keys()].slice(0, 20));
  return found.map((c) => ({ ...summarize(c, today), reasons: reasons.get(c.id) ?? [] }));
}

/**
 * A validated patient as it is stored: an age becomes an estimated date of birth. The router
 * has already checked every rule, the date-dependent ones included (the channel's
 * `inputAt`). An unchanged approximate age keeps the stored estimate, so correcting a phone
 * number does not move someone's birthday.
 */
export function storablePatient(p: PatientInput, today: string, current: StoredPatient | null): RegistrablePatient {
  if (p.birth.kind === 'exact') return { ...p, birth: { kind: 'exact', date: p.birth.date } };
  if (current?.birth.kind === 'approximate' && ageFrom(current.birth.date, today) === p.birth.ageYears) {
    return { ...p, birth: current.birth };
  }
  return { ...p, birth: { kind: 'approximate', date: estimatedBirthDate(p.birth.ageYears, today) } };
}

function classify(query: string): { kind: 'national-id' | 'phone' | 'patient-number' | 'name'; value: string } {
  const compact = query.replace(/[\s-]/g, '');
  if (/^\d{12}$/.test(compact) && isValidAadhaar(compact)) return { kind: 'national-id', value: compact };
  if (/^\+?\d{10,15}$/.test(compact)) return { kind: 'phone', value: phoneToken(compact) ?? compact };
  if (/^[0-9A-HJKMNP-TV-Z]{5}-\d{5,}$/i.test(query.trim())) return { kind: 'patient-number', value: query.trim().toUpperCase() };
  return { kind: 'name', value: query };
}

export const patientHandlers: Pick<Handlers, 'patients.register' | 'patients.search'> = {
  'patients.register': (ctx, input) => {
    const s = ctx.services;
    const today = todayIso(s.now());
    const patient = storablePatient(input.patient, today, null);
    if (input.decision === 'check-duplicates') {
      const candidates = possibleDuplicates(s, patient, today);
      if (candidates.length > 0) {
        ctx.subject('patient-candidates', candidates.map((c) => c.id).join(','), { count: candidates.length });
        return { status: 'possible-duplicates', candidates };
      }
    }
    const { id, patientNumber } = s.patients.register(patient, ctx.session.userId);
    // The reviewed candidates are recorded so "register as new" over a warning is traceable.
    ctx.subject('patient', id, { decision: input.decision, reviewedCandidates: input.reviewedCandidates });
    return { status: 'registered', id, patientNumber };
  },

  'patients.search': (ctx, input) => {
    const s = ctx.services;
    const { kind, value } = classify(input.query);
    const ids =
      kind === 'name'
        ? s.patients.idsWithAll(
            'name-prefix',
            [...new Set(value.split(/\s+/).flatMap((w) => namePrefixOf(w)))],
            SEARCH_LIMIT,
          )
        : s.patients.idsWithAny(kind, [value]).slice(0, SEARCH_LIMIT);
    ctx.subject('patient-search', kind, { results: ids.length });
    const today = todayIso(s.now());
    const last = s.patients.lastVisits(ids);
    return s.patients
      .summariesByIds(ids)
      .map((p) => summarize(p, today, last.get(p.id) ?? null))
      .sort((a, b) => a.name.localeCompare(b.name));
  },
};

/** A typed word as its indexed prefixes: folded exactly as indexing folds, capped in length. */
function namePrefixOf(word: string): string[] {
  return nameTokens(word)
    .filter((t) => [...t].length >= MIN_PREFIX)
    .map((t) => [...t].slice(0, MAX_PREFIX).join(''));
}
