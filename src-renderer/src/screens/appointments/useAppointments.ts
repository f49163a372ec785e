import { useCallback, useEffect, useRef, useState } from 'react';
import type { Appointment } from '../../../../src-shared/types';
import { call, summaryOf } from '../../api';
import { useApp } from '../../store';
import { isIsoDate } from '../schedule/dates';

// Bookings from other desks arrive through sync; a slow poll keeps double bookings visible.
const POLL_MS = 15_000;

export function useAppointments(doctor: 'all' | string, from: string, days: number) {
  const [appointments, setAppointments] = useState<Appointment[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const latest = useRef(0);
  const reload = useCallback(async () => {
    if (!isIsoDate(from)) return;
    const ticket = ++latest.current;
    const result = await call('appointments.list', { doctor, from, days });
    if (ticket !== latest.current) return;
    if (result.ok) {
      setAppointments(result.value);
      setError(null);
    } else {
      setError(summaryOf(result.error));
    }
  }, [doctor, from, days]);
  useEffect(() => {
    void reload();
    const timer = window.setInterval(() => {
      if (!useApp.getState().locked) void reload();
    }, POLL_MS);
    return () => window.clearInterval(timer);
  }, [reload]);
  return { appointments, error, reload };
}
