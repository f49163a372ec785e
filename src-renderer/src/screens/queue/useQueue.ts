import { useCallback, useEffect, useRef, useState } from 'react';
import type { QueueView } from '../../../../src-shared/types';
import { call, summaryOf } from '../../api';
import { useApp } from '../../store';

export const QUEUE_POLL_MS = 5_000;

export type QueueFilter = 'all' | 'unassigned' | string;

/**
 * Today's queue, polled so waiting times and other desks' check-ins show without a click.
 * Answers to an older request are dropped, so switching the filter never flashes stale rows.
 */
export function useQueue(filter: QueueFilter, includeFinished: boolean) {
  const [view, setView] = useState<QueueView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const latest = useRef(0);
  const reload = useCallback(async () => {
    const ticket = ++latest.current;
    const result = await call('visits.queue', { doctor: filter, includeFinished });
    if (ticket !== latest.current) return;
    if (result.ok) {
      setView(result.value);
      setError(null);
    } else {
      setError(summaryOf(result.error));
    }
  }, [filter, includeFinished]);
  useEffect(() => {
    void reload();
    const timer = window.setInterval(() => {
      // A locked session answers every call with SESSION_LOCKED; wait for the unlock.
      if (!useApp.getState().locked) void reload();
    }, QUEUE_POLL_MS);
    return () => window.clearInterval(timer);
  }, [reload]);
  return { view, error, reload };
}
