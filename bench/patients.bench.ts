// Reception benchmark: registration and search at N patients, Kavach against a plaintext
// SQLite baseline, in one process and one run. Start it through scripts/bench.mjs (which
// provides the D-Bus session and gnome-keyring that the real keytar store needs):
//   node scripts/bench.mjs [--patients N | --million | --quick] [--searches N] [--seed N]
// Prints only timings, counts and sizes: never patient data or keys.
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  fdatasyncSync,
  mkdtempSync,
  openSync,
  rmSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import type { PatientInputDraft } from '../src-shared/patient.js';
import { todayIso } from '../src-shared/patient.js';
import { openCore } from '../src-main/core.js';
import type { Connection, Core } from '../src-main/core-types.js';
import { call, must } from '../src-main/testing/core-harness.js';
import { createKeytarStore } from '../src-main/vault/keytar-store.js';
import { PlaintextBaseline } from './baseline.js';
import { createPatientGenerator } from './generate.js';
import { type Row, Samples, table } from './report.js';

interface Options {
  patients: number;
  searches: number;
  seed: number;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { patients: 100_000, searches: 500, seed: 20240601 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v <= 0) throw new Error(`${a} needs a positive whole number`);
      return v;
    };
    if (a === '--patients') o.patients = value();
    else if (a === '--million') o.patients = 1_000_000;
    else if (a === '--quick') o.patients = 5_000;
    else if (a === '--searches') o.searches = value();
    else if (a === '--seed') o.seed = value();
    else
      throw new Error(`Unknown option ${a}. Use --patients N, --million, --quick, --searches N, --seed N.`);
  }
  return o;
}

/**
 * The core's clock. The router rate-limits patients.register to 60 calls a minute and
 * patients.search to 600 per connection, and locks a session idle for 5 minutes. Before
 * every call (outside the timed region) the benchmark moves this clock on by exactly the
 * refill interval: 1 s before a registration, 100 ms before a search. The token bucket then
 * always holds a token, and each call is activity that postpones the idle lock, so neither
 * refuses a call; yet the limiter and the idle check still run in full on every call, so
 * their cost is measured. Only the clock's reading is virtual: the timings are real
 * monotonic time (performance.now()). A side effect is that the audit and created_at
 * timestamps walk forward about a day per 86,400 registrations, which changes nothing the
 * benchmark measures.
 */
function benchClock(start: number) {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

const RECEPTIONIST = {
  username: 'bench.desk',
  displayName: 'Bench Reception',
  role: 'receptionist' as const,
  password: 'tamarind-lantern-73',
};
const ADMIN = { username: 'bench.admin', displayName: 'Bench Admin', password: 'saffron-harbour-58' };

async function openKavach(
  dataDir: string,
  clock: ReturnType<typeof benchClock>,
): Promise<{ core: Core; desk: Connection }> {
  const core = await openCore({ dataDir, secrets: createKeytarStore('Kavach-bench'), clock, log: () => {} });
  const setup = core.connect();
  must(
    await call(setup, 'setup.createClinic', {
      clinicName: 'Bench Clinic',
      adminDisplayName: ADMIN.displayName,
      adminUsername: ADMIN.username,
      password: ADMIN.password,
    }),
  );
  must(await call(setup, 'staff.create', RECEPTIONIST));
  setup.close();
  const desk = core.connect();
  must(await call(desk, 'auth.login', { username: RECEPTIONIST.username, password: RECEPTIONIST.password }));
  return { core, desk };
}

/** Names, phones and IDs of a uniform sample of registered patients, for the searches. */
class Reservoir {
  readonly items: PatientInputDraft[] = [];
  private seen = 0;
  private state: number;

  constructor(
    private readonly size: number,
    seed: number,
  ) {
    this.state = seed >>> 0;
  }

  /** mulberry32: small, seeded, good enough to pick samples and queries. */
  random(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.random() * xs.length)]!;
  }

  offer(p: PatientInputDraft): void {
    this.seen++;
    if (this.items.length < this.size) this.items.push(p);
    else {
      const j = Math.floor(this.random() * this.seen);
      if (j < this.size) this.items[j] = p;
    }
  }
}

const BLOCK = 1000;
const WARMUP_REGISTRATIONS = 1000;
const WARMUP_SEARCHES = 50;

/**
 * Every commit in WAL mode with synchronous = FULL waits for one fdatasync of the WAL, so the
 * disk's sync latency is a floor under registration latency in both stores. Measured on the
 * directory the databases live in, for the report.
 */
