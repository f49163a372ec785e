// Sync benchmark (issue 4, "Benchmarks"): initial sync of a joining workstation,
// workstation-to-workstation propagation on loopback, and many devices pushing and pulling
// against PostgreSQL. Start it through scripts/bench.mjs (real keytar needs the D-Bus
// session and gnome-keyring it provides):
//   node scripts/bench.mjs sync [--quick] [--patients N] [--samples N] [--devices N] [--seconds N]
//     [--only initial|propagation|load ...] [--profile FILE (CPU profile of the initial sync)]
//     [--server-profile DIR (CPU profile of the serving process, written when it stops)]
// Prints only timings, counts and sizes: never patient data or keys.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type BetterSqlite3 from 'better-sqlite3';
import { startCluster } from '../scripts/pg-cluster.mjs';
import { addDesk, clinicRing, DESK, patientChanges } from '../src-main/sync/fixtures.js';
import { founder, joiner, type Station, startServer, station } from '../src-main/sync/testing.js';
import { call, loginAs, must } from '../src-main/testing/core-harness.js';
import { LIMITS, type PullResponse, ROUTES } from '../src-shared/sync-wire.js';
import { type Row, Samples, table } from './report.js';
import { enrollDevices, runLoad } from './sync-load.js';

const PARTS = ['initial', 'propagation', 'load'] as const;
type Part = (typeof PARTS)[number];

interface Options {
  patients: number;
  samples: number;
  devices: number;
  seconds: number;
  /** Which parts run (--only, repeatable); all by default. */
  parts: Set<Part>;
  /** Write a CPU profile of the joining workstation's initial sync here (--profile FILE). */
  profile: string | null;
  /** Have the serving process write its CPU profile into this directory (--server-profile DIR). */
  serverProfile: string | null;
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    patients: 100_000,
    samples: 200,
    devices: 200,
    seconds: 60,
    parts: new Set(PARTS),
    profile: null,
    serverProfile: null,
  };
  const only = new Set<Part>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v <= 0) throw new Error(`${a} needs a positive whole number`);
      return v;
    };
    if (a === '--quick') {
      o.patients = 5_000;
      o.seconds = 20;
    } else if (a === '--patients') o.patients = value();
    else if (a === '--samples') o.samples = value();
    else if (a === '--devices') o.devices = value();
    else if (a === '--seconds') o.seconds = value();
    else if (a === '--only') {
      const part = argv[++i] as Part;
      if (!PARTS.includes(part)) throw new Error(`--only takes ${PARTS.join(', ')}`);
      only.add(part);
    } else if (a === '--profile') {
      const file = argv[++i];
      if (!file) throw new Error('--profile needs a file name');
      o.profile = file;
    } else if (a === '--server-profile') {
      const dir = argv[++i];
      if (!dir) throw new Error('--server-profile needs a directory');
      o.serverProfile = dir;
    } else
      throw new Error(
        `Unknown option ${a}. Use --quick, --patients N, --samples N, --devices N, --seconds N, --only ${PARTS.join('|')}, --profile FILE, --server-profile DIR.`,
      );
  }
  if (only.size) o.parts = only;
  return o;
}

const say = (line: string) => process.stderr.write(`${line}\n`);
const fmt = (v: number, d = 0) =>
  v.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

