import { desc } from 'drizzle-orm';
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
}
