import { associatedData, verifyBytes } from '../crypto/envelope.js';

/**
 * What the envelope-check thread and the applying thread share about one pulled page
 * (check-thread.ts). Each change of the page has a slot in a shared Int32Array; whoever moves
 * a slot from OPEN to its own claim does that change's check, so no change is checked twice
 * and neither thread ever waits for work the other has not started.
 */
export const SLOT = {
  /** Not claimed yet. */
  open: 0,
  /** Being checked by the helper thread. */
  helper: 1,
  /** Authentic for its place. */
  ok: 2,
  /** Not authentic, or not checkable there (unknown key version, bad header). */
  failed: 3,
  /** Claimed by the applying thread, which checks it itself. */
  main: 4,
} as const;

/** Separates a place's table, column and row id, and one slot's place from the next. */
export const PART = '\u001f';
export const SLOT_END = '\u001e';

/** A slot's place as the helper reads it. */
export function slotPlace(table: string, column: string, rowId: string): string {
  return `${table}${PART}${column}${PART}${rowId}`;
}

/** One page's work, as posted to the helper thread. Nothing in it is plaintext. */
export interface CheckJob {
  /** The page's envelopes back to back. */
  values: SharedArrayBuffer;
  /** Int32 offsets into values: slot i is [offsets[i], offsets[i + 1]). */
  offsets: SharedArrayBuffer;
  /** Int32 slot states (SLOT). */
  status: SharedArrayBuffer;
  /** Per slot `table PART column PART rowId`, or '' for a slot with nothing to check;
   *  slots separated by SLOT_END. */
  places: string;
}

/**
 * Checks the slots of a job in order, claiming each; stops at the first slot the applying
 * thread has claimed (it works from the end, so every later one is its too).
 */
export function checkSlots(job: CheckJob, keyFor: (version: number) => Uint8Array | undefined): void {
  const status = new Int32Array(job.status);
  const offsets = new Int32Array(job.offsets);
  const bytes = new Uint8Array(job.values);
  const places = job.places.split(SLOT_END);
  for (let i = 0; i < places.length; i++) {
    const place = places[i]!;
    if (place === '') continue;
    const was = Atomics.compareExchange(status, i, SLOT.open, SLOT.helper);
    if (was === SLOT.main) return;
    if (was !== SLOT.open) continue;
    let ok = false;
    try {
      const [table = '', column = '', rowId = ''] = place.split(PART);
      const envelope = bytes.subarray(offsets[i]!, offsets[i + 1]!);
      verifyBytes(keyFor, envelope, associatedData({ table, column, rowId }), null);
      ok = true;
    } catch {
      // Not authentic here: the applying thread does the change's check again itself, which
      // records the security event (apply.ts).
    }
    Atomics.store(status, i, ok ? SLOT.ok : SLOT.failed);
    Atomics.notify(status, i);
  }
}
