import { createHash } from 'node:crypto';
import { compareHlc } from '../../src-shared/hlc.js';

/**
 * The merge rules, free of I/O so they can be tested by themselves (DESIGN.md §5).
 *
 * Last-writer-wins per field: a received value replaces the local one only when its hybrid
 * logical clock is greater. Clock strings end in the node id, so two different writes
 * never tie; an equal clock is the same write delivered again and is ignored. The outcome
 * is therefore independent of delivery order and of duplicates.
 */
export function receivedWins(localClock: string | null, receivedClock: string): boolean {
  return localClock === null || compareHlc(receivedClock, localClock) > 0;
}

/** One of this workstation's own edits of a free-text field, with the clock it replaced. */
export interface OwnWrite {
  clock: string;
  /** The field's clock when the edit was made (the value the editor saw); null if none. */
  base: string | null;
}

/**
 * Whether a received edit that lost last-writer-wins lost to a concurrent edit made here,
 * so its text must be kept as a conflict copy.
 *
 * An own edit O beats received edit R (O.clock > R.clock). O was made without seeing R
 * exactly when O's base is older than R: had R been applied here first, the field's clock
 * (O's base) would have been at least R's. Conversely R's writer cannot have seen O, since
 * its clock would then have passed O's. Only the workstation that made the winning edit can
 * tell, so it makes the copy and syncs it; every other workstation receives that copy.
 */
export function lostToUnseenOwnWrite(received: string, own: readonly OwnWrite[]): boolean {
  return own.some(
    (w) => compareHlc(w.clock, received) > 0 && (w.base === null || compareHlc(w.base, received) < 0),
  );
}

/**
 * The conflict copy's id, derived from the lost edit's place and clock, so that two
 * workstations recording the same loss name it alike and sync merges them into one.
 */
export function conflictCopyId(table: string, rowId: string, column: string, lostClock: string): string {
  const h = createHash('sha256')
    .update(`kavach/conflict/v1|${table}|${rowId}|${column}|${lostClock}`)
    .digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
