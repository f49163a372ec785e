import { useEffect, useState } from 'react';
import { call, summaryOf } from '../../api';

const SHOW_SECONDS = 30;

function grouped(digits: string): string {
  return digits.replace(/\D/g, '').replace(/(\d{4})(?=\d)/g, '$1 ');
}

/**
 * The masked Aadhaar, and on request the full number for half a minute. Every reveal is a
 * separate audited call to main; the number is dropped from memory when it is masked again.
 */
export function NationalIdReveal({ patientId, masked }: { patientId: string; masked: string }) {
  const [full, setFull] = useState<string | null>(null);
  const [left, setLeft] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (full === null) return;
    const tick = window.setInterval(() => setLeft((n) => Math.max(0, n - 1)), 1000);
    const hide = window.setTimeout(() => setFull(null), SHOW_SECONDS * 1000);
    return () => {
      window.clearInterval(tick);
      window.clearTimeout(hide);
    };
  }, [full]);

  async function reveal() {
    setBusy(true);
    setError(null);
    const result = await call('patients.revealNationalId', { id: patientId });
    setBusy(false);
    if (!result.ok) {
      setError(summaryOf(result.error));
      return;
    }
    setFull(grouped(result.value.nationalId));
    setLeft(SHOW_SECONDS);
  }

  if (!masked) return <span className="muted">No Aadhaar recorded</span>;
  return (
    <span className="reveal">
      <span className="mono" data-testid="aadhaar-value">
        {full ?? masked}
      </span>
      {full ? (
        <>
          <span className="muted reveal-left" aria-live="polite">
            hides in {left} s
          </span>
          <button type="button" className="btn btn-small btn-quiet" onClick={() => setFull(null)}>
            Hide Aadhaar
          </button>
        </>
      ) : (
        <button type="button" className="btn btn-small" onClick={() => void reveal()} disabled={busy}>
          Reveal Aadhaar
        </button>
      )}
      {error ? (
        <span role="alert" className="field-error">
          {error}
        </span>
      ) : null}
    </span>
  );
}
