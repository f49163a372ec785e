import { type FormEvent, useEffect, useId, useMemo, useState } from 'react';
import type { Invoice, PriceCategory, PriceItem } from '../../../../src-shared/billing';
import { call, summaryOf } from '../../api';
import { FieldShell, FormAlert, useFormState } from '../../components/form';
import { CATEGORY_LABELS } from './labels';
import { formatRupees, paiseToInput, taxLabel, typedLineAmounts } from './money';

export interface DraftLine {
  key: string;
  priceItemId: string | null;
  description: string;
  category: PriceCategory | null;
  quantity: string;
  unitPrice: string;
  discount: string;
  taxBp: number;
}

let keySeq = 0;
const newKey = () => `line-${++keySeq}`;

function linesOf(invoice: Invoice | null): DraftLine[] {
  return (invoice?.lines ?? []).map((l) => ({
    key: newKey(),
    priceItemId: l.priceItemId,
    description: l.description,
    category: l.category,
    quantity: String(l.quantity),
    unitPrice: paiseToInput(l.unitPricePaise),
    discount: l.discountPaise === 0 ? '0' : paiseToInput(l.discountPaise),
    taxBp: l.taxBp,
  }));
}

function lineFromItem(item: PriceItem): DraftLine {
  return {
    key: newKey(),
    priceItemId: item.id,
    description: item.name,
    category: item.category,
    quantity: '1',
    unitPrice: paiseToInput(item.pricePaise),
    discount: '0',
    taxBp: item.taxBp,
  };
}

function usePriceList() {
  const [items, setItems] = useState<PriceItem[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    void call('prices.list', { on: null, includeInactive: false }).then((r) => {
      if (!current) return;
      if (r.ok) setItems(r.value.filter((i) => i.active));
      else setError(summaryOf(r.error));
    });
    return () => {
      current = false;
    };
  }, []);
  return { items, error };
}

/** Type-ahead over the price list: code or name; a click or Enter adds the item as a line. */
function ItemPicker({ items, onPick }: { items: PriceItem[]; onPick: (item: PriceItem) => void }) {
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const inputId = useId();
  const listId = useId();
  const matches = useMemo(() => {
    const q = query.trim().toLowerCase();
    if (q === '') return [];
    return items
      .filter((i) => i.code.toLowerCase().includes(q) || i.name.toLowerCase().includes(q))
      .slice(0, 8);
  }, [items, query]);
  const pick = (item: PriceItem) => {
    onPick(item);
    setQuery('');
    setActive(0);
  };
  return (
    <div className="item-picker">
      <label htmlFor={inputId} className="field-label">
        Add an item
      </label>
      <input
        id={inputId}
        type="search"
        role="combobox"
        value={query}
        autoComplete="off"
        spellCheck={false}
        maxLength={60}
        aria-expanded={matches.length > 0}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={matches.length > 0 ? `${listId}-${active}` : undefined}
        placeholder="Code or name from the price list"
        onChange={(e) => {
          setQuery(e.target.value);
          setActive(0);
        }}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            setActive((a) => Math.min(a + 1, Math.max(0, matches.length - 1)));
          } else if (e.key === 'ArrowUp') {
            e.preventDefault();
            setActive((a) => Math.max(0, a - 1));
          } else if (e.key === 'Enter') {
            e.preventDefault();
            const item = matches[active];
            if (item) pick(item);
          }
        }}
      />
      {query.trim() !== '' && matches.length === 0 ? (
        <p className="field-hint">No price list item matches “{query.trim()}”.</p>
      ) : null}
      <div id={listId} role="listbox" aria-label="Price list matches" tabIndex={-1} className="item-matches">
        {matches.map((item, index) => (
          // biome-ignore lint/a11y/useKeyWithClickEvents: the combobox handles the keys for every option
          <div
            key={item.id}
            id={`${listId}-${index}`}
            role="option"
            tabIndex={-1}
            aria-selected={index === active}
            className={index === active ? 'item-match item-match-active' : 'item-match'}
            onMouseDown={(event) => event.preventDefault()}
            onMouseMove={() => setActive(index)}
            onClick={() => pick(item)}
          >
            <span className="mono">{item.code}</span> {item.name}
            <span className="muted">
              {' '}
              · {CATEGORY_LABELS[item.category]} · {formatRupees(item.pricePaise)}
            </span>
          </div>
        ))}
      </div>
    </div>
  );
}

