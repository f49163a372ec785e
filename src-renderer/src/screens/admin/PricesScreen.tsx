import { type FormEvent, useCallback, useEffect, useState } from 'react';
import type { PriceCategory, PriceItem } from '../../../../src-shared/billing';
import { call, summaryOf } from '../../api';
import { CheckboxField, FormAlert, SelectField, TextField, useFormState } from '../../components/form';
import { formatDay } from '../../components/format';
import { CATEGORY_LABELS, CATEGORY_OPTIONS, TAX_OPTIONS } from '../billing/labels';
import { formatRupees, paiseToInput, taxLabel, today } from '../billing/money';
import { useDoctors } from '../schedule/useDoctors';
import '../billing/billing.css';

/** 'YYYY-MM-DD' of the next calendar day. */
function dayAfter(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

type TaxValue = '0' | '500' | '1200' | '1800' | '2800';
const FIELDS = ['code', 'name', 'category', 'doctorId', 'department', 'price', 'taxBp', 'effectiveFrom'];

function PriceForm({
  item,
  onSaved,
  onCancel,
}: {
  item: PriceItem | null;
  onSaved: (item: PriceItem) => void;
  onCancel: () => void;
}) {
  const { doctors } = useDoctors();
  const [code, setCode] = useState(item?.code ?? '');
  const [name, setName] = useState(item?.name ?? '');
  const [category, setCategory] = useState<PriceCategory>(item?.category ?? 'consultation');
  const [doctorId, setDoctorId] = useState(item?.doctorId ?? '');
  const [department, setDepartment] = useState(item?.department ?? '');
  const [price, setPrice] = useState(item ? paiseToInput(item.pricePaise) : '');
  const [taxBp, setTaxBp] = useState<TaxValue>(String(item?.taxBp ?? 0) as TaxValue);
  const [effectiveFrom, setEffectiveFrom] = useState(today());
  const form = useFormState();
  const title = item ? `Edit ${item.code}` : 'Add a price';

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (form.busy) return;
    form.clear();
    form.setBusy(true);
    const r = await call('prices.save', {
      id: item?.id ?? null,
      code: code.trim(),
      name: name.trim(),
      category,
      doctorId: category === 'consultation' && doctorId !== '' ? doctorId : null,
      department: department.trim(),
      price: price.trim(),
      taxBp: Number(taxBp) as 0 | 500 | 1200 | 1800 | 2800,
      effectiveFrom,
    });
    form.setBusy(false);
    if (r.ok) onSaved(r.value);
    else form.showError(r.error, FIELDS);
  }

  const doctorOptions = [
    { value: '', label: 'Any doctor' },
    ...(doctors ?? []).map((d) => ({ value: d.id, label: d.displayName })),
  ];
  return (
    <form
      ref={form.ref}
      className="card form-card"
      aria-label={title}
      noValidate
      onSubmit={(e) => void submit(e)}
    >
      <h2>{title}</h2>
      {item ? (
        <p className="muted">
          A later “effective from” day adds a new version; the current one ends the day before.
        </p>
      ) : null}
      <div className="grid-2">
        <TextField
          label="Code"
          value={code}
          onChange={setCode}
          error={form.fields.code}
          placeholder="CONS-GEN"
        />
        <TextField label="Name" value={name} onChange={setName} error={form.fields.name} />
        <SelectField
          label="Category"
          value={category}
          options={CATEGORY_OPTIONS}
          onChange={setCategory}
          error={form.fields.category}
        />
        {category === 'consultation' ? (
          <SelectField
            label="Doctor"
            value={doctorId}
            options={doctorOptions}
            onChange={setDoctorId}
            error={form.fields.doctorId}
          />
        ) : null}
        <TextField
          label="Department"
          value={department}
          onChange={setDepartment}
          error={form.fields.department}
        />
        <TextField
          label="Price (₹)"
          value={price}
          onChange={setPrice}
          error={form.fields.price}
          placeholder="500"
        />
        <SelectField
          label="Tax rate"
          value={taxBp}
          options={TAX_OPTIONS as { value: TaxValue; label: string }[]}
          onChange={setTaxBp}
          error={form.fields.taxBp}
        />
        <TextField
          label="Effective from"
          type="date"
          value={effectiveFrom}
          onChange={setEffectiveFrom}
          error={form.fields.effectiveFrom}
        />
      </div>
      <FormAlert message={form.summary} testId="price-error" />
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={form.busy}>
          Save price
        </button>
        <button type="button" className="btn btn-quiet" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function RetireForm({
  item,
  onDone,
  onCancel,
}: {
  item: PriceItem;
  onDone: (item: PriceItem) => void;
  onCancel: () => void;
}) {
  // A version that started today (or starts later) can only be retired from the day after it starts.
  const [from, setFrom] = useState(() =>
    item.effectiveFrom >= today() ? dayAfter(item.effectiveFrom) : today(),
  );
  const form = useFormState();
  async function submit(event: FormEvent) {
    event.preventDefault();
    if (form.busy) return;
    form.clear();
    form.setBusy(true);
    const r = await call('prices.retire', { id: item.id, from });
    form.setBusy(false);
    if (r.ok) onDone(r.value);
    else form.showError(r.error, ['from']);
  }
  return (
    <form
      ref={form.ref}
      className="card form-card inline-form"
      aria-label={`Retire ${item.code}`}
      noValidate
      onSubmit={(e) => void submit(e)}
    >
      <TextField
        label={`Retire ${item.code} from`}
        type="date"
        value={from}
        onChange={setFrom}
        error={form.fields.from}
      />
      <button type="submit" className="btn btn-danger" disabled={form.busy}>
        Retire
      </button>
      <button type="button" className="btn btn-quiet" onClick={onCancel}>
        Cancel
      </button>
      {form.summary && !form.fields.from ? <FormAlert message={form.summary} /> : null}
    </form>
  );
}

type Panel =
  | { kind: 'none' }
  | { kind: 'edit'; item: PriceItem | null }
  | { kind: 'retire'; item: PriceItem };

/** Admin: the clinic's price list with effective dates; items are versioned, never deleted. */
export function PricesScreen() {
  const [showInactive, setShowInactive] = useState(false);
  const [items, setItems] = useState<PriceItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [panel, setPanel] = useState<Panel>({ kind: 'none' });
  const [notice, setNotice] = useState<string | null>(null);
  const { doctors } = useDoctors();

  const load = useCallback(async () => {
    const r = await call('prices.list', { on: null, includeInactive: showInactive });
    if (r.ok) {
      setItems(r.value);
      setError(null);
    } else setError(summaryOf(r.error));
  }, [showInactive]);
  useEffect(() => {
    void load();
  }, [load]);

  const doctorName = (id: string | null) =>
    id === null ? null : (doctors?.find((d) => d.id === id)?.displayName ?? 'A former doctor');
  const done = (message: string) => {
    setPanel({ kind: 'none' });
    setNotice(message);
    void load();
  };

  return (
    <section aria-labelledby="prices-title" className="page">
      <div className="page-head">
        <h1 id="prices-title">Price list</h1>
        {panel.kind === 'none' ? (
          <button
            type="button"
            className="btn btn-primary"
            onClick={() => setPanel({ kind: 'edit', item: null })}
          >
            Add a price
          </button>
        ) : null}
      </div>
      <p className="lead">
        Consultations (by doctor or department), procedures, lab tests and medicines. Invoices take the price
        in effect on the day of the visit.
      </p>
      <p className="status-line" role="status" data-testid="prices-notice">
        {notice ?? ''}
      </p>
      {panel.kind === 'edit' ? (
        <PriceForm
          key={panel.item?.id ?? 'new'}
          item={panel.item}
          onCancel={() => setPanel({ kind: 'none' })}
          onSaved={(item) =>
            done(
              `${item.code} saved: ${formatRupees(item.pricePaise)} from ${formatDay(item.effectiveFrom)}.`,
            )
          }
        />
      ) : null}
      {panel.kind === 'retire' ? (
        <RetireForm
          item={panel.item}
          onCancel={() => setPanel({ kind: 'none' })}
          onDone={(item) => done(`${item.code} retired.`)}
        />
      ) : null}
      <CheckboxField
        label="Show inactive and future prices"
        checked={showInactive}
        onChange={setShowInactive}
      />
      <FormAlert message={error} testId="prices-error" />
      {items !== null && items.length === 0 ? <p className="muted">No prices yet.</p> : null}
      {items !== null && items.length > 0 ? (
        <div className="card table-card">
          <table className="table" aria-label="Prices" data-testid="price-table">
            <thead>
              <tr>
                <th scope="col">Code</th>
                <th scope="col">Name</th>
                <th scope="col">Category</th>
                <th scope="col">Doctor / department</th>
                <th scope="col">Price</th>
                <th scope="col">Tax</th>
                <th scope="col">Effective</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((item) => (
                <tr
                  key={`${item.id}-${item.effectiveFrom}`}
                  className={item.active ? '' : 'row-inactive'}
                  data-testid={`price-row-${item.code}`}
                >
                  <td className="mono">{item.code}</td>
                  <td>{item.name}</td>
                  <td>{CATEGORY_LABELS[item.category]}</td>
                  <td>
                    {[doctorName(item.doctorId), item.department].filter(Boolean).join(' · ') || (
                      <span className="muted">—</span>
                    )}
                  </td>
                  <td className="money">{formatRupees(item.pricePaise)}</td>
                  <td>{taxLabel(item.taxBp)}</td>
                  <td>
                    {formatDay(item.effectiveFrom)}
                    {item.effectiveTo ? ` – ${formatDay(item.effectiveTo)}` : ' onwards'}
                    {item.active ? null : <span className="muted"> (not in effect today)</span>}
                  </td>
                  <td className="row-actions">
                    <button
                      type="button"
                      className="btn btn-small"
                      onClick={() => setPanel({ kind: 'edit', item })}
                    >
                      Edit<span className="visually-hidden"> {item.code}</span>
                    </button>
                    {item.active && item.effectiveTo === null ? (
                      <button
                        type="button"
                        className="btn btn-small btn-quiet"
                        onClick={() => setPanel({ kind: 'retire', item })}
                      >
                        Retire<span className="visually-hidden"> {item.code}</span>
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
