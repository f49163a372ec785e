import { describe, expect, it } from 'vitest';
import { damerauLevenshtein, foldName, isLikelySameName, nameSimilarity, nameTokens } from './similarity.js';

describe('foldName', () => {
  it('removes diacritics, case and extra spacing', () => {
    expect(foldName('  Nguyễn   Thị\tMinh ')).toBe('nguyen thi minh');
    expect(foldName('JOSÉ Müller')).toBe('jose muller');
    expect(foldName('Ｒａｖｉ')).toBe('ravi');
  });

  it('folds apostrophes away and turns other punctuation into spaces', () => {
    expect(foldName("O'Brien")).toBe('obrien');
    expect(foldName('O’Brien')).toBe('obrien');
    expect(foldName('Mary-Jane')).toBe('mary jane');
    expect(foldName('R.Kumar')).toBe('r kumar');
  });

  it('keeps Indic vowel signs, which carry meaning rather than decoration', () => {
    expect(foldName('राम')).not.toBe(foldName('रम'));
    expect(foldName('लक्ष्मी')).toBe('लक्ष्मी');
    expect(foldName('രാജേഷ്')).toBe('രാജേഷ്');
  });

  it('splits into tokens and gives none for a blank name', () => {
    expect(nameTokens(' Ravi  Kumar ')).toEqual(['ravi', 'kumar']);
    expect(nameTokens(' - ')).toEqual([]);
  });
});

describe('damerauLevenshtein (optimal string alignment)', () => {
  it('counts insertions, deletions and substitutions', () => {
    expect(damerauLevenshtein('kitten', 'sitting')).toBe(3);
    expect(damerauLevenshtein('', 'abc')).toBe(3);
    expect(damerauLevenshtein('abc', '')).toBe(3);
    expect(damerauLevenshtein('kumar', 'kumaar')).toBe(1);
    expect(damerauLevenshtein('same', 'same')).toBe(0);
  });

  it('counts a swap of neighbours as one edit', () => {
    expect(damerauLevenshtein('ravi', 'rvai')).toBe(1);
    expect(damerauLevenshtein('ab', 'ba')).toBe(1);
  });

  it('does not edit a swapped pair again, unlike unrestricted Damerau–Levenshtein', () => {
    // CA -> AC -> ABC would be 2 with unrestricted edits; OSA needs 3.
    expect(damerauLevenshtein('ca', 'abc')).toBe(3);
  });

  it('is symmetric', () => {
    const words = ['lakshmi', 'laxmi', 'srinivas', 'sreenivas', 'ca', 'abc', ''];
    for (const a of words)
      for (const b of words) expect(damerauLevenshtein(a, b)).toBe(damerauLevenshtein(b, a));
  });

  it('counts characters outside the basic plane as one each', () => {
    expect(damerauLevenshtein('𝒜b', 'b')).toBe(1);
  });
});

describe('nameSimilarity', () => {
  it('is 1 for the same name in another case, spacing or order', () => {
    expect(nameSimilarity('Ravi Kumar', 'ravi  KUMAR')).toBe(1);
    expect(nameSimilarity('Kumar Ravi', 'Ravi Kumar')).toBe(1);
    expect(nameSimilarity('Minh Nguyễn Thị', 'Nguyen Thi Minh')).toBe(1);
  });

  it('falls with each edit relative to the longer name', () => {
    expect(nameSimilarity('Ravi Kumar', 'Ravi Kumaar')).toBeCloseTo(1 - 1 / 11, 10);
    expect(nameSimilarity('Lakshmi', 'Laxmi')).toBeCloseTo(1 - 3 / 7, 10);
  });

  it('stays within [0, 1] and is 0 when either name is blank', () => {
    expect(nameSimilarity('', '')).toBe(0);
    expect(nameSimilarity('Ravi', '  ')).toBe(0);
    expect(nameSimilarity('Ab', 'Xyzw')).toBe(0);
  });
});

describe('isLikelySameName', () => {
  it('matches a doubled letter', () => {
    expect(isLikelySameName('Ravi Kumar', 'Ravi Kumaar')).toBe(true);
  });

  it('matches the same words in swapped order, even with a typo', () => {
    expect(isLikelySameName('Kumar Ravi', 'Ravi Kumar')).toBe(true);
    expect(isLikelySameName('Kumaar Ravi', 'Ravi Kumar')).toBe(true);
  });

  it('matches with and without diacritics', () => {
    expect(isLikelySameName('Nguyen', 'Nguyễn')).toBe(true);
    expect(isLikelySameName('Nguyen Thi Minh', 'Nguyễn Thị Minh')).toBe(true);
  });

  it('matches two slips in a long name', () => {
    expect(nameSimilarity('Srinivas', 'Sreenivas')).toBeLessThan(0.8);
    expect(isLikelySameName('Srinivas', 'Sreenivas')).toBe(true);
  });

  it('matches a typo in a Malayalam name', () => {
    expect(isLikelySameName('രാജേഷ് നായർ', 'രാജേഷ് നായര്')).toBe(true);
  });

  it('does not match Lakshmi and Laxmi: ksh -> x is three edits, a spelling convention edit distance cannot see', () => {
    expect(isLikelySameName('Lakshmi', 'Laxmi')).toBe(false);
  });

  it('does not match clearly different names', () => {
    expect(isLikelySameName('Ravi Kumar', 'Anita Sharma')).toBe(false);
    expect(isLikelySameName('Suresh', 'Naresh')).toBe(false);
    expect(isLikelySameName('Ravi', 'Rani')).toBe(false);
    expect(isLikelySameName('Mohammed Ali', 'Ali Hassan')).toBe(false);
    expect(isLikelySameName('Priya', 'Divya')).toBe(false);
    expect(isLikelySameName('', '')).toBe(false);
  });
});
