import { type FormEvent, useState } from 'react';
import type { Invoice, Payment } from '../../../../src-shared/billing';
import { call } from '../../api';
import { Dialog } from '../../components/Dialog';
import { FormAlert, TextField, useFormState } from '../../components/form';
import { formatTime } from '../../components/format';
import { hhmm } from '../doctor/download';
import { METHOD_LABELS } from './labels';
import { formatRupees, paiseToInput } from './money';

/** What is left to refund of a payment: its amount less the refunds that point at it. */
function refundable(invoice: Invoice, payment: Payment): number {
  const refunded = invoice.payments
    .filter((p) => p.kind === 'refund' && p.refundOf === payment.id)
    .reduce((t, p) => t + p.amountPaise, 0);
  return payment.amountPaise - refunded;
}

function RefundForm({
  payment,
  remaining,
  onDone,
  onCancel,
}: {
  payment: Payment;
  remaining: number;
  onDone: (invoice: Invoice) => void;
  onCancel: () => void;
}) {
  const [amount, setAmount] = useState(paiseToInput(remaining));
  const [reason, setReason] = useState('');
  const form = useFormState();
  async function submit(event: FormEvent) {
    event.preventDefault();
    if (form.busy) return;
    form.clear();
    form.setBusy(true);
    const r = await call('payments.refund', {
      paymentId: payment.id,
      amount: amount.trim(),
      reason: reason.trim(),
    });
    form.setBusy(false);
    if (r.ok) onDone(r.value);
    else form.showError(r.error, ['amount', 'reason']);
  }
  return (
    <Dialog
      title={`Refund ${METHOD_LABELS[payment.method]} payment`}
      onClose={onCancel}
      testId="refund-dialog"
    >
      <form ref={form.ref} noValidate onSubmit={(e) => void submit(e)}>
        <p className="muted">
          Paid {formatRupees(payment.amountPaise)}; up to {formatRupees(remaining)} can still be refunded, by{' '}
          {METHOD_LABELS[payment.method]}.
        </p>
        <TextField label="Refund amount (₹)" value={amount} onChange={setAmount} error={form.fields.amount} />
        <TextField label="Reason" value={reason} onChange={setReason} error={form.fields.reason} />
        <FormAlert message={form.summary} testId="refund-error" />
        <div className="actions">
          <button type="submit" className="btn btn-primary" disabled={form.busy}>
            Refund
          </button>
          <button type="button" className="btn btn-quiet" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** Voiding needs a reason and a second click; main refuses while anything is paid. */
export function VoidDialog({
  invoice,
  onDone,
  onCancel,
}: {
  invoice: Invoice;
  onDone: (invoice: Invoice) => void;
  onCancel: () => void;
}) {
  const [reason, setReason] = useState('');
  const form = useFormState();
  async function submit(event: FormEvent) {
    event.preventDefault();
    if (form.busy) return;
    form.clear();
    form.setBusy(true);
    const r = await call('invoices.void', { id: invoice.id, reason: reason.trim() });
    form.setBusy(false);
    if (r.ok) onDone(r.value);
    else form.showError(r.error, ['reason']);
  }
  const name = invoice.number || 'this draft';
  return (
    <Dialog title={`Void ${name}?`} onClose={onCancel} testId="void-dialog">
      <form ref={form.ref} noValidate onSubmit={(e) => void submit(e)}>
        <p>
          A void invoice stays on record with its reason; it is never deleted. Payments must be refunded
          first.
        </p>
        <TextField
          label="Reason for voiding"
          value={reason}
          onChange={setReason}
          error={form.fields.reason}
        />
        <FormAlert message={form.summary} testId="void-error" />
        <div className="actions">
          <button type="submit" className="btn btn-danger" disabled={form.busy}>
            Void invoice
          </button>
          <button type="button" className="btn btn-quiet" onClick={onCancel}>
            Keep it
          </button>
        </div>
      </form>
    </Dialog>
  );
}

interface PaymentListProps {
  invoice: Invoice;
  canRefund: boolean;
  onChanged: (invoice: Invoice) => void;
}

/** Payments and refunds on one invoice, oldest first, with a refund action per payment. */
export function PaymentList({ invoice, canRefund, onChanged }: PaymentListProps) {
  const [refunding, setRefunding] = useState<Payment | null>(null);
  if (invoice.payments.length === 0) return <p className="muted">No payments yet.</p>;
  return (
    <div className="card table-card">
      <table className="table payment-table" aria-label="Payments" data-testid="payment-list">
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Kind</th>
            <th scope="col">Method</th>
            <th scope="col">Amount</th>
            <th scope="col">Tendered / change</th>
            <th scope="col">Reference</th>
            <th scope="col">By</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {invoice.payments.map((p) => {
            const remaining = p.kind === 'payment' ? refundable(invoice, p) : 0;
            return (
              <tr key={p.id} data-testid="payment-row">
                <td title={formatTime(p.at)}>{hhmm(p.at)}</td>
                <td>{p.kind === 'payment' ? 'Payment' : 'Refund'}</td>
                <td>{METHOD_LABELS[p.method]}</td>
                <td className="money">
                  {p.kind === 'refund' ? '−' : ''}
                  {formatRupees(p.amountPaise)}
                </td>
                <td className="money">
                  {p.tenderedPaise !== null
                    ? `${formatRupees(p.tenderedPaise)} / ${formatRupees(p.changePaise)}`
                    : '—'}
                </td>
                <td>{p.reference || <span className="muted">—</span>}</td>
                <td>{p.userName}</td>
                <td className="row-actions">
                  {canRefund && p.kind === 'payment' && remaining > 0 ? (
                    <button type="button" className="btn btn-small" onClick={() => setRefunding(p)}>
                      Refund<span className="visually-hidden"> {formatRupees(p.amountPaise)}</span>
                    </button>
                  ) : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {refunding ? (
        <RefundForm
          payment={refunding}
          remaining={refundable(invoice, refunding)}
          onCancel={() => setRefunding(null)}
          onDone={(inv) => {
            setRefunding(null);
            onChanged(inv);
          }}
        />
      ) : null}
    </div>
  );
}
