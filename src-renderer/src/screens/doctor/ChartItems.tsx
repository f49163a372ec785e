import { useState } from 'react';
import type { ChartItem, ChartItemKind, PatientChart } from '../../../../src-shared/clinical/chart';
import { ChartItemForm, KIND_LABELS } from './ChartItemForm';

type Editing = { kind: ChartItemKind; item: ChartItem | null } | null;

const SECTIONS: readonly {
  kind: ChartItemKind;
  title: string;
  key: 'allergies' | 'conditions' | 'medications';
}[] = [
  { kind: 'allergy', title: 'Allergies', key: 'allergies' },
  { kind: 'condition', title: 'Chronic conditions', key: 'conditions' },
  { kind: 'medication', title: 'Current medications', key: 'medications' },
];

function describe(item: ChartItem): { main: string; rest: string[] } {
  if (item.kind === 'allergy') return { main: item.substance, rest: [item.reaction, item.severity] };
  if (item.kind === 'condition')
    return { main: item.name, rest: [item.icd10, item.since && `since ${item.since}`] };
  return { main: item.name, rest: [item.dose, item.frequency] };
}

/** The chart's allergies, chronic conditions and current medications, each editable. */
export function ChartItems({ chart, onSaved }: { chart: PatientChart; onSaved: () => void }) {
  const [editing, setEditing] = useState<Editing>(null);
  return (
    <>
      {SECTIONS.map((section) => {
        const items = chart[section.key];
        const titleId = `chart-${section.key}-title`;
        const formHere = editing?.kind === section.kind;
        return (
          <section key={section.key} className="card doctor-card" aria-labelledby={titleId}>
            <div className="card-head">
              <h2 id={titleId}>{section.title}</h2>
              {!formHere ? (
                <button
                  type="button"
                  className="btn btn-small"
                  onClick={() => setEditing({ kind: section.kind, item: null })}
                >
                  Add {KIND_LABELS[section.kind]}
                </button>
              ) : null}
            </div>
            {items.length === 0 ? <p className="muted small">None recorded.</p> : null}
            {items.length > 0 ? (
              <ul className="chart-list" data-testid={`chart-${section.key}`}>
                {items.map((item) => {
                  const d = describe(item);
                  return (
                    <li key={item.id} className={item.status === 'active' ? '' : 'row-inactive'}>
                      <span>
                        <strong>{d.main}</strong>
                        {d.rest.filter(Boolean).map((r) => (
                          <span key={r} className="muted">
                            {' '}
                            · {r}
                          </span>
                        ))}
                        <span className={`status status-${item.status === 'active' ? 'active' : 'inactive'}`}>
                          {item.status}
                        </span>
                      </span>
                      <button
                        type="button"
                        className="btn btn-small btn-quiet"
                        onClick={() => setEditing({ kind: section.kind, item })}
                      >
                        Edit<span className="visually-hidden"> {d.main}</span>
                      </button>
                    </li>
                  );
                })}
              </ul>
            ) : null}
            {formHere && editing ? (
              <ChartItemForm
                key={editing.item?.id ?? 'new'}
                patientId={chart.patient.id}
                kind={section.kind}
                item={editing.item}
                onCancel={() => setEditing(null)}
                onDone={() => {
                  setEditing(null);
                  onSaved();
                }}
              />
            ) : null}
          </section>
        );
      })}
    </>
  );
}
