import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  associatedData,
  DecryptionError,
  ENVELOPE_FORMAT,
  ENVELOPE_OVERHEAD,
  envelopeVersion,
} from './envelope.js';
import { generateDeviceKey, KeyRing, unwrapCdk, wrapCdk } from './keyring.js';

const place = { table: 'patients', column: 'given_name', rowId: 'row-1' };

describe('field envelope', () => {
  it('round-trips text, including scripts beyond ASCII', () => {
    const { ring } = KeyRing.generate();
    for (const value of ["O'Brien", 'Nguyễn Thị Minh', 'प्रिया', '', '<5 mg']) {
      const env = ring.sealText(place, value);
      expect(ring.openText(place, env)).toBe(value);
    }
  });

  it('has the documented layout: format byte, u16 version, nonce, ciphertext, tag', () => {
    const { ring } = KeyRing.generate();
    const env = ring.sealText(place, 'abc');
    expect(env[0]).toBe(ENVELOPE_FORMAT);
    expect(envelopeVersion(env)).toBe(1);
    expect(env.length).toBe(ENVELOPE_OVERHEAD + 3);
  });

  it('uses a fresh nonce on every write', () => {
    const { ring } = KeyRing.generate();
    const a = ring.sealText(place, 'same');
    const b = ring.sealText(place, 'same');
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
  });

  it('refuses a ciphertext copied to another row or another column', () => {
    const { ring } = KeyRing.generate();
    const env = ring.sealText(place, 'Asha');
    expect(() => ring.openText({ ...place, rowId: 'row-2' }, env)).toThrow(DecryptionError);
    expect(() => ring.openText({ ...place, column: 'family_name' }, env)).toThrow(DecryptionError);
    expect(() => ring.openText({ ...place, table: 'users' }, env)).toThrow(DecryptionError);
  });

  it('gives a typed error naming the place for any flipped byte', () => {
    const { ring } = KeyRing.generate();
    const env = ring.sealText(place, 'Asha Kumari');
    for (let i = 3; i < env.length; i++) {
      const bad = env.slice();
      bad[i]! ^= 0x01;
      let caught: unknown;
      try {
        ring.openText(place, bad);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(DecryptionError);
      expect((caught as DecryptionError).reason).toBe('authentication');
      expect((caught as DecryptionError).place).toEqual(place);
    }
  });

  it('rejects truncated envelopes and unknown formats', () => {
    const { ring } = KeyRing.generate();
    const env = ring.sealText(place, 'x');
    expect(() => ring.openText(place, env.subarray(0, 10))).toThrow(/malformed/);
    const wrongFormat = env.slice();
    wrongFormat[0] = 0x02;
    expect(() => ring.openText(place, wrongFormat)).toThrow(/unknown-format/);
  });

  it('binds the place as the UTF-8 of "kavach/v1|table|column|rowId", ASCII or not', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string({ unit: 'binary' }), (table, column, rowId) => {
        fc.pre(![table, column, rowId].some((p) => p.includes('|')));
        const expected = new TextEncoder().encode(`kavach/v1|${table}|${column}|${rowId}`);
        expect(Buffer.from(associatedData({ table, column, rowId })).equals(Buffer.from(expected))).toBe(
          true,
        );
      }),
      { numRuns: 300 },
    );
    expect(() => associatedData({ table: 'a|b', column: 'c', rowId: 'd' })).toThrow(/may not contain/);
  });

  it('verifies an envelope without opening it, refusing exactly what opening refuses', () => {
    const { ring } = KeyRing.generate();
    const env = ring.sealText(place, 'Asha Kumari');
    expect(() => ring.verifyField(place, env)).not.toThrow();
    const reason = (f: () => void) => {
      try {
        f();
      } catch (e) {
        return e instanceof DecryptionError ? e.reason : 'other';
      }
      return null;
    };
    for (let i = 0; i < env.length; i++) {
      const bad = env.slice();
      bad[i]! ^= 0x01;
      expect(reason(() => ring.verifyField(place, bad))).toBe(reason(() => ring.openText(place, bad)));
      expect(reason(() => ring.verifyField(place, bad))).not.toBeNull();
    }
    expect(reason(() => ring.verifyField({ ...place, rowId: 'row-2' }, env))).toBe('authentication');
    expect(reason(() => ring.verifyField(place, env.subarray(0, 10)))).toBe('malformed');
  });

  it('selects the key by the version in the envelope and writes with the newest', () => {
    const { ring, cdk } = KeyRing.generate();
    const old = ring.sealText(place, 'written under v1');
    const next = new Uint8Array(32).fill(7);
    ring.add(2, next);
    const fresh = ring.sealText(place, 'written under v2');
    expect(envelopeVersion(old)).toBe(1);
    expect(envelopeVersion(fresh)).toBe(2);
    expect(ring.openText(place, old)).toBe('written under v1');
    expect(ring.openText(place, fresh)).toBe('written under v2');

    const onlyV1 = new KeyRing();
    onlyV1.add(1, cdk);
    expect(() => onlyV1.openText(place, fresh)).toThrow(/unknown-key-version/);
  });

  it('wraps the clinic data key under the device key, bound to its version', () => {
    const deviceKey = generateDeviceKey();
    const { cdk } = KeyRing.generate();
    const wrapped = wrapCdk(deviceKey, 1, cdk);
    expect(Buffer.from(unwrapCdk(deviceKey, 1, wrapped)).equals(Buffer.from(cdk))).toBe(true);
    expect(() => unwrapCdk(deviceKey, 2, wrapped)).toThrow(DecryptionError);
    expect(() => unwrapCdk(generateDeviceKey(), 1, wrapped)).toThrow(DecryptionError);
  });

  it('refuses a place part containing the separator', () => {
    const { ring } = KeyRing.generate();
    expect(() => ring.sealText({ ...place, rowId: 'a|b' }, 'x')).toThrow(/may not contain/);
  });
});
