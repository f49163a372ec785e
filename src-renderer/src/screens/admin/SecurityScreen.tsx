import { useCallback, useEffect, useState } from 'react';
import {
  SECURITY_KIND_LABELS,
  SECURITY_KINDS,
  type SecurityEventRow,
  type SecurityKindName,
  type SecuritySummary,
} from '../../../../src-shared/audit';
import { call, summaryOf } from '../../api';
import { FormAlert, SelectField } from '../../components/form';
import { formatTime } from '../../components/format';
import { detailText } from './AuditDetail';
import { SecurityChart, SecurityCounts } from './SecurityChart';

const PAGE_SIZE = 50;
type Ack = 'open' | 'done' | 'all';
const ACK_OPTIONS: { value: Ack; label: string }[] = [
  { value: 'open', label: 'Not acknowledged' },
  { value: 'done', label: 'Acknowledged' },
  { value: 'all', label: 'All' },
];
const KIND_LABEL = (kind: string) => SECURITY_KIND_LABELS[kind as SecurityKindName] ?? kind;

function SummaryPanel({ refresh }: { refresh: number }) {
  const [days, setDays] = useState<'14' | '30'>('14');
  const [summary, setSummary] = useState<SecuritySummary | null>(null);
  const [error, setError] = useState<string | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: refresh reloads after an acknowledgement
  useEffect(() => {
    void call('security.summary', { days: Number(days) }).then((r) => {
      if (r.ok) setSummary(r.value);
      else setError(summaryOf(r.error));
    });
  }, [days, refresh]);
  return (
    <section className="card form-card" aria-labelledby="security-summary-title">
      <h2 id="security-summary-title">Per day</h2>
      <SelectField
        label="Period"
        value={days}
        options={[
          { value: '14', label: 'Last 14 days' },
          { value: '30', label: 'Last 30 days' },
        ]}
        onChange={setDays}
      />
      <FormAlert message={error} testId="security-summary-error" />
      {summary ? (
        <>
          <p data-testid="security-unacknowledged">
            {summary.unacknowledged} not yet acknowledged in this period.
          </p>
          <SecurityChart summary={summary} />
          <SecurityCounts summary={summary} />
        </>
      ) : null}
    </section>
  );
}

