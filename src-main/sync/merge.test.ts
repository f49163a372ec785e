import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareHlc, HybridClock } from '../../src-shared/hlc.js';
import { conflictCopyId, lostToUnseenOwnWrite, type OwnWrite, receivedWins } from './merge.js';

/**
 * The merge rules on their own, in a model of N workstations and a server log: random
 * offline edits of a few fields, syncs in random order, clocks skewed by up to five minutes.
 * A vector clock per workstation is the ground truth for "concurrent", which the real
 * engine cannot see: the conflict-copy rule must find exactly the edits that lost to an edit
 * made without seeing them.
 */
const RUNS = process.env.CI === 'true' ? 500 : 200;
const FIELDS = ['notes', 'phones', 'address'];
const TEXT = new Set(['notes']);

interface Change {
  id: number;
  node: number;
  field: string;
  clock: string;
  value: string;
  /** Copies travel as changes too: field '#copy', value = the copy's id. */
  vc: number[];
}

class Node {
  readonly fields = new Map<string, { clock: string; value: string }>();
  readonly own = new Map<string, OwnWrite[]>();
  readonly copies = new Set<string>();
  readonly outbox: Change[] = [];
  readonly vc: number[];
  readonly hlc: HybridClock;
  cursor = 0;

  constructor(
    readonly id: number,
    n: number,
    now: () => number,
  ) {
    this.vc = Array(n).fill(0);
    this.hlc = new HybridClock(`node${id}`, now);
  }

  write(field: string, value: string, log: Change[]): Change {
    const base = this.fields.get(field)?.clock ?? null;
    const clock = this.hlc.now();
    this.vc[this.id]!++;
    const c: Change = {
      id: log.length + this.outbox.length + Math.random(),
      node: this.id,
      field,
      clock,
      value,
      vc: [...this.vc],
    };
    this.fields.set(field, { clock, value });
    if (TEXT.has(field)) this.own.set(field, [...(this.own.get(field) ?? []), { clock, base }]);
    this.outbox.push(c);
    return c;
  }

  receive(c: Change, log: Change[]): void {
    if (c.node === this.id) return;
    this.vc.forEach((v, i) => {
      this.vc[i] = Math.max(v, c.vc[i]!);
    });
    this.hlc.receive(c.clock);
    if (c.field === '#copy') {
      this.copies.add(c.value);
      return;
    }
    const local = this.fields.get(c.field);
    if (receivedWins(local?.clock ?? null, c.clock)) {
      this.fields.set(c.field, { clock: c.clock, value: c.value });
    } else if (
      local?.clock !== c.clock &&
      TEXT.has(c.field) &&
      lostToUnseenOwnWrite(c.clock, this.own.get(c.field) ?? [])
    ) {
      const copy = conflictCopyId('patients', 'p1', c.field, c.clock);
      if (!this.copies.has(copy)) {
        this.copies.add(copy);
        this.outbox.push({
          id: Math.random(),
          node: this.id,
          field: '#copy',
          clock: this.hlc.now(),
          value: copy,
          vc: [...this.vc],
        });
      }
    }
    void log;
  }
}

type Op =
  | { t: 'write'; node: number; field: number; value: number }
  | { t: 'sync'; node: number }
  | { t: 'tick'; ms: number };

function ops(n: number) {
  return fc.array(
    fc.oneof(
      {
        weight: 5,
        arbitrary: fc.record({
          t: fc.constant('write' as const),
          node: fc.nat(n - 1),
          field: fc.constantFrom(0, 0, 0, 1, 2),
          value: fc.nat(1000),
        }),
      },
      { weight: 3, arbitrary: fc.record({ t: fc.constant('sync' as const), node: fc.nat(n - 1) }) },
      {
        weight: 2,
        arbitrary: fc.record({ t: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 5000 }) }),
      },
    ),
    { maxLength: 40 },
  );
}

interface World {
  nodes: Node[];
  log: Change[];
  writes: Change[];
}

