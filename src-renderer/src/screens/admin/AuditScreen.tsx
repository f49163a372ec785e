import { useCallback, useEffect, useState } from 'react';
import type { AuditChainResult, AuditRow } from '../../../../src-shared/audit';
import { call, summaryOf } from '../../api';
import { base64ToBlob } from '../../components/blob';
import { type FieldErrors, FormAlert } from '../../components/form';
import { formatTime } from '../../components/format';
import { useDownload } from '../doctor/download';
import { detailText, ShortId } from './AuditDetail';
import { AuditFilters, type AuditFilterValues, NO_FILTERS } from './AuditFilters';

const PAGE_SIZE = 50;

function query(f: AuditFilterValues) {
  return {
    userId: f.userId,
    patientId: f.patient?.id ?? null,
    action: f.action,
    from: f.from === '' ? null : f.from,
    to: f.to === '' ? null : f.to,
  };
}

function ChainVerdict({ result }: { result: AuditChainResult }) {
  const b = result.firstBroken;
  if (result.ok || !b) {
    return (
      <div className="alert alert-success" role="status" data-testid="chain-result">
        Chain verified: {result.checked} {result.checked === 1 ? 'event' : 'events'}.
      </div>
    );
  }
  const when = b.at !== undefined ? formatTime(b.at) : 'unknown time';
  return (
    <div className="alert alert-error" role="alert" data-testid="chain-result">
      Broken at event #{b.seq} ({when}, {b.action ?? 'unknown action'}): {b.reason}. {result.checked} events
      before it are intact.
    </div>
  );
}

function AuditTable({ rows }: { rows: AuditRow[] }) {
  return (
    <div className="card table-card">
      <table className="table" aria-label="Audit events" data-testid="audit-table">
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Time</th>
            <th scope="col">User</th>
            <th scope="col">Action</th>
            <th scope="col">Outcome</th>
            <th scope="col">Subject</th>
            <th scope="col">Detail</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.seq} data-testid="audit-row">
              <td className="mono">{r.seq}</td>
              <td>{formatTime(r.at)}</td>
              <td>
                {r.userName ?? (r.userId ? <ShortId id={r.userId} /> : <span className="muted">—</span>)}
              </td>
              <td className="mono" data-testid="audit-action">
                {r.action}
              </td>
              <td>{r.outcome}</td>
              <td>
                {r.subjectType ? (
                  <>
                    {r.subjectType} <ShortId id={r.subjectId} />
                  </>
                ) : (
                  <span className="muted">—</span>
                )}
              </td>
              <td className="audit-detail">{detailText(r.detail)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Admin: the audit trail with filters, paging, chain verification and CSV export. */
export function AuditScreen() {
  const [filters, setFilters] = useState<AuditFilterValues>(NO_FILTERS);
  // Cursors of the pages before the current one, to step back to newer events.
  const [cursors, setCursors] = useState<(number | null)[]>([null]);
  const [rows, setRows] = useState<AuditRow[] | null>(null);
  const [next, setNext] = useState<number | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<string | null>(null);
  const [verdict, setVerdict] = useState<AuditChainResult | null>(null);
  const [busy, setBusy] = useState<'verify' | 'export' | null>(null);
  const download = useDownload();

  const load = useCallback(async (f: AuditFilterValues, cursor: number | null) => {
    const r = await call('audit.list', { ...query(f), cursor, limit: PAGE_SIZE });
    if (r.ok) {
      setRows(r.value.rows);
      setNext(r.value.nextCursor);
      setErrors({});
      setError(null);
    } else {
      setErrors(r.error.fields ?? {});
      setError(summaryOf(r.error));
    }
  }, []);

  useEffect(() => {
    void load(NO_FILTERS, null);
  }, [load]);

  function apply(f: AuditFilterValues) {
    setFilters(f);
    setCursors([null]);
    void load(f, null);
  }

  function older() {
    if (next === null) return;
    setCursors((c) => [...c, next]);
    void load(filters, next);
  }

  function newer() {
    const back = cursors.slice(0, -1);
    setCursors(back.length ? back : [null]);
    void load(filters, back.at(-1) ?? null);
  }

  async function verify() {
    setBusy('verify');
    setVerdict(null);
    const r = await call('audit.verify', {});
    setBusy(null);
    if (r.ok) setVerdict(r.value);
    else setError(summaryOf(r.error));
  }

  async function exportCsv() {
    setBusy('export');
    const r = await call('audit.exportCsv', query(filters));
    setBusy(null);
    if (r.ok) download.start(base64ToBlob(r.value.base64, r.value.mime), r.value.fileName);
    else setError(summaryOf(r.error));
  }

  return (
    <section aria-labelledby="audit-title" className="page">
      <div className="page-head">
        <h1 id="audit-title">Audit</h1>
      </div>
      <p className="lead">
        Every sign-in, record opened and change made, newest first. The trail holds ids, never patient names;
        each event is chained to the one before it.
      </p>
      <AuditFilters initial={filters} errors={errors} onApply={apply} />
      <div className="actions">
        <button type="button" className="btn" onClick={() => void verify()} disabled={busy !== null}>
          {busy === 'verify' ? 'Verifying…' : 'Verify chain'}
        </button>
        <button type="button" className="btn" onClick={() => void exportCsv()} disabled={busy !== null}>
          {busy === 'export' ? 'Exporting…' : 'Export CSV'}
        </button>
        {download.element}
      </div>
      {verdict ? <ChainVerdict result={verdict} /> : null}
      <FormAlert message={error} testId="audit-error" />
      {rows === null ? <p className="muted">Loading…</p> : null}
      {rows !== null && rows.length === 0 ? <p className="muted">No events match these filters.</p> : null}
      {rows !== null && rows.length > 0 ? <AuditTable rows={rows} /> : null}
      <div className="actions">
        <button type="button" className="btn btn-quiet" onClick={newer} disabled={cursors.length <= 1}>
          Newer
        </button>
        <button type="button" className="btn btn-quiet" onClick={older} disabled={next === null}>
          Older
        </button>
      </div>
    </section>
  );
}
