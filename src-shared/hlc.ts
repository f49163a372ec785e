/**
 * Hybrid logical clock (DESIGN.md §5): wall milliseconds, a counter for events within one
 * millisecond, and the node id. Its string form sorts in causal-then-node order, so the
 * same comparison serves SQL ORDER BY and in-memory merges. Shared by workstation and server.
 */

export interface Hlc {
  wall: number;
  counter: number;
  node: string;
}

/** A remote clock further ahead than this is refused: it is a wrong system clock, not news. */
export const DEFAULT_MAX_DRIFT_MS = 10 * 60 * 1000;
const WALL_DIGITS = 15;
const COUNTER_DIGITS = 6;
const MAX_COUNTER = 16 ** COUNTER_DIGITS - 1;

export class ClockDriftError extends Error {
  override readonly name = 'ClockDriftError';
  readonly code = 'CLOCK_DRIFT';
  constructor(
    readonly remoteWall: number,
    readonly localWall: number,
  ) {
    const minutes = Math.round((remoteWall - localWall) / 60000);
    super(
      `A clock ${minutes} minutes ahead of this workstation was seen. Check the system date and time on both machines; the change was not applied.`,
    );
  }
}

export function formatHlc(c: Hlc): string {
  return `${String(c.wall).padStart(WALL_DIGITS, '0')}-${c.counter.toString(16).padStart(COUNTER_DIGITS, '0')}-${c.node}`;
}

export function parseHlc(s: string): Hlc {
  const m = /^(\d{15})-([0-9a-f]{6})-([A-Za-z0-9_-]{1,64})$/.exec(s);
  if (!m) throw new Error('Malformed clock');
  return { wall: Number(m[1]), counter: Number.parseInt(m[2]!, 16), node: m[3]! };
}

export function compareHlc(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export class HybridClock {
  private last: Hlc;

  constructor(
    readonly node: string,
    private readonly physicalNow: () => number,
    private readonly maxDriftMs = DEFAULT_MAX_DRIFT_MS,
    start?: string,
  ) {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(node)) throw new Error('Bad node id');
    this.last = start ? { ...parseHlc(start), node } : { wall: 0, counter: 0, node };
  }

  /** A timestamp for a local event. */
  now(): string {
    const phys = this.physicalNow();
    if (phys > this.last.wall) {
      this.last = { wall: phys, counter: 0, node: this.node };
    } else {
      this.bump();
    }
    return formatHlc(this.last);
  }

  /** Merge a clock seen on a received change; refuses one from a wildly wrong clock. */
  receive(remote: string): string {
    const r = parseHlc(remote);
    const phys = this.physicalNow();
    if (r.wall - phys > this.maxDriftMs) throw new ClockDriftError(r.wall, phys);
    const wall = Math.max(phys, this.last.wall, r.wall);
    let counter = 0;
    if (wall === this.last.wall && wall === r.wall) counter = Math.max(this.last.counter, r.counter) + 1;
    else if (wall === this.last.wall) counter = this.last.counter + 1;
    else if (wall === r.wall) counter = r.counter + 1;
    if (counter > MAX_COUNTER) throw new Error('Clock counter overflow');
    this.last = { wall, counter, node: this.node };
    return formatHlc(this.last);
  }

  /** The newest clock issued, to persist across restarts. */
  get latest(): string {
    return formatHlc(this.last);
  }

  private bump(): void {
    if (this.last.counter >= MAX_COUNTER) {
      // Counter space for this millisecond is spent: borrow the next millisecond.
      this.last = { wall: this.last.wall + 1, counter: 0, node: this.node };
    } else {
      this.last = { ...this.last, counter: this.last.counter + 1 };
    }
  }
}
