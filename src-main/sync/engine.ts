import { LIMITS, type PullResponse, type WireChangeJson } from '../../src-shared/sync-wire.js';
import type { SyncStatus } from '../../src-shared/types.js';
import { KeyWrapsRepo } from '../keys/distribution.js';
import type { SyncRepo } from '../store/sync-repo.js';
import { syncTokenAccount } from '../vault/device-key.js';
import type { SecretStore } from '../vault/secret-store.js';
import { type ApplyDeps, type ApplyReport, applyPage, applyWaiting, type IncomingChange } from './apply.js';
import { CheckThread, checkablePlace, HELPED_PAGE, type PageCheck } from './check-thread.js';
import { type FetchLike, SyncClient, SyncRequestError } from './client.js';
import { WaitingRepo } from './waiting.js';

export interface SyncTuning {
  /** false: no background loops or timers; sync only on syncNow() (tests). Default true. */
  auto?: boolean;
  /** Wait after a local write before pushing, so a burst of writes goes in one request. */
  debounceMs?: number;
  /** The fallback pass: push whatever is waiting and wake a backed-off pull. */
  periodicMs?: number;
  /** Long-poll wait while caught up, in seconds (the server holds at most 30). */
  longPollSeconds?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Changes per pull page, 1 to LIMITS.pullPage (the default); smaller only in tests that
   *  need a backlog to span several pages. */
  pullPage?: number;
  fetch?: FetchLike;
}

export interface EngineDeps {
  /** The current services: they are rebuilt when a joining workstation adopts the clinic's keys. */
  live(): Omit<ApplyDeps, 'deviceId'>;
  repo: SyncRepo;
  secrets: SecretStore;
  installId(): string | null;
  now(): number;
  log(line: string): void;
  /** After each pulled page: adopts key versions that arrived wrapped; true when one did. */
  keysArrived?(): Promise<boolean>;
  /**
   * Copies of the ring's field sub-keys by version, for the envelope-check thread that helps
   * while catching up (check-thread.ts). Absent: no helper thread.
   */
  fieldKeys?(): [number, Uint8Array][];
}

const PUSH_BYTES = 6 * 1024 * 1024;

/**
 * The workstation's sync loop (DESIGN.md §5): push soon after local writes, pull by
 * long-poll while online, a periodic pass as the fallback, exponential backoff with full
 * jitter while the server is unreachable, and a status in words for the screens.
 */
export class SyncEngine {
  readonly tuning: Required<Omit<SyncTuning, 'fetch'>> & { fetch: FetchLike };
  private token: string | null = null;
  private running = false;
  private closed = false;
  private caughtUp = false;
  private failures = 0;
  private lastError: { kind: string; message: string } | null = null;
  private notice: string | null = null;
  private pushTimer: NodeJS.Timeout | null = null;
  private periodic: NodeJS.Timeout | null = null;
  private wake: (() => void) | null = null;
  private longPoll: AbortController | null = null;
  private pullChain: Promise<unknown> = Promise.resolve();
  /** The page after the one being applied, already requested (used only if the cursor
   *  then equals its `after`; a failed prefetch is simply asked for again). */
  private prefetched: { after: number; page: Promise<PullResponse> } | null = null;
  /** The envelope-check thread while catching up (undefined: not started; null: none here). */
  private checker: CheckThread | null | undefined = undefined;
  /** How many helper threads this engine has started (diagnostics and tests). */
  helperStarts = 0;
  private pushChain: Promise<unknown> = Promise.resolve();
  private loop: Promise<void> | null = null;

  constructor(
    private readonly deps: EngineDeps,
    tuning: SyncTuning = {},
  ) {
    this.tuning = {
      auto: tuning.auto ?? true,
      debounceMs: tuning.debounceMs ?? 300,
      periodicMs: tuning.periodicMs ?? 30_000,
      longPollSeconds: Math.min(tuning.longPollSeconds ?? 25, LIMITS.maxWaitSeconds),
      backoffBaseMs: tuning.backoffBaseMs ?? 1_000,
      backoffMaxMs: tuning.backoffMaxMs ?? 60_000,
      pullPage: Math.max(1, Math.min(tuning.pullPage ?? LIMITS.pullPage, LIMITS.pullPage)),
      fetch: tuning.fetch ?? ((input, init) => fetch(input, init)),
    };
  }

