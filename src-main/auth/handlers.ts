import { DEFAULT_IDLE_MINUTES, DEFAULT_SECOND_FACTOR_ROLES } from '../store/settings-repo.js';
import { Failure } from '../ipc/failure.js';
import type { CallContext, Handlers, Services } from '../ipc/handler-types.js';
import { decoyHash, hashPassword, passwordProblem, verifyPassword } from './passwords.js';
import { loginStage } from './second-factor.js';

export const MAX_FAILURES = 5;
const BASE_LOCK_MS = 30_000;
const MAX_LOCK_MS = 60 * 60_000;
/** Failures older than this no longer count towards a lockout. */
const FAILURE_MEMORY_MS = 24 * 60 * 60_000;

function waitWords(ms: number): string {
  const s = Math.ceil(ms / 1000);
  if (s < 120) return `${s} seconds`;
  return `${Math.ceil(s / 60)} minutes`;
}

export function lockedMessage(remainingMs: number): string {
  return `This account is locked after ${MAX_FAILURES} failed sign-in attempts. Try again in ${waitWords(remainingMs)}.`;
}

/** Counts a failure (a wrong password or a wrong second factor); returns the lock expiry
 *  when this failure locks the account. */
export function registerFailure(s: Services, username: string, channel = 'auth.login'): number | null {
  const now = s.now();
  const prior = s.throttle.get(username);
  const failures = prior && now - prior.lastFailureAt < FAILURE_MEMORY_MS ? prior.failures + 1 : 1;
  const lockedUntil =
    failures >= MAX_FAILURES ? now + Math.min(MAX_LOCK_MS, BASE_LOCK_MS * 2 ** (failures - MAX_FAILURES)) : null;
  s.throttle.put(username, failures, lockedUntil, now);
  s.security.record({ kind: 'login-failed', channel, detail: { failures } });
  if (lockedUntil) s.security.record({ kind: 'account-locked', channel, detail: { failures } });
  return lockedUntil;
}

export function refuseIfLocked(s: Services, username: string): void {
  const until = s.throttle.get(username)?.lockedUntil;
  if (until && until > s.now()) throw new Failure('ACCOUNT_LOCKED', lockedMessage(until - s.now()));
}

async function checkCredentials(ctx: CallContext, username: string, password: string) {
  const s = ctx.services;
  refuseIfLocked(s, username);
  const id = s.users.idByUsername(username);
  const hash = id ? s.users.passwordHash(id) : null;
  const valid = await verifyPassword(password, hash ?? (await decoyHash()));
  if (!valid || !id) {
    const lockedUntil = registerFailure(s, username);
    s.audit.append({ actorUserId: id, actorRole: null, action: 'auth.login', outcome: 'failed', detail: { reason: 'bad-credentials' } });
    if (lockedUntil) throw new Failure('ACCOUNT_LOCKED', lockedMessage(lockedUntil - s.now()));
    throw new Failure('INVALID_CREDENTIALS', 'The username or password is not correct.');
  }
  return id;
}

function strongPassword(password: string, username: string, field = 'password'): void {
  const problem = passwordProblem(password, username);
  if (problem) throw new Failure('WEAK_PASSWORD', problem, { [field]: problem });
}

export const authHandlers: Pick<
  Handlers,
  'setup.status' | 'setup.createClinic' | 'auth.login' | 'auth.unlock' | 'auth.logout' | 'auth.changePassword' | 'session.status' | 'session.heartbeat'
