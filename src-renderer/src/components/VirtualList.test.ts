import { describe, expect, it } from 'vitest';
import { scrollToShow, visibleRange } from './VirtualList';

describe('visibleRange', () => {
  it('renders only the rows in view plus a few either side', () => {
    expect(visibleRange(0, 420, 60, 10_000)).toEqual([0, 11]);
    expect(visibleRange(6000, 420, 60, 10_000)).toEqual([96, 111]);
  });

  it('stays inside the list at both ends', () => {
    expect(visibleRange(0, 120, 60, 2)).toEqual([0, 2]);
    expect(visibleRange(0, 0, 60, 0)).toEqual([0, 0]);
    expect(visibleRange(599_580, 420, 60, 10_000)).toEqual([9989, 10_000]);
  });

  it('never returns an inverted range when scrolled past a list that shrank', () => {
    const [first, last] = visibleRange(6000, 420, 60, 3);
    expect(last).toBeGreaterThanOrEqual(first);
  });
});

describe('scrollToShow', () => {
  it('leaves the scroll alone when the row is already in view', () => {
    expect(scrollToShow(3, 60, 0, 420)).toBe(0);
  });

  it('scrolls down just enough to show a row below the viewport', () => {
    expect(scrollToShow(7, 60, 0, 420)).toBe(60);
  });

  it('scrolls up to a row above the viewport', () => {
    expect(scrollToShow(2, 60, 600, 420)).toBe(120);
  });
});