interface LineRowProps {
  line: DraftLine;
  index: number;
  errors: Record<string, string>;
  onChange: (patch: Partial<DraftLine>) => void;
  onRemove: () => void;
}

function LineRow({ line, index, errors, onChange, onRemove }: LineRowProps) {
  const amounts = typedLineAmounts(line);
  const n = index + 1;
  const err = (field: string) => errors[`lines.${index}.${field}`];
  return (
    <fieldset className="invoice-line" aria-label={`Line ${n}`} data-testid={`invoice-line-${n}`}>
      {line.priceItemId ? (
        <div className="field invoice-line-desc">
          <span className="field-label">Item</span>
          <p className="invoice-line-name">
            {line.description}
            {line.category ? <span className="muted"> · {CATEGORY_LABELS[line.category]}</span> : null}
          </p>
        </div>
      ) : (
        <FieldShell label="Description" error={err('description')} className="invoice-line-desc">
          {({ id, describedBy }) => (
            <input
              id={id}
              value={line.description}
              maxLength={120}
              onChange={(e) => onChange({ description: e.target.value })}
              aria-invalid={err('description') ? true : undefined}
              aria-describedby={describedBy}
            />
          )}
        </FieldShell>
      )}
      <AmountInput
        label="Quantity"
        value={line.quantity}
        error={err('quantity')}
        numeric
        onChange={(v) => onChange({ quantity: v })}
      />
      <AmountInput
        label="Unit price (₹)"
        value={line.unitPrice}
        error={err('unitPrice')}
        onChange={(v) => onChange({ unitPrice: v })}
      />
      <AmountInput
        label="Discount (₹)"
        value={line.discount}
        error={err('discount')}
        onChange={(v) => onChange({ discount: v })}
      />
      <div className="field invoice-line-tax">
        <span className="field-label">Tax</span>
        <p>{taxLabel(line.taxBp)}</p>
      </div>
      <div className="field invoice-line-total">
        <span className="field-label">Line total</span>
        <p className="money" data-testid="line-total">
          {amounts ? formatRupees(amounts.totalPaise) : '—'}
        </p>
      </div>
      <button type="button" className="btn btn-small btn-quiet" onClick={onRemove}>
        Remove<span className="visually-hidden"> line {n}</span>
      </button>
    </fieldset>
  );
}

function AmountInput(props: {
  label: string;
  value: string;
  error: string | undefined;
  numeric?: boolean;
  onChange: (value: string) => void;
}) {
  return (
    <FieldShell label={props.label} error={props.error} className="invoice-line-num">
      {({ id, describedBy }) => (
        <input
          id={id}
          value={props.value}
          inputMode={props.numeric ? 'numeric' : 'decimal'}
          maxLength={12}
          autoComplete="off"
          onChange={(e) => props.onChange(e.target.value)}
          aria-invalid={props.error ? true : undefined}
          aria-describedby={describedBy}
        />
      )}
    </FieldShell>
  );
}

export function TotalsTable({
  subtotalPaise,
  discountPaise,
  taxPaise,
  totalPaise,
  extra,
}: {
  subtotalPaise: number | null;
  discountPaise: number | null;
  taxPaise: number | null;
  totalPaise: number | null;
  extra?: { label: string; paise: number; testId: string }[];
}) {
  const show = (p: number | null) => (p === null ? '—' : formatRupees(p));
  return (
    <dl className="totals" data-testid="invoice-totals">
      <div>
        <dt>Subtotal</dt>
        <dd data-testid="total-subtotal">{show(subtotalPaise)}</dd>
      </div>
      <div>
        <dt>Discount</dt>
        <dd data-testid="total-discount">{show(discountPaise)}</dd>
      </div>
      <div>
        <dt>Tax</dt>
        <dd data-testid="total-tax">{show(taxPaise)}</dd>
      </div>
      <div className="totals-grand">
        <dt>Total</dt>
        <dd data-testid="total-total">{show(totalPaise)}</dd>
      </div>
      {(extra ?? []).map((e) => (
        <div key={e.testId}>
          <dt>{e.label}</dt>
          <dd data-testid={e.testId}>{formatRupees(e.paise)}</dd>
        </div>
      ))}
    </dl>
  );
}

