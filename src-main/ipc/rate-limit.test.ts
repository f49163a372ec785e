import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limit.js';

describe('rate limiter', () => {
  it('allows perMinute calls, refuses the next, and refills over time', () => {
    let t = 0;
    const rl = new RateLimiter(() => t);
    for (let i = 0; i < 10; i++) expect(rl.take('k', 10)).toBe(true);
    expect(rl.take('k', 10)).toBe(false);
    expect(rl.take('other', 10)).toBe(true);
    t += 6_000;
    expect(rl.take('k', 10)).toBe(true);
    expect(rl.take('k', 10)).toBe(false);
  });
});
