import { isTotpCode } from '../../src-shared/second-factor.js';
import type { SecondFactorStage } from '../../src-shared/types.js';
import { Failure } from '../ipc/failure.js';
import type { CallContext, Handlers, Services } from '../ipc/handler-types.js';
import type { UserRecord } from '../store/users-repo.js';
import { lockedMessage, refuseIfLocked, registerFailure } from './handlers.js';
import { checkRecoveryCode, checkTotp, newRecoveryCodes, newTotpSecret, totpUri } from './totp.js';

/** What a correct password leads to: straight in, the second factor, or enrollment first. */
export function loginStage(s: Services, user: UserRecord): 'full' | SecondFactorStage {
  if (s.secondFactors.state(user.id) === 'enrolled') return 'second-factor';
  const required = s.settings.get()?.secondFactorRoles ?? [];
  return required.includes(user.role) ? 'enroll-second-factor' : 'full';
}

export type TotpOutcome = 'ok' | 'wrong' | 'replayed' | 'not-enrolled';

/** Checks a user's current TOTP code and, when it is good, uses up its time step. */
export function acceptTotp(s: Services, userId: string, code: string): TotpOutcome {
  const factor = s.secondFactors.totp(userId);
  if (!factor || factor.confirmedAt === null) return 'not-enrolled';
  const check = checkTotp(factor.secret, code, s.now(), s.secondFactors.lastStep(userId));
  if (!check.ok) return check.reason;
  s.secondFactors.acceptStep(userId, check.step);
  return 'ok';
}

const REFUSALS = {
  wrong: 'The code is not correct. Check the time on your phone and try the newest code.',
  replayed: 'This code has already been used. Wait for the next code in your app.',
  reused: 'This recovery code has already been used. Each recovery code works once.',
} as const;

/** Audits, counts towards the lockout, and refuses with a reason the user can act on. */
function refuse(ctx: CallContext, reason: keyof typeof REFUSALS, method: 'totp' | 'recovery'): never {
  const s = ctx.services;
  const session = ctx.session;
  const username = session.username!;
  const lockedUntil = registerFailure(s, username, 'auth.verifySecondFactor');
  s.audit.append({
    actorUserId: session.userId,
    actorRole: session.role,
    action: 'auth.verifySecondFactor',
    outcome: 'failed',
    detail: { reason, method },
  });
  if (lockedUntil) {
    session.end();
    throw new Failure('ACCOUNT_LOCKED', lockedMessage(lockedUntil - s.now()));
  }
  throw new Failure('INVALID_CREDENTIALS', REFUSALS[reason], { code: REFUSALS[reason] });
}

function audit(ctx: CallContext, action: string, detail?: Record<string, string | number>): void {
  ctx.services.audit.append({
    actorUserId: ctx.session.userId,
    actorRole: ctx.session.role,
    action,
    outcome: 'ok',
    subjectType: 'user',
    subjectId: ctx.session.userId,
    ...(detail ? { detail } : {}),
  });
}

export const secondFactorHandlers: Pick<
  Handlers,
  'auth.verifySecondFactor' | 'auth.beginTotpEnrollment' | 'auth.confirmTotpEnrollment'
> = {
  // Synchronous on purpose: checking a code and using it up cannot interleave with another
  // window's attempt at the same code.
  'auth.verifySecondFactor': (ctx, input) => {
    const s = ctx.services;
    const session = ctx.session;
    if (session.stage !== 'second-factor')
      throw new Failure('CONFLICT', 'No second factor is being asked for.');
    const userId = session.userId!;
    try {
      refuseIfLocked(s, session.username!);
    } catch (e) {
      session.end();
      throw e;
    }
    if (s.secondFactors.state(userId) !== 'enrolled') {
      // Reset by an admin (here or through sync) since the password was accepted.
      session.end();
      throw new Failure('UNAUTHENTICATED', 'Your second factor was reset. Please log in again.');
    }
    let method: 'totp' | 'recovery';
    let left: number | null = null;
    if (isTotpCode(input.code)) {
      method = 'totp';
      const outcome = acceptTotp(s, userId, input.code.replace(/\s/g, ''));
      if (outcome === 'wrong' || outcome === 'replayed') refuse(ctx, outcome, method);
    } else {
      method = 'recovery';
      const check = checkRecoveryCode(s.secondFactors.recoveryCodes(userId), input.code);
      if (!check.ok) refuse(ctx, check.reason, method);
      left = s.secondFactors.markRecoveryUsed(userId, check.index);
    }
    s.throttle.clear(session.username!);
    session.stage = 'full';
    session.lastActivity = s.now();
    audit(ctx, 'auth.verifySecondFactor', left === null ? { method } : { method, recoveryCodesLeft: left });
    return session.info(s.idleMinutes());
  },

  'auth.beginTotpEnrollment': (ctx) => {
    const s = ctx.services;
    const userId = ctx.session.userId!;
    if (s.secondFactors.state(userId) === 'enrolled') {
      throw new Failure(
        'CONFLICT',
        'A second factor is already set up. Ask another admin to reset it first.',
      );
    }
    const secret = newTotpSecret();
    s.secondFactors.setPending(userId, secret);
    audit(ctx, 'auth.beginTotpEnrollment');
    const issuer = s.settings.get()?.clinicName ?? 'Kavach';
    return { uri: totpUri(secret, ctx.session.username!, `Kavach ${issuer}`), secret };
  },

  'auth.confirmTotpEnrollment': (ctx, input) => {
    const s = ctx.services;
    const session = ctx.session;
    const userId = session.userId!;
    const factor = s.secondFactors.totp(userId);
    if (!factor) throw new Failure('CONFLICT', 'Start setting up the authenticator app first.');
    if (factor.confirmedAt !== null) throw new Failure('CONFLICT', 'The second factor is already set up.');
    const check = checkTotp(factor.secret, input.code, s.now(), null);
    if (!check.ok) {
      s.audit.append({
        actorUserId: userId,
        actorRole: session.role,
        action: 'auth.confirmTotpEnrollment',
        outcome: 'failed',
        detail: { reason: 'wrong' },
      });
      throw new Failure('INVALID_CREDENTIALS', REFUSALS.wrong, { code: REFUSALS.wrong });
    }
    const { codes, stored } = newRecoveryCodes();
    s.secondFactors.confirm(userId, factor.secret, check.step, stored);
    session.stage = 'full';
    session.lastActivity = s.now();
    audit(ctx, 'auth.confirmTotpEnrollment');
    return { recoveryCodes: codes, session: session.info(s.idleMinutes()) };
  },
};
