import { useState } from 'react';
import type { Role } from '../../../../src-shared/roles';
import { call, summaryOf } from '../../api';
import { FormAlert } from '../../components/form';
import { useDownload } from '../doctor/download';

/**
 * "Export FHIR" and "Export HL7" for one patient: the file is built in main and handed to
 * the browser as a download. FHIR (the clinical record) is for doctors and admins; the HL7
 * ADT message carries demographics only, so reception may export it too.
 */
export function ExportActions({ patientId, viewerRole }: { patientId: string; viewerRole: Role }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const download = useDownload();

  async function run(kind: 'fhir' | 'A04' | 'A08') {
    if (busy) return;
    setBusy(true);
    setError(null);
    if (kind === 'fhir') {
      const r = await call('interop.exportFhir', {
        patientId,
        visits: true,
        prescriptions: true,
        attachments: false,
      });
      if (r.ok) download.start(new Blob([r.value.json], { type: 'application/fhir+json' }), r.value.fileName);
      else setError(summaryOf(r.error));
    } else {
      const r = await call('interop.exportHl7', { patientId, event: kind });
      if (r.ok) download.start(new Blob([r.value.message], { type: 'application/hl7-v2' }), r.value.fileName);
      else setError(summaryOf(r.error));
    }
    setBusy(false);
  }

  return (
    <div className="interop-export" data-testid="interop-export">
      {viewerRole === 'doctor' || viewerRole === 'admin' ? (
        <button type="button" className="btn" disabled={busy} onClick={() => run('fhir')}>
          Export FHIR
        </button>
      ) : null}
      <button type="button" className="btn" disabled={busy} onClick={() => run('A04')}>
        Export HL7 (A04)
      </button>
      <button type="button" className="btn" disabled={busy} onClick={() => run('A08')}>
        Export HL7 (A08)
      </button>
      {download.element}
      <FormAlert message={error} />
    </div>
  );
}
