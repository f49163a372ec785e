import { useCallback, useEffect, useState } from 'react';
import type { DailyReport, LedgerCheck } from '../../../../src-shared/billing';
import { call, summaryOf } from '../../api';
import { ChoiceField, FormAlert, TextField } from '../../components/form';
import { formatDay } from '../../components/format';
import { METHOD_LABELS } from '../billing/labels';
import { formatRupees, today } from '../billing/money';
import { useDownload } from '../doctor/download';
import '../billing/billing.css';

type Scope = 'this' | 'all';
const SCOPES: readonly { value: Scope; label: string }[] = [
  { value: 'this', label: 'This workstation' },
  { value: 'all', label: 'All workstations' },
];

const REASONS: Record<Extract<LedgerCheck, { ok: false }>['reason'], string> = {
  'hash-mismatch': 'its hash does not match its content',
  'broken-link': 'it does not point at the entry before it',
  gap: 'an entry before it is missing',
  'duplicate-seq': 'its sequence number is used twice',
  'bad-content': 'its content cannot be read',
};

function LedgerVerdict({ check }: { check: LedgerCheck }) {
  const entries = check.chains.reduce((t, c) => t + c.entries, 0);
  if (check.ok) {
    const n = check.chains.length;
    return (
      <div className="alert alert-success" role="status" data-testid="ledger-result">
        All {n} {n === 1 ? 'chain verifies' : 'chains verify'} ({entries}{' '}
        {entries === 1 ? 'entry' : 'entries'}).
      </div>
    );
  }
  return (
    <div className="alert alert-error" role="alert" data-testid="ledger-result">
      The ledger of workstation <span className="mono">{check.workstationId}</span> is broken at entry #
      {check.seq}: {REASONS[check.reason] ?? check.reason}.
    </div>
  );
}

function ReportTable({ report }: { report: DailyReport }) {
  if (report.rows.length === 0) return <p className="muted">No payments on {formatDay(report.date)}.</p>;
  return (
    <div className="card table-card">
      <table
        className="table report-table"
        aria-label="Payments by workstation, user and method"
        data-testid="report-rows"
      >
        <thead>
          <tr>
            <th scope="col">Workstation</th>
            <th scope="col">User</th>
            <th scope="col">Method</th>
            <th scope="col" className="money">
              Payments
            </th>
            <th scope="col" className="money">
              Paid
            </th>
            <th scope="col" className="money">
              Refunded
            </th>
            <th scope="col" className="money">
              Net
            </th>
          </tr>
        </thead>
        <tbody>
          {report.rows.map((r) => (
            <tr key={`${r.workstationId}-${r.userId}-${r.method}`} data-testid="report-row">
              <td className="mono">{r.workstationId.slice(0, 8)}</td>
              <td>{r.userName}</td>
              <td>{METHOD_LABELS[r.method]}</td>
              <td className="money">{r.payments}</td>
              <td className="money">{formatRupees(r.paidPaise)}</td>
              <td className="money">{formatRupees(r.refundedPaise)}</td>
              <td className="money">{formatRupees(r.netPaise)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function MethodTotals({ report }: { report: DailyReport }) {
  return (
    <div className="card table-card">
      <table className="table report-table" aria-label="Totals by method" data-testid="report-totals">
        <thead>
          <tr>
            <th scope="col">Method</th>
            <th scope="col" className="money">
              Paid
            </th>
            <th scope="col" className="money">
              Refunded
            </th>
            <th scope="col" className="money">
              Net
            </th>
          </tr>
        </thead>
        <tbody>
          {report.totals.map((t) => (
            <tr key={t.method} data-testid={`report-total-${t.method}`}>
              <th scope="row" className="row-head">
                {METHOD_LABELS[t.method]}
              </th>
              <td className="money">{formatRupees(t.paidPaise)}</td>
              <td className="money">{formatRupees(t.refundedPaise)}</td>
              <td className="money" data-testid="net">
                {formatRupees(t.netPaise)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Admin: the day's takings per workstation, user and method; CSV; ledger verification. */
export function BillingReportScreen() {
  const [date, setDate] = useState(today());
  const [scope, setScope] = useState<Scope>('this');
  const [report, setReport] = useState<DailyReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [dateError, setDateError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState<'csv' | 'verify' | null>(null);
  const [check, setCheck] = useState<LedgerCheck | null>(null);
  const download = useDownload();

  const load = useCallback(async () => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) {
      setDateError('Choose a day');
      return;
    }
    const r = await call('billing.dailyReport', { date, workstation: scope });
    if (r.ok) {
      setReport(r.value);
      setError(null);
      setDateError(undefined);
    } else {
      setDateError(r.error.fields?.date);
      setError(summaryOf(r.error));
    }
  }, [date, scope]);
  useEffect(() => {
    void load();
  }, [load]);

  async function csv() {
    setBusy('csv');
    const r = await call('billing.dailyReportCsv', { date, workstation: scope });
    setBusy(null);
    if (r.ok) download.start(new Blob([r.value.csv], { type: 'text/csv;charset=utf-8' }), r.value.fileName);
    else setError(summaryOf(r.error));
  }

  async function verify() {
    setBusy('verify');
    setCheck(null);
    const r = await call('billing.verifyLedger', {});
    setBusy(null);
    if (r.ok) setCheck(r.value);
    else setError(summaryOf(r.error));
  }

  return (
    <section aria-labelledby="report-title" className="page">
      <div className="page-head">
        <h1 id="report-title">Daily report</h1>
      </div>
      <p className="lead">
        Payments and refunds taken on a day, by workstation, user and method. Every issued invoice, payment,
        refund and void is also an entry in its workstation’s tamper-evident ledger.
      </p>
      <div className="toolbar">
        <TextField label="Day" type="date" value={date} onChange={setDate} error={dateError} />
        <ChoiceField legend="Workstations" value={scope} options={SCOPES} onChange={setScope} />
      </div>
      <div className="actions">
        <button
          type="button"
          className="btn"
          onClick={() => void csv()}
          disabled={busy !== null || report === null}
        >
          {busy === 'csv' ? 'Exporting…' : 'Download CSV'}
        </button>
        {download.element}
        <button type="button" className="btn" onClick={() => void verify()} disabled={busy !== null}>
          {busy === 'verify' ? 'Verifying…' : 'Verify ledger chains'}
        </button>
      </div>
      {check ? <LedgerVerdict check={check} /> : null}
      <FormAlert message={error} testId="report-error" />
      {report ? (
        <>
          <p data-testid="report-summary">
            {formatDay(report.date)}: {report.invoicesIssued}{' '}
            {report.invoicesIssued === 1 ? 'invoice' : 'invoices'} issued, {report.invoicesVoided} voided.
          </p>
          <h2 className="report-heading">By workstation, user and method</h2>
          <ReportTable report={report} />
          <h2 className="report-heading">Totals by method</h2>
          <MethodTotals report={report} />
          <p className="report-grand">
            Grand total: <span data-testid="report-grand-total">{formatRupees(report.grandTotalPaise)}</span>
          </p>
        </>
      ) : null}
    </section>
  );
}
