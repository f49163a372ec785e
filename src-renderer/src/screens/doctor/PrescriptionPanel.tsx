import { useState } from 'react';
import type { Prescription } from '../../../../src-shared/clinical/chart';
import type { AllergyRecord } from '../../../../src-shared/clinical/prescribing';
import { PrescriptionEditor } from './PrescriptionEditor';
import { emptyRow, type RxRow, rowFromItem } from './rxModel';
import { SignedPrescription } from './SignedPrescription';

interface PrescriptionPanelProps {
  visitId: string;
  /** Structured allergies and those told at registration, as main checks them. */
  allergies: AllergyRecord[];
  /** Prescriptions already signed at this visit. */
  signed: Prescription[];
  advice: string;
  followUp: string;
  onSigned: () => void;
}

type Mode =
  | { kind: 'view'; prescription: Prescription }
  | { kind: 'edit'; previous: Prescription | null; rows: RxRow[] };

function latestOf(list: Prescription[]): Prescription | null {
  const current = list.filter((p) => p.supersededBy === null);
  const pool = current.length > 0 ? current : list;
  return pool.reduce<Prescription | null>((a, p) => (a === null || p.version > a.version ? p : a), null);
}

function rowsFor(p: Prescription): RxRow[] {
  return p.items.map((item, i) =>
    rowFromItem(item, p.overrides.find((o) => o.itemIndex === i)?.reason ?? ''),
  );
}

/** This visit's prescription: the editor, or the signed version with print and new-version actions. */
export function PrescriptionPanel(props: PrescriptionPanelProps) {
  const [mode, setMode] = useState<Mode>(() => {
    const latest = latestOf(props.signed);
    return latest
      ? { kind: 'view', prescription: latest }
      : { kind: 'edit', previous: null, rows: [emptyRow()] };
  });
  return (
    <section className="card doctor-card" aria-labelledby="rx-title">
      <h2 id="rx-title">Prescription</h2>
      {mode.kind === 'view' ? (
        <SignedPrescription
          key={mode.prescription.id}
          prescription={mode.prescription}
          onEdit={() =>
            setMode({ kind: 'edit', previous: mode.prescription, rows: rowsFor(mode.prescription) })
          }
        />
      ) : (
        <PrescriptionEditor
          key={mode.previous?.id ?? 'new'}
          visitId={props.visitId}
          previousId={mode.previous?.id ?? null}
          initialRows={mode.rows}
          allergies={props.allergies}
          advice={props.advice}
          followUp={props.followUp}
          onCancel={mode.previous ? () => setMode({ kind: 'view', prescription: mode.previous! }) : null}
          onSigned={(prescription) => {
            setMode({ kind: 'view', prescription });
            props.onSigned();
          }}
        />
      )}
    </section>
  );
}