function plainTable(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((l) => l[i]!.length)));
  const line = (l: string[]) =>
    `| ${l.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? `${'-'.repeat(w + 2)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** Real registrations (and check-ins) through the desk; the bulk goes in as sealed changes. */
const REAL_PATIENTS = 200;
const VISIT_EVERY = 4;

async function initialSync(o: Options): Promise<string[][]> {
  // Seeding pushes N * 21 / 500 batches from one device: the per-device push limit (240 a
  // minute by default) is raised for this server so the seeding is not throttled.
  const serverData = mkdtempSync(join(tmpdir(), 'kavach-sync-bench-server-'));
  const seeding = await startServer('pglite', {
    dataDir: serverData,
    limits: { pushesPerMinute: 1_000_000 },
  });
  let server: ServerProcess | null = null;
  let seeded = false;
  let a: Station | null = null;
  let b: Station | null = null;
  try {
    a = await founder(seeding, 'front-desk');
    await addDesk(await a.admin());
    const desk = await loginAs(a.core, DESK.username, DESK.password);
    const real = Math.min(REAL_PATIENTS, o.patients);
    let visits = 0;
    for (let i = 0; i < real; i++) {
      a.clock.advance(1_000);
      const r = must(
        await call(desk, 'patients.register', {
          patient: {
            givenNames: `Sample${String.fromCharCode(97 + (i % 26))}`,
            familyName: 'Bench',
            sex: i % 2 ? 'female' : 'male',
            birth: { kind: 'exact', date: '1980-01-01' },
            phones: [{ number: `9${String(700_000_000 + i)}`, label: 'mobile' }],
          },
          decision: 'register-new',
        }),
      );
      if (r.status !== 'registered') throw new Error('registration refused');
      if (i % VISIT_EVERY === 0) {
        must(
          await call(desk, 'visits.checkIn', {
            patientId: r.id,
            doctorId: null,
            reason: 'Review',
            priority: 'routine',
          }),
        );
        visits++;
      }
    }
    await a.sync.syncNow();
    // The rest: whole patients sealed with the clinic's real keys, every field one change,
    // pushed through the real server by the founding workstation (as the backlog test does).
    const ring = await clinicRing(a);
    const seeder = a.sync.client();
    const wall = a.clock.now() - 60_000;
    const t0 = performance.now();
    let buffer: ReturnType<typeof patientChanges> = [];
    for (let i = 0; i < o.patients - real; i++) {
      buffer.push(...patientChanges(ring, i, wall, 'BQSYN'));
      if (buffer.length >= LIMITS.pushBatch) {
        await seeder.push(buffer.slice(0, LIMITS.pushBatch));
        buffer = buffer.slice(LIMITS.pushBatch);
      }
    }
    for (let i = 0; i < buffer.length; i += LIMITS.pushBatch)
      await seeder.push(buffer.slice(i, i + LIMITS.pushBatch));
    ring.wipe();
    say(
      `seeded ${fmt(o.patients)} patients (${real} registered at the desk, ${visits} visits) in ${fmt((performance.now() - t0) / 1000, 1)} s`,
    );

    const { code } = must(await call(await a.admin(), 'sync.createEnrollment', {}));
    // Serving happens as in a clinic: the server in its own process (npm run server, PGlite
    // on the seeded data), the joining workstation in this one.
    await seeding.close();
    seeded = true;
    server = await serverProcess(serverData, o.serverProfile);
    const client = a.sync.client(server.url);

    // Baseline 1: the server alone, pulling every page over HTTP without applying anything.
    let after = 0;
    let total = 0;
    const p0 = performance.now();
    for (;;) {
      const page: PullResponse = await client.pull(after, 0);
      total += page.changes.length;
      after = page.next;
      if (!page.more) break;
    }
    const pullOnly = (performance.now() - p0) / 1000;

    // Baseline 2: better-sqlite3 inserting as many plaintext rows in one transaction.
    const dir = mkdtempSync(join(tmpdir(), 'kavach-sync-bench-sqlite-'));
    let sqliteSeconds = 0;
    try {
      const Driver = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
      const db = new Driver(join(dir, 'plain.db'));
      db.pragma('journal_mode = WAL');
      db.exec(
        'create table changes (change_id text primary key, tbl text, row_id text, col text, clock text, value text)',
      );
      const insert = db.prepare('insert into changes values (?, ?, ?, ?, ?, ?)');
      const s0 = performance.now();
      db.transaction(() => {
        for (let i = 0; i < total; i++) {
          insert.run(
            `c-${i}`,
            'patients',
            `r-${Math.floor(i / 21)}`,
            `col${i % 21}`,
            `${String(1e14 + i)}-000000-x`,
            `v${i}`,
          );
        }
      })();
      sqliteSeconds = (performance.now() - s0) / 1000;
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    // Kavach: a new workstation joins (code redemption and key unwrap not timed) and pulls all.
    b = await station('new-desk');
    must(
      await call(b.core.connect(), 'setup.joinClinic', {
        serverUrl: server.url,
        code,
        deviceName: 'new-desk',
      }),
    );
    const profiler = o.profile ? await startProfile() : null;
    const j0 = performance.now();
    const done = await b.sync.syncNow();
    const joinSeconds = (performance.now() - j0) / 1000;
    if (profiler && o.profile) await profiler.stop(o.profile);

    if (done.state !== 'online' || done.initialSync !== null)
      throw new Error(`initial sync ended ${done.state}`);
    const deskB = await loginAs(b.core, DESK.username, DESK.password);
    const found = must(
      await call(deskB, 'patients.search', {
        query: `BQSYN-${String(o.patients - real - 1).padStart(5, '0')}`,
      }),
    );
    if (found.length !== 1) throw new Error('the last bulk patient is not searchable on the new workstation');

    const rate = (s: number) => fmt(total / s);
    return [
      [
        'initial sync: new workstation pulls + applies (Kavach)',
        fmt(total),
        fmt(joinSeconds, 2),
        rate(joinSeconds),
        '>= 30,000/s',
        total / joinSeconds >= 30_000 ? 'yes' : 'NO',
      ],
      [
        'baseline: server pull only over HTTP, no apply',
        fmt(total),
        fmt(pullOnly, 2),
        rate(pullOnly),
        '-',
        '-',
      ],
      [
        'baseline: better-sqlite3 plaintext inserts, 1 txn',
        fmt(total),
        fmt(sqliteSeconds, 2),
        rate(sqliteSeconds),
        '-',
        '-',
      ],
      ['ratio Kavach / pull-only time', '', `${(joinSeconds / pullOnly).toFixed(2)}x`, '', '', ''],
      ['ratio Kavach / sqlite time', '', `${(joinSeconds / sqliteSeconds).toFixed(2)}x`, '', '', ''],
    ];
  } finally {
    await b?.close();
    await a?.close();
    if (!seeded) await seeding.close();
    await server?.stop();
    rmSync(serverData, { recursive: true, force: true });
  }
}

/** A CPU profile of this process through node:inspector (open it in Chrome's DevTools). */
async function startProfile(): Promise<{ stop(file: string): Promise<void> }> {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res))),
    );
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 500 });
  await post('Profiler.start');
  return {
    async stop(file) {
      const { profile } = (await post('Profiler.stop')) as { profile: unknown };
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
      say(`CPU profile of the initial sync written to ${file}`);
    },
  };
}

