import { useEffect, useRef, useState } from 'react';
import type { AttachmentInfo } from '../../../../src-shared/clinical/chart';
import { readAttachment } from './attachmentRead';
import { formatBytes } from './download';

const MAX_SIDE = 640;

/**
 * Images are decoded and drawn on a canvas: the CSP allows no data: or blob: images, and
 * createImageBitmap is not a fetch. PDFs are not rendered here: name, size and a download.
 */
function ImageCanvas({ info }: { info: AttachmentInfo }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const [state, setState] = useState<'loading' | 'shown' | string>('loading');
  useEffect(() => {
    let live = true;
    void (async () => {
      const read = await readAttachment(info.id);
      if (!live) return;
      if ('error' in read) {
        setState(read.error);
        return;
      }
      try {
        const bitmap = await createImageBitmap(read.blob);
        const canvas = ref.current;
        const ctx = canvas?.getContext('2d');
        if (!live || !canvas || !ctx) return;
        const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
        canvas.width = Math.max(1, Math.round(bitmap.width * scale));
        canvas.height = Math.max(1, Math.round(bitmap.height * scale));
        ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
        bitmap.close();
        setState('shown');
      } catch {
        if (live) setState('This image cannot be shown.');
      }
    })();
    return () => {
      live = false;
    };
  }, [info.id]);
  return (
    <>
      {state === 'loading' ? <p className="muted small">Loading {info.name}…</p> : null}
      {state !== 'loading' && state !== 'shown' ? (
        <p role="alert" className="field-error">
          {state}
        </p>
      ) : null}
      <canvas
        ref={ref}
        className="attachment-canvas"
        role="img"
        aria-label={`Preview of ${info.name}`}
        data-testid="attachment-canvas"
        hidden={state !== 'shown'}
      />
    </>
  );
}

interface AttachmentPreviewProps {
  info: AttachmentInfo;
  onDownload: () => void;
  onClose: () => void;
}

export function AttachmentPreview({ info, onDownload, onClose }: AttachmentPreviewProps) {
  return (
    <div className="attachment-preview" data-testid="attachment-preview">
      <div className="card-head">
        <h3>{info.name}</h3>
        <button type="button" className="btn btn-small btn-quiet" onClick={onClose}>
          Close preview
        </button>
      </div>
      {info.mime === 'application/pdf' ? (
        <p>
          PDF document, {formatBytes(info.bytes)}.{' '}
          <button type="button" className="btn btn-small" onClick={onDownload}>
            Download PDF
          </button>
        </p>
      ) : (
        <ImageCanvas info={info} />
      )}
    </div>
  );
}
