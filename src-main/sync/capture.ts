import type { HybridClock } from '../../src-shared/hlc.js';
import { isConflictText, type SyncedTable } from '../../src-shared/sync-schema.js';
import { ChangeCapture, type FieldChange } from '../store/change-capture.js';
import type { Db } from '../store/db.js';
import type { FieldCodec } from '../store/fields.js';
import type { MetaRepo } from '../store/meta-repo.js';
import { SyncRepo } from '../store/sync-repo.js';

/**
 * Change capture as the sync engine needs it: after every recorded write it tells the engine
 * (which pushes shortly after, debounced), and for clinical free text it remembers the clock
 * the edit replaced, which is how a later received edit is recognised as concurrent
 * (sync/merge.ts).
 */
export class SyncCapture extends ChangeCapture {
  private readonly repo: SyncRepo;

  constructor(
    db: Db,
    clock: HybridClock,
    codec: FieldCodec,
    metaRepo: MetaRepo,
    now: () => number,
    private readonly onWrite: () => void,
  ) {
    super(db, clock, codec, metaRepo, now);
    this.repo = new SyncRepo(db);
  }

  override record<T extends SyncedTable>(table: T, rowId: string, changes: FieldChange<T>[]): void {
    const texts = changes.filter((c) => isConflictText(table, c.column)).map((c) => c.column as string);
    const bases = texts.map((col) => this.repo.fieldClock(table, rowId, col));
    super.record(table, rowId, changes);
    texts.forEach((col, i) => {
      const clock = this.repo.fieldClock(table, rowId, col);
      if (clock) this.repo.rememberOwnTextWrite(table, rowId, col, clock, bases[i] ?? null);
    });
    // Called inside the caller's transaction: the engine only arms a timer, and the push
    // reads the outbox after the transaction has committed (or rolled back).
    this.onWrite();
  }
}
