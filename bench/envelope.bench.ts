// Field envelope benchmark (issue 4: the initial sync opens every field it applies). Seals and
// opens field-sized values (a 7-character name up to a 300-character note, as JSON text) with
// the envelope's AES-256-GCM three ways in the same process on the same inputs:
//   per-call  — noble's gcm(key, nonce, aad), which expands the key and builds GHASH's table
//               on every call (what envelope.ts did before keyed-gcm.ts);
//   keyed     — src-main/crypto/keyed-gcm.ts (noble's AES and GHASH, key state kept per key),
//               what envelope.ts uses now;
//   node      — node:crypto createCipheriv/createDecipheriv, for reference.
// Each figure is the median of --runs runs of --ops operations; ratios are against per-call.
//   node scripts/bench.mjs envelope [--runs N] [--ops N]
// (or directly: npx tsx bench/envelope.bench.ts; it needs no keyring). Prints timings only.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { gcm } from '@noble/ciphers/aes.js';
import { keyedGcm } from '../src-main/crypto/keyed-gcm.js';

interface Options {
  runs: number;
  ops: number;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { runs: 7, ops: 20_000 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = Number(argv[++i]);
    if (!Number.isInteger(v) || v <= 0) throw new Error(`${a} needs a positive whole number`);
    if (a === '--runs') o.runs = v;
    else if (a === '--ops') o.ops = v;
    else throw new Error(`Unknown option ${a}. Use --runs N, --ops N.`);
  }
  return o;
}

type Seal = (key: Uint8Array, nonce: Uint8Array, pt: Uint8Array, aad: Uint8Array) => Uint8Array;
type Open = (key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array) => Uint8Array;

const WAYS: { name: string; seal: Seal; open: Open }[] = [
  {
    name: 'per-call (noble gcm)',
    seal: (k, n, p, a) => gcm(k, n, a).encrypt(p),
    open: (k, n, s, a) => gcm(k, n, a).decrypt(s),
  },
  {
    name: 'keyed (keyed-gcm.ts)',
    seal: (k, n, p, a) => keyedGcm(k).seal(n, p, a),
    open: (k, n, s, a) => keyedGcm(k).open(n, s, a),
  },
  {
    name: 'node:crypto',
    seal: (k, n, p, a) => {
      const c = createCipheriv('aes-256-gcm', k, n);
      c.setAAD(a);
      return Buffer.concat([c.update(p), c.final(), c.getAuthTag()]);
    },
    open: (k, n, s, a) => {
      const d = createDecipheriv('aes-256-gcm', k, n);
      d.setAAD(a);
      d.setAuthTag(s.subarray(s.length - 16));
      return Buffer.concat([d.update(s.subarray(0, s.length - 16)), d.final()]);
    },
  },
];

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

function main(): void {
  const o = parseArgs(process.argv.slice(2));
  const key = new Uint8Array(randomBytes(32));
  const encoder = new TextEncoder();
  const sizes = [7, 24, 80, 300];
  const inputs = Array.from({ length: 512 }, (_, i) => ({
    nonce: new Uint8Array(randomBytes(12)),
    pt: encoder.encode(JSON.stringify('x'.repeat(sizes[i % sizes.length]!))),
    aad: encoder.encode(`kavach/v1|patients|given_names|${randomBytes(16).toString('hex')}`),
  }));
  const sealed = inputs.map((x) => WAYS[0]!.seal(key, x.nonce, x.pt, x.aad));
  // Every way must agree before anything is timed.
  for (const way of WAYS)
    inputs.forEach((x, i) => {
      if (Buffer.compare(Buffer.from(way.seal(key, x.nonce, x.pt, x.aad)), Buffer.from(sealed[i]!)) !== 0)
        throw new Error(`${way.name} disagrees with noble's gcm`);
    });
  const results: { name: string; seal: number; open: number }[] = [];
  for (const way of WAYS) {
    const sealRuns: number[] = [];
    const openRuns: number[] = [];
    for (let r = 0; r < o.runs; r++) {
      let t = process.hrtime.bigint();
      for (let i = 0; i < o.ops; i++) {
        const x = inputs[i & 511]!;
        way.seal(key, x.nonce, x.pt, x.aad);
      }
      sealRuns.push(Number(process.hrtime.bigint() - t) / 1e3 / o.ops);
      t = process.hrtime.bigint();
      for (let i = 0; i < o.ops; i++) {
        const x = inputs[i & 511]!;
        way.open(key, x.nonce, sealed[i & 511]!, x.aad);
      }
      openRuns.push(Number(process.hrtime.bigint() - t) / 1e3 / o.ops);
    }
    results.push({ name: way.name, seal: median(sealRuns), open: median(openRuns) });
  }
  const base = results[0]!;
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(
    `Field envelope AES-256-GCM, ${o.runs} runs x ${o.ops} ops, values 9-302 bytes; ${cpus().length} x ${cpu}`,
  );
  console.log('way                     seal µs/op  open µs/op  opens/s     open vs per-call');
  for (const r of results)
    console.log(
      `${r.name.padEnd(24)}${r.seal.toFixed(2).padStart(11)}${r.open.toFixed(2).padStart(12)}${Math.round(
        1e6 / r.open,
      )
        .toLocaleString('en-US')
        .padStart(10)}${`${(base.open / r.open).toFixed(2)}x faster`.padStart(20)}`,
    );
}

main();
