import { useMemo, useState } from 'react';
import type { Prescription } from '../../../../src-shared/clinical/chart';
import {
  type AllergyRecord,
  checkAllergies,
  checkDuplicateTherapy,
} from '../../../../src-shared/clinical/prescribing';
import type { AppError } from '../../../../src-shared/result';
import { call, summaryOf } from '../../api';
import { FormAlert } from '../../components/form';
import { RxRowEditor } from './RxRowEditor';
import { emptyRow, itemOf, type RxRow } from './rxModel';
import { SignDialog } from './SignDialog';

const MIN_REASON = 5;

interface PrescriptionEditorProps {
  visitId: string;
  previousId: string | null;
  initialRows: RxRow[];
  allergies: AllergyRecord[];
  advice: string;
  followUp: string;
  onSigned: (prescription: Prescription) => void;
  onCancel: (() => void) | null;
}

function rowErrors(fields: Record<string, string>, index: number, overrides: number[]) {
  const out: Record<string, string> = {};
  const prefix = `items.${index}.`;
  for (const [path, message] of Object.entries(fields)) {
    if (path.startsWith(prefix)) out[path.slice(prefix.length)] = message;
    else if (path === `items.${index}`) out.name = message;
    const o = /^overrides\.(\d+)/.exec(path);
    if (o && overrides[Number(o[1])] === index) out.override = message;
  }
  return out;
}

/** The medicines of this visit's prescription, checked as typed, signed with a password. */
export function PrescriptionEditor(props: PrescriptionEditorProps) {
  const [rows, setRows] = useState<RxRow[]>(props.initialRows.length > 0 ? props.initialRows : [emptyRow()]);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [summary, setSummary] = useState<string | null>(null);
  const [signing, setSigning] = useState(false);

  const refs = rows.map((r) => ({ medicineId: r.medicineId, name: r.name }));
  // biome-ignore lint/correctness/useExhaustiveDependencies: refs is derived from rows
  const flags = useMemo(() => checkAllergies(refs, props.allergies), [rows, props.allergies]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: refs is derived from rows
  const duplicates = useMemo(() => checkDuplicateTherapy(refs), [rows]);
  const flagged = [...new Set(flags.map((f) => f.itemIndex))].sort((a, b) => a - b);

  const setRow = (i: number, row: RxRow) => setRows((rs) => rs.map((r, j) => (j === i ? row : r)));

  function askToSign() {
    setSummary(null);
    const missing: Record<string, string> = {};
    for (const i of flagged) {
      if ((rows[i]?.overrideReason.trim().length ?? 0) < MIN_REASON)
        missing[`overrides.${flagged.indexOf(i)}.reason`] =
          `Give a reason of at least ${MIN_REASON} characters to prescribe despite the allergy`;
    }
    setFields(missing);
    if (Object.keys(missing).length > 0) {
      setSummary('Each allergy warning needs a reason before signing.');
      return;
    }
    setSigning(true);
  }

  async function sign(proof: { password: string } | { totp: string }): Promise<AppError | null> {
    const overrides = flagged.map((i) => ({ itemIndex: i, reason: rows[i]?.overrideReason.trim() ?? '' }));
    const result = await call('prescriptions.sign', {
      visitId: props.visitId,
      previousId: props.previousId,
      items: rows.map(itemOf),
      advice: props.advice,
      followUp: props.followUp,
      overrides,
      ...proof,
    });
    if (result.ok) {
      setSigning(false);
      props.onSigned(result.value);
      return null;
    }
    const f = result.error.fields ?? {};
    if (f.password || f.totp || result.error.code === 'INVALID_CREDENTIALS') return result.error;
    setSigning(false);
    setFields(f);
    const known = Object.keys(f).filter((k) => /^(items\.\d+|overrides\.\d+)/.test(k));
    const other = Object.entries(f)
      .filter(([k]) => !known.includes(k))
      .map(([, m]) => m);
    setSummary(
      known.length > 0
        ? [
            `${known.length === 1 ? '1 field needs' : `${known.length} fields need`} attention.`,
            ...other,
          ].join(' ')
        : other.length > 0
          ? other.join(' ')
          : summaryOf(result.error),
    );
    return null;
  }

  return (
    <div className="rx-editor">
      <FormAlert message={summary} testId="rx-error" />
      {rows.map((row, i) => (
        <RxRowEditor
          key={row.key}
          index={i}
          row={row}
          onChange={(r) => setRow(i, r)}
          onRemove={rows.length > 1 ? () => setRows((rs) => rs.filter((_, j) => j !== i)) : null}
          errors={rowErrors(fields, i, flagged)}
          allergyMessages={flags.filter((f) => f.itemIndex === i).map((f) => f.message)}
          duplicateMessages={duplicates.filter((d) => d.itemIndexes[1] === i).map((d) => d.message)}
        />
      ))}
      <div className="actions">
        <button type="button" className="btn" onClick={() => setRows((rs) => [...rs, emptyRow()])}>
          Add medicine
        </button>
        <button type="button" className="btn btn-primary" onClick={askToSign}>
          {props.previousId ? 'Sign new version' : 'Sign prescription'}
        </button>
        {props.onCancel ? (
          <button type="button" className="btn btn-quiet" onClick={props.onCancel}>
            Cancel editing
          </button>
        ) : null}
      </div>
      {signing ? <SignDialog onSign={sign} onClose={() => setSigning(false)} /> : null}
    </div>
  );
}
