import { type ReactNode, useCallback, useEffect, useState } from 'react';
import type { Invoice, InvoiceSummary } from '../../../../src-shared/billing';
import type { PatientSummary, VisitSummary } from '../../../../src-shared/types';
import { call, summaryOf } from '../../api';
import { FormAlert, SelectField } from '../../components/form';
import { formatTime } from '../../components/format';
import { PatientSearch } from '../../components/PatientSearch';
import { useApp } from '../../store';
import { VISIT_STATUS_LABELS } from '../queue/labels';
import { useQueue } from '../queue/useQueue';
import { InvoiceEditor } from './InvoiceEditor';
import { InvoiceView } from './InvoiceView';
import { STATUS_LABELS } from './labels';
import { formatRupees, today } from './money';
import { useBalance } from './useBalance';
import './billing.css';

type Source = { kind: 'visit'; visit: VisitSummary } | { kind: 'invoice'; id: string };
type Finder = 'queue' | 'patient' | 'invoices';

function BalanceCard({ patientId, version }: { patientId: string; version: number }) {
  const { balance, error } = useBalance(patientId, version);
  if (error) return <FormAlert message={error} testId="balance-error" />;
  if (!balance) return null;
  const owing = balance.invoices.filter((i) => i.balancePaise > 0);
  return (
    <aside className="card balance-card" aria-label="Outstanding balance" data-testid="patient-balance">
      <p>
        Outstanding balance:{' '}
        <strong className={balance.outstandingPaise > 0 ? 'owing' : ''} data-testid="outstanding">
          {formatRupees(balance.outstandingPaise)}
        </strong>
      </p>
      {owing.length > 0 ? (
        <ul className="small balance-list">
          {owing.map((i) => (
            <li key={i.id}>
              <span className="mono">{i.number}</span> · {formatRupees(i.balancePaise)} of{' '}
              {formatRupees(i.totalPaise)}
            </li>
          ))}
        </ul>
      ) : null}
    </aside>
  );
}

/** Loads the invoice for a visit (or by id) and shows the editor or the issued invoice. */
function InvoiceWorkspace({ source, onChanged }: { source: Source; onChanged: () => void }) {
  const role = useApp((s) => s.user?.role);
  const reception = role === 'receptionist';
  const [invoice, setInvoice] = useState<Invoice | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);

  useEffect(() => {
    let current = true;
    setLoaded(false);
    const load =
      source.kind === 'visit'
        ? call('invoices.forVisit', { visitId: source.visit.id })
        : call('invoices.get', { id: source.id });
    void load.then((r) => {
      if (!current) return;
      setLoaded(true);
      if (r.ok) {
        setInvoice(r.value);
        setError(null);
      } else setError(summaryOf(r.error));
    });
    return () => {
      current = false;
    };
  }, [source]);

  const changed = (inv: Invoice) => {
    setInvoice(inv);
    setVersion((v) => v + 1);
    onChanged();
  };
  const patientId = source.kind === 'visit' ? source.visit.patientId : (invoice?.patientId ?? null);
  const visitId = source.kind === 'visit' ? source.visit.id : (invoice?.visitId ?? null);
  const editing = reception && (invoice === null || invoice.status === 'draft');

  return (
    <div className="billing-workspace" data-testid="billing-workspace">
      {source.kind === 'visit' ? (
        <h2 className="workspace-title">
          Token {source.visit.token}: {source.visit.patientName}{' '}
          <span className="mono small">{source.visit.patientNumber}</span>
          {source.visit.doctorName ? <span className="muted small"> · {source.visit.doctorName}</span> : null}
        </h2>
      ) : null}
      {reception && patientId ? <BalanceCard patientId={patientId} version={version} /> : null}
      <FormAlert message={error} testId="invoice-load-error" />
      {!loaded ? <p className="muted">Loading the invoice…</p> : null}
      {loaded && editing && visitId ? (
        <InvoiceEditor key={visitId} visitId={visitId} invoice={invoice} onChanged={changed} />
      ) : null}
      {loaded && !editing && invoice ? (
        <InvoiceView invoice={invoice} canPay={reception} onChanged={changed} />
      ) : null}
      {loaded && !editing && invoice === null ? (
        <p className="muted">No invoice for this visit yet.</p>
      ) : null}
      {loaded && reception && invoice?.status === 'void' && visitId ? (
        <button type="button" className="btn" onClick={() => setInvoice(null)}>
          Start a new invoice for this visit
        </button>
      ) : null}
    </div>
  );
}

