import { useCallback, useEffect, useState } from 'react';
import type { DoctorOption } from '../../../../src-shared/types';
import { call, summaryOf } from '../../api';
import { useApp } from '../../store';

/** Active doctors from main, loaded once per screen. */
export function useDoctors() {
  const [doctors, setDoctors] = useState<DoctorOption[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(async () => {
    const result = await call('doctors.list', {});
    if (result.ok) {
      setDoctors(result.value);
      setError(null);
    } else {
      setError(summaryOf(result.error));
    }
  }, []);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { doctors, error, reload };
}

/**
 * The logged-in doctor's own entry, matched by display name: the renderer is never told
 * its user id. Null when the user is not a doctor or the name is shared by two doctors.
 */
export function useOwnDoctorId(doctors: readonly DoctorOption[] | null): string | null {
  const user = useApp((s) => s.user);
  if (!doctors || user?.role !== 'doctor') return null;
  const mine = doctors.filter((d) => d.displayName === user.displayName);
  return mine.length === 1 ? (mine[0]?.id ?? null) : null;
}

export function doctorLabel(doctor: DoctorOption): string {
  const department = doctor.department ? ` — ${doctor.department}` : '';
  return `${doctor.displayName}${department}${doctor.onLeaveToday ? ' (on leave today)' : ''}`;
}
