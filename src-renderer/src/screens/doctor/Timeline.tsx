import type { TimelineEntry } from '../../../../src-shared/clinical/chart';
import { formatDay } from '../../components/format';
import { VISIT_STATUS_LABELS } from '../queue/labels';
import { ItemLines, shortDigest } from './SignedPrescription';

/** Past visits, newest first, with what was found and what was prescribed. */
export function Timeline({ entries }: { entries: TimelineEntry[] }) {
  const sorted = [...entries].sort((a, b) => b.day.localeCompare(a.day));
  return (
    <section className="card doctor-card" aria-labelledby="timeline-title">
      <h2 id="timeline-title">Past visits</h2>
      {sorted.length === 0 ? <p className="muted small">No earlier visits.</p> : null}
      <ol className="timeline" data-testid="timeline">
        {sorted.map((entry) => {
          const c = entry.consultation;
          return (
            <li key={entry.visitId} className="timeline-entry">
              <p>
                <strong>{formatDay(entry.day)}</strong> · {VISIT_STATUS_LABELS[entry.status]}
                {entry.doctorName ? ` · ${entry.doctorName}` : ''}
                {entry.reason ? <span className="muted"> · {entry.reason}</span> : null}
              </p>
              {c ? (
                <dl className="facts facts-stacked">
                  {c.diagnosis ? (
                    <div>
                      <dt>Diagnosis</dt>
                      <dd>
                        {c.diagnosis}
                        {c.icd10 ? <span className="mono"> ({c.icd10})</span> : null}
                      </dd>
                    </div>
                  ) : null}
                  {c.complaints ? (
                    <div>
                      <dt>Complaints</dt>
                      <dd className="pre">{c.complaints}</dd>
                    </div>
                  ) : null}
                  {c.advice ? (
                    <div>
                      <dt>Advice</dt>
                      <dd className="pre">{c.advice}</dd>
                    </div>
                  ) : null}
                </dl>
              ) : (
                <p className="muted small">No consultation notes.</p>
              )}
              {entry.prescriptions.map((p) => (
                <div key={p.id} className="timeline-rx">
                  <p className="small">
                    Prescription version {p.version}
                    {p.supersededBy ? ' (replaced)' : ''} · digest{' '}
                    <span className="mono">{shortDigest(p.digest)}</span>
                  </p>
                  <ItemLines prescription={p} />
                </div>
              ))}
            </li>
          );
        })}
      </ol>
    </section>
  );
}
