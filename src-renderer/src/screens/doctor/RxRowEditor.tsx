import { useId } from 'react';
import { INSTRUCTION_PRESETS } from '../../../../src-shared/clinical/prescribing';
import { medicineById, ROUTES, searchFormulary } from '../../../../src-shared/clinical/reference';
import { FieldShell, SelectField, TextField } from '../../components/form';
import { applyEdit, type RxRow, withMedicineName } from './rxModel';

const ROUTE_OPTIONS = ROUTES.map((r) => ({ value: r, label: r[0]!.toUpperCase() + r.slice(1) }));
const FREQUENCY_HINT = 'e.g. 1-0-1, OD, BD, TDS, QID, HS, SOS';

function MedicineField({
  row,
  onChange,
  error,
}: {
  row: RxRow;
  onChange: (r: RxRow) => void;
  error?: string;
}) {
  const listId = useId();
  const suggestions = row.name.trim().length >= 2 && !row.medicineId ? searchFormulary(row.name, 12) : [];
  return (
    <FieldShell
      label="Medicine"
      error={error}
      hint={
        row.medicineId
          ? 'From the formulary'
          : row.name.trim()
            ? 'Free text (not in the formulary)'
            : undefined
      }
      className="rx-medicine"
    >
      {({ id, describedBy }) => (
        <>
          <input
            id={id}
            value={row.name}
            list={listId}
            autoComplete="off"
            spellCheck={false}
            onChange={(event) => onChange(withMedicineName(row, event.target.value))}
            aria-invalid={error ? true : undefined}
            aria-describedby={describedBy}
          />
          <datalist id={listId}>
            {suggestions.map((m) => (
              <option key={m.id} value={m.name} />
            ))}
          </datalist>
        </>
      )}
    </FieldShell>
  );
}

function FormStrength({
  row,
  onChange,
  errors,
}: {
  row: RxRow;
  onChange: (r: RxRow) => void;
  errors: Errors;
}) {
  const medicine = row.medicineId ? medicineById(row.medicineId) : undefined;
  if (!medicine) {
    return (
      <>
        <TextField
          label="Form"
          value={row.form}
          onChange={(v) => onChange(applyEdit(row, { form: v }))}
          error={errors.form}
        />
        <TextField
          label="Strength"
          value={row.strength}
          onChange={(v) => onChange(applyEdit(row, { strength: v }))}
          error={errors.strength}
        />
      </>
    );
  }
  const options = medicine.forms.flatMap((f, fi) =>
    f.strengths.map((s, si) => ({ value: `${fi}|${si}`, label: `${f.form} ${s}` })),
  );
  const fi = medicine.forms.findIndex((f) => f.form === row.form);
  const si = fi >= 0 ? (medicine.forms[fi]?.strengths.indexOf(row.strength) ?? -1) : -1;
  const value = fi >= 0 && si >= 0 ? `${fi}|${si}` : '';
  return (
    <SelectField
      label="Form and strength"
      value={value}
      options={value === '' ? [{ value: '', label: 'Choose…' }, ...options] : options}
      error={errors.form ?? errors.strength}
      onChange={(v) => {
        const [a, b] = v.split('|').map(Number) as [number, number];
        const form = medicine.forms[a];
        if (!form) return;
        onChange(applyEdit(row, { form: form.form, strength: form.strengths[b] ?? '', route: form.route }));
      }}
    />
  );
}

type Errors = Record<string, string | undefined>;

interface RxRowEditorProps {
  index: number;
  row: RxRow;
  onChange: (row: RxRow) => void;
  onRemove: (() => void) | null;
  errors: Errors;
  allergyMessages: string[];
  duplicateMessages: string[];
}

/** One medicine of the prescription; warnings sit right beside it. */
export function RxRowEditor(props: RxRowEditorProps) {
  const { index, row, onChange, errors, allergyMessages, duplicateMessages } = props;
  const presetsId = useId();
  const set = (patch: Partial<RxRow>) => onChange(applyEdit(row, patch));
  return (
    <fieldset className="fieldset rx-row" data-testid={`rx-item-${index + 1}`}>
      <legend>Item {index + 1}</legend>
      <div className="rx-grid">
        <MedicineField row={row} onChange={onChange} error={errors.name ?? errors.medicineId} />
        <FormStrength row={row} onChange={onChange} errors={errors} />
        <TextField
          label="Dose"
          value={row.dose}
          onChange={(v) => set({ dose: v })}
          error={errors.dose}
          placeholder="1 tablet"
        />
        <SelectField
          label="Route"
          value={row.route}
          options={ROUTE_OPTIONS}
          onChange={(v) => set({ route: v })}
          error={errors.route}
        />
        <TextField
          label="Frequency"
          value={row.frequency}
          onChange={(v) => set({ frequency: v })}
          error={errors.frequency}
          hint={FREQUENCY_HINT}
        />
        <TextField
          label="Duration (days)"
          value={row.durationDays}
          inputMode="numeric"
          onChange={(v) => set({ durationDays: v.trim() })}
          error={errors.durationDays}
        />
        <TextField
          label="Quantity"
          value={row.quantity}
          onChange={(v) => set({ quantity: v })}
          error={errors.quantity}
          hint={row.quantityAuto && row.quantity ? 'Suggested from dose, frequency and duration' : undefined}
        />
        <FieldShell label="Instructions" error={errors.instructions}>
          {({ id, describedBy }) => (
            <>
              <input
                id={id}
                value={row.instructions}
                list={presetsId}
                autoComplete="off"
                onChange={(event) => set({ instructions: event.target.value })}
                aria-invalid={errors.instructions ? true : undefined}
                aria-describedby={describedBy}
              />
              <datalist id={presetsId}>
                {INSTRUCTION_PRESETS.map((p) => (
                  <option key={p} value={p} />
                ))}
              </datalist>
            </>
          )}
        </FieldShell>
      </div>
      {duplicateMessages.map((m) => (
        <p key={m} className="alert alert-warning rx-warning" data-testid="duplicate-warning">
          {m}
        </p>
      ))}
      {allergyMessages.length > 0 ? (
        <div className="alert alert-danger rx-warning" role="alert" data-testid="allergy-warning">
          {allergyMessages.map((m) => (
            <p key={m}>Allergy warning: {m}</p>
          ))}
          <TextField
            label={`Reason to prescribe item ${index + 1} despite the allergy`}
            value={row.overrideReason}
            onChange={(v) => onChange({ ...row, overrideReason: v })}
            error={errors.override}
          />
        </div>
      ) : null}
      {props.onRemove ? (
        <button type="button" className="btn btn-small btn-quiet" onClick={props.onRemove}>
          Remove item {index + 1}
        </button>
      ) : null}
    </fieldset>
  );
}
