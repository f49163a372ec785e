import { useState } from 'react';
import {
  ALLERGY_SEVERITIES,
  type ChartItem,
  type ChartItemDetails,
  type ChartItemKind,
  ITEM_STATUSES,
} from '../../../../src-shared/clinical/chart';
import { call } from '../../api';
import { FormAlert, SelectField, TextField, useFormState } from '../../components/form';
import { IcdField } from './IcdField';

const STATUS_OPTIONS = ITEM_STATUSES.map((s) => ({ value: s, label: s[0]!.toUpperCase() + s.slice(1) }));
const SEVERITY_OPTIONS = ALLERGY_SEVERITIES.map((s) => ({
  value: s,
  label: s[0]!.toUpperCase() + s.slice(1).replace('-', ' '),
}));

export const KIND_LABELS: Record<ChartItemKind, string> = {
  allergy: 'allergy',
  condition: 'condition',
  medication: 'medication',
};

function blank(kind: ChartItemKind): ChartItemDetails {
  if (kind === 'allergy') return { kind, substance: '', reaction: '', severity: 'unknown', status: 'active' };
  if (kind === 'condition') return { kind, name: '', icd10: '', since: '', status: 'active' };
  return { kind, name: '', dose: '', frequency: '', status: 'active' };
}

function detailsOf(item: ChartItem): ChartItemDetails {
  if (item.kind === 'allergy') {
    const { kind, substance, reaction, severity, status } = item;
    return { kind, substance, reaction, severity, status };
  }
  if (item.kind === 'condition') {
    const { kind, name, icd10, since, status } = item;
    return { kind, name, icd10, since, status };
  }
  const { kind, name, dose, frequency, status } = item;
  return { kind, name, dose, frequency, status };
}

interface ChartItemFormProps {
  patientId: string;
  kind: ChartItemKind;
  /** null: a new item. */
  item: ChartItem | null;
  onDone: () => void;
  onCancel: () => void;
}

/** Add or edit one allergy, chronic condition or current medication. */
export function ChartItemForm({ patientId, kind, item, onDone, onCancel }: ChartItemFormProps) {
  const [details, setDetails] = useState<ChartItemDetails>(item ? detailsOf(item) : blank(kind));
  const form = useFormState();
  const set = (patch: Partial<ChartItemDetails>) =>
    setDetails((d) => ({ ...d, ...patch }) as ChartItemDetails);
  const err = (name: string) => form.fields[`details.${name}`];
  const title = `${item ? 'Edit' : 'Add'} ${KIND_LABELS[kind]}`;

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    if (form.busy) return;
    form.clear();
    form.setBusy(true);
    const result = await call('chart.saveItem', { patientId, id: item?.id ?? null, details });
    form.setBusy(false);
    if (result.ok) onDone();
    else
      form.showError(
        result.error,
        ['substance', 'reaction', 'severity', 'status', 'name', 'icd10', 'since', 'dose', 'frequency'].map(
          (f) => `details.${f}`,
        ),
      );
  }

  return (
    <form ref={form.ref} className="chart-item-form" aria-label={title} onSubmit={(e) => void submit(e)}>
      <FormAlert message={form.summary} />
      <div className="field-row">
        {details.kind === 'allergy' ? (
          <>
            <TextField
              label="Substance"
              value={details.substance}
              onChange={(v) => set({ substance: v })}
              error={err('substance')}
              autoFocus
            />
            <TextField
              label="Reaction"
              value={details.reaction}
              onChange={(v) => set({ reaction: v })}
              error={err('reaction')}
            />
            <SelectField
              label="Severity"
              value={details.severity}
              options={SEVERITY_OPTIONS}
              onChange={(v) => set({ severity: v })}
              error={err('severity')}
            />
          </>
        ) : null}
        {details.kind === 'condition' ? (
          <>
            <TextField
              label="Condition"
              value={details.name}
              onChange={(v) => set({ name: v })}
              error={err('name')}
              autoFocus
            />
            <IcdField
              label="Condition ICD-10 code"
              value={details.icd10}
              onChange={(v) => set({ icd10: v })}
              error={err('icd10')}
            />
            <TextField
              label="Since"
              value={details.since}
              onChange={(v) => set({ since: v })}
              error={err('since')}
              placeholder="e.g. 2019"
            />
          </>
        ) : null}
        {details.kind === 'medication' ? (
          <>
            <TextField
              label="Medication"
              value={details.name}
              onChange={(v) => set({ name: v })}
              error={err('name')}
              autoFocus
            />
            <TextField
              label="Medication dose"
              value={details.dose}
              onChange={(v) => set({ dose: v })}
              error={err('dose')}
            />
            <TextField
              label="Medication frequency"
              value={details.frequency}
              onChange={(v) => set({ frequency: v })}
              error={err('frequency')}
            />
          </>
        ) : null}
        <SelectField
          label="Status"
          value={details.status}
          options={STATUS_OPTIONS}
          onChange={(v) => set({ status: v })}
          error={err('status')}
        />
      </div>
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={form.busy}>
          Save {KIND_LABELS[kind]}
        </button>
        <button type="button" className="btn btn-quiet" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
