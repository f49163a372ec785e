import { type MessagePort, parentPort } from 'node:worker_threads';
import { blindIndexer, type TokenKind } from '../crypto/blind-index.js';
import { memoized } from '../store/patient-tokens.js';
import { type CheckJob, checkSlots } from './check-slots.js';
import { type PackedRows, tokenBatch } from './index-tokens.js';

/**
 * The sync helper thread (check-thread.ts). While a workstation catches up it authenticates
 * the envelopes of pulled pages as the applying thread writes them, holding the clinic's
 * field sub-keys (never the clinic data keys themselves); when a join ends it also computes
 * the blind-index tokens of batches of patients, holding the blind-index sub-key until the
 * build ends. It wipes what it holds when told to, and the field keys when it ends.
 */

export type ToChecker =
  | { kind: 'keys'; keys: [number, Uint8Array][] }
  | { kind: 'check'; job: CheckJob }
  | { kind: 'index-start'; blindKey: Uint8Array; port: MessagePort; signal: SharedArrayBuffer }
  | { kind: 'index-rows'; batch: number; rows: PackedRows }
  | { kind: 'index-end' }
  | { kind: 'wipe' };

const keys = new Map<number, Uint8Array>();
const keyFor = (version: number) => keys.get(version);
let index: {
  key: Uint8Array;
  port: MessagePort;
  signal: Int32Array;
  keyed: (kind: TokenKind, value: string) => Uint8Array;
} | null = null;

function wipe(): void {
  for (const k of keys.values()) k.fill(0);
  keys.clear();
}

function endIndex(): void {
  if (!index) return;
  index.key.fill(0);
  index.port.close();
  index = null;
}

function startIndex(blindKey: Uint8Array, port: MessagePort, signal: SharedArrayBuffer): void {
  endIndex();
  const keyed = memoized(blindIndexer(blindKey));
  index = { key: blindKey, port, signal: new Int32Array(signal), keyed };
}

parentPort?.on('message', (m: ToChecker) => {
  switch (m.kind) {
    case 'keys':
      wipe();
      for (const [version, key] of m.keys) keys.set(version, key);
      break;
    case 'check':
      checkSlots(m.job, keyFor);
      break;
    case 'index-start':
      startIndex(m.blindKey, m.port, m.signal);
      break;
    case 'index-rows': {
      if (!index) break;
      const result = tokenBatch(m.rows, keyFor, index.keyed);
      // Typed arrays made here, each on its own ArrayBuffer: moved, not copied.
      const moved = [result.kinds, result.tokens, result.rowOf, result.failed].map(
        (a) => a.buffer as ArrayBuffer,
      );
      index.port.postMessage({ batch: m.batch, result }, moved);
      // The index build waits synchronously (receiveMessageOnPort): wake it.
      Atomics.add(index.signal, 0, 1);
      Atomics.notify(index.signal, 0);
      break;
    }
    case 'index-end':
      endIndex();
      break;
    case 'wipe':
      endIndex();
      wipe();
      parentPort?.close();
      break;
  }
});
