import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { groupCode } from '../../src-shared/sync-wire.js';
import { DecryptionError } from '../crypto/envelope.js';
import {
  codeHash,
  ENROLL_ARGON2,
  encodeCrockford,
  enrollmentKey,
  newEnrollmentCode,
  unwrapRing,
  wrapRing,
} from './enrollment.js';

describe('enrollment codes and the wrapped key ring', () => {
  it('makes 160-bit codes in Crockford base-32, hashed alike however they are typed', () => {
    const codes = new Set(Array.from({ length: 200 }, () => newEnrollmentCode()));
    expect(codes.size).toBe(200);
    for (const code of codes) expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{32}$/);
    const code = [...codes][0]!;
    const typed = groupCode(code).toLowerCase().replace(/0/g, 'o').replace(/1/g, 'l');
    expect(codeHash(typed)).toBe(codeHash(code));
    expect(codeHash(code)).toMatch(/^[0-9a-f]{64}$/);
    expect(encodeCrockford(new Uint8Array([0xff, 0x00]))).toBe('ZW00');
  });

  it('derives the wrapping key with argon2id at or above the password floor', () => {
    expect(ENROLL_ARGON2.m).toBeGreaterThanOrEqual(19_456);
    expect(ENROLL_ARGON2.t).toBeGreaterThanOrEqual(2);
  });

  it('wraps every key version and opens only with the same code and clinic', async () => {
    const clinic = randomUUID();
    const code = newEnrollmentCode();
    const ring = [
      { version: 1, cdk: new Uint8Array(randomBytes(32)) },
      { version: 2, cdk: new Uint8Array(randomBytes(32)) },
    ];
    const wrapped = wrapRing(await enrollmentKey(code, clinic), clinic, ring);
    expect(unwrapRing(await enrollmentKey(groupCode(code).toLowerCase(), clinic), clinic, wrapped)).toEqual(
      ring,
    );
    expect(() => unwrapRing(new Uint8Array(32), clinic, wrapped)).toThrow(DecryptionError);
    const key = await enrollmentKey(code, clinic);
    expect(() => unwrapRing(key, randomUUID(), wrapped)).toThrow(DecryptionError);
    const other = await enrollmentKey(newEnrollmentCode(), clinic);
    expect(() => unwrapRing(other, clinic, wrapped)).toThrow(DecryptionError);
    // The ring's bytes never appear in the wrapped form.
    const raw = Buffer.from(wrapped, 'base64');
    for (const k of ring) expect(raw.includes(Buffer.from(k.cdk))).toBe(false);
  });
});
