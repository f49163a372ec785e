import { eq } from 'drizzle-orm';
import type { StoredRecoveryCode } from '../auth/totp.js';
import type { ChangeCapture } from './change-capture.js';
import type { Db } from './db.js';
import type { FieldCodec } from './fields.js';
import { users } from './schema.js';

export interface TotpFactor {
  /** base32 key: key material, never logged, never sent again after confirmation. */
  secret: string;
  /** Null while enrollment waits for its first code. */
  confirmedAt: number | null;
}

export type FactorState = 'none' | 'pending' | 'enrolled';

/**
 * A user's second factor, kept in the users row: the TOTP key and the hashed recovery codes
 * as envelopes bound to the row, the last accepted time step in plain. Every change syncs,
 * so a factor set up on one workstation is asked for on all of them.
 */
export class SecondFactorRepo {
  constructor(
    private readonly db: Db,
    private readonly codec: FieldCodec,
    private readonly capture: ChangeCapture,
    private readonly now: () => number,
  ) {}

  totp(userId: string): TotpFactor | null {
    const row = this.db.select({ v: users.totpSecret }).from(users).where(eq(users.id, userId)).get();
    // A reset arrives by sync as an envelope of null, so both absences read the same.
    return row?.v ? this.codec.openJson<TotpFactor | null>('users', 'totp_secret', userId, row.v) : null;
  }

  state(userId: string): FactorState {
    const f = this.totp(userId);
    if (!f) return 'none';
    return f.confirmedAt === null ? 'pending' : 'enrolled';
  }

  lastStep(userId: string): number | null {
    return this.db.select({ s: users.totpLastStep }).from(users).where(eq(users.id, userId)).get()?.s ?? null;
  }

  recoveryCodes(userId: string): StoredRecoveryCode[] {
    const row = this.db.select({ v: users.recoveryCodes }).from(users).where(eq(users.id, userId)).get();
    if (!row?.v) return [];
    return this.codec.openJson<StoredRecoveryCode[] | null>('users', 'recovery_codes', userId, row.v) ?? [];
  }

  /** A new, unconfirmed key; replaces any earlier pending one. */
  setPending(userId: string, secret: string): void {
    const v = this.codec.sealJson('users', 'totp_secret', userId, {
      secret,
      confirmedAt: null,
    } satisfies TotpFactor);
    this.db.transaction(() => {
      this.db.update(users).set({ totpSecret: v, updatedAt: this.now() }).where(eq(users.id, userId)).run();
      this.capture.record('users', userId, [{ column: 'totp_secret', envelope: v }]);
    });
  }

  confirm(userId: string, secret: string, step: number, codes: StoredRecoveryCode[]): void {
    const totp = this.codec.sealJson('users', 'totp_secret', userId, {
      secret,
      confirmedAt: this.now(),
    } satisfies TotpFactor);
    const recovery = this.codec.sealJson('users', 'recovery_codes', userId, codes);
    this.db.transaction(() => {
      this.db
        .update(users)
        .set({ totpSecret: totp, recoveryCodes: recovery, totpLastStep: step, updatedAt: this.now() })
        .where(eq(users.id, userId))
        .run();
      this.capture.record('users', userId, [
        { column: 'totp_secret', envelope: totp },
        { column: 'recovery_codes', envelope: recovery },
        { column: 'totp_last_step', plain: step },
      ]);
    });
  }

  acceptStep(userId: string, step: number): void {
    this.db.transaction(() => {
      this.db.update(users).set({ totpLastStep: step }).where(eq(users.id, userId)).run();
      this.capture.record('users', userId, [{ column: 'totp_last_step', plain: step }]);
    });
  }

  markRecoveryUsed(userId: string, index: number): number {
    const codes = this.recoveryCodes(userId).map((c, i) => (i === index ? { ...c, usedAt: this.now() } : c));
    const v = this.codec.sealJson('users', 'recovery_codes', userId, codes);
    this.db.transaction(() => {
      this.db
        .update(users)
        .set({ recoveryCodes: v, updatedAt: this.now() })
        .where(eq(users.id, userId))
        .run();
      this.capture.record('users', userId, [{ column: 'recovery_codes', envelope: v }]);
    });
    return codes.filter((c) => c.usedAt === null).length;
  }

  /** Removes key, recovery codes and step: the user enrolls again at the next login. */
  reset(userId: string): void {
    const noTotp = this.codec.sealJson('users', 'totp_secret', userId, null);
    const noCodes = this.codec.sealJson('users', 'recovery_codes', userId, null);
    this.db.transaction(() => {
      this.db
        .update(users)
        .set({ totpSecret: null, recoveryCodes: null, totpLastStep: null, updatedAt: this.now() })
        .where(eq(users.id, userId))
        .run();
      this.capture.record('users', userId, [
        { column: 'totp_secret', envelope: noTotp },
        { column: 'recovery_codes', envelope: noCodes },
        { column: 'totp_last_step', plain: null },
      ]);
    });
  }
}
