import { useEffect } from 'react';
import { create } from 'zustand';
import type { SyncStatus } from '../../../../src-shared/types';
import { call, summaryOf } from '../../api';
import { useApp } from '../../store';

/** How often the header asks main for the sync status; faster while a pass is running. */
export const SYNC_POLL_MS = 10_000;
export const SYNC_POLL_BUSY_MS = 2_000;

interface SyncView {
  status: SyncStatus | null;
  /** Why the last status request failed, in words; null when it succeeded. */
  problem: string | null;
}

/** One status for the whole window, so the header and the Sync page never disagree. */
export const useSync = create<SyncView>(() => ({ status: null, problem: null }));

let latest = 0;

export async function refreshSync(): Promise<void> {
  const ticket = ++latest;
  const result = await call('sync.status', {});
  // An answer to an older request must not overwrite a newer one (e.g. from "Sync now").
  if (ticket !== latest) return;
  if (result.ok) useSync.setState({ status: result.value, problem: null });
  else useSync.setState({ problem: summaryOf(result.error) });
}

/** A status main returned from an action (sync.now, sync.connect) replaces the polled one. */
export function applySyncStatus(status: SyncStatus): void {
  latest++;
  useSync.setState({ status, problem: null });
}

/** Polls sync.status while mounted; skipped while the session is idle-locked. */
export function useSyncPolling(): void {
  const busy = useSync((s) => s.status?.state === 'syncing');
  useEffect(() => {
    void refreshSync();
  }, []);
  useEffect(() => {
    const timer = window.setInterval(
      () => {
        // A locked session answers every call with SESSION_LOCKED; wait for the unlock.
        if (!useApp.getState().locked) void refreshSync();
      },
      busy ? SYNC_POLL_BUSY_MS : SYNC_POLL_MS,
    );
    return () => window.clearInterval(timer);
  }, [busy]);
}

// --- Words ---

const count = (n: number) => n.toLocaleString('en-IN');

export function changesWaiting(n: number): string {
  return n === 1 ? '1 change waiting' : `${count(n)} changes waiting`;
}

/** Received changes kept, not applied yet (a clock far ahead, a key or a newer version awaited). */
export function heldText(n: number): string {
  if (n === 0) return 'None';
  const what = n === 1 ? '1 received change is' : `${count(n)} received changes are`;
  return `${what} kept until it can be applied (a newer key version or Kavach version, or clocks that agree)`;
}

/** "just now", "2 min ago", "3 hours ago", "4 days ago". */
export function relativeTime(ms: number, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - ms) / 1000));
  if (seconds < 45) return 'just now';
  const minutes = Math.max(1, Math.round(seconds / 60));
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return hours === 1 ? '1 hour ago' : `${hours} hours ago`;
  const days = Math.round(hours / 24);
  return days === 1 ? '1 day ago' : `${days} days ago`;
}

/** "1,200 of 5,000". */
export function progressCounts(progress: NonNullable<SyncStatus['initialSync']>): string {
  return `${count(progress.applied)} of ${count(progress.total)}`;
}

/** "Syncing… 1,200 of 5,000", or plain "Syncing…" outside a first sync. */
export function progressText(progress: SyncStatus['initialSync']): string {
  return progress ? `Syncing… ${progressCounts(progress)}` : 'Syncing…';
}

/** The one-line status the header shows. */
export function statusLine(status: SyncStatus, now = Date.now()): string {
  const synced =
    status.lastSyncAt === null ? 'not synced yet' : `synced ${relativeTime(status.lastSyncAt, now)}`;
  switch (status.state) {
    case 'not-configured':
      return 'Not connected to a server';
    case 'syncing':
      return progressText(status.initialSync);
    case 'online':
      return status.pending > 0 ? `Online · ${changesWaiting(status.pending)}` : `Online · ${synced}`;
    case 'offline':
      return status.pending > 0 ? `Offline · ${changesWaiting(status.pending)}` : `Offline · ${synced}`;
    case 'error':
      return `Sync error: ${status.error ?? 'the last sync did not finish'}`;
  }
}

/** "2 min ago (12 Mar 2025, 2:05 pm)" or "Never". */
export function whenText(ms: number | null, never = 'Never'): string {
  if (ms === null) return never;
  const absolute = new Date(ms).toLocaleString('en-IN', { dateStyle: 'medium', timeStyle: 'short' });
  return `${relativeTime(ms)} (${absolute})`;
}

/** "14:30", with the day in front when it is not today. */
export function clockTime(ms: number, now = Date.now()): string {
  const date = new Date(ms);
  const time = date.toLocaleTimeString('en-IN', { hour: '2-digit', minute: '2-digit', hour12: false });
  if (date.toDateString() === new Date(now).toDateString()) return time;
  return `${date.toLocaleDateString('en-IN', { day: 'numeric', month: 'short' })} ${time}`;
}

/** A code as groups of four, whatever spacing or dashes it came with. */
export function codeGroups(code: string): string[] {
  return code.replace(/[\s-]/g, '').match(/.{1,4}/g) ?? [];
}
