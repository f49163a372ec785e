import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { IndexRow, TokenBatch, TokenHelper } from '../store/patient-tokens.js';
import type { IncomingChange } from './apply.js';
import { type CheckJob, SLOT, SLOT_END, slotPlace } from './check-slots.js';
import type { ToChecker } from './check-worker.js';
import { packRows } from './index-tokens.js';
import { ROW_ID, syncedTable } from './tables.js';

/** A received change's place when its envelope is stored as received (what the helper checks);
 *  null for plain columns, which the applier opens, and for names it will refuse anyway. */
export function checkablePlace(c: IncomingChange): string | null {
  if (syncedTable(c.tbl)?.columns.get(c.col)?.kind !== 'envelope' || !ROW_ID.test(c.rowId)) return null;
  return slotPlace(c.tbl, c.col, c.rowId);
}

/** How long the applying thread waits for one envelope the helper has started on before it
 *  gives up on the helper (a check takes microseconds; this only ends a dead thread's wait). */
const STALL_MS = 2_000;
/** How long the thread is given to wipe its keys and end before it is terminated. */
const WIPE_MS = 1_000;
/** Pages smaller than this are checked on the applying thread: a thread is not worth it. */
export const HELPED_PAGE = 1_000;

/** Where the helper's code is: beside this module's bundle, or its TypeScript source. */
function workerEntry(): { url: URL; workerData?: { entry: string } } {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    const source = 'check-worker.ts';
    return { url: new URL('./ts-worker.mjs', here), workerData: { entry: new URL(source, here).href } };
  }
  const bundled = 'check-worker.js';
  return { url: new URL(bundled, here) };
}

/**
 * A second thread that authenticates the envelopes of pulled pages while the applying thread
 * writes them (issue 4: a joining workstation spent a fifth of its time in AES-GCM, with the
 * second core idle), and computes blind-index tokens for the index build that ends a join.
 * Only envelopes that are stored as received are checked there; values that must be opened
 * are still opened by the applier. The helper is an optimisation only: whatever it has not
 * done, or could not confirm, the applying thread does itself (apply.ts, rebuildIndex). It
 * exists while a catch-up lasts and holds the field sub-keys only for that time (the
 * blind-index sub-key only during the index build).
 */
export class CheckThread {
  private worker: Worker | null;
  private sentVersions = '';
  /** How the thread ended: 0 when it wiped its keys and ended by itself. */
  exitCode: number | null = null;

  private constructor(worker: Worker) {
    this.worker = worker;
    worker.on('error', () => this.drop());
    worker.on('exit', (code) => {
      this.exitCode = code;
      this.worker = null;
    });
    worker.unref();
  }

  /** The helper, or null when a thread cannot be started here (the applier then does it all). */
  static start(log: (line: string) => void): CheckThread | null {
    try {
      const { url, workerData } = workerEntry();
      return new CheckThread(new Worker(url, workerData ? { workerData } : {}));
    } catch (e) {
      log(
        `sync: envelope-check thread not started (${e instanceof Error ? e.message : 'unknown'}); checking on the main thread`,
      );
      return null;
    }
  }

  get running(): boolean {
    return this.worker !== null;
  }

  /**
   * Posts one page for checking and returns its changes, their values decoded into memory the
   * helper shares, with the handle the applier settles them with. `placeOf` gives a change's
   * place when it is an envelope stored as received, else null. `keys` are copies of the
   * ring's field sub-keys: they are sent when the ring's versions changed and wiped here.
   */
  check(
    wire: { value: string }[],
    toChange: (i: number, value: Buffer) => IncomingChange,
    placeOf: (c: IncomingChange) => string | null,
    keys: [number, Uint8Array][],
  ): { changes: IncomingChange[]; check: PageCheck } {
    const n = wire.length;
    const offsets = new Int32Array(new SharedArrayBuffer(4 * (n + 1)));
    let total = 0;
    for (let i = 0; i < n; i++) {
      offsets[i] = total;
      total += Buffer.byteLength(wire[i]!.value, 'base64');
    }
    offsets[n] = total;
    const values = new SharedArrayBuffer(total);
    const bytes = Buffer.from(values);
    const changes: IncomingChange[] = new Array(n);
    const places: string[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const start = offsets[i]!;
      bytes.write(wire[i]!.value, start, offsets[i + 1]! - start, 'base64');
      const c = toChange(i, bytes.subarray(start, offsets[i + 1]!));
      changes[i] = c;
      places[i] = placeOf(c) ?? '';
    }
    const status = new SharedArrayBuffer(4 * Math.max(1, n));
    // A helper that stalls is not asked again: the engine sees it is no longer running.
    const check = new PageCheck(new Int32Array(status), changes, () => this.drop());
    const versions = keys.map(([v]) => v).join(',');
    try {
      if (this.worker && versions !== this.sentVersions) {
        this.post({ kind: 'keys', keys });
        this.sentVersions = versions;
      }
      const job: CheckJob = {
        values,
        offsets: offsets.buffer as SharedArrayBuffer,
        status,
        places: places.join(SLOT_END),
      };
      if (this.worker) this.post({ kind: 'check', job });
    } finally {
      for (const [, key] of keys) key.fill(0);
    }
    return { changes, check };
  }