  get configured(): boolean {
    return this.deps.repo.get('server_url') !== null;
  }

  /** Joined, but the first full pull has not finished: staff cannot log in yet. */
  get joining(): boolean {
    return this.deps.repo.get('joining') === '1';
  }

  /** The last server sequence number applied here. */
  get cursor(): number {
    return this.deps.repo.cursor();
  }

  get deviceId(): string | null {
    return this.deps.repo.get('device_id');
  }

  /** Loads the device token from the keychain and, when configured, starts the loops. */
  async start(): Promise<void> {
    if (this.closed || !this.configured) return;
    const installId = this.deps.installId();
    this.token = installId ? await this.deps.secrets.get(syncTokenAccount(installId)) : null;
    if (!this.token) {
      this.lastError = {
        kind: 'refused',
        message: "This workstation's sync token is missing from the keychain. An admin must enroll it again.",
      };
      return;
    }
    if (!this.tuning.auto || this.running) return;
    this.running = true;
    this.periodic = setInterval(() => this.periodicPass(), this.tuning.periodicMs);
    this.periodic.unref();
    this.loop = this.pullLoop();
    this.pushSoon();
  }

  /** Called after enrollment has stored the token in the keychain. */
  async begin(token: string): Promise<void> {
    this.token = token;
    this.lastError = null;
    this.caughtUp = false;
    await this.start();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.running = false;
    if (this.pushTimer) clearTimeout(this.pushTimer);
    if (this.periodic) clearInterval(this.periodic);
    this.longPoll?.abort();
    this.wake?.();
    await Promise.allSettled([this.loop, this.pullChain, this.pushChain]);
    await this.stopChecker();
  }

  /** A local write was recorded: push after a short quiet spell. */
  notifyLocalWrite(): void {
    if (this.running) this.pushSoon();
  }

  status(): SyncStatus {
    const r = this.deps.repo;
    const base = {
      serverUrl: r.get('server_url'),
      deviceName: r.get('device_name'),
      lastSyncAt: r.get('last_sync_at') ? Number(r.get('last_sync_at')) : null,
      pending: r.pendingCount(),
      held: r.heldCount() + new WaitingRepo(this.deps.live().db).count(),
    };
    if (!base.serverUrl) return { ...base, state: 'not-configured', error: null, initialSync: null };
    const held = r.heldCount();
    const drift =
      held > 0
        ? `${held} change(s) from another workstation carry a clock far ahead of this one's and are held, not applied. Check the date and time on every workstation; held changes apply once the clocks agree.`
        : null;
    const initialSync = this.joining
      ? { applied: r.cursor(), total: Math.max(r.cursor(), Number(r.get('latest') ?? '0')) }
      : null;
    const e = this.lastError;
    const error = e?.message ?? drift ?? this.notice;
    if (e && (e.kind === 'unreachable' || e.kind === 'busy' || e.kind === 'server'))
      return { ...base, state: 'offline', error, initialSync };
    if (e) return { ...base, state: 'error', error, initialSync };
    if (initialSync || !this.caughtUp) return { ...base, state: 'syncing', error, initialSync };
    return { ...base, state: 'online', error, initialSync };
  }

  /** One full pass now: push everything waiting, then pull until caught up. */
  async syncNow(): Promise<SyncStatus> {
    if (!this.configured || !this.token || this.closed) return this.status();
    this.longPoll?.abort();
    try {
      await this.pushAll();
      while (!(await this.pullOnce(0))) {
        /* more pages */
      }
      this.failed(null);
    } catch (e) {
      this.failed(e);
    }
    this.wake?.();
    return this.status();
  }

  /** A client for enrollment-time calls and administration, with this device's token. */
  client(serverUrl = this.deps.repo.get('server_url') ?? '', token: string | null = this.token): SyncClient {
    return new SyncClient(serverUrl, token, this.tuning.fetch, this.tuning.pullPage);
  }