> = {
  'setup.status': ({ services }) => {
    const settings = services.settings.get();
    return { needsSetup: services.users.count() === 0, clinicName: settings?.clinicName ?? null };
  },

  'setup.createClinic': async (ctx, input) => {
    const s = ctx.services;
    if (s.users.count() > 0) throw new Failure('SETUP_DONE', 'This clinic is already set up. Log in instead.');
    strongPassword(input.password, input.adminUsername);
    const hash = await hashPassword(input.password);
    const id = s.db.transaction(() => {
      // Checked again inside the transaction: two first-run windows may race.
      if (s.users.count() > 0) throw new Failure('SETUP_DONE', 'This clinic is already set up. Log in instead.');
      s.settings.put({
        clinicName: input.clinicName,
        idleMinutes: DEFAULT_IDLE_MINUTES,
        secondFactorRoles: input.secondFactorRoles ?? DEFAULT_SECOND_FACTOR_ROLES,
      });
      const userId = s.users.create({ username: input.adminUsername, role: 'admin', displayName: input.adminDisplayName, passwordHash: hash, doctor: null });
      s.audit.append({ actorUserId: userId, actorRole: 'admin', action: 'setup.createClinic', outcome: 'ok', subjectType: 'user', subjectId: userId });
      return userId;
    });
    ctx.session.start({ id, username: input.adminUsername, role: 'admin', displayName: input.adminDisplayName }, s.now());
    return ctx.session.info(s.idleMinutes());
  },

  'auth.login': async (ctx, input) => {
    const s = ctx.services;
    const username = input.username.toLowerCase();
    const id = await checkCredentials(ctx, username, input.password);
    const user = s.users.byId(id)!;
    if (!user.active) {
      s.audit.append({ actorUserId: id, actorRole: user.role, action: 'auth.login', outcome: 'denied', detail: { reason: 'inactive' } });
      throw new Failure('ACCOUNT_INACTIVE', 'This account has been deactivated. Ask an admin to reactivate it.');
    }
    const stage = loginStage(s, user);
    // The lockout count stays until the second factor is passed too: otherwise the password
    // alone would reset it and the six digits could be guessed without end.
    if (stage !== 'second-factor') s.throttle.clear(username);
    ctx.session.start(user, s.now(), stage);
    s.audit.append({
      actorUserId: id,
      actorRole: user.role,
      action: 'auth.login',
      outcome: 'ok',
      ...(stage === 'full' ? {} : { detail: { next: stage } }),
    });
    return ctx.session.info(s.idleMinutes());
  },

  'auth.unlock': async (ctx, input) => {
    const s = ctx.services;
    const session = ctx.session;
    try {
      await checkCredentials(ctx, session.username!, input.password);
    } catch (e) {
      if (e instanceof Failure && e.code === 'ACCOUNT_LOCKED') session.end();
      throw e;
    }
    s.throttle.clear(session.username!);
    session.locked = false;
    session.lastActivity = s.now();
    s.audit.append({ actorUserId: session.userId, actorRole: session.role, action: 'auth.unlock', outcome: 'ok' });
    return session.info(s.idleMinutes());
  },

  'auth.logout': (ctx) => {
    const s = ctx.services;
    s.audit.append({ actorUserId: ctx.session.userId, actorRole: ctx.session.role, action: 'auth.logout', outcome: 'ok' });
    ctx.session.end();
    return null;
  },

  'auth.changePassword': async (ctx, input) => {
    const s = ctx.services;
    const session = ctx.session;
    const valid = await verifyPassword(input.currentPassword, s.users.passwordHash(session.userId!) ?? '');
    if (!valid) {
      s.audit.append({ actorUserId: session.userId, actorRole: session.role, action: 'auth.changePassword', outcome: 'failed' });
      throw new Failure('INVALID_CREDENTIALS', 'The current password is not correct.', { currentPassword: 'Not correct' });
    }
    strongPassword(input.newPassword, session.username!, 'newPassword');
    s.users.setPasswordHash(session.userId!, await hashPassword(input.newPassword));
    s.audit.append({ actorUserId: session.userId, actorRole: session.role, action: 'auth.changePassword', outcome: 'ok' });
    return null;
  },

  'session.status': (ctx) => {
    // Public channels skip the router's idle check, and this poll is how an unattended
    // window learns it should show the lock screen.
    ctx.session.applyIdle(ctx.services.now(), ctx.services.idleMinutes());
    return ctx.session.info(ctx.services.idleMinutes());
  },

  'session.heartbeat': (ctx) => ctx.session.info(ctx.services.idleMinutes()),
};

export { strongPassword };
