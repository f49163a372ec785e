import type { z } from 'zod';
import { type Channel, type ChannelDef, contract, isChannel } from '../../src-shared/contract.js';
import { type AppError, fail, ok, type Result } from '../../src-shared/result.js';
import type { Session } from '../auth/session.js';
import type { InvokeMeta } from '../core-types.js';
import { DecryptionError } from '../crypto/envelope.js';
import { Failure } from './failure.js';
import type { CallContext, Handlers, Services } from './handler-types.js';
import { scanPayload } from './injection.js';
import { RateLimiter } from './rate-limit.js';

type Detail = Record<string, string | number | boolean | string[] | null>;

/** How long a window may sit between the password and the second factor (or enrollment). */
const SECOND_FACTOR_STAGE_MS = 10 * 60_000;

/** zod issues as `{ 'doctor.registrationNumber': 'Required' }`, first message per field. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.length > 0 ? issue.path.map(String).join('.') : '(payload)';
    if (issue.code === 'unrecognized_keys') {
      for (const k of issue.keys) fields[key === '(payload)' ? k : `${key}.${k}`] ??= 'Unexpected field';
      continue;
    }
    fields[key] ??= issue.message;
  }
  return fields;
}

/**
 * Every call from a window passes here, in this order: sender frame, schema, role and lock
 * state, rate limit, handler, audit. Errors leave as `{ ok: false, error }`; nothing thrown
 * reaches the caller, and no stack trace or internal message leaves main.
 */
export class Router {
  private readonly limiter: RateLimiter;

  constructor(
    private readonly services: Services,
    private readonly handlers: Handlers,
    private readonly log: (line: string) => void,
  ) {
    this.limiter = new RateLimiter(services.now);
  }

  async invoke(session: Session, channel: unknown, payload: unknown, meta: InvokeMeta = {}): Promise<Result<unknown>> {
    const s = this.services;
    const name = typeof channel === 'string' ? channel.slice(0, 64) : '(not text)';
    if (meta.trustedSender === false) {
      s.security.record({ kind: 'bad-sender', channel: name, detail: {} });
      return fail('BAD_SENDER', 'This request did not come from a Kavach window.');
    }
    if (!isChannel(channel)) return fail('UNKNOWN_CHANNEL', 'There is no such operation.');
    const def: ChannelDef = contract[channel];

    const findings = scanPayload(payload);
    if (findings.length > 0) {
      s.security.record({
        kind: 'injection-detected',
        channel,
        userId: session.userId,
        detail: { fields: findings.map((f) => f.path), categories: [...new Set(findings.flatMap((f) => f.categories))] },
      });
    }

    // Channels whose rules depend on the date (a date of birth cannot be in the future) are
    // checked against the core's clock here, so one pass reports every field's problem.
    const parsed = (def.inputAt ? def.inputAt(s.today()) : def.input).safeParse(payload);
    if (!parsed.success) {
      return fail('VALIDATION', 'Some fields need attention.', fieldErrors(parsed.error));
    }

    const refusal = this.admit(session, channel, def);
    if (refusal) return { ok: false, error: refusal };

    if (!this.limiter.take(`${session.connectionId}:${channel}`, def.perMinute)) {
      s.security.record({ kind: 'rate-limited', channel, userId: session.userId, detail: { perMinute: def.perMinute } });
      return fail('RATE_LIMITED', 'Too many requests; wait a moment and try again.');
    }
    // Any call but a status poll is activity that postpones the idle lock.
    if (session.loggedIn && channel !== 'session.status') session.lastActivity = s.now();
    return this.run(session, channel, def, parsed.data);
  }

  forget(connectionId: string): void {
    this.limiter.forget(`${connectionId}:`);
  }

