import { SECURITY_KIND_LABELS, SECURITY_KINDS, type SecuritySummary } from '../../../../src-shared/audit';
import { formatDay } from '../../components/format';

const COLORS: Record<(typeof SECURITY_KINDS)[number], string> = {
  'injection-detected': '#b42318',
  'login-failed': '#dc6803',
  'account-locked': '#93370d',
  'rate-limited': '#6941c6',
  'decryption-failed': '#000000',
  'role-refused': '#026aa2',
  'bad-sender': '#c11574',
  'clock-drift': '#667085',
  'signature-refused': '#0e9384',
  other: '#98a2b3',
};

/** Stacked bars, one per day; drawn as SVG shapes with text titles only. */
export function SecurityChart({ summary }: { summary: SecuritySummary }) {
  const width = 640;
  const height = 160;
  const max = Math.max(1, ...summary.days.map((d) => d.total));
  const slot = width / summary.days.length;
  const bar = Math.max(2, slot * 0.7);
  return (
    <svg
      viewBox={`0 0 ${width} ${height + 20}`}
      role="img"
      aria-label={`Security events per day from ${formatDay(summary.from)} to ${formatDay(summary.to)}`}
      className="security-chart"
      style={{ width: '100%', maxWidth: `${width}px` }}
    >
      {summary.days.map((d, i) => {
        let y = height;
        return (
          <g key={d.date}>
            <title>{`${formatDay(d.date)}: ${d.total} events`}</title>
            {SECURITY_KINDS.filter((k) => d.counts[k] > 0).map((k) => {
              const h = (d.counts[k] / max) * (height - 10);
              y -= h;
              return (
                <rect key={k} x={i * slot + (slot - bar) / 2} y={y} width={bar} height={h} fill={COLORS[k]} />
              );
            })}
            {i % Math.ceil(summary.days.length / 7) === 0 ? (
              <text
                x={i * slot + slot / 2}
                y={height + 14}
                fontSize="10"
                textAnchor="middle"
                fill="currentColor"
              >
                {d.date.slice(5)}
              </text>
            ) : null}
          </g>
        );
      })}
      <line x1={0} y1={height} x2={width} y2={height} stroke="currentColor" strokeWidth={0.5} />
    </svg>
  );
}

/** The same numbers as a table: one row per day that had events, one column per kind seen. */
export function SecurityCounts({ summary }: { summary: SecuritySummary }) {
  const kinds = SECURITY_KINDS.filter((k) => summary.totals[k] > 0);
  const days = summary.days.filter((d) => d.total > 0).reverse();
  if (kinds.length === 0) return <p className="muted">No security events in this period.</p>;
  return (
    <div className="card table-card">
      <table className="table" aria-label="Security events per day" data-testid="security-counts">
        <thead>
          <tr>
            <th scope="col">Day</th>
            {kinds.map((k) => (
              <th scope="col" key={k}>
                <span style={{ color: COLORS[k] }} aria-hidden="true">
                  ■{' '}
                </span>
                {SECURITY_KIND_LABELS[k]}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {days.map((d) => (
            <tr key={d.date}>
              <th scope="row">{formatDay(d.date)}</th>
              {kinds.map((k) => (
                <td key={k}>{d.counts[k]}</td>
              ))}
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">Total</th>
            {kinds.map((k) => (
              <td key={k} data-testid={`security-total-${k}`}>
                {summary.totals[k]}
              </td>
            ))}
          </tr>
        </tfoot>
      </table>
    </div>
  );
}