interface InvoiceEditorProps {
  visitId: string;
  invoice: Invoice | null;
  onChanged: (invoice: Invoice) => void;
}

/** A draft invoice for one visit: lines from the price list with live totals; save or issue. */
export function InvoiceEditor({ visitId, invoice, onChanged }: InvoiceEditorProps) {
  const prices = usePriceList();
  const [lines, setLines] = useState<DraftLine[]>(() => linesOf(invoice));
  const [notice, setNotice] = useState<string | null>(null);
  const form = useFormState();

  const amounts = lines.map(typedLineAmounts);
  const complete = amounts.every((a) => a !== null);
  const sum = (pick: (a: NonNullable<(typeof amounts)[number]>) => number) =>
    complete ? amounts.reduce((t, a) => t + (a ? pick(a) : 0), 0) : null;

  const update = (key: string, patch: Partial<DraftLine>) => {
    setLines((ls) => ls.map((l) => (l.key === key ? { ...l, ...patch } : l)));
    setNotice(null);
  };

  async function save(): Promise<Invoice | null> {
    const shown = lines.flatMap((_, i) =>
      ['description', 'quantity', 'unitPrice', 'discount'].map((f) => `lines.${i}.${f}`),
    );
    const result = await call('invoices.saveDraft', {
      visitId,
      invoiceId: invoice?.id ?? null,
      lines: lines.map((l) => ({
        priceItemId: l.priceItemId,
        description: l.description.trim(),
        quantity: l.quantity.trim(),
        unitPrice: l.unitPrice.trim(),
        discount: l.discount.trim() === '' ? '0' : l.discount.trim(),
      })),
    });
    if (!result.ok) {
      form.showError(result.error, shown, { count: true });
      return null;
    }
    onChanged(result.value);
    return result.value;
  }

  async function submit(event: FormEvent, issue: boolean) {
    event.preventDefault();
    if (form.busy) return;
    form.clear();
    setNotice(null);
    if (lines.length === 0) {
      form.setSummary('Add at least one item from the price list.');
      return;
    }
    form.setBusy(true);
    const saved = await save();
    if (saved && issue) {
      const issued = await call('invoices.issue', { id: saved.id });
      if (issued.ok) onChanged(issued.value);
      else form.setSummary(summaryOf(issued.error));
    } else if (saved) {
      setNotice('Draft saved.');
    }
    form.setBusy(false);
  }

  return (
    <form
      ref={form.ref}
      className="card form-card invoice-editor"
      aria-labelledby="invoice-editor-title"
      noValidate
      onSubmit={(e) => void submit(e, false)}
    >
      <h2 id="invoice-editor-title">{invoice ? 'Draft invoice' : 'New invoice'}</h2>
      <FormAlert message={prices.error} />
      <ItemPicker items={prices.items} onPick={(item) => setLines((ls) => [...ls, lineFromItem(item)])} />
      <button
        type="button"
        className="btn btn-small btn-quiet"
        onClick={() =>
          setLines((ls) => [
            ...ls,
            {
              key: newKey(),
              priceItemId: null,
              description: '',
              category: null,
              quantity: '1',
              unitPrice: '',
              discount: '0',
              taxBp: 0,
            },
          ])
        }
      >
        Add a line not in the price list
      </button>
      {lines.length === 0 ? <p className="muted">No lines yet.</p> : null}
      {lines.map((line, index) => (
        <LineRow
          key={line.key}
          line={line}
          index={index}
          errors={form.fields}
          onChange={(patch) => update(line.key, patch)}
          onRemove={() => setLines((ls) => ls.filter((l) => l.key !== line.key))}
        />
      ))}
      <TotalsTable
        subtotalPaise={sum((a) => a.grossPaise)}
        discountPaise={sum((a) => a.discountPaise)}
        taxPaise={sum((a) => a.taxPaise)}
        totalPaise={sum((a) => a.totalPaise)}
      />
      <FormAlert message={form.summary} testId="invoice-error" />
      <p className="status-line" role="status" data-testid="invoice-notice">
        {notice ?? ''}
      </p>
      <div className="actions">
        <button type="submit" className="btn" disabled={form.busy}>
          Save draft
        </button>
        <button
          type="button"
          className="btn btn-primary"
          disabled={form.busy}
          onClick={(e) => void submit(e, true)}
        >
          Issue invoice
        </button>
      </div>
    </form>
  );
}
