import {
  and,
  count,
  desc,
  eq,
  gte,
  inArray,
  isNotNull,
  isNull,
  lt,
  notInArray,
  type SQL,
  sql,
} from 'drizzle-orm';
import type { Db } from './db.js';
import { securityEvents } from './schema.js';

export type SecurityKind =
  | 'injection-detected'
  | 'login-failed'
  | 'account-locked'
  | 'rate-limited'
  | 'decryption-failed'
  | 'role-refused'
  | 'bad-sender'
  | 'clock-drift'
  | 'signature-refused';

export interface SecurityEventInput {
  kind: SecurityKind;
  channel?: string | null;
  userId?: string | null;
  /** Structured detail; callers must never put patient data or key material here. */
  detail: Record<string, string | number | boolean | string[] | null>;
}

export class SecurityRepo {
  constructor(
    private readonly db: Db,
    private readonly now: () => number,
  ) {}

  record(e: SecurityEventInput): void {
    this.db
      .insert(securityEvents)
      .values({
        at: this.now(),
        kind: e.kind,
        channel: e.channel ?? null,
        userId: e.userId ?? null,
        detail: JSON.stringify(e.detail),
      })
      .run();
  }

  recent(limit: number) {
    return this.db.select().from(securityEvents).orderBy(desc(securityEvents.id)).limit(limit).all();
  }

  /** Events per local day and kind since `fromMs`. The day is SQLite's 'localtime', the
   *  same zone Node uses for the workstation's own dates. */
  perDay(fromMs: number): { day: string; kind: string; n: number }[] {
    const day = sql<string>`strftime('%Y-%m-%d', ${securityEvents.at} / 1000, 'unixepoch', 'localtime')`;
    return this.db
      .select({ day, kind: securityEvents.kind, n: count() })
      .from(securityEvents)
      .where(gte(securityEvents.at, fromMs))
      .groupBy(day, securityEvents.kind)
      .all();
  }

  unacknowledged(fromMs: number): number {
    return (
      this.db
        .select({ n: count() })
        .from(securityEvents)
        .where(and(gte(securityEvents.at, fromMs), isNull(securityEvents.acknowledgedAt)))
        .get()?.n ?? 0
    );
  }

  /** Newest first, ids below `beforeId`. */
  list(f: SecurityListFilter, beforeId: number | null, limit: number): SecurityRow[] {
    const where: SQL[] = [];
    if (f.kind === 'other') where.push(notInArray(securityEvents.kind, [...f.known]));
    else if (f.kind !== null) where.push(eq(securityEvents.kind, f.kind));
    if (f.acknowledged === true) where.push(isNotNull(securityEvents.acknowledgedAt));
    if (f.acknowledged === false) where.push(isNull(securityEvents.acknowledgedAt));
    if (beforeId !== null) where.push(lt(securityEvents.id, beforeId));
    return this.db
      .select()
      .from(securityEvents)
      .where(and(...where))
      .orderBy(desc(securityEvents.id))
      .limit(limit)
      .all();
  }

  /** Marks the given events acknowledged; ones already acknowledged keep their first
   *  acknowledgement. Returns the ids that changed. */
  acknowledge(ids: readonly number[], by: string, at: number): number[] {
    return this.db
      .update(securityEvents)
      .set({ acknowledgedAt: at, acknowledgedBy: by })
      .where(and(inArray(securityEvents.id, [...ids]), isNull(securityEvents.acknowledgedAt)))
      .returning({ id: securityEvents.id })
      .all()
      .map((r) => r.id);
  }
}

export interface SecurityListFilter {
  /** A recorded kind, or 'other' for any kind outside `known`. */
  kind: string | null;
  known: readonly string[];
  acknowledged: boolean | null;
}

export type SecurityRow = typeof securityEvents.$inferSelect;
