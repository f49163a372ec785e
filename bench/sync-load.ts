// Load phase of the sync benchmark: many simulated devices speaking the HTTP API directly
// against a sync server on PostgreSQL. Values are opaque random bytes (the server never
// reads them), so no patient data or keys exist here.
import { randomBytes, randomUUID } from 'node:crypto';
import { formatHlc } from '../src-shared/hlc.js';
import {
  type EnrollResponse,
  LIMITS,
  type PullResponse,
  ROUTES,
  type WireChangeJson,
} from '../src-shared/sync-wire.js';
import { hashCode, newCode } from '../src-server/codes.js';
import { Samples } from './report.js';

export interface LoadResult {
  devices: number;
  seconds: number;
  requests: number;
  errors: number;
  pushLatency: Samples;
  pullLatency: Samples;
  all: Samples;
  pushed: number;
  /** Devices whose pulls saw every pushed changeId exactly once (and nothing else new). */
  exactlyOnce: number;
  duplicatesSeen: number;
  missing: number;
}

async function json<T>(url: string, init: RequestInit): Promise<T> {
  const r = await fetch(url, init);
  const body = await r.text();
  if (!r.ok) throw new Error(`${init.method ?? 'GET'} ${new URL(url).pathname}: HTTP ${r.status}`);
  return JSON.parse(body) as T;
}

const post = <T>(base: string, path: string, body: unknown, token?: string) =>
  json<T>(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });

/** Enrolls `count` devices: the first with the founding code, the rest through codes it offers. */
export async function enrollDevices(base: string, foundingCode: string, count: number): Promise<string[]> {
  const first = await post<EnrollResponse>(base, ROUTES.enroll, { code: foundingCode, deviceName: 'load-0' });
  const tokens = [first.deviceToken];
  const wrapped = randomBytes(96).toString('base64');
  for (let i = 1; i < count; i++) {
    const code = newCode();
    await post(
      base,
      ROUTES.enrollments,
      { codeHash: hashCode(code), wrappedKeyRing: wrapped, ttlSeconds: 3600 },
      first.deviceToken,
    );
    const d = await post<EnrollResponse>(base, ROUTES.enroll, { code, deviceName: `load-${i}` });
    tokens.push(d.deviceToken);
  }
  return tokens;
}

function changes(device: number, n: number, counter: { c: number }): WireChangeJson[] {
  const rowId = randomUUID();
  return Array.from({ length: n }, (_, k) => ({
    changeId: randomUUID(),
    table: 'patients',
    rowId,
    column: k === 0 ? 'given_names' : 'notes',
    clock: formatHlc({ wall: Date.now(), counter: counter.c++ % 65536, node: `load${device}` }),
    value: randomBytes(64).toString('base64'),
  }));
}

/**
 * Every device loops: push a small batch, then pull from its cursor (no wait), for `seconds`.
 * Afterwards every device pulls to the end; its pulls (from seq 0) must hold each pushed
 * changeId exactly once.
 */
export async function runLoad(
  base: string,
  tokens: string[],
  seconds: number,
  batch = 5,
): Promise<LoadResult> {
  const pushLatency = new Samples(100_000);
  const pullLatency = new Samples(100_000);
  const all = new Samples(200_000);
  const pushedIds = new Set<string>();
  const seen = tokens.map(() => new Map<string, number>());
  const cursors = tokens.map(() => 0);
  let errors = 0;
  let requests = 0;
  const pullAll = async (d: number, timed: boolean) => {
    for (;;) {
      const t0 = performance.now();
      const page = await json<PullResponse>(
        `${base}${ROUTES.pull}?after=${cursors[d]}&limit=${LIMITS.pullPage}&wait=0`,
        {
          headers: { authorization: `Bearer ${tokens[d]}` },
        },
      );
      const ms = performance.now() - t0;
      if (timed) {
        requests++;
        pullLatency.add(ms);
        all.add(ms);
      }
      const m = seen[d]!;
      for (const c of page.changes) m.set(c.changeId, (m.get(c.changeId) ?? 0) + 1);
      cursors[d] = page.next;
      if (!page.more) return;
    }
  };
  const end = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    tokens.map(async (token, d) => {
      const counter = { c: 0 };
      while (performance.now() < end) {
        const batchChanges = changes(d, batch, counter);
        const t0 = performance.now();
        try {
          await post(base, ROUTES.push, { changes: batchChanges }, token);
          const ms = performance.now() - t0;
          requests++;
          pushLatency.add(ms);
          all.add(ms);
          for (const c of batchChanges) pushedIds.add(c.changeId);
        } catch {
          requests++;
          errors++;
        }
        try {
          await pullAll(d, true);
        } catch {
          requests++;
          errors++;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  // Final catch-up, a few devices at a time, untimed.
  for (let i = 0; i < tokens.length; i += 20) {
    await Promise.all(tokens.slice(i, i + 20).map((_, k) => pullAll(i + k, false)));
  }
  let exactlyOnce = 0;
  let duplicatesSeen = 0;
  let missing = 0;
  for (const m of seen) {
    let ok = m.size === pushedIds.size;
    for (const id of pushedIds) {
      const n = m.get(id) ?? 0;
      if (n === 0) {
        missing++;
        ok = false;
      } else if (n > 1) {
        duplicatesSeen += n - 1;
        ok = false;
      }
    }
    if (ok) exactlyOnce++;
  }
  return {
    devices: tokens.length,
    seconds: elapsed,
    requests,
    errors,
    pushLatency,
    pullLatency,
    all,
    pushed: pushedIds.size,
    exactlyOnce,
    duplicatesSeen,
    missing,
  };
}
