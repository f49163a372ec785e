import { describe, expect, it } from 'vitest';
import { ClockDriftError, compareHlc, formatHlc, HybridClock, parseHlc } from './hlc.js';

describe('hybrid logical clock', () => {
  it('is strictly increasing even when the wall clock stands still or steps back', () => {
    let t = 1_700_000_000_000;
    const clock = new HybridClock('nodeA', () => t);
    const seen: string[] = [];
    for (let i = 0; i < 50; i++) {
      if (i === 20) t -= 5_000;
      if (i % 7 === 0) t += 1;
      seen.push(clock.now());
    }
    for (let i = 1; i < seen.length; i++) expect(compareHlc(seen[i - 1]!, seen[i]!)).toBe(-1);
  });

  it('orders after a received clock and round-trips its string form', () => {
    const a = new HybridClock('nodeA', () => 1000);
    const remote = formatHlc({ wall: 5000, counter: 3, node: 'nodeB' });
    const merged = a.receive(remote);
    expect(compareHlc(remote, merged)).toBe(-1);
    expect(parseHlc(merged)).toEqual({ wall: 5000, counter: 4, node: 'nodeA' });
    expect(compareHlc(merged, a.now())).toBe(-1);
  });

  it('breaks ties between nodes by node id, so every replica sorts alike', () => {
    const x = formatHlc({ wall: 10, counter: 0, node: 'aaa' });
    const y = formatHlc({ wall: 10, counter: 0, node: 'bbb' });
    expect(compareHlc(x, y)).toBe(-1);
  });

  it('refuses a remote clock a day ahead instead of jumping forward', () => {
    const now = 1_700_000_000_000;
    const a = new HybridClock('nodeA', () => now);
    const before = a.now();
    const dayAhead = formatHlc({ wall: now + 86_400_000, counter: 0, node: 'nodeB' });
    expect(() => a.receive(dayAhead)).toThrow(ClockDriftError);
    expect(parseHlc(a.now()).wall).toBe(parseHlc(before).wall);
  });

  it('resumes from a persisted clock after restart without going backwards', () => {
    const a = new HybridClock('nodeA', () => 2000);
    const last = a.now();
    const restarted = new HybridClock('nodeA', () => 1000, undefined, last);
    expect(compareHlc(last, restarted.now())).toBe(-1);
  });

  it('rejects malformed clocks', () => {
    expect(() => parseHlc("1'; DROP TABLE x")).toThrow(/Malformed/);
  });
});
