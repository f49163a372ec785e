/**
 * A per-key fixed-window counter held in this process's memory. Good enough for its two
 * jobs (stop a runaway workstation's push loop, stop noise against enrollment codes); with
 * several server instances each counts on its own, so the effective limit is per instance.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();
  private lastSweep: number;

  constructor(
    private readonly perWindow: number,
    private readonly windowMs: number,
    private readonly now: () => number,
  ) {
    this.lastSweep = now();
  }

  /** Counts one request for `key`; false when it is over the limit. */
  take(key: string): boolean {
    const now = this.now();
    this.sweep(now);
    const w = this.windows.get(key);
    if (!w || now - w.start >= this.windowMs) {
      this.windows.set(key, { start: now, count: 1 });
      return this.perWindow >= 1;
    }
    w.count++;
    return w.count <= this.perWindow;
  }

  /** Seconds until `key` may try again (for Retry-After). */
  retryAfterSeconds(key: string): number {
    const w = this.windows.get(key);
    if (!w) return 0;
    return Math.max(1, Math.ceil((w.start + this.windowMs - this.now()) / 1000));
  }

  // Forget finished windows now and then, so a scan from many addresses cannot grow the map.
  private sweep(now: number): void {
    if (now - this.lastSweep < this.windowMs) return;
    this.lastSweep = now;
    for (const [key, w] of this.windows) {
      if (now - w.start >= this.windowMs) this.windows.delete(key);
    }
  }
}
