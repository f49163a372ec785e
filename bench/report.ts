/** Latency samples in milliseconds, and the plain-text table the benchmark prints. */

export class Samples {
  private values: Float64Array;
  private n = 0;

  constructor(capacity: number) {
    this.values = new Float64Array(Math.max(16, capacity));
  }

  add(ms: number): void {
    if (this.n === this.values.length) {
      const bigger = new Float64Array(this.values.length * 2);
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.n++] = ms;
  }

  get count(): number {
    return this.n;
  }

  /** Samples from index `from` (inclusive) to `to` (exclusive), as a new set. */
  slice(from: number, to = this.n): Samples {
    const s = new Samples(to - from);
    for (let i = from; i < to; i++) s.add(this.values[i]!);
    return s;
  }

  /** Nearest-rank percentile, p in (0, 100]. */
  percentile(p: number): number {
    if (this.n === 0) return Number.NaN;
    const sorted = this.values.slice(0, this.n).sort();
    const rank = Math.ceil((p / 100) * this.n);
    return sorted[Math.min(this.n, Math.max(1, rank)) - 1]!;
  }
}

export interface Row {
  operation: string;
  kavach: Samples;
  baseline: Samples | null;
  /** Absolute p95 target in ms, and the largest allowed p95 ratio to the baseline. */
  maxP95Ms: number | null;
  maxRatio: number | null;
}

const ms = (v: number) => (Number.isNaN(v) ? '-' : v < 10 ? v.toFixed(2) : v.toFixed(1));

export function table(rows: Row[]): string {
  const header = [
    'operation',
    'n',
    'Kavach p50',
    'Kavach p95',
    'baseline p50',
    'baseline p95',
    'ratio p95',
    'target',
    'met?',
  ];
  const lines = rows.map((r) => {
    const k50 = r.kavach.percentile(50);
    const k95 = r.kavach.percentile(95);
    const b50 = r.baseline?.percentile(50) ?? Number.NaN;
    const b95 = r.baseline?.percentile(95) ?? Number.NaN;
    const ratio = k95 / b95;
    const targets: string[] = [];
    let met = true;
    if (r.maxP95Ms !== null) {
      targets.push(`p95 <= ${r.maxP95Ms} ms`);
      met &&= k95 <= r.maxP95Ms;
    }
    if (r.maxRatio !== null) {
      targets.push(`<= ${r.maxRatio}x`);
      met &&= ratio <= r.maxRatio;
    }
    return [
      r.operation,
      String(r.kavach.count),
      ms(k50),
      ms(k95),
      ms(b50),
      ms(b95),
      Number.isNaN(ratio) ? '-' : `${ratio.toFixed(2)}x`,
      targets.join(', ') || '-',
      targets.length === 0 ? '-' : met ? 'yes' : 'NO',
    ];
  });
  const all = [header, ...lines];
  const widths = header.map((_, i) => Math.max(...all.map((l) => l[i]!.length)));
  const fmt = (l: string[]) =>
    `| ${l.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? `${'-'.repeat(w + 1)}-` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [fmt(header), rule, ...lines.map(fmt)].join('\n');
}
