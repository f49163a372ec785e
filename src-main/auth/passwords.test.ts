import { describe, expect, it } from 'vitest';
import { ARGON2_PARAMS, hashPassword, passwordProblem, verifyPassword } from './passwords.js';

describe('passwords', () => {
  it('hashes with argon2id at m >= 19 MiB, t >= 2 and verifies', async () => {
    const encoded = await hashPassword('correct horse battery');
    expect(encoded).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(ARGON2_PARAMS.m).toBeGreaterThanOrEqual(19456);
    expect(ARGON2_PARAMS.t).toBeGreaterThanOrEqual(2);
    expect(await verifyPassword('correct horse battery', encoded)).toBe(true);
    expect(await verifyPassword('correct horse batterY', encoded)).toBe(false);
  });

  it('salts every hash', async () => {
    expect(await hashPassword('same password here')).not.toBe(await hashPassword('same password here'));
  });

  it('refuses malformed stored hashes instead of throwing', async () => {
    expect(await verifyPassword('x', 'not-a-hash')).toBe(false);
  });

  it('applies the password rules', () => {
    expect(passwordProblem('short1', 'asha')).toMatch(/10 characters/);
    expect(passwordProblem('asha.kumar99', 'asha.kumar99')).toMatch(/username/);
    expect(passwordProblem('Password123', 'asha')).toMatch(/too common/);
    expect(passwordProblem('1234567890', 'asha')).toMatch(/too common/);
    expect(passwordProblem('zzzzzzzzzzzz', 'asha')).toMatch(/too common/);
    expect(passwordProblem('tulsi-monsoon-42', 'asha')).toBeNull();
    expect(passwordProblem('मेरा पासवर्ड है', 'asha')).toBeNull();
  });
});