function EventTable({
  rows,
  chosen,
  toggle,
}: {
  rows: SecurityEventRow[];
  chosen: Set<number>;
  toggle: (ids: number[], on: boolean) => void;
}) {
  const open = rows.filter((r) => r.acknowledgedAt === null).map((r) => r.id);
  const allChosen = open.length > 0 && open.every((id) => chosen.has(id));
  return (
    <div className="card table-card">
      <table className="table" aria-label="Security events" data-testid="security-table">
        <thead>
          <tr>
            <th scope="col">
              <input
                type="checkbox"
                aria-label="Choose every unacknowledged event on this page"
                checked={allChosen}
                disabled={open.length === 0}
                onChange={(e) => toggle(open, e.target.checked)}
              />
            </th>
            <th scope="col">Time</th>
            <th scope="col">Kind</th>
            <th scope="col">Operation</th>
            <th scope="col">User</th>
            <th scope="col">Detail</th>
            <th scope="col">Acknowledged</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} data-testid="security-row" data-kind={r.kind}>
              <td>
                {r.acknowledgedAt === null ? (
                  <input
                    type="checkbox"
                    aria-label={`Choose event ${r.id}`}
                    checked={chosen.has(r.id)}
                    onChange={(e) => toggle([r.id], e.target.checked)}
                  />
                ) : null}
              </td>
              <td>{formatTime(r.at)}</td>
              <td>{KIND_LABEL(r.kind)}</td>
              <td className="mono">{r.channel ?? '—'}</td>
              <td>{r.userName ?? <span className="muted">—</span>}</td>
              <td>{detailText(r.detail)}</td>
              <td>
                {r.acknowledgedAt === null
                  ? 'No'
                  : `${formatTime(r.acknowledgedAt)}${r.acknowledgedByName ? ` by ${r.acknowledgedByName}` : ''}`}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Admin: injection attempts, lockouts, rate limits, decryption failures and refusals. */
export function SecurityScreen() {
  const [kind, setKind] = useState<SecurityKindName | ''>('');
  const [ack, setAck] = useState<Ack>('open');
  const [cursors, setCursors] = useState<(number | null)[]>([null]);
  const [rows, setRows] = useState<SecurityEventRow[] | null>(null);
  const [next, setNext] = useState<number | null>(null);
  const [chosen, setChosen] = useState<Set<number>>(new Set());
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [refresh, setRefresh] = useState(0);

  const load = useCallback(
    async (cursor: number | null) => {
      const r = await call('security.list', {
        kind: kind === '' ? null : kind,
        acknowledged: ack === 'all' ? null : ack === 'done',
        cursor,
        limit: PAGE_SIZE,
      });
      if (r.ok) {
        setRows(r.value.rows);
        setNext(r.value.nextCursor);
        setError(null);
      } else setError(summaryOf(r.error));
    },
    [kind, ack],
  );

  // biome-ignore lint/correctness/useExhaustiveDependencies: refresh reloads after an acknowledgement
  useEffect(() => {
    setCursors([null]);
    setChosen(new Set());
    void load(null);
  }, [load, refresh]);

  const toggle = (ids: number[], on: boolean) =>
    setChosen((old) => {
      const s = new Set(old);
      for (const id of ids) {
        if (on) s.add(id);
        else s.delete(id);
      }
      return s;
    });

  async function acknowledge() {
    const ids = [...chosen];
    const r = await call('security.acknowledge', { ids });
    if (!r.ok) {
      setError(summaryOf(r.error));
      return;
    }
    setNotice(`${r.value.acknowledged} ${r.value.acknowledged === 1 ? 'event' : 'events'} acknowledged.`);
    setRefresh((n) => n + 1);
  }

  return (
    <section aria-labelledby="security-title" className="page">
      <div className="page-head">
        <h1 id="security-title">Security</h1>
      </div>
      <p className="lead">
        What Kavach refused or noticed. Details name fields and operations, never what was typed.
      </p>
      <SummaryPanel refresh={refresh} />
      <section className="card form-card" aria-labelledby="security-list-title">
        <h2 id="security-list-title">Events</h2>
        <div className="grid-2">
          <SelectField
            label="Kind"
            value={kind}
            options={[
              { value: '' as const, label: 'All kinds' },
              ...SECURITY_KINDS.map((k) => ({ value: k, label: SECURITY_KIND_LABELS[k] })),
            ]}
            onChange={setKind}
          />
          <SelectField label="Status" value={ack} options={ACK_OPTIONS} onChange={setAck} />
        </div>
        <FormAlert message={error} testId="security-error" />
        {notice ? (
          <div className="alert alert-success" role="status" data-testid="security-notice">
            {notice}
          </div>
        ) : null}
        <div className="actions">
          <button
            type="button"
            className="btn btn-primary"
            disabled={chosen.size === 0}
            onClick={() => void acknowledge()}
          >
            Acknowledge {chosen.size > 0 ? `(${chosen.size})` : ''}
          </button>
        </div>
        {rows !== null && rows.length === 0 ? <p className="muted">No events.</p> : null}
        {rows !== null && rows.length > 0 ? <EventTable rows={rows} chosen={chosen} toggle={toggle} /> : null}
        <div className="actions">
          <button
            type="button"
            className="btn btn-quiet"
            disabled={cursors.length <= 1}
            onClick={() => {
              const back = cursors.slice(0, -1);
              setCursors(back.length ? back : [null]);
              void load(back.at(-1) ?? null);
            }}
          >
            Newer
          </button>
          <button
            type="button"
            className="btn btn-quiet"
            disabled={next === null}
            onClick={() => {
              setCursors((c) => [...c, next]);
              void load(next);
            }}
          >
            Older
          </button>
        </div>
      </section>
    </section>
  );
}