  /** Ends the thread after it has wiped its keys (terminated if it has not ended in a second). */
  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = null;
    const ended = new Promise<void>((r) => worker.once('exit', () => r()));
    worker.postMessage({ kind: 'wipe' } satisfies ToChecker);
    const timer = setTimeout(() => void worker.terminate(), WIPE_MS);
    await ended;
    clearTimeout(timer);
  }

  /** Help for a joining workstation's index build (PatientsRepo.rebuildIndex). */
  tokenHelper(): TokenHelper {
    return new IndexHelper(this);
  }

  /** @internal Posts to the thread (IndexHelper). */
  post(m: ToChecker, transfer: (ArrayBuffer | MessagePort)[] = []): boolean {
    if (!this.worker) return false;
    this.worker.postMessage(m, transfer);
    return true;
  }

  private drop(): void {
    const worker = this.worker;
    this.worker = null;
    void worker?.terminate();
  }
}

/** One page's checks, as the applier sees them. */
export class PageCheck {
  private readonly slots = new Map<IncomingChange, number>();

  constructor(
    private readonly status: Int32Array,
    private readonly changes: IncomingChange[],
    private readonly stalled: () => void = () => {},
  ) {
    for (let i = 0; i < changes.length; i++) this.slots.set(changes[i]!, i);
  }

  /** How many of the page's envelopes the helper thread has checked so far. */
  helperChecked(): number {
    let n = 0;
    for (let i = 0; i < this.changes.length; i++) {
      const s = Atomics.load(this.status, i);
      if (s === SLOT.ok || s === SLOT.failed) n++;
    }
    return n;
  }

  /** The change's slot when it belongs to this page. */
  slotOf(c: IncomingChange): number | undefined {
    return this.slots.get(c);
  }

  /**
   * True when every listed slot is authentic. Works from the end, checking with `here` every
   * slot the helper has not claimed; waits for the ones it has. False at the first failure,
   * or when the helper stalls: the caller then applies the page again without the helper.
   */
  settle(slots: number[], here: (c: IncomingChange) => boolean): boolean {
    const status = this.status;
    for (let k = slots.length - 1; k >= 0; k--) {
      const i = slots[k]!;
      let s = Atomics.compareExchange(status, i, SLOT.open, SLOT.main);
      if (s === SLOT.open) {
        if (!here(this.changes[i]!)) return false;
        continue;
      }
      while (s === SLOT.helper) {
        if (Atomics.wait(status, i, SLOT.helper, STALL_MS) === 'timed-out') {
          this.stalled();
          return false;
        }
        s = Atomics.load(status, i);
      }
      if (s !== SLOT.ok) return false;
    }
    return true;
  }
}

/** How long the index build waits for one batch of tokens before it does the rest itself. */
const INDEX_STALL_MS = 10_000;

/** The helper's side of the index build: batches of patients out, their tokens back. */
class IndexHelper implements TokenHelper {
  private port: MessagePort | null = null;
  private readonly signal = new Int32Array(new SharedArrayBuffer(4));
  private next = 0;

  constructor(private readonly thread: CheckThread) {}

  start(blindKey: Uint8Array): boolean {
    try {
      const { port1, port2 } = new MessageChannel();
      const sent = this.thread.post(
        { kind: 'index-start', blindKey, port: port2, signal: this.signal.buffer as SharedArrayBuffer },
        [port2],
      );
      if (!sent) {
        port1.close();
        return false;
      }
      this.port = port1;
      return true;
    } finally {
      blindKey.fill(0);
    }
  }

  post(rows: IndexRow[]): number | null {
    if (!this.port) return null;
    const packed = packRows(rows);
    const batch = this.next++;
    const sent = this.thread.post({ kind: 'index-rows', batch, rows: packed }, [
      packed.bytes.buffer as ArrayBuffer,
      packed.offsets.buffer as ArrayBuffer,
    ]);
    return sent ? batch : null;
  }

  take(batch: number): TokenBatch | null {
    const port = this.port;
    if (!port) return null;
    for (;;) {
      const seen = Atomics.load(this.signal, 0);
      const got = receiveMessageOnPort(port);
      if (got) {
        const m = got.message as { batch: number; result: TokenBatch };
        if (m.batch === batch) return m.result;
        if (m.batch > batch) return null;
        continue; // an earlier batch given up on
      }
      if (Atomics.wait(this.signal, 0, seen, INDEX_STALL_MS) === 'timed-out') {
        this.end();
        return null;
      }
    }
  }

  end(): void {
    if (!this.port) return;
    this.thread.post({ kind: 'index-end' });
    this.port.close();
    this.port = null;
  }
}
