import type { VitalsPoint } from '../../../../src-shared/clinical/chart';
import { formatDay } from '../../components/format';

const W = 360;
const H = 140;
const PAD = { left: 36, right: 10, top: 10, bottom: 24 };

interface Series {
  name: string;
  className: string;
  values: (number | null)[];
}

function LineChart({
  title,
  unit,
  days,
  series,
}: {
  title: string;
  unit: string;
  days: string[];
  series: Series[];
}) {
  const all = series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  if (all.length === 0) return null;
  let min = Math.min(...all);
  let max = Math.max(...all);
  if (max - min < 10) {
    min -= 5;
    max += 5;
  }
  const x = (i: number) =>
    PAD.left +
    (days.length === 1
      ? (W - PAD.left - PAD.right) / 2
      : (i * (W - PAD.left - PAD.right)) / (days.length - 1));
  const y = (v: number) => PAD.top + ((max - v) * (H - PAD.top - PAD.bottom)) / (max - min);
  const description = series
    .map(
      (s) =>
        `${s.name}: ${s.values
          .map((v, i) => (v === null ? null : `${v} ${unit} on ${formatDay(days[i] ?? '')}`))
          .filter(Boolean)
          .join(', ')}`,
    )
    .join('. ');
  return (
    <figure className="vitals-figure">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label={`${title}. ${description}`}
        className="vitals-svg"
      >
        <title>{title}</title>
        <line x1={PAD.left} y1={H - PAD.bottom} x2={W - PAD.right} y2={H - PAD.bottom} className="axis" />
        <line x1={PAD.left} y1={PAD.top} x2={PAD.left} y2={H - PAD.bottom} className="axis" />
        <text x={PAD.left - 4} y={PAD.top + 8} textAnchor="end" className="tick">
          {Math.round(max)}
        </text>
        <text x={PAD.left - 4} y={H - PAD.bottom} textAnchor="end" className="tick">
          {Math.round(min)}
        </text>
        {days.length > 0 ? (
          <>
            <text x={PAD.left} y={H - 6} className="tick">
              {formatDay(days[0] ?? '')}
            </text>
            {days.length > 1 ? (
              <text x={W - PAD.right} y={H - 6} textAnchor="end" className="tick">
                {formatDay(days[days.length - 1] ?? '')}
              </text>
            ) : null}
          </>
        ) : null}
        {series.map((s) => {
          const pts = s.values.flatMap((v, i) => (v === null ? [] : [`${x(i)},${y(v)}`]));
          return (
            <g key={s.name} className={s.className}>
              <polyline points={pts.join(' ')} fill="none" />
              {s.values.map((v, i) =>
                v === null ? null : (
                  // biome-ignore lint/suspicious/noArrayIndexKey: one point per visit, in order
                  <circle key={i} cx={x(i)} cy={y(v)} r={3} />
                ),
              )}
            </g>
          );
        })}
      </svg>
      <figcaption className="small">
        {title} ({unit}){' '}
        {series.map((s) => (
          <span key={s.name} className={`legend ${s.className}`}>
            {s.name}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

/** Blood pressure and weight across visits, oldest first. */
export function VitalsChart({ points }: { points: VitalsPoint[] }) {
  const sorted = [...points].sort((a, b) => a.day.localeCompare(b.day));
  const days = sorted.map((p) => p.day);
  const hasAny = sorted.some((p) => p.systolicMmHg !== null || p.weightKg !== null);
  return (
    <section className="card doctor-card" aria-labelledby="trends-title" data-testid="vitals-trends">
      <h2 id="trends-title">Trends</h2>
      {!hasAny ? <p className="muted small">No blood pressure or weight recorded yet.</p> : null}
      <LineChart
        title="Blood pressure"
        unit="mmHg"
        days={days}
        series={[
          { name: 'Systolic', className: 'series-sys', values: sorted.map((p) => p.systolicMmHg) },
          { name: 'Diastolic', className: 'series-dia', values: sorted.map((p) => p.diastolicMmHg) },
        ]}
      />
      <LineChart
        title="Weight"
        unit="kg"
        days={days}
        series={[{ name: 'Weight', className: 'series-weight', values: sorted.map((p) => p.weightKg) }]}
      />
    </section>
  );
}