  private pushSoon(): void {
    if (this.pushTimer || this.closed) return;
    this.pushTimer = setTimeout(() => {
      this.pushTimer = null;
      this.pushAll().then(
        () => this.failed(null),
        (e) => this.failed(e),
      );
    }, this.tuning.debounceMs);
    this.pushTimer.unref();
  }

  private periodicPass(): void {
    if (this.deps.repo.pendingCount() > 0) this.pushSoon();
    this.wake?.();
  }

  /** Pushes every unsent change in batches; serialised so two pushes never overlap. */
  pushAll(): Promise<void> {
    const run = this.pushChain.then(async () => {
      for (;;) {
        const batch = this.nextBatch();
        if (batch.length === 0) return;
        await this.client().push(batch);
        this.deps.repo.markSent(
          batch.map((c) => c.changeId),
          this.deps.now(),
        );
      }
    });
    this.pushChain = run.catch(() => {});
    return run;
  }

  private nextBatch(): WireChangeJson[] {
    const out: WireChangeJson[] = [];
    let bytes = 0;
    // A new key version's wrap goes before every change that may be sealed under it.
    const wraps = new KeyWrapsRepo(this.deps.live().db).pendingChanges();
    const first = new Set(wraps.map((c) => c.changeId));
    const rest = this.deps.repo.pending(LIMITS.pushBatch).filter((c) => !first.has(c.changeId));
    for (const c of [...wraps, ...rest].slice(0, LIMITS.pushBatch)) {
      const value = c.value.toString('base64');
      // Photos are large: keep each request well under the server's body limit.
      if (out.length > 0 && bytes + value.length > PUSH_BYTES) break;
      bytes += value.length + 200;
      out.push({ changeId: c.changeId, table: c.tbl, rowId: c.rowId, column: c.col, clock: c.clock, value });
    }
    return out;
  }

  /** Pulls and applies one page; true when caught up. Serialised with every other pull. */
  private pullOnce(waitSeconds: number, signal?: AbortSignal): Promise<boolean> {
    const run = this.pullChain.then(async () => {
      const repo = this.deps.repo;
      const after = repo.cursor();
      const ahead = this.prefetched;
      this.prefetched = null;
      const page =
        ahead && ahead.after === after
          ? await ahead.page
          : await this.client().pull(after, this.caughtUp ? waitSeconds : 0, signal);
      if (page.more) {
        // Catching up (joining, or back after a long time offline): ask for the next page
        // now, so the server reads it while this one is decrypted and applied.
        const next = this.client().pull(page.next, 0);
        next.catch(() => {});
        this.prefetched = { after: page.next, page: next };
        await new Promise((r) => setImmediate(r));
      }
      const report = this.apply(after, page);
      // A key version carried in this page (or an earlier one): add it, then apply what waited for it.
      if (this.deps.keysArrived && (await this.deps.keysArrived())) this.applyWaiting();
      if (report && report.held > 0)
        this.deps.live().security.record({
          kind: 'clock-drift',
          detail: { held: report.held, minutesAhead: report.driftMinutes },
        });
      if (report && report.unstorable > 0)
        this.notice =
          'Some received records could not be stored here (for example a username already used on this workstation). An admin should check staff accounts.';
      if (page.more) return false;
      this.caughtUp = true;
      repo.set('last_sync_at', String(this.deps.now()));
      try {
        if (this.joining) {
          // The join's last page is in: index the whole clinic at once (apply's deferIndex),
          // in the same transaction that lets staff log in; the helper thread, when there is
          // one, opens fields and keys tokens meanwhile.
          const live = this.deps.live();
          const helper = this.checker?.running ? this.checker.tokenHelper() : undefined;
          live.db.transaction(() => {
            live.patients.rebuildIndex(undefined, helper);
            repo.delete('joining');
          });
        }
      } finally {
        // Caught up: the helper thread and the keys it holds are not needed any more.
        await this.stopChecker();
      }
      if (repo.pendingCount() > 0) this.pushSoon();
      return true;
    });
    // A catch-up that failed part-way (server gone, network down) does not keep the helper
    // thread and its keys while it backs off: the next catch-up starts a new one.
    run.catch(() => this.stopChecker()).catch(() => {});
    this.pullChain = run.catch(() => {});
    return run;
  }

