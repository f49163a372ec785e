import { useState } from 'react';
import type { Prescription } from '../../../../src-shared/clinical/chart';
import { call, summaryOf } from '../../api';
import { base64ToBlob } from '../../components/blob';
import { formatTime } from '../../components/format';
import { useDownload } from './download';

/** The first 12 hex digits, grouped, enough to compare with the printed QR text. */
export function shortDigest(digest: string): string {
  return (digest.slice(0, 12).match(/.{1,4}/g) ?? []).join(' ');
}

export function ItemLines({ prescription }: { prescription: Prescription }) {
  return (
    <ol className="rx-lines">
      {prescription.items.map((item, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a signed prescription's items never move
        <li key={i}>
          <strong>{item.name}</strong> {[item.form, item.strength].filter(Boolean).join(' ')} — {item.dose},{' '}
          {item.route}, {item.frequency}
          {item.durationDays !== null ? `, ${item.durationDays} days` : ''}
          {item.quantity ? ` (${item.quantity})` : ''}
          {item.instructions ? `, ${item.instructions}` : ''}
        </li>
      ))}
    </ol>
  );
}

interface SignedPrescriptionProps {
  prescription: Prescription;
  onEdit: () => void;
}

/** A signed prescription: what was signed, its digest, a printable PDF and a new version. */
export function SignedPrescription({ prescription, onEdit }: SignedPrescriptionProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const download = useDownload();

  async function print() {
    setBusy(true);
    setError(null);
    const result = await call('prescriptions.pdf', { id: prescription.id });
    setBusy(false);
    if (!result.ok) setError(summaryOf(result.error));
    else download.start(base64ToBlob(result.value.base64, result.value.mime), result.value.fileName);
  }

  return (
    <div className="signed-rx" data-testid="signed-prescription">
      <p className="alert alert-success">
        <strong data-testid="rx-version">Version {prescription.version}</strong> signed by{' '}
        {prescription.doctorName} on {formatTime(prescription.signedAt)}
      </p>
      <p className="small">
        Digest{' '}
        <span className="mono" title={prescription.digest} data-testid="rx-digest">
          {shortDigest(prescription.digest)}
        </span>
      </p>
      <ItemLines prescription={prescription} />
      {prescription.overrides.length > 0 ? (
        <ul className="small">
          {prescription.overrides.map((o) => (
            <li key={o.itemIndex}>
              Allergy override for {o.itemName} ({o.allergy}): {o.reason}
            </li>
          ))}
        </ul>
      ) : null}
      <div className="actions">
        <button type="button" className="btn" onClick={() => void print()} disabled={busy}>
          {busy ? 'Preparing PDF…' : 'Print PDF'}
        </button>
        <button type="button" className="btn" onClick={onEdit}>
          Edit (new version)
        </button>
        {download.element}
      </div>
      {error ? (
        <p role="alert" className="field-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}