  private admit(session: Session, channel: Channel, def: ChannelDef): AppError | null {
    const s = this.services;
    if (def.access === 'public') return null;
    if (!session.loggedIn) return { code: 'UNAUTHENTICATED', message: 'Please log in.' };
    const current = s.users.access(session.userId!);
    if (!current?.active) {
      session.end();
      return { code: 'UNAUTHENTICATED', message: 'Your account is no longer active. Please log in again.' };
    }
    // Role changes made by an admin take effect on the very next call.
    session.role = current.role;
    if (session.stage !== 'full') {
      // Password accepted, second factor not yet: nothing but that stage's channels.
      if (s.now() - session.stageSince > SECOND_FACTOR_STAGE_MS) {
        session.end();
        return { code: 'UNAUTHENTICATED', message: 'The sign-in took too long. Please log in again.' };
      }
      if (!def.beforeSecondFactor?.includes(session.stage)) {
        return {
          code: 'SECOND_FACTOR_REQUIRED',
          message: 'Finish signing in with your second factor first.',
        };
      }
    }
    session.applyIdle(s.now(), s.idleMinutes());
    if (session.locked && !def.whileLocked) {
      return { code: 'SESSION_LOCKED', message: 'The screen is locked after inactivity. Enter your password to continue.' };
    }
    if (def.access !== 'any' && !def.access.includes(current.role)) {
      s.security.record({ kind: 'role-refused', channel, userId: session.userId, detail: { role: current.role } });
      s.audit.append({ actorUserId: session.userId, actorRole: current.role, action: channel, outcome: 'denied' });
      return { code: 'FORBIDDEN', message: 'Your role is not permitted to do this.' };
    }
    return null;
  }

  private async run(session: Session, channel: Channel, def: ChannelDef, input: unknown): Promise<Result<unknown>> {
    const s = this.services;
    let subject: { type: string; id: string; detail?: Detail } | null = null;
    const ctx: CallContext = {
      session,
      services: s,
      subject: (type, id, detail) => {
        subject = { type, id, ...(detail ? { detail } : {}) };
      },
    };
    const auditAfter = def.audit !== 'none' && def.audit !== 'auth';
    const handler = this.handlers[channel] as (ctx: CallContext, input: unknown) => unknown;
    const inTransaction = auditAfter && !isAsync(handler);
    try {
      let value: unknown;
      if (inTransaction) {
        // The handler's writes and its audit event commit together: one disk sync instead
        // of two, and a handler that fails part-way leaves nothing half-written.
        value = s.db.transaction(() => {
          const v = handler(ctx, input);
          this.audit(session, channel, 'ok', subject);
          return v;
        });
      } else {
        value = await handler(ctx, input);
        if (auditAfter) this.audit(session, channel, 'ok', subject);
      }
      return ok(value ?? null);
    } catch (e) {
      if (auditAfter) this.audit(session, channel, 'failed', subject, e instanceof Failure ? e.code : 'INTERNAL');
      if (e instanceof Failure) return fail(e.code, e.message, e.fields);
      if (e instanceof DecryptionError) {
        // The field codec reported it, but inside the transaction that just rolled back.
        if (inTransaction) {
          const place = e.place;
          s.security.record({
            kind: 'decryption-failed',
            channel,
            userId: session.userId,
            detail: { table: place?.table ?? null, column: place?.column ?? null, rowId: place?.rowId ?? null, reason: e.reason },
          });
        }
        return fail('INTERNAL', 'A stored record could not be decrypted. It has been reported to the admin.');
      }
      this.log(`handler ${channel} failed: ${e instanceof Error ? e.name : 'non-error thrown'}`);
      return fail('INTERNAL', 'Something went wrong. Nothing was changed; please try again.');
    }
  }

  private audit(
    session: Session,
    channel: Channel,
    outcome: 'ok' | 'failed',
    subject: { type: string; id: string; detail?: Detail } | null,
    code?: string,
  ): void {
    this.services.audit.append({
      actorUserId: session.userId,
      actorRole: session.role,
      action: channel,
      outcome,
      subjectType: subject?.type ?? null,
      subjectId: subject?.id ?? null,
      detail: { ...(subject?.detail ?? {}), ...(code ? { code } : {}) },
    });
  }
}

/** Handlers that await (password hashing, network, PDF fonts) cannot run inside a SQLite
 *  transaction; they are declared `async`, which is how the router tells them apart. */
function isAsync(fn: (...args: never[]) => unknown): boolean {
  return fn.constructor.name === 'AsyncFunction';
}
