// Ledger benchmark (issue 7, "Benchmark"): verifying a 100,000-entry chain, entries per
// second. The chain is built through Ledger.append (with its change capture) in batches of
// 1,000 inside transactions, untimed, in the app's own store (openStore). Then verifyLedger
// runs over it several times. Baseline in the same run: the same rows from the same kind of
// streaming cursor, each row's raw text SHA-256 hashed, nothing checked. Start it through
// scripts/bench.mjs:
//   node scripts/bench.mjs ledger [--entries N] [--runs N]
// Prints only timings and counts.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { LEDGER_KINDS, Ledger, verifyLedger } from '../src-main/billing/ledger.js';
import { KeyRing } from '../src-main/crypto/keyring.js';
import { ChangeCapture } from '../src-main/store/change-capture.js';
import { openStore } from '../src-main/store/db.js';
import { FieldCodec } from '../src-main/store/fields.js';
import { MetaRepo } from '../src-main/store/meta-repo.js';
import { HybridClock } from '../src-shared/hlc.js';
import { Samples, table } from './report.js';

interface Options {
  entries: number;
  runs: number;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { entries: 100_000, runs: 7 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = Number(argv[i + 1]);
    if ((a === '--entries' || a === '--runs') && Number.isInteger(v) && v > 0) {
      o[a === '--entries' ? 'entries' : 'runs'] = v;
      i++;
    } else throw new Error(`Unknown option ${a}. Use --entries N, --runs N.`);
  }
  return o;
}

const say = (line: string) => process.stderr.write(`${line}\n`);
const NODE_ID = '5eed1ed9e0b1a2c3';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function main(): void {
  const o = parseArgs(process.argv.slice(2));
  say(`ledger benchmark: ${o.entries} entries, ${o.runs} verifications; ${cpus().length} CPUs`);
  const dir = mkdtempSync(join(tmpdir(), 'kavach-ledger-bench-'));
  const store = openStore(dir, Date.now);
  try {
    const codec = new FieldCodec(KeyRing.generate().ring, () => {});
    const capture = new ChangeCapture(
      store.db,
      new HybridClock(NODE_ID, Date.now),
      codec,
      new MetaRepo(store.db),
      Date.now,
    );
    const ledger = new Ledger(store.db, capture, NODE_ID, Date.now);
    const t0 = performance.now();
    const BATCH = 1_000;
    for (let from = 0; from < o.entries; from += BATCH) {
      store.sqlite.transaction(() => {
        for (let i = from; i < Math.min(o.entries, from + BATCH); i++) {
          const kind = LEDGER_KINDS[i % LEDGER_KINDS.length]!;
          ledger.append(kind, `ref-${i}`, {
            amountPaise: 1_000 + ((i * 7919) % 500_000),
            method: i % 3 === 0 ? 'cash' : 'upi',
            invoiceId: `inv-${i >> 1}`,
          });
        }
      })();
    }
    say(`built ${o.entries} entries in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const kavach = new Samples(o.runs);
    const baseline = new Samples(o.runs);
    const baseRows = store.sqlite.prepare(
      'SELECT workstation_id, seq, kind, ref_id, content, prev_hash, hash, created_at FROM ledger_entries ORDER BY workstation_id, seq',
    );
    // One warm-up of each, then alternate so neither gets a warmer cache.
    for (let run = -1; run < o.runs; run++) {
      let s = performance.now();
      const result = verifyLedger(store.db);
      const verifyMs = performance.now() - s;
      if (!result.ok || result.chains[0]?.entries !== o.entries) throw new Error('verification did not pass');
      s = performance.now();
      let n = 0;
      for (const r of baseRows.iterate() as IterableIterator<Record<string, string | number>>) {
        createHash('sha256')
          .update(
            `${r.workstation_id}|${r.seq}|${r.kind}|${r.ref_id}|${r.content}|${r.prev_hash}|${r.hash}|${r.created_at}`,
          )
          .digest('hex');
        n++;
      }
      const baseMs = performance.now() - s;
      if (n !== o.entries) throw new Error('baseline read failed');
      if (run >= 0) {
        kavach.add(verifyMs);
        baseline.add(baseMs);
      }
    }
    const perSec = (s: Samples) => {
      const xs: number[] = [];
      for (let i = 0; i < s.count; i++) xs.push(o.entries / (s.slice(i, i + 1).percentile(50) / 1000));
      return median(xs);
    };
    const kRate = perSec(kavach);
    const bRate = perSec(baseline);
    process.stdout.write(
      `\n## Verifying a ${o.entries.toLocaleString('en')}-entry ledger chain (${o.runs} runs)\n\n`,
    );
    process.stdout.write(
      `${table([{ operation: 'verifyLedger, whole chain (ms per run)', kavach, baseline, maxP95Ms: null, maxRatio: null }])}\n\n`,
    );
    process.stdout.write('| operation | median entries/s |\n|-----------|-----------------:|\n');
    process.stdout.write(`| verifyLedger | ${Math.round(kRate).toLocaleString('en')} |\n`);
    process.stdout.write(
      `| baseline: iterate + SHA-256 of raw row text | ${Math.round(bRate).toLocaleString('en')} |\n`,
    );
    process.stdout.write(
      `\nratio (baseline rate / verify rate): ${(bRate / kRate).toFixed(2)}x. baseline: the same rows from a streaming cursor, each row's raw text SHA-256 hashed, nothing checked.\n`,
    );
  } finally {
    store.sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

try {
  main();
} catch (e) {
  say(`ledger benchmark failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
