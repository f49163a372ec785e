import { regexes, z } from 'zod';
import { LIMITS, type PulledChange, type PullResponse, wireChangeJson } from '../../src-shared/sync-wire.js';

/** What a pull answer must be: the rule, and what decides whenever the fast check below
 *  does not accept a page. */
export const pulledChange = z.object({
  ...wireChangeJson.shape,
  seq: z.number().int().min(1),
  deviceId: z.string().min(1).max(64),
});
export const pullResponse = z.object({
  changes: z.array(pulledChange).max(LIMITS.pullPage),
  next: z.number().int().min(0),
  more: z.boolean(),
  latest: z.number().int().min(0),
});

/**
 * A pull page, checked. A catching-up workstation checks pages of thousands of changes, and
 * zod spent about 2 µs a change on it (10 ms a page of 5,000), a tenth of the applying
 * thread's time. The fast check tests the same patterns directly and only ever ACCEPTS what
 * pullResponse accepts, with the same result (pull-page.test.ts compares the two on
 * generated and mutated pages); anything it does not accept goes to zod, which decides.
 */
export function parsePullPage(value: unknown): PullResponse | null {
  const fast = fastCheck(value);
  if (fast) return fast;
  const parsed = pullResponse.safeParse(value);
  return parsed.success ? parsed.data : null;
}

// The patterns of src-shared/sync-wire.ts and zod's own uuid pattern.
const UUID = regexes.uuid();
const IDENT = /^[a-z_]{1,40}$/;
const ROW_ID = /^[A-Za-z0-9:_-]+$/;
const CLOCK = /^\d{15}-[0-9a-f]{6}-[A-Za-z0-9_-]{1,64}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const MAX_VALUE = 4 * 1024 * 1024;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown, min: number): v is number => Number.isSafeInteger(v) && (v as number) >= min;

function fastCheck(value: unknown): PullResponse | null {
  if (!isRecord(value)) return null;
  const { changes, next, more, latest } = value;
  if (!Array.isArray(changes) || changes.length > LIMITS.pullPage) return null;
  if (!isCount(next, 0) || typeof more !== 'boolean' || !isCount(latest, 0)) return null;
  const out: PulledChange[] = new Array(changes.length);
  for (let i = 0; i < changes.length; i++) {
    const c = fastChange(changes[i]);
    if (!c) return null;
    out[i] = c;
  }
  return { changes: out, next, more, latest };
}

function fastChange(c: unknown): PulledChange | null {
  if (!isRecord(c)) return null;
  const { changeId, table, rowId, column, clock, value, seq, deviceId } = c;
  if (typeof changeId !== 'string' || !UUID.test(changeId)) return null;
  if (typeof table !== 'string' || !IDENT.test(table)) return null;
  if (typeof column !== 'string' || !IDENT.test(column)) return null;
  if (typeof rowId !== 'string' || rowId.length < 1 || rowId.length > 120 || !ROW_ID.test(rowId)) return null;
  if (typeof clock !== 'string' || !CLOCK.test(clock)) return null;
  if (typeof value !== 'string' || value.length > MAX_VALUE || !BASE64.test(value)) return null;
  if (!isCount(seq, 1)) return null;
  if (typeof deviceId !== 'string' || deviceId.length < 1 || deviceId.length > 64) return null;
  return { changeId, table, rowId, column, clock, value, seq, deviceId };
}