function VisitPicker({ visits, onPick }: { visits: VisitSummary[]; onPick: (v: VisitSummary) => void }) {
  if (visits.length === 0) return <p className="muted">No one has checked in today.</p>;
  return (
    <ul className="pick-list" aria-label="Today's visits" data-testid="billing-visits">
      {visits.map((v) => (
        <li key={v.id} data-testid={`billing-visit-${v.token}`}>
          <span>
            <strong>{v.token}</strong> · {v.patientName} <span className="mono small">{v.patientNumber}</span>
            <span className="muted small">
              {' '}
              · {v.doctorName ?? 'Next available'} · {VISIT_STATUS_LABELS[v.status]}
            </span>
          </span>
          <button type="button" className="btn btn-small" onClick={() => onPick(v)}>
            Bill<span className="visually-hidden"> token {v.token}</span>
          </button>
        </li>
      ))}
    </ul>
  );
}

const STATUS_FILTERS = [
  { value: 'all', label: 'All' },
  { value: 'open', label: 'Open (balance due)' },
  { value: 'paid', label: 'Paid' },
  { value: 'draft', label: 'Drafts' },
  { value: 'void', label: 'Void' },
] as const;
type StatusFilter = (typeof STATUS_FILTERS)[number]['value'];

function InvoiceList({
  date,
  patientId,
  version,
  onOpen,
}: {
  date: string | null;
  patientId: string | null;
  version: number;
  onOpen: (id: string) => void;
}) {
  const [status, setStatus] = useState<StatusFilter>('all');
  const [rows, setRows] = useState<InvoiceSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: version reloads after a change on purpose
  useEffect(() => {
    let current = true;
    void call('invoices.list', { date, patientId, status }).then((r) => {
      if (!current) return;
      if (r.ok) {
        setRows(r.value);
        setError(null);
      } else setError(summaryOf(r.error));
    });
    return () => {
      current = false;
    };
  }, [date, patientId, status, version]);
  return (
    <div className="invoice-list">
      <SelectField label="Show" value={status} options={STATUS_FILTERS} onChange={setStatus} />
      <FormAlert message={error} testId="invoice-list-error" />
      {rows !== null && rows.length === 0 ? <p className="muted">No invoices.</p> : null}
      {rows !== null && rows.length > 0 ? (
        <ul className="pick-list" aria-label="Invoices" data-testid="invoice-list">
          {rows.map((r) => (
            <li key={r.id}>
              <span>
                <span className="mono">{r.number || 'Draft'}</span> · {r.patientName}
                <span className="muted small">
                  {' '}
                  · {STATUS_LABELS[r.status]} · {formatRupees(r.totalPaise)}
                  {r.balancePaise > 0 ? ` · due ${formatRupees(r.balancePaise)}` : ''} ·{' '}
                  {formatTime(r.createdAt)}
                </span>
              </span>
              <button type="button" className="btn btn-small" onClick={() => onOpen(r.id)}>
                Open<span className="visually-hidden"> {r.number || 'draft'}</span>
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

function PatientBills({
  patient,
  visits,
  version,
  onVisit,
  onInvoice,
}: {
  patient: PatientSummary;
  visits: VisitSummary[];
  version: number;
  onVisit: (v: VisitSummary) => void;
  onInvoice: (id: string) => void;
}) {
  const todays = visits.filter((v) => v.patientId === patient.id);
  return (
    <div data-testid="patient-bills">
      <h3>
        {patient.name} <span className="mono small">{patient.patientNumber}</span>
      </h3>
      <BalanceCard patientId={patient.id} version={version} />
      {todays.length > 0 ? <VisitPicker visits={todays} onPick={onVisit} /> : null}
      <InvoiceList date={null} patientId={patient.id} version={version} onOpen={onInvoice} />
    </div>
  );
}

/** Reception bills a visit and takes payments; an admin may look up, refund, void and print. */
export function BillingScreen() {
  const role = useApp((s) => s.user?.role);
  const reception = role === 'receptionist';
  const [finder, setFinder] = useState<Finder>(reception ? 'queue' : 'invoices');
  const [source, setSource] = useState<Source | null>(null);
  const [patient, setPatient] = useState<PatientSummary | null>(null);
  const [version, setVersion] = useState(0);
  const [day, setDay] = useState(today());
  const onChanged = useCallback(() => setVersion((v) => v + 1), []);

  const finders: { value: Finder; label: string }[] = reception
    ? [
        { value: 'queue', label: "Today's queue" },
        { value: 'patient', label: 'Find a patient' },
        { value: 'invoices', label: 'Invoices' },
      ]
    : [{ value: 'invoices', label: 'Invoices' }];

  return (
    <section aria-labelledby="billing-title" className="page billing-page">
      <div className="page-head">
        <h1 id="billing-title">Billing</h1>
      </div>
      <div className="billing-columns">
        <div className="card billing-finder">
          <div className="tabs" role="tablist" aria-label="Find a bill">
            {finders.map((f) => (
              <button
                key={f.value}
                type="button"
                role="tab"
                aria-selected={finder === f.value}
                className={finder === f.value ? 'tab tab-active' : 'tab'}
                onClick={() => setFinder(f.value)}
              >
                {f.label}
              </button>
            ))}
          </div>
          {finder === 'queue' && reception ? (
            <QueueFinder onPick={(visit) => setSource({ kind: 'visit', visit })} />
          ) : null}
          {finder === 'patient' && reception ? (
            patient ? (
              <>
                <button type="button" className="btn btn-small btn-quiet" onClick={() => setPatient(null)}>
                  Find another patient
                </button>
                <QueueVisits>
                  {(visits) => (
                    <PatientBills
                      patient={patient}
                      visits={visits}
                      version={version}
                      onVisit={(visit) => setSource({ kind: 'visit', visit })}
                      onInvoice={(id) => setSource({ kind: 'invoice', id })}
                    />
                  )}
                </QueueVisits>
              </>
            ) : (
              <PatientSearch onOpen={setPatient} autoFocus />
            )
          ) : null}
          {finder === 'invoices' ? (
            <>
              <div className="field">
                <label htmlFor="billing-day" className="field-label">
                  Day
                </label>
                <input id="billing-day" type="date" value={day} onChange={(e) => setDay(e.target.value)} />
              </div>
              <InvoiceList
                date={day || null}
                patientId={null}
                version={version}
                onOpen={(id) => setSource({ kind: 'invoice', id })}
              />
            </>
          ) : null}
        </div>
        <div className="billing-main">
          {source ? (
            <InvoiceWorkspace
              key={source.kind === 'visit' ? source.visit.id : source.id}
              source={source}
              onChanged={onChanged}
            />
          ) : (
            <p className="muted card panel">
              {reception
                ? 'Pick a visit from today’s queue, or find a patient, to bill them.'
                : 'Open an invoice to see its payments, refund, void or print a receipt.'}
            </p>
          )}
        </div>
      </div>
    </section>
  );
}

function QueueFinder({ onPick }: { onPick: (v: VisitSummary) => void }) {
  const { view, error } = useQueue('all', true);
  return (
    <>
      <FormAlert message={error} testId="billing-queue-error" />
      {view ? (
        <VisitPicker visits={view.visits} onPick={onPick} />
      ) : (
        <p className="muted">Loading the queue…</p>
      )}
    </>
  );
}

function QueueVisits({ children }: { children: (visits: VisitSummary[]) => ReactNode }) {
  const { view } = useQueue('all', true);
  return <>{children(view?.visits ?? [])}</>;
}