  /** Applies a pulled page (exposed for tests of duplicated and reordered delivery). */
  apply(after: number, page: PullResponse, knows?: ApplyDeps['knows']): ApplyReport | null {
    const toChange = (i: number, value: Buffer): IncomingChange => {
      const c = page.changes[i]!;
      return {
        changeId: c.changeId,
        seq: c.seq,
        tbl: c.table,
        rowId: c.rowId,
        col: c.column,
        clock: c.clock,
        deviceId: c.deviceId,
        value,
      };
    };
    // Catching up, a page's envelopes are authenticated on a second thread while this one
    // writes them (check-thread.ts).
    const checker = page.more && page.changes.length >= HELPED_PAGE ? this.checkThread() : null;
    let changes: IncomingChange[];
    let precheck: PageCheck | null = null;
    if (checker && this.deps.fieldKeys) {
      const posted = checker.check(page.changes, toChange, checkablePlace, this.deps.fieldKeys());
      changes = posted.changes;
      precheck = posted.check;
    } else changes = page.changes.map((c, i) => toChange(i, Buffer.from(c.value, 'base64')));
    return applyPage(
      {
        ...this.deps.live(),
        deviceId: this.deviceId,
        deferIndex: this.joining,
        ...(knows ? { knows } : {}),
        ...(precheck ? { precheck } : {}),
      },
      after,
      page.next,
      page.latest,
      changes,
      page.more,
    );
  }

  /** Whether a helper thread is running now (it should only while catching up). */
  get helperRunning(): boolean {
    return this.checker?.running ?? false;
  }

  private checkThread(): CheckThread | null {
    if (!this.deps.fieldKeys || this.closed) return null;
    if (this.checker === undefined) {
      this.checker = CheckThread.start(this.deps.log);
      if (this.checker) this.helperStarts++;
    }
    // A helper that ended on its own is not started again: this thread does the checks.
    if (this.checker && !this.checker.running) this.checker = null;
    return this.checker;
  }

  private async stopChecker(): Promise<void> {
    const checker = this.checker;
    this.checker = undefined;
    await checker?.close();
  }

  /** Applies waiting changes whose key version or column is known now (exposed for tests). */
  applyWaiting(knows?: ApplyDeps['knows']): ApplyReport {
    return applyWaiting({ ...this.deps.live(), deviceId: this.deviceId, ...(knows ? { knows } : {}) });
  }

  private async pullLoop(): Promise<void> {
    while (this.running) {
      if (this.lastError && (this.lastError.kind === 'refused' || this.lastError.kind === 'revoked')) {
        // No point asking again and again: wait for the periodic pass or "Sync now".
        await this.sleep(this.tuning.periodicMs);
        if (!this.running) return;
      }
      this.longPoll = new AbortController();
      try {
        await this.pullOnce(this.tuning.longPollSeconds, this.longPoll.signal);
        this.failed(null);
      } catch (e) {
        if (e instanceof SyncRequestError && e.kind === 'aborted') continue;
        this.failed(e);
        const ceiling = Math.min(
          this.tuning.backoffMaxMs,
          this.tuning.backoffBaseMs * 2 ** Math.min(this.failures, 16),
        );
        // Full jitter: many workstations coming back after an outage do not arrive together.
        await this.sleep(Math.max(100, Math.random() * ceiling));
      }
    }
  }

  private failed(e: unknown): void {
    if (e === null) {
      this.failures = 0;
      this.lastError = null;
      return;
    }
    if (e instanceof SyncRequestError) {
      if (e.kind === 'aborted') return;
      this.failures++;
      this.lastError = { kind: e.kind, message: e.message };
      return;
    }
    this.failures++;
    this.lastError = {
      kind: 'server',
      message: 'Received changes could not be applied; Kavach will try again.',
    };
    this.deps.log(`sync pass failed: ${e instanceof Error ? e.name : 'non-error thrown'}`);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      t.unref();
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wake = () => {
        this.wake = null;
        done();
      };
    });
  }
}
