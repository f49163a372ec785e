import { describe, expect, it } from 'vitest';
import { CHANNEL_NAMES } from './channels.js';
import { CHANNELS } from './contract.js';

describe('CHANNEL_NAMES', () => {
  it('is exactly the contract’s channels, each once', () => {
    expect([...CHANNEL_NAMES].sort()).toStrictEqual([...CHANNELS].sort());
    expect(new Set(CHANNEL_NAMES).size).toBe(CHANNEL_NAMES.length);
  });
});
