import { randomUUID } from 'node:crypto';
import { asc, desc, gt } from 'drizzle-orm';
import { type AuditFields, type ChainedAudit, chainHash, GENESIS_HASH, verifyChain } from '../audit/chain.js';
import type { Db } from './db.js';
import { auditEvents } from './schema.js';

export interface AuditInput {
  actorUserId: string | null;
  actorRole: string | null;
  action: string;
  subjectType?: string | null;
  subjectId?: string | null;
  outcome: AuditFields['outcome'];
  /** Ids, counts and field names only: never patient data. */
  detail?: Record<string, string | number | boolean | string[] | null>;
}

export class AuditRepo {
  constructor(
    private readonly db: Db,
    private readonly now: () => number,
  ) {}

  /** Appends one event; callers run it inside the transaction of the change it records. */
  append(input: AuditInput): ChainedAudit {
    const last = this.db
      .select({ seq: auditEvents.seq, hash: auditEvents.hash })
      .from(auditEvents)
      .orderBy(desc(auditEvents.seq))
      .limit(1)
      .get();
    const fields: AuditFields = {
      seq: (last?.seq ?? 0) + 1,
      id: randomUUID(),
      at: this.now(),
      actorUserId: input.actorUserId,
      actorRole: input.actorRole,
      action: input.action,
      subjectType: input.subjectType ?? null,
      subjectId: input.subjectId ?? null,
      outcome: input.outcome,
      detail: JSON.stringify(input.detail ?? {}),
    };
    const prevHash = last?.hash ?? GENESIS_HASH;
    const event: ChainedAudit = { ...fields, prevHash, hash: chainHash(prevHash, fields) };
    this.db.insert(auditEvents).values(event).run();
    return event;
  }

  verify() {
    return verifyChain(this.pages());
  }

  /** Reads the trail in pages so a long history never sits in memory at once. */
  private *pages(pageSize = 5000): Generator<ChainedAudit> {
    let after = 0;
    for (;;) {
      const page = this.db
        .select()
        .from(auditEvents)
        .where(gt(auditEvents.seq, after))
        .orderBy(asc(auditEvents.seq))
        .limit(pageSize)
        .all();
      yield* page as ChainedAudit[];
      if (page.length < pageSize) return;
      after = page[page.length - 1]!.seq;
    }
  }
}