function fdatasyncLatency(dir: string): Samples {
  const file = join(dir, 'fsync-probe');
  const fd = openSync(file, 'w');
  const page = Buffer.alloc(4096, 1);
  const s = new Samples(200);
  try {
    for (let i = 0; i < 200; i++) {
      writeSync(fd, page);
      const start = performance.now();
      fdatasyncSync(fd);
      s.add(performance.now() - start);
    }
  } finally {
    closeSync(fd);
    unlinkSync(file);
  }
  return s;
}

/** Which code was measured: the tree is shared, so name the commit and say if src- files differ from it. */
function codeVersion(): string {
  const git = (...args: string[]) => spawnSync('git', args, { encoding: 'utf8' }).stdout?.trim() ?? '';
  const head = git('rev-parse', '--short', 'HEAD') || 'unknown';
  const dirty = git('status', '--porcelain', '--', 'src-main', 'src-shared')
    .split('\n')
    .filter(Boolean).length;
  return dirty > 0 ? `${head} + ${dirty} uncommitted file(s) in src-main/src-shared` : head;
}

const elapsed = (t0: number) => `${((performance.now() - t0) / 1000).toFixed(0)} s`;
const say = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const root = mkdtempSync(join(tmpdir(), 'kavach-bench-'));
  const clock = benchClock(Date.now());
  const generator = createPatientGenerator(o.seed, todayIso(clock.now()));
  const sample = new Reservoir(4000, o.seed);
  const sync = fdatasyncLatency(root);
  const t0 = performance.now();
  let kavach: { core: Core; desk: Connection } | null = null;
  let baseline: PlaintextBaseline | null = null;
  try {
    kavach = await openKavach(join(root, 'kavach'), clock);
    baseline = new PlaintextBaseline(root, clock.now);
    const { desk } = kavach;
    const regK = new Samples(o.patients);
    const regB = new Samples(o.patients);

    // Registrations in blocks of 1000, alternating which store goes first, so both see the
    // same machine load (other processes, page cache, disk) over the run. Every
    // registration is timed.
    for (let done = 0, block = 0; done < o.patients; block++) {
      const batch = Array.from({ length: Math.min(BLOCK, o.patients - done) }, () => generator.next());
      const runKavach = async () => {
        for (const patient of batch) {
          clock.advance(1000);
          const start = performance.now();
          const r = await desk.invoke('patients.register', { patient, decision: 'register-new' });
          regK.add(performance.now() - start);
          if (!r.ok)
            throw new Error(
              `registration refused: ${r.error.code} ${JSON.stringify(Object.keys(r.error.fields ?? {}))}`,
            );
        }
      };
      const runBaseline = () => {
        for (const patient of batch) {
          const start = performance.now();
          baseline!.register(patient);
          regB.add(performance.now() - start);
        }
      };
      if (block % 2 === 0) {
        await runKavach();
        runBaseline();
      } else {
        runBaseline();
        await runKavach();
      }
      for (const p of batch) sample.offer(p);
      done += batch.length;
      if (done % 10_000 === 0 || done === o.patients)
        say(`registered ${done}/${o.patients} in each store (${elapsed(t0)})`);
    }
    const loadSeconds = (performance.now() - t0) / 1000;
    const maxRssKiB = process.resourceUsage().maxRSS;

    // Searches: the same query against both stores, alternating which goes first.
    const kinds = {
      'name prefix (2-4 chars)': () => {
        const p = sample.pick(sample.items);
        const word = sample.random() < 0.5 || !p.familyName ? p.givenNames.split(' ')[0]! : p.familyName;
        return [...word].slice(0, 2 + Math.floor(sample.random() * 3)).join('');
      },
      'name full (given + family)': () => {
        const p = sample.pick(sample.items);
        return `${p.givenNames} ${p.familyName ?? ''}`.trim();
      },
      phone: () => {
        const withPhone = sample.items.filter((p) => (p.phones ?? []).length > 0);
        return sample.pick(withPhone).phones![0]!.number;
      },
      'Aadhaar (full)': () => {
        const withId = sample.items.filter((p) => p.nationalId);
        return sample.pick(withId).nationalId!;
      },
    } as const;
    const searchRows: Row[] = [];
    const resultCounts: Record<string, number> = {};
    for (const [name, query] of Object.entries(kinds)) {
      const k = new Samples(o.searches);
      const b = new Samples(o.searches);
      let hits = 0;
      for (let i = 0; i < WARMUP_SEARCHES + o.searches; i++) {
        const q = query();
        const timeKavach = async () => {
          clock.advance(100);
          const start = performance.now();
          const r = await desk.invoke('patients.search', { query: q });
          const took = performance.now() - start;
          if (!r.ok) throw new Error(`search refused: ${r.error.code}`);
          if (i >= WARMUP_SEARCHES) {
            k.add(took);
            hits += (r.value as unknown[]).length;
          }
        };
        const timeBaseline = () => {
          const start = performance.now();
          baseline!.search(q);
          if (i >= WARMUP_SEARCHES) b.add(performance.now() - start);
        };
        if (i % 2 === 0) {
          await timeKavach();
          timeBaseline();
        } else {
          timeBaseline();
          await timeKavach();
        }
      }
      resultCounts[name] = hits / o.searches;
      searchRows.push({
        operation: `search: ${name}`,
        kavach: k,
        baseline: b,
        maxP95Ms: o.patients >= 1_000_000 ? 50 : 20,
        maxRatio: 2,
      });
    }

    const lastTenth = Math.max(WARMUP_REGISTRATIONS, Math.floor(o.patients * 0.9));
    const rows: Row[] = [
      {
        operation: `register (all after first ${WARMUP_REGISTRATIONS})`,
        kavach: regK.slice(WARMUP_REGISTRATIONS),
        baseline: regB.slice(WARMUP_REGISTRATIONS),
        maxP95Ms: 10,
        maxRatio: 3,
      },
      {
        operation: `register (last 10%: ${lastTenth + 1}..${o.patients})`,
        kavach: regK.slice(lastTenth),
        baseline: regB.slice(lastTenth),
        maxP95Ms: 10,
        maxRatio: 3,
      },
      ...searchRows,
    ];
    const size = (f: string) => {
      let total = 0;
      for (const suffix of ['', '-wal']) {
        try {
          total += statSync(`${f}${suffix}`).size;
        } catch {
          // no WAL file at this moment
        }
      }
      return `${(total / 2 ** 20).toFixed(0)} MiB`;
    };
    const securityEvents = securityEventKinds(join(root, 'kavach', 'kavach.db'));
    const print = (line = '') => process.stdout.write(`${line}\n`);
    print();
    print(`Kavach reception benchmark: N = ${o.patients.toLocaleString('en-US')} patients, seed ${o.seed}`);
    print(
      `machine: ${cpus().length} x ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, node ${process.version}, ${process.platform}/${process.arch}`,
    );
    print(`code: ${codeVersion()}`);
    print(
      `disk: fdatasync p50 ${sync.percentile(50).toFixed(2)} ms, p95 ${sync.percentile(95).toFixed(2)} ms in ${tmpdir()} (both stores: WAL, synchronous = FULL, as src-main/store/db.ts)`,
    );
    print(
      `load: ${loadSeconds.toFixed(0)} s for both stores (every registration timed; the first ${WARMUP_REGISTRATIONS} of each store are warm-up and left out of the first row)`,
    );
    print(
      `searches: ${o.searches} of each kind after ${WARMUP_SEARCHES} warm-up, each through patients.search (Kavach) and the same lookups in plaintext (baseline)`,
    );
    print(
      `mean results per search: ${Object.entries(resultCounts)
        .map(([k, v]) => `${k} ${v.toFixed(1)}`)
        .join('; ')} (capped at 50)`,
    );
    print();
    print(table(rows));
    print();
    print(
      `peak RSS after loading ${o.patients.toLocaleString('en-US')} patients: ${(maxRssKiB / 1024).toFixed(0)} MiB (one process: Kavach core, plaintext baseline, generator)`,
    );
    print(
      `database size: Kavach ${size(join(root, 'kavach', 'kavach.db'))}, baseline ${size(join(root, 'baseline.db'))}`,
    );
    print(`security events recorded by Kavach during the run: ${securityEvents}`);
  } finally {
    baseline?.close();
    await kavach?.core.close();
    rmSync(root, { recursive: true, force: true });
  }
}

/**
 * Security events by kind, with the field paths and categories an injection finding names
 * (the detector stores paths and categories only, never the values).
 */
function securityEventKinds(file: string): string {
  const Driver = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
  const db = new Driver(file, { readonly: true });
  try {
    const rows = db.prepare('SELECT kind, channel, detail FROM security_events').all() as {
      kind: string;
      channel: string | null;
      detail: string;
    }[];
    const counts = new Map<string, number>();
    for (const r of rows) {
      const d = JSON.parse(r.detail) as { fields?: string[]; categories?: string[] };
      const where = d.fields
        ? ` ${d.fields.map((f) => f.replace(/\.\d+(?=\.|$)/g, '[]')).join('+')}: ${(d.categories ?? []).join('+')}`
        : '';
      const key = `${r.kind} (${r.channel ?? '-'}${where})`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts.size === 0 ? 'none' : [...counts].map(([k, n]) => `${n} x ${k}`).join('; ');
  } finally {
    db.close();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`benchmark failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
