import { useEffect, useState } from 'react';
import type { PatientBalance } from '../../../../src-shared/billing';
import { call, summaryOf } from '../../api';

/** The patient's outstanding balance over all their issued invoices (reception and doctor). */
export function useBalance(patientId: string | null, version: number) {
  const [balance, setBalance] = useState<PatientBalance | null>(null);
  const [error, setError] = useState<string | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: version reloads after a payment on purpose
  useEffect(() => {
    if (patientId === null) return;
    let current = true;
    void call('billing.balance', { patientId }).then((r) => {
      if (!current) return;
      if (r.ok) {
        setBalance(r.value);
        setError(null);
      } else setError(summaryOf(r.error));
    });
    return () => {
      current = false;
    };
  }, [patientId, version]);
  return { balance, error };
}
