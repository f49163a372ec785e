import { type ChangeEvent, useRef, useState } from 'react';
import { ATTACHMENT_PIECE_BYTES, type AttachmentInfo } from '../../../../src-shared/clinical/chart';
import { call, summaryOf } from '../../api';
import { bytesToBase64 } from '../../components/blob';
import { formatTime } from '../../components/format';
import { AttachmentPreview } from './AttachmentPreview';
import { readAttachment } from './attachmentRead';
import { formatBytes, useDownload } from './download';

const MAX_BYTES = 25 * 1024 * 1024;

async function upload(file: File, patientId: string, visitId: string, onProgress: (text: string) => void) {
  const begun = await call('attachments.begin', { patientId, visitId, name: file.name, bytes: file.size });
  if (!begun.ok) return { error: summaryOf(begun.error) };
  const pieces = Math.ceil(file.size / ATTACHMENT_PIECE_BYTES);
  for (let index = 0; index < pieces; index++) {
    onProgress(`Uploading ${file.name}: ${index + 1} of ${pieces}…`);
    const slice = file.slice(index * ATTACHMENT_PIECE_BYTES, (index + 1) * ATTACHMENT_PIECE_BYTES);
    const base64 = bytesToBase64(new Uint8Array(await slice.arrayBuffer()));
    const sent = await call('attachments.upload', { uploadId: begun.value.uploadId, index, base64 });
    if (!sent.ok) return { error: summaryOf(sent.error) };
  }
  const done = await call('attachments.finish', { uploadId: begun.value.uploadId });
  return done.ok ? { info: done.value } : { error: summaryOf(done.error) };
}

interface AttachmentsProps {
  patientId: string;
  visitId: string;
  attachments: AttachmentInfo[];
  onUploaded: () => void;
}

/** Lab reports, images and PDFs in the chart: upload, preview and download. */
export function Attachments({ patientId, visitId, attachments, onUploaded }: AttachmentsProps) {
  const input = useRef<HTMLInputElement>(null);
  const [status, setStatus] = useState<string>('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [preview, setPreview] = useState<AttachmentInfo | null>(null);
  const download = useDownload();

  async function onFile(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    setError(null);
    if (file.size === 0 || file.size > MAX_BYTES) {
      setError('Choose a PDF, PNG or JPEG file of up to 25 MB.');
      return;
    }
    setBusy(true);
    const result = await upload(file, patientId, visitId, setStatus);
    setBusy(false);
    if ('error' in result) {
      setStatus('');
      setError(result.error ?? 'The upload failed.');
      return;
    }
    setStatus(`${result.info.name} was added.`);
    onUploaded();
  }

  async function save(info: AttachmentInfo) {
    setError(null);
    setStatus(`Preparing ${info.name}…`);
    const read = await readAttachment(info.id);
    if ('error' in read) {
      setStatus('');
      setError(read.error);
      return;
    }
    setStatus('');
    download.start(read.blob, info.name);
  }

  return (
    <section className="card doctor-card" aria-labelledby="attachments-title">
      <div className="card-head">
        <h2 id="attachments-title">Attachments</h2>
        <button
          type="button"
          className="btn btn-small"
          onClick={() => input.current?.click()}
          disabled={busy}
        >
          Upload file
        </button>
      </div>
      <input
        ref={input}
        type="file"
        accept="application/pdf,image/png,image/jpeg"
        className="visually-hidden"
        aria-label="Attachment file"
        tabIndex={-1}
        onChange={(event) => void onFile(event)}
      />
      <p className="status-line small" role="status" data-testid="attachment-status">
        {status}
      </p>
      {error ? (
        <p role="alert" className="field-error">
          {error}
        </p>
      ) : null}
      {attachments.length === 0 ? <p className="muted small">No attachments.</p> : null}
      <ul className="chart-list" data-testid="attachments">
        {attachments.map((a) => (
          <li key={a.id}>
            <span>
              <strong>{a.name}</strong>
              <span className="muted">
                {' '}
                · {formatBytes(a.bytes)} · {formatTime(a.uploadedAt)}
              </span>
            </span>
            <span className="row-actions">
              <button type="button" className="btn btn-small" onClick={() => setPreview(a)}>
                Preview<span className="visually-hidden"> {a.name}</span>
              </button>
              <button type="button" className="btn btn-small" onClick={() => void save(a)}>
                Download<span className="visually-hidden"> {a.name}</span>
              </button>
            </span>
          </li>
        ))}
      </ul>
      {download.element}
      {preview ? (
        <AttachmentPreview
          key={preview.id}
          info={preview}
          onDownload={() => void save(preview)}
          onClose={() => setPreview(null)}
        />
      ) : null}
    </section>
  );
}
