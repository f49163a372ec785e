import { describe, expect, it } from 'vitest';
import { BLIND_INDEX_BYTES, blindIndex, foldName, nameTokens, phoneToken } from './blind-index.js';
import { KeyRing } from './keyring.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('blind index', () => {
  it('folds case and diacritics', () => {
    expect(foldName('Nguyễn Thị MINH')).toBe('nguyen thi minh');
    expect(nameTokens("Mary-Anne O'Brien")).toEqual(['mary', 'anne', 'o', 'brien']);
    expect(nameTokens('प्रिया शर्मा')).toHaveLength(2);
  });

  it('reduces phones to their last ten digits', () => {
    expect(phoneToken('+91 98765 43210')).toBe('9876543210');
    expect(phoneToken('09876543210')).toBe('9876543210');
    expect(phoneToken('12')).toBeNull();
  });

  it('is deterministic per key, differs across keys and kinds, and is truncated', () => {
    const a = KeyRing.generate().ring.blindIndexKey();
    const b = KeyRing.generate().ring.blindIndexKey();
    const t1 = blindIndex(a, 'name', 'asha');
    expect(t1).toHaveLength(BLIND_INDEX_BYTES);
    expect(hex(blindIndex(a, 'name', 'asha'))).toBe(hex(t1));
    expect(hex(blindIndex(b, 'name', 'asha'))).not.toBe(hex(t1));
    expect(hex(blindIndex(a, 'phone', 'asha'))).not.toBe(hex(t1));
  });
});
