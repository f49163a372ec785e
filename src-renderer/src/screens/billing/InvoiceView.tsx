import { useState } from 'react';
import type { Invoice, PaymentRecorded } from '../../../../src-shared/billing';
import { call, summaryOf } from '../../api';
import { base64ToBlob } from '../../components/blob';
import { formatTime } from '../../components/format';
import { useDownload } from '../doctor/download';
import { TotalsTable } from './InvoiceEditor';
import { CATEGORY_LABELS, STATUS_LABELS } from './labels';
import { formatRupees, taxLabel } from './money';
import { PaymentList, VoidDialog } from './PaymentList';
import { PaymentOutcome, PaymentPanel } from './PaymentPanel';

/** Fetches the receipt PDF and hands it to the browser as a download, like the slip. */
function ReceiptButton({ invoiceId }: { invoiceId: string }) {
  const download = useDownload();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function make() {
    setBusy(true);
    setError(null);
    const r = await call('invoices.receipt', { invoiceId, paymentId: null });
    setBusy(false);
    if (r.ok) download.start(base64ToBlob(r.value.base64, r.value.mime), r.value.fileName);
    else setError(summaryOf(r.error));
  }
  return (
    <span className="slip">
      <button type="button" className="btn" onClick={() => void make()} disabled={busy}>
        {busy ? 'Preparing receipt…' : 'Receipt (PDF)'}
      </button>
      {download.element}
      {error ? (
        <span role="alert" className="field-error">
          {error}
        </span>
      ) : null}
    </span>
  );
}

function LinesTable({ invoice }: { invoice: Invoice }) {
  return (
    <div className="table-card">
      <table className="table" aria-label="Invoice lines" data-testid="invoice-lines">
        <thead>
          <tr>
            <th scope="col">Item</th>
            <th scope="col">Qty</th>
            <th scope="col">Unit price</th>
            <th scope="col">Discount</th>
            <th scope="col">Tax</th>
            <th scope="col">Total</th>
          </tr>
        </thead>
        <tbody>
          {invoice.lines.map((l) => (
            <tr key={l.id}>
              <td>
                {l.description} <span className="muted small">· {CATEGORY_LABELS[l.category]}</span>
              </td>
              <td>{l.quantity}</td>
              <td className="money">{formatRupees(l.unitPricePaise)}</td>
              <td className="money">{formatRupees(l.discountPaise)}</td>
              <td className="money">
                {formatRupees(l.taxPaise)} <span className="muted small">({taxLabel(l.taxBp)})</span>
              </td>
              <td className="money">{formatRupees(l.totalPaise)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

interface InvoiceViewProps {
  invoice: Invoice;
  /** Reception takes payments; admin only refunds, voids and prints. */
  canPay: boolean;
  onChanged: (invoice: Invoice) => void;
}

/** An issued (or void) invoice: lines, totals, payments, and what may be done next. */
export function InvoiceView({ invoice, canPay, onChanged }: InvoiceViewProps) {
  const [recorded, setRecorded] = useState<PaymentRecorded | null>(null);
  const [voiding, setVoiding] = useState(false);
  const open = invoice.status === 'issued' || invoice.status === 'partly-paid';
  const onRecorded = (r: PaymentRecorded) => {
    setRecorded(r);
    onChanged(r.invoice);
  };
  return (
    <>
      <section className="card invoice-view" aria-labelledby="invoice-title" data-testid="invoice-view">
        <div className="invoice-head">
          <h2 id="invoice-title">
            Invoice{' '}
            <span className="mono" data-testid="invoice-number">
              {invoice.number}
            </span>
          </h2>
          <span className={`invoice-status invoice-status-${invoice.status}`} data-testid="invoice-status">
            {STATUS_LABELS[invoice.status]}
          </span>
        </div>
        <p className="muted small">
          {invoice.patientName} · <span className="mono">{invoice.patientNumber}</span>
          {invoice.doctorName ? ` · ${invoice.doctorName}` : ''}
          {invoice.issuedAt !== null ? ` · issued ${formatTime(invoice.issuedAt)}` : ''}
        </p>
        {invoice.status === 'void' ? (
          <div className="alert alert-warning" data-testid="void-note">
            Voided{invoice.voidedAt !== null ? ` ${formatTime(invoice.voidedAt)}` : ''}: {invoice.voidReason}
          </div>
        ) : null}
        <LinesTable invoice={invoice} />
        <TotalsTable
          subtotalPaise={invoice.subtotalPaise}
          discountPaise={invoice.discountPaise}
          taxPaise={invoice.taxPaise}
          totalPaise={invoice.totalPaise}
          extra={[
            { label: 'Paid', paise: invoice.paidPaise, testId: 'total-paid' },
            { label: 'Balance', paise: invoice.balancePaise, testId: 'total-balance' },
          ]}
        />
        <div className="actions">
          {invoice.status !== 'void' ? <ReceiptButton invoiceId={invoice.id} /> : null}
          {invoice.status !== 'void' ? (
            <button type="button" className="btn btn-quiet" onClick={() => setVoiding(true)}>
              Void invoice…
            </button>
          ) : null}
        </div>
      </section>
      {recorded && recorded.invoice.id === invoice.id ? <PaymentOutcome recorded={recorded} /> : null}
      {canPay && open && invoice.balancePaise > 0 ? (
        <PaymentPanel
          key={`${invoice.id}-${invoice.payments.length}`}
          invoice={invoice}
          onRecorded={onRecorded}
        />
      ) : null}
      <section aria-labelledby="payments-title" className="payments">
        <h2 id="payments-title">Payments</h2>
        <PaymentList
          invoice={invoice}
          canRefund={invoice.status !== 'void'}
          onChanged={(inv) => {
            setRecorded(null);
            onChanged(inv);
          }}
        />
      </section>
      {voiding ? (
        <VoidDialog
          invoice={invoice}
          onCancel={() => setVoiding(false)}
          onDone={(inv) => {
            setVoiding(false);
            onChanged(inv);
          }}
        />
      ) : null}
    </>
  );
}