interface ServerProcess {
  url: string;
  stop(): Promise<void>;
}

/** `src-server/main.ts` as its own process on a PGlite data directory, on a free port. */
function serverProcess(dataDir: string, profileDir: string | null): Promise<ServerProcess> {
  return new Promise((resolve, reject) => {
    const profile = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
    const child = spawn(
      process.execPath,
      [...profile, '--import', 'tsx', 'src-server/main.ts', '--data', dataDir, '--port', '0'],
      {
        cwd: fileURLToPath(new URL('..', import.meta.url)),
        env: { ...process.env, DATABASE_URL: '' },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.once('error', reject);
    child.stderr!.on('data', (d) => {
      stderr += d;
      const m = /Kavach sync server on (http:\/\/[^\s]+)/.exec(stderr);
      if (m)
        resolve({
          url: m[1]!,
          stop: async () => {
            child.kill('SIGTERM');
            await exited;
          },
        });
    });
    child.once('exit', (code) => reject(new Error(`the sync server process ended early (exit ${code})`)));
  });
}

async function propagation(o: Options): Promise<{ kavach: Samples }> {
  const server = await startServer('pglite');
  let a: Station | null = null;
  let b: Station | null = null;
  try {
    // Default engine tuning (300 ms push debounce, long-poll pulls), background loops on.
    a = await founder(server, 'desk-a', { tuning: { auto: true } });
    await addDesk(await a.admin());
    await a.sync.syncNow();
    b = await joiner(server, a, 'desk-b', { tuning: { auto: true } });
    const deskA = await loginAs(a.core, DESK.username, DESK.password);
    const deskB = await loginAs(b.core, DESK.username, DESK.password);
    const samples = new Samples(o.samples);
    for (let i = 0; i < o.samples; i++) {
      const phone = `9${String(600_000_000 + i)}`;
      a.clock.advance(1_000);
      const t0 = performance.now();
      const r = must(
        await call(deskA, 'patients.register', {
          patient: {
            givenNames: 'Probe',
            familyName: 'Bench',
            sex: 'female',
            birth: { kind: 'exact', date: '1990-01-01' },
            phones: [{ number: phone, label: 'mobile' }],
          },
          decision: 'register-new',
        }),
      );
      if (r.status !== 'registered') throw new Error('registration refused');
      for (;;) {
        b.clock.advance(100);
        const hits = must(await call(deskB, 'patients.search', { query: phone }));
        if (hits.length > 0) break;
        if (performance.now() - t0 > 30_000)
          throw new Error('a registration did not reach the other workstation in 30 s');
        await new Promise((r) => setTimeout(r, 5));
      }
      samples.add(performance.now() - t0);
    }
    return { kavach: samples };
  } finally {
    await b?.close();
    await a?.close();
    await server.close();
  }
}

async function load(o: Options): Promise<string[][]> {
  const cluster = await startCluster({ database: 'kavach_bench' });
  try {
    const server = await startServer(
      { url: cluster.url },
      // Raised for the benchmark: one address enrolls every device, and each device pushes
      // far more often than the default 240 a minute.
      { limits: { pushesPerMinute: 1_000_000, enrollPerMinute: 1_000_000, enrollmentsPerMinute: 1_000_000 } },
    );
    try {
      const { foundingCode } = await server.createClinic('Load Clinic');
      const tokens = await enrollDevices(server.url, foundingCode, o.devices);
      const r = await runLoad(server.url, tokens, o.seconds);
      const health = await fetch(`${server.url}${ROUTES.health}`);
      if (!health.ok) throw new Error('server unhealthy after the load');
      return [
        ['devices', fmt(r.devices), ''],
        ['duration (s)', fmt(r.seconds, 1), ''],
        ['requests', fmt(r.requests), ''],
        ['requests/s', fmt(r.requests / r.seconds), ''],
        [
          'push p50 / p99 (ms)',
          `${fmt(r.pushLatency.percentile(50), 1)} / ${fmt(r.pushLatency.percentile(99), 1)}`,
          '',
        ],
        [
          'pull p50 / p99 (ms)',
          `${fmt(r.pullLatency.percentile(50), 1)} / ${fmt(r.pullLatency.percentile(99), 1)}`,
          '',
        ],
        ['all requests p99 (ms)', fmt(r.all.percentile(99), 1), ''],
        ['errors', fmt(r.errors), r.errors === 0 ? 'yes (target 0)' : 'NO (target 0)'],
        ['changes pushed (distinct changeIds)', fmt(r.pushed), ''],
        [
          'devices that pulled each changeId exactly once',
          `${fmt(r.exactlyOnce)} / ${fmt(r.devices)}`,
          r.exactlyOnce === r.devices ? 'yes' : 'NO',
        ],
        ['duplicate / missing deliveries', `${fmt(r.duplicatesSeen)} / ${fmt(r.missing)}`, ''],
      ];
    } finally {
      await server.close();
    }
  } finally {
    cluster.stop();
  }
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  say(
    `sync benchmark: ${fmt(o.patients)} patients, ${o.samples} propagation samples, ${o.devices} devices for ${o.seconds} s; ${cpus().length} CPUs`,
  );
  const sync = o.parts.has('initial') ? await initialSync(o) : null;
  if (sync) say('initial sync done');
  const prop = o.parts.has('propagation') ? await propagation(o) : null;
  if (prop) say('propagation done');
  const loadRows = o.parts.has('load') ? await load(o) : null;
  if (loadRows) say('load done');

  if (sync) {
    process.stdout.write(
      `\n## Initial sync (${fmt(o.patients)} patients; the server in its own process on PGlite; loopback)\n\n`,
    );
    process.stdout.write(
      `${plainTable(['measure', 'changes', 'seconds', 'changes/s', 'target', 'met?'], sync)}\n`,
    );
  }
  if (prop) {
    process.stdout.write(
      '\n## Propagation workstation A -> B (register on A until B search finds it; loopback, PGlite)\n\n',
    );
    const rows: Row[] = [
      {
        operation: 'register on A -> found on B',
        kavach: prop.kavach,
        baseline: null,
        maxP95Ms: 1_000,
        maxRatio: null,
      },
    ];
    process.stdout.write(`${table(rows)}\n`);
  }
  if (loadRows) {
    process.stdout.write(
      `\n## ${o.devices} devices pushing (5 changes) and pulling for ${o.seconds} s (PostgreSQL, HTTP API)\n\n`,
    );
    process.stdout.write(`${plainTable(['measure', 'value', 'met?'], loadRows)}\n`);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    say(err instanceof Error ? `sync benchmark failed: ${err.message}` : 'sync benchmark failed');
    process.exit(1);
  },
);
