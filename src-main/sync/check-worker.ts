import { parentPort } from 'node:worker_threads';
import { type CheckJob, checkSlots } from './check-slots.js';

/**
 * The envelope-check thread (check-thread.ts): authenticates the envelopes of pulled pages
 * while the applying thread writes them. It holds the clinic's field sub-keys (never the
 * clinic data keys themselves) for as long as a catch-up lasts, and wipes them when told to
 * or when it ends.
 */

export type ToChecker =
  | { kind: 'keys'; keys: [number, Uint8Array][] }
  | { kind: 'check'; job: CheckJob }
  | { kind: 'wipe' };

const keys = new Map<number, Uint8Array>();
const keyFor = (version: number) => keys.get(version);

function wipe(): void {
  for (const k of keys.values()) k.fill(0);
  keys.clear();
}

parentPort?.on('message', (m: ToChecker) => {
  if (m.kind === 'keys') {
    wipe();
    for (const [version, key] of m.keys) keys.set(version, key);
  } else if (m.kind === 'check') {
    checkSlots(m.job, keyFor);
  } else {
    wipe();
    parentPort?.close();
  }
});