function simulate(
  n: number,
  skews: number[],
  script: Op[],
  deliver: (node: Node, pending: Change[]) => Change[],
): World {
  let t = 1_700_000_000_000;
  const log: Change[] = [];
  const writes: Change[] = [];
  const nodes = Array.from({ length: n }, (_, i) => new Node(i, n, () => t + skews[i]!));
  const sync = (node: Node) => {
    log.push(...node.outbox.splice(0));
    for (const c of deliver(node, log.slice(node.cursor))) node.receive(c, log);
    node.cursor = log.length;
  };
  for (const op of script) {
    if (op.t === 'tick') t += op.ms;
    else if (op.t === 'sync') sync(nodes[op.node]!);
    else writes.push(nodes[op.node]!.write(FIELDS[op.field]!, `v${op.value}`, log));
  }
  // Until quiet: a conflict copy made during a pull travels on the next round.
  while (nodes.some((node) => node.outbox.length > 0 || node.cursor < log.length))
    for (const node of nodes) sync(node);
  return { nodes, log, writes };
}

function expectConverged({ nodes, writes }: World): void {
  for (const field of FIELDS) {
    const ofField = writes.filter((w) => w.field === field);
    const winner = ofField.sort((x, y) => compareHlc(y.clock, x.clock))[0];
    for (const node of nodes) {
      // Every write was acknowledged (pushed): the field holds the newest of them, everywhere.
      expect(node.fields.get(field)?.value).toBe(winner?.value);
    }
  }
  const copies = [...nodes[0]!.copies].sort();
  for (const node of nodes) expect([...node.copies].sort()).toEqual(copies);
}

const happenedBefore = (a: Change, b: Change) => a.vc[a.node]! <= b.vc[a.node]!;

describe('merge rules (model of N workstations, fast-check)', () => {
  for (const n of [2, 3]) {
    it(`${n} workstations, in-order delivery: converge, nothing acknowledged lost, conflict copies exactly for concurrent losers`, () => {
      let withCopies = 0;
      fc.assert(
        fc.property(
          fc.array(fc.integer({ min: -300_000, max: 300_000 }), { minLength: n, maxLength: n }),
          ops(n),
          (skews, script) => {
            const world = simulate(n, skews, script, (_node, pending) => pending);
            expectConverged(world);
            const expected = new Set(
              world.writes
                .filter((c) => TEXT.has(c.field))
                .filter((c) =>
                  world.writes.some(
                    (w) => w.field === c.field && compareHlc(w.clock, c.clock) > 0 && !happenedBefore(c, w),
                  ),
                )
                .map((c) => conflictCopyId('patients', 'p1', c.field, c.clock)),
            );
            expect([...world.nodes[0]!.copies].sort()).toEqual([...expected].sort());
            if (expected.size > 0) withCopies++;
          },
        ),
        { numRuns: RUNS },
      );
      // The schedules must actually produce concurrent edits, or the check above is idle.
      expect(withCopies).toBeGreaterThan(RUNS / 20);
    });

    it(`${n} workstations, duplicated and reordered delivery: the same values everywhere`, () => {
      fc.assert(
        fc.property(
          fc.array(fc.integer({ min: -300_000, max: 300_000 }), { minLength: n, maxLength: n }),
          ops(n),
          fc.infiniteStream(fc.nat()),
          (skews, script, randoms) => {
            const rnd = randoms[Symbol.iterator]();
            const next = () => rnd.next().value as number;
            const world = simulate(n, skews, script, (node, pending) => {
              // Shuffle, and deliver some changes twice (including ones from earlier pulls).
              const out = [...pending];
              for (let i = out.length - 1; i > 0; i--) {
                const j = next() % (i + 1);
                [out[i], out[j]] = [out[j]!, out[i]!];
              }
              const dups = out.filter(() => next() % 4 === 0);
              void node;
              return [...out, ...dups];
            });
            expectConverged(world);
          },
        ),
        { numRuns: RUNS },
      );
    });
  }
});
