import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../src-shared/sync-wire.js';
import { parsePullPage, pullResponse } from './pull-page.js';

/**
 * parsePullPage must answer exactly as the zod schema does: same acceptance, same result.
 * Pages are generated valid and then broken one field at a time in the ways a hostile or
 * broken server could (wrong types, patterns, lengths, extra keys, prototype keys).
 */
const hex = (n: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: n, maxLength: n });
const good = fc.record({
  changeId: fc.uuid(),
  table: fc.constantFrom('patients', 'visits', 'field_x'),
  rowId: fc.stringMatching(/^[A-Za-z0-9:_-]{1,120}$/),
  column: fc.constantFrom('given_names', 'notes', 'a'),
  clock: fc
    .tuple(fc.nat({ max: 999_999_999 }), hex(6))
    .map(([w, c]) => `${String(w).padStart(15, '0')}-${c}-node1`),
  value: fc.uint8Array({ maxLength: 90 }).map((b) => Buffer.from(b).toString('base64')),
  seq: fc.integer({ min: 1, max: 2 ** 40 }),
  deviceId: fc.uuid(),
});

const oddValues = fc.constantFrom<unknown>(
  null,
  undefined,
  '',
  ' ',
  'x'.repeat(121),
  'not base64!',
  'AAA=\n',
  '00000000-0000-0000-0000-00000000000g',
  'sqlite_master',
  "x' OR 1=1 --",
  0,
  -1,
  1.5,
  2 ** 53,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  true,
  [],
  {},
  { toString: 'x' },
);
const FIELDS = ['changeId', 'table', 'rowId', 'column', 'clock', 'value', 'seq', 'deviceId'] as const;

const mutated = fc
  .tuple(good, fc.constantFrom(...FIELDS, 'extra', 'delete'), oddValues, fc.constantFrom(...FIELDS))
  .map(([c, field, odd, victim]) => {
    const out: Record<string, unknown> = { ...c };
    if (field === 'extra') out.extra = odd;
    else if (field === 'delete') delete out[victim];
    else out[field] = odd;
    return out;
  });

const page = (changes: unknown[]) =>
  fc.record({
    changes: fc.constant(changes),
    next: fc.oneof(fc.nat(), fc.constantFrom<unknown>(-1, 1.5, '3', null)),
    more: fc.oneof(fc.boolean(), fc.constantFrom<unknown>('true', 0)),
    latest: fc.nat(),
  });

describe('pull page check', () => {
  it('accepts and returns exactly what the zod schema does, for valid and broken pages', () => {
    const pages = fc.array(fc.oneof({ weight: 4, arbitrary: good }, { weight: 1, arbitrary: mutated }), {
      maxLength: 12,
    });
    fc.assert(
      fc.property(
        pages.chain((changes) => page(changes)),
        (p) => {
          const z = pullResponse.safeParse(p);
          const fast = parsePullPage(p);
          if (z.success) expect(fast).toEqual(z.data);
          else expect(fast).toBeNull();
        },
      ),
      { numRuns: 500 },
    );
  });

  it('refuses a page longer than the limit and anything that is not a page', () => {
    const c = fc.sample(good, 1)[0]!;
    const tooLong = { changes: Array(LIMITS.pullPage + 1).fill(c), next: 1, more: false, latest: 1 };
    expect(parsePullPage(tooLong)).toBeNull();
    for (const v of [null, [], 'page', 42, { changes: {}, next: 0, more: false, latest: 0 }])
      expect(parsePullPage(v)).toBeNull();
    // A key named __proto__ in the JSON is an own key like any other, and dropped.
    const json = JSON.parse(
      `{"changes":[${JSON.stringify(c).replace('{', '{"__proto__":{"seq":0},')}],"next":1,"more":false,"latest":1}`,
    );
    expect(parsePullPage(json)).toEqual({ changes: [c], next: 1, more: false, latest: 1 });
    // The accepted result carries only the known keys.
    const r = parsePullPage({ changes: [{ ...c, extra: 1 }], next: 1, more: false, latest: 1, x: 2 });
    expect(r).toEqual({ changes: [c], next: 1, more: false, latest: 1 });
  });
});
