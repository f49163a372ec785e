import { useEffect, useRef, useState } from 'react';
import { call, summaryOf } from '../../api';
import { base64ToBlob } from '../../components/blob';

interface Slip {
  url: string;
  fileName: string;
}

/**
 * Fetches the registration slip PDF and hands it to the browser as a download. The desktop
 * window may not open new windows, so a download link (clicked once for the user, kept on
 * screen to save it again) works the same there and in the browser preview.
 */
export function SlipLink({ patientId, visitId }: { patientId: string; visitId: string | null }) {
  const [slip, setSlip] = useState<Slip | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const link = useRef<HTMLAnchorElement>(null);
  const fresh = useRef(false);

  useEffect(() => {
    if (slip && fresh.current) {
      fresh.current = false;
      link.current?.click();
    }
    return () => {
      if (slip) URL.revokeObjectURL(slip.url);
    };
  }, [slip]);

  async function make() {
    setBusy(true);
    setError(null);
    const result = await call('patients.slip', { id: patientId, visitId });
    setBusy(false);
    if (!result.ok) {
      setError(summaryOf(result.error));
      return;
    }
    const blob = base64ToBlob(result.value.base64, result.value.mime);
    fresh.current = true;
    setSlip({ url: URL.createObjectURL(blob), fileName: result.value.fileName });
  }

  return (
    <span className="slip">
      <button type="button" className="btn" onClick={() => void make()} disabled={busy}>
        {busy ? 'Preparing slip…' : 'Print registration slip'}
      </button>
      {slip ? (
        <a ref={link} href={slip.url} download={slip.fileName} className="slip-link" data-testid="slip-link">
          Save {slip.fileName}
        </a>
      ) : null}
      {error ? (
        <span role="alert" className="field-error">
          {error}
        </span>
      ) : null}
    </span>
  );
}
