/**
 * Wakes long-polling pulls when their clinic's sequence moves past their cursor. A push
 * through this process calls notify() right after its commit; a push through ANOTHER server
 * process on the same PostgreSQL is only visible in the database, so while anyone waits, one
 * timer reads the seq of every clinic that has waiters (a single query per tick, however
 * many devices are waiting) and wakes those whose cursor it passed.
 */
interface Waiter {
  clinicId: string;
  after: number;
  wake: () => void;
}

export type ReadClinicSeqs = (clinicIds: string[]) => Promise<Map<string, number>>;

export class ClinicWatcher {
  private readonly waiters = new Set<Waiter>();
  // Highest seq seen per clinic, so a push that commits between a pull's empty read and its
  // wait() still wakes it at once instead of at the next poll.
  private readonly known = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly readSeqs: ReadClinicSeqs,
    private readonly pollMs: number,
    private readonly onPollError: (err: unknown) => void = () => {},
  ) {}

  /**
   * Resolves when the clinic's seq passes `after`, after `timeoutMs`, when `signal` aborts
   * (the client went away) or when the server closes, whichever comes first. The caller
   * re-reads the database either way: a wake-up is a hint, not data.
   */
  wait(clinicId: string, after: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (this.closed || signal?.aborted || (this.known.get(clinicId) ?? 0) > after) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter: Waiter = {
        clinicId,
        after,
        wake: () => {
          clearTimeout(timeout);
          signal?.removeEventListener('abort', waiter.wake);
          this.waiters.delete(waiter);
          resolve();
        },
      };
      const timeout = setTimeout(waiter.wake, timeoutMs);
      signal?.addEventListener('abort', waiter.wake, { once: true });
      this.waiters.add(waiter);
      this.schedule();
    });
  }

  /** A push committed: wake this clinic's waiters whose cursor is below `seq`. */
  notify(clinicId: string, seq: number): void {
    if (seq > (this.known.get(clinicId) ?? 0)) this.known.set(clinicId, seq);
    for (const w of [...this.waiters]) {
      if (w.clinicId === clinicId && w.after < seq) w.wake();
    }
  }

  get waiting(): number {
    return this.waiters.size;
  }

  /** Releases every waiter (they answer with what they have) and stops polling. */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const w of [...this.waiters]) w.wake();
  }

  private schedule(): void {
    if (this.timer || this.closed || this.waiters.size === 0) return;
    this.timer = setTimeout(() => void this.poll(), this.pollMs);
    // A waiting pull must not keep a closing process alive on its own.
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    const clinicIds = [...new Set([...this.waiters].map((w) => w.clinicId))];
    try {
      if (clinicIds.length > 0) {
        const seqs = await this.readSeqs(clinicIds);
        for (const [clinicId, seq] of seqs) this.notify(clinicId, seq);
      }
    } catch (err) {
      this.onPollError(err);
    } finally {
      this.timer = null;
      this.schedule();
    }
  }
}
