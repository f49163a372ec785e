import { type FormEvent, useState } from 'react';
import type { Invoice, PaymentMethod, PaymentRecorded } from '../../../../src-shared/billing';
import { call } from '../../api';
import { ChoiceField, FormAlert, TextField, useFormState } from '../../components/form';
import { METHOD_LABELS, METHOD_OPTIONS, REFERENCE_LABELS, STATUS_LABELS } from './labels';
import { formatRupees, paiseToInput, parseRupees } from './money';

interface PaymentPanelProps {
  invoice: Invoice;
  onRecorded: (recorded: PaymentRecorded) => void;
}

/** Live change due for cash: tendered − amount, or null while either is not an amount. */
function changeDue(amount: string, tendered: string): number | null {
  const a = parseRupees(amount);
  const t = parseRupees(tendered);
  if (a === null || t === null || t < a) return null;
  return t - a;
}

/** Takes a payment against an issued invoice; the amount starts at the balance. */
export function PaymentPanel({ invoice, onRecorded }: PaymentPanelProps) {
  const [method, setMethod] = useState<PaymentMethod>('cash');
  const [amount, setAmount] = useState(paiseToInput(invoice.balancePaise));
  const [tendered, setTendered] = useState('');
  const [reference, setReference] = useState('');
  const form = useFormState();
  const referenceLabel = REFERENCE_LABELS[method];
  const change = method === 'cash' ? changeDue(amount, tendered) : null;

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (form.busy) return;
    form.clear();
    form.setBusy(true);
    const result = await call('payments.record', {
      invoiceId: invoice.id,
      method,
      amount: amount.trim(),
      tendered: method === 'cash' ? tendered.trim() : '',
      reference: method === 'cash' ? '' : reference.trim(),
    });
    form.setBusy(false);
    if (!result.ok) {
      form.showError(result.error, ['method', 'amount', 'tendered', 'reference']);
      return;
    }
    setAmount(paiseToInput(result.value.invoice.balancePaise));
    setTendered('');
    setReference('');
    onRecorded(result.value);
  }

  return (
    <form
      ref={form.ref}
      className="card form-card payment-panel"
      aria-labelledby="payment-title"
      noValidate
      onSubmit={(e) => void submit(e)}
    >
      <h2 id="payment-title">Take a payment</h2>
      <p className="muted">
        Balance due: <strong data-testid="payment-balance">{formatRupees(invoice.balancePaise)}</strong>
      </p>
      <ChoiceField
        legend="Method"
        value={method}
        options={METHOD_OPTIONS}
        onChange={(m) => {
          setMethod(m);
          form.clear();
        }}
        error={form.fields.method}
      />
      <div className="grid-2">
        <TextField
          label="Amount (₹)"
          value={amount}
          onChange={setAmount}
          error={form.fields.amount}
          inputMode="text"
        />
        {method === 'cash' ? (
          <TextField
            label="Tendered (₹)"
            value={tendered}
            onChange={setTendered}
            error={form.fields.tendered}
            hint="What the patient handed over, to work out the change."
          />
        ) : null}
        {referenceLabel ? (
          <TextField
            label={referenceLabel}
            value={reference}
            onChange={setReference}
            error={form.fields.reference}
          />
        ) : null}
      </div>
      {method === 'cash' ? (
        <p className="change-due" data-testid="change-due-live">
          Change due: <strong>{change === null ? '—' : formatRupees(change)}</strong>
        </p>
      ) : null}
      <FormAlert message={form.summary} testId="payment-error" />
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={form.busy}>
          Record {METHOD_LABELS[method]} payment
        </button>
      </div>
    </form>
  );
}

/** What the desk tells the patient after a payment. */
export function PaymentOutcome({ recorded }: { recorded: PaymentRecorded }) {
  const { invoice, payment, changePaise } = recorded;
  return (
    <div className="alert alert-success payment-outcome" role="status" data-testid="payment-outcome">
      <p>
        {METHOD_LABELS[payment.method]} payment of {formatRupees(payment.amountPaise)} recorded.
      </p>
      <dl className="facts">
        <div>
          <dt>Status</dt>
          <dd data-testid="outcome-status">{STATUS_LABELS[invoice.status]}</dd>
        </div>
        <div>
          <dt>Paid</dt>
          <dd data-testid="outcome-paid">{formatRupees(invoice.paidPaise)}</dd>
        </div>
        <div>
          <dt>Balance</dt>
          <dd data-testid="outcome-balance">{formatRupees(invoice.balancePaise)}</dd>
        </div>
        <div>
          <dt>Change due</dt>
          <dd data-testid="outcome-change">{formatRupees(changePaise)}</dd>
        </div>
      </dl>
    </div>
  );
}
