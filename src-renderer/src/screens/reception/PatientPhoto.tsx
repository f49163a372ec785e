import { type ChangeEvent, useEffect, useRef, useState } from 'react';
import { call, summaryOf } from '../../api';
import { base64ToBlob } from '../../components/blob';
import { preparePhoto } from '../../components/photo';

const BOX = { width: 120, height: 150 };

/**
 * Draws the photo on a canvas from decoded bytes. The window's CSP allows images only from
 * its own origin (no data: or blob: URLs), and decoding a Blob with createImageBitmap is
 * not a fetch, so the photo shows without widening the policy.
 */
function PhotoCanvas({ base64, mime, label }: { base64: string; mime: string; label: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let current = true;
    createImageBitmap(base64ToBlob(base64, mime))
      .then((bitmap) => {
        const canvas = ref.current;
        const ctx = canvas?.getContext('2d');
        if (!current || !canvas || !ctx) return;
        const scale = Math.min(BOX.width / bitmap.width, BOX.height / bitmap.height);
        canvas.width = Math.round(bitmap.width * scale);
        canvas.height = Math.round(bitmap.height * scale);
        ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
        bitmap.close();
      })
      .catch(() => current && setFailed(true));
    return () => {
      current = false;
    };
  }, [base64, mime]);
  if (failed) return <div className="photo-empty">Photo cannot be shown</div>;
  return <canvas ref={ref} className="photo" role="img" aria-label={label} data-testid="patient-photo" />;
}

interface PatientPhotoProps {
  patientId: string;
  name: string;
  hasPhoto: boolean;
  /** Main stored or removed the photo: reload the record. */
  onChanged: () => void;
}

export function PatientPhoto({ patientId, name, hasPhoto, onChanged }: PatientPhotoProps) {
  const [photo, setPhoto] = useState<{ base64: string; mime: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirmRemove, setConfirmRemove] = useState(false);
  const [version, setVersion] = useState(0);
  const input = useRef<HTMLInputElement>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: version reloads a replaced photo
  useEffect(() => {
    setPhoto(null);
    if (!hasPhoto) return;
    let current = true;
    void call('patients.photo', { id: patientId }).then((result) => {
      if (!current) return;
      if (result.ok) setPhoto(result.value);
      else setError(summaryOf(result.error));
    });
    return () => {
      current = false;
    };
  }, [patientId, hasPhoto, version]);

  async function store(imageBase64: string | null) {
    setBusy(true);
    const result = await call('patients.setPhoto', { id: patientId, imageBase64 });
    setBusy(false);
    setConfirmRemove(false);
    if (result.ok) {
      setVersion((v) => v + 1);
      onChanged();
    } else setError(summaryOf(result.error));
  }

  async function onFile(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    setError(null);
    const read = await preparePhoto(file);
    if ('error' in read) setError(read.error);
    else await store(read.base64);
  }

  return (
    <div className="photo-box">
      {photo ? (
        <PhotoCanvas base64={photo.base64} mime={photo.mime} label={`Photo of ${name}`} />
      ) : (
        <div className="photo-empty">{hasPhoto ? 'Loading photo…' : 'No photo'}</div>
      )}
      <input
        ref={input}
        type="file"
        accept="image/jpeg,image/png"
        className="visually-hidden"
        aria-label="Photo file"
        tabIndex={-1}
        onChange={(event) => void onFile(event)}
      />
      <div className="photo-actions">
        <button
          type="button"
          className="btn btn-small"
          onClick={() => input.current?.click()}
          disabled={busy}
        >
          {hasPhoto ? 'Replace photo' : 'Add photo'}
        </button>
        {hasPhoto && !confirmRemove ? (
          <button
            type="button"
            className="btn btn-small btn-quiet"
            onClick={() => setConfirmRemove(true)}
            disabled={busy}
          >
            Remove photo
          </button>
        ) : null}
        {confirmRemove ? (
          <button
            type="button"
            className="btn btn-small btn-confirm-remove"
            onClick={() => void store(null)}
            disabled={busy}
          >
            Confirm remove
          </button>
        ) : null}
      </div>
      {error ? (
        <p role="alert" className="field-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}
