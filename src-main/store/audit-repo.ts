import { randomUUID } from 'node:crypto';
import { and, asc, desc, eq, gt, gte, lt, or, type SQL, sql } from 'drizzle-orm';
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

/** What the admin's audit viewer filters by; times are epoch ms, `toMs` exclusive. */
export interface AuditFilter {
  userId: string | null;
  patientId: string | null;
  action: string | null;
  fromMs: number | null;
  toMs: number | null;
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
    const result = verifyChain(this.pages());
    if (!result.firstBroken) return result;
    // The broken row as stored, so the admin sees when and what without a second look-up.
    const row = this.db
      .select({ at: auditEvents.at, action: auditEvents.action })
      .from(auditEvents)
      .where(eq(auditEvents.seq, result.firstBroken.seq))
      .get();
    return row
      ? { ...result, firstBroken: { ...result.firstBroken, at: row.at, action: row.action } }
      : result;
  }

  /** Newest first, events with `seq` below `beforeSeq`. Bound parameters only. */
  list(filter: AuditFilter, beforeSeq: number | null, limit: number): ChainedAudit[] {
    const where = [...conditions(filter), ...(beforeSeq !== null ? [lt(auditEvents.seq, beforeSeq)] : [])];
    return this.db
      .select()
      .from(auditEvents)
      .where(and(...where))
      .orderBy(desc(auditEvents.seq))
      .limit(limit)
      .all() as ChainedAudit[];
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

/**
 * A patient's events: those whose subject is the patient, those whose detail names it as
 * `patient` (visits, prescriptions, attachments, appointments, consultations) and duplicate
 * checks that listed it among the candidates.
 */
function conditions(f: AuditFilter): SQL[] {
  const out: SQL[] = [];
  if (f.userId !== null) out.push(eq(auditEvents.actorUserId, f.userId));
  if (f.action !== null) out.push(eq(auditEvents.action, f.action));
  if (f.fromMs !== null) out.push(gte(auditEvents.at, f.fromMs));
  if (f.toMs !== null) out.push(lt(auditEvents.at, f.toMs));
  if (f.patientId !== null) {
    const p = f.patientId;
    const patient = or(
      and(eq(auditEvents.subjectType, 'patient'), eq(auditEvents.subjectId, p)),
      sql`json_extract(${auditEvents.detail}, '$.patient') = ${p}`,
      and(
        eq(auditEvents.subjectType, 'patient-candidates'),
        sql`instr(',' || ${auditEvents.subjectId} || ',', ${`,${p},`}) > 0`,
      ),
    );
    if (patient) out.push(patient);
  }
  return out;
}
