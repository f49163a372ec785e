/**
 * Typo-tolerant name matching for duplicate detection at registration. A match here is
 * only a prompt ("is this the same patient?") shown beside date of birth and phone, so the
 * rules favour catching a misspelt repeat visit over never raising a false alarm.
 */

/**
 * Combining diacritical mark blocks used by Latin, Greek and Cyrillic. Only these are
 * stripped: Indic vowel signs and viramas are combining marks too (\p{M}), but removing
 * them would turn राम and रम, or two quite different Malayalam names, into the same string.
 */
const DIACRITICS = /[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]/g;
// "O'Brien", "O’Brien" and "OBrien" are one name; other punctuation separates tokens, so
// "Mary-Jane", "Mary Jane" and "R.Kumar" / "R Kumar" line up.
const APOSTROPHES = /['’‘`´]/g;
const SEPARATORS = /[\p{P}\p{S}\s]+/gu;

/**
 * Folds a name for comparison: compatibility decomposition (so full-width letters and
 * ligatures become plain ones), diacritics removed, lower case, punctuation and runs of
 * spaces collapsed to a single space.
 */
export function foldName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(DIACRITICS, '')
    .replace(APOSTROPHES, '')
    .toLowerCase()
    .replace(SEPARATORS, ' ')
    .trim()
    .normalize('NFC');
}

/** The folded name's words, for matching names written in a different order. */
export function nameTokens(name: string): string[] {
  const folded = foldName(name);
  return folded === '' ? [] : folded.split(' ');
}

/**
 * Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
 * neighbouring characters each cost 1 (a swap is the commonest typing slip, "Ravi" ->
 * "Rvai"). Counts code points, so a letter outside the BMP is one character, not two.
 * Unlike full Damerau–Levenshtein, a swapped pair is not edited again afterwards.
 */
export function damerauLevenshtein(a: string, b: string): number {
  const s = Array.from(a);
  const t = Array.from(b);
  if (s.length === 0) return t.length;
  if (t.length === 0) return s.length;
  // Three rolling rows: the swap step looks two rows back.
  let before = new Array<number>(t.length + 1).fill(0);
  let previous = Array.from({ length: t.length + 1 }, (_, j) => j);
  let current = new Array<number>(t.length + 1).fill(0);
  for (let i = 1; i <= s.length; i++) {
    current[0] = i;
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let best = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) {
        best = Math.min(best, before[j - 2]! + 1);
      }
      current[j] = best;
    }
    [before, previous, current] = [previous, current, before];
  }
  return previous[t.length]!;
}

interface Comparison {
  distance: number;
  longer: number;
  shorter: number;
}

/**
 * The closest reading of two folded names: as written, with one's words reversed, and with
 * both sets of words sorted. Reversal covers "Kumar Ravi" / "Ravi Kumar"; sorting covers
 * longer names whose words are reordered in other ways ("Nguyễn Thị Minh" / "Minh Nguyễn
 * Thị"). Spaces count as characters, so "Ravikumar" is one edit from "Ravi Kumar".
 */
function closest(a: string, b: string): Comparison | null {
  const ta = nameTokens(a);
  const tb = nameTokens(b);
  if (ta.length === 0 || tb.length === 0) return null;
  const pairs: [string, string][] = [
    [ta.join(' '), tb.join(' ')],
    [[...ta].reverse().join(' '), tb.join(' ')],
    [[...ta].sort().join(' '), [...tb].sort().join(' ')],
  ];
  let best: Comparison | null = null;
  for (const [x, y] of pairs) {
    const lx = Array.from(x).length;
    const ly = Array.from(y).length;
    const c = { distance: damerauLevenshtein(x, y), longer: Math.max(lx, ly), shorter: Math.min(lx, ly) };
    if (!best || c.distance / c.longer < best.distance / best.longer) best = c;
  }
  return best;
}

/**
 * 1 for the same folded name (in any word order), falling towards 0 as edits are needed:
 * 1 − distance / length of the longer name. An empty name is similar to nothing, so two
 * blank records are never proposed as duplicates.
 */
export function nameSimilarity(a: string, b: string): number {
  const c = closest(a, b);
  return c ? 1 - c.distance / c.longer : 0;
}

/** At or above this similarity two names are flagged: one slip in a five-letter name. */
export const SAME_NAME_SIMILARITY = 0.8;
/** For long names two slips are flagged even when that falls below the ratio. */
export const SAME_NAME_MAX_EDITS = 2;
/** Letters (spaces included) both names need before SAME_NAME_MAX_EDITS applies. */
export const SAME_NAME_MIN_LENGTH_FOR_EDITS = 8;

/**
 * Whether two names are probably the same person's, misspelt or reordered.
 *
 * Flagged when similarity ≥ 0.8, or when at most 2 edits separate names that are both at
 * least 8 characters long ("Srinivas" / "Sreenivas", similarity 0.78). The length floor is
 * 8 rather than 6 because 6-letter Indian names two letters apart are usually different
 * people: "Suresh" / "Naresh".
 *
 * Known limits: spelling conventions that change several letters at once are missed
 * ("Lakshmi" / "Laxmi" is 3 edits, similarity 0.57) since edit distance knows nothing of
 * how ksh and x sound alike; and short names one letter apart are flagged ("Meena" /
 * "Reena", "Ramesh" / "Rajesh"), which is why a match is a question for the receptionist, never a merge.
 */
export function isLikelySameName(a: string, b: string): boolean {
  const c = closest(a, b);
  if (!c) return false;
  if (1 - c.distance / c.longer >= SAME_NAME_SIMILARITY) return true;
  return c.distance <= SAME_NAME_MAX_EDITS && c.shorter >= SAME_NAME_MIN_LENGTH_FOR_EDITS;
}
