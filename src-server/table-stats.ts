import { sql } from 'drizzle-orm';
import type { ServerDb } from './db';

/**
 * Keeps the planner's statistics of the change log fresh on embedded PGlite, which has no
 * autovacuum daemon to do it. Without them PostgreSQL kept believing the table held a few
 * hundred rows: the duplicate check of every push then read the clinic's whole log (177 ms
 * a push at 210,000 changes, growing with the log), where an index lookup takes a few ms.
 * On PostgreSQL proper autovacuum does this, and this class does nothing.
 *
 * Like autovacuum's own rule: analyse once the rows inserted since the last ANALYZE reach a
 * fixed floor plus a fraction of the rows counted then.
 */
export class TableStats {
  private rowsAtLastAnalyze = 0;
  private insertedSince = 0;
  private running: Promise<void> | null = null;

  constructor(
    private readonly db: ServerDb,
    private readonly enabled: boolean,
    private readonly onError: (err: unknown) => void = () => {},
    private readonly floor = 1_000,
    private readonly fraction = 0.1,
  ) {}

  /** Analyses every table once (at start-up: a data directory may come from elsewhere). */
  async start(): Promise<void> {
    if (!this.enabled) return;
    await this.analyze();
  }

  /** Counts rows just committed to the change log; analyses in the background when due. */
  inserted(rows: number): void {
    if (!this.enabled || rows <= 0) return;
    this.insertedSince += rows;
    if (this.running || this.insertedSince < this.floor + this.fraction * this.rowsAtLastAnalyze) return;
    this.running = this.analyze()
      .catch(this.onError)
      .finally(() => {
        this.running = null;
      });
  }

  /** Resolves when a background ANALYZE (if any) has finished. */
  async settled(): Promise<void> {
    await this.running;
  }

  private async analyze(): Promise<void> {
    const counted = this.insertedSince;
    await this.db.execute(sql`analyze`);
    const result = await this.db.execute(
      sql`select reltuples::bigint as rows from pg_class where oid = 'changes'::regclass`,
    );
    const rows = (result as unknown as { rows: { rows: number | string }[] }).rows[0]?.rows;
    this.rowsAtLastAnalyze = Math.max(0, Number(rows ?? 0));
    this.insertedSince -= counted;
  }
}
