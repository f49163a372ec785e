import { describe, expect, it } from 'vitest';
import type { SyncStatus } from '../../../../src-shared/types';
import { changesWaiting, clockTime, codeGroups, heldText, relativeTime, statusLine } from './syncState';

const NOW = new Date(2025, 2, 12, 14, 30).getTime();
const MIN = 60_000;

const base: SyncStatus = {
  state: 'online',
  serverUrl: 'https://sync.example.clinic',
  deviceName: 'Front desk',
  lastSyncAt: NOW - 2 * MIN,
  pending: 0,
  held: 0,
  error: null,
  initialSync: null,
};

describe('sync status in words', () => {
  it('says each state as the header shows it', () => {
    expect(statusLine({ ...base, state: 'not-configured', lastSyncAt: null }, NOW)).toBe(
      'Not connected to a server',
    );
    expect(statusLine(base, NOW)).toBe('Online · synced 2 min ago');
    expect(statusLine({ ...base, lastSyncAt: null }, NOW)).toBe('Online · not synced yet');
    expect(statusLine({ ...base, state: 'offline', pending: 14 }, NOW)).toBe('Offline · 14 changes waiting');
    expect(statusLine({ ...base, state: 'offline', pending: 1 }, NOW)).toBe('Offline · 1 change waiting');
    expect(statusLine({ ...base, state: 'offline' }, NOW)).toBe('Offline · synced 2 min ago');
    expect(statusLine({ ...base, state: 'syncing', initialSync: { applied: 1200, total: 5000 } }, NOW)).toBe(
      'Syncing… 1,200 of 5,000',
    );
    expect(statusLine({ ...base, state: 'syncing' }, NOW)).toBe('Syncing…');
    expect(statusLine({ ...base, state: 'error', error: 'The server refused this workstation.' }, NOW)).toBe(
      'Sync error: The server refused this workstation.',
    );
  });

  it('counts in Indian grouping', () => {
    expect(changesWaiting(150_000)).toBe('1,50,000 changes waiting');
  });

  it('says how many received changes are held, and why they may be', () => {
    expect(heldText(0)).toBe('None');
    expect(heldText(1)).toMatch(/^1 received change is kept until it can be applied \(a newer key version/);
    expect(heldText(12_000)).toMatch(/^12,000 received changes are kept/);
  });

  it('says how long ago in plain units, never in the future', () => {
    expect(relativeTime(NOW + 5_000, NOW)).toBe('just now');
    expect(relativeTime(NOW - 30_000, NOW)).toBe('just now');
    expect(relativeTime(NOW - 59 * MIN, NOW)).toBe('59 min ago');
    expect(relativeTime(NOW - 60 * MIN, NOW)).toBe('1 hour ago');
    expect(relativeTime(NOW - 5 * 60 * MIN, NOW)).toBe('5 hours ago');
    expect(relativeTime(NOW - 3 * 24 * 60 * MIN, NOW)).toBe('3 days ago');
  });

  it('shows a code in groups of four whatever spacing it came with', () => {
    expect(codeGroups('K7PQ-M2XD 9rta  WV3HBN')).toEqual(['K7PQ', 'M2XD', '9rta', 'WV3H', 'BN']);
  });

  it('gives an expiry as HH:MM today, with the day otherwise', () => {
    expect(clockTime(NOW + 15 * MIN, NOW)).toBe('14:45');
    expect(clockTime(NOW + 24 * 60 * MIN, NOW)).toMatch(/^13 Mar 14:30$/);
  });
});
