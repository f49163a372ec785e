import { describe, expect, it } from 'vitest';
import { groupCode } from '../src-shared/sync-wire';
import { encodeCrockford, hashCode, isWellFormedCode, newCode, newDeviceToken, TOKEN_SHAPE } from './codes';
import { RateLimiter } from './rate-limit';
import { ClinicWatcher } from './watcher';

describe('codes and tokens', () => {
  it('encodes Crockford base-32 without I, L, O or U', () => {
    expect(encodeCrockford(new Uint8Array([0, 0, 0, 0, 0]))).toBe('00000000');
    expect(encodeCrockford(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff]))).toBe('ZZZZZZZZ');
    expect(encodeCrockford(new Uint8Array([0x08, 0x86, 0x42, 0x98, 0xe8]))).toBe('12345678');
    for (let i = 0; i < 200; i++) expect(newCode()).toMatch(/^[0-9A-HJKMNP-TV-Z]{32}$/);
  });

  it('hashes a code the same however it is typed', () => {
    const code = newCode();
    const typed = ` ${groupCode(code).toLowerCase().replace(/1/g, 'I').replace(/0/g, 'o')} `;
    expect(isWellFormedCode(typed)).toBe(true);
    expect(hashCode(typed)).toBe(hashCode(code));
    expect(hashCode(code)).toMatch(/^[0-9a-f]{64}$/);
    expect(isWellFormedCode(code.slice(1))).toBe(false);
    expect(isWellFormedCode(`U${code.slice(1)}`)).toBe(false);
  });

  it('makes 256-bit base64url device tokens', () => {
    const tokens = new Set(Array.from({ length: 100 }, newDeviceToken));
    expect(tokens.size).toBe(100);
    for (const t of tokens) expect(t).toMatch(TOKEN_SHAPE);
  });
});

describe('RateLimiter', () => {
  it('allows n per window per key and resets with the window', () => {
    let t = 0;
    const limiter = new RateLimiter(3, 60_000, () => t);
    expect([1, 2, 3, 4].map(() => limiter.take('a'))).toEqual([true, true, true, false]);
    expect(limiter.take('b')).toBe(true);
    expect(limiter.retryAfterSeconds('a')).toBe(60);
    t = 59_000;
    expect(limiter.take('a')).toBe(false);
    t = 60_000;
    expect(limiter.take('a')).toBe(true);
  });
});

describe('ClinicWatcher', () => {
  it('wakes on notify, on a polled seq, on timeout, on abort and on close', async () => {
    const seqs = new Map<string, number>();
    const watcher = new ClinicWatcher(async (ids) => new Map(ids.map((id) => [id, seqs.get(id) ?? 0])), 20);
    const byNotify = watcher.wait('a', 5, 10_000);
    watcher.notify('b', 9); // another clinic: no wake
    watcher.notify('a', 5); // not past the cursor: no wake
    expect(watcher.waiting).toBe(1);
    watcher.notify('a', 6);
    await byNotify;
    // Known to be past the cursor already: returns at once.
    await watcher.wait('a', 5, 10_000);

    const byPoll = watcher.wait('c', 0, 10_000);
    seqs.set('c', 1);
    await byPoll;

    const t0 = Date.now();
    await watcher.wait('d', 0, 50);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(45);

    const ac = new AbortController();
    const aborted = watcher.wait('d', 0, 10_000, ac.signal);
    ac.abort();
    await aborted;

    const closing = watcher.wait('d', 0, 10_000);
    watcher.close();
    await closing;
    expect(watcher.waiting).toBe(0);
  });
});
