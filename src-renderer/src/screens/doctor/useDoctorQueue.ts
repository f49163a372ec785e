import { useCallback, useEffect, useRef, useState } from 'react';
import type { QueueView } from '../../../../src-shared/types';
import { call, summaryOf } from '../../api';
import { useApp } from '../../store';
import { notifyNewPatient } from './notify';

export const DOCTOR_QUEUE_POLL_MS = 3_000;

/**
 * The doctor's own and unassigned visits today, polled. Visits that appear after the first
 * answer raise a desktop notification with the token only.
 */
export function useDoctorQueue(active: boolean) {
  const [view, setView] = useState<QueueView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const known = useRef<Set<string> | null>(null);
  const latest = useRef(0);
  const reload = useCallback(async () => {
    const ticket = ++latest.current;
    const result = await call('visits.queue', { doctor: 'mine', includeFinished: false });
    if (ticket !== latest.current) return;
    if (!result.ok) {
      setError(summaryOf(result.error));
      return;
    }
    setError(null);
    setView(result.value);
    const seen = known.current;
    if (seen) {
      for (const visit of result.value.visits) {
        if (!seen.has(visit.id) && visit.status === 'waiting') notifyNewPatient(visit.token);
      }
    }
    known.current = new Set([...(seen ?? []), ...result.value.visits.map((v) => v.id)]);
  }, []);
  useEffect(() => {
    void reload();
    const timer = window.setInterval(() => {
      if (!useApp.getState().locked) void reload();
    }, DOCTOR_QUEUE_POLL_MS);
    return () => window.clearInterval(timer);
  }, [reload]);
  // Reload at once when the doctor comes back to the queue.
  useEffect(() => {
    if (active) void reload();
  }, [active, reload]);
  return { view, error, reload };
}
