import type { z } from 'zod';
import type { Role } from './roles.js';
import type { SecondFactorStage } from './types.js';

/**
 * What one channel of the IPC contract is: its strict input schema, who may call it and a
 * one-line description. contract.ts assembles the table; each area (billing, interop,
 * referrals) keeps its own channels in its own *-contract.ts built with `channel()`.
 */

/** 'public': callable before login. 'any': any logged-in role. Otherwise the listed roles. */
export type Access = 'public' | 'any' | readonly Role[];

/** Which audit record a successful call leaves. */
export type AuditKind = 'none' | 'auth' | 'personal-read' | 'personal-write' | 'admin';

export interface ChannelDef<I extends z.ZodType = z.ZodType, O = unknown> {
  input: I;
  /** The same schema with the rules that depend on today's date ('YYYY-MM-DD', clinic
   *  zone); the router prefers it, `input` stays the static shape for typing and preload. */
  inputAt?: (today: string) => z.ZodType;
  access: Access;
  description: string;
  audit: AuditKind;
  /** Calls allowed per minute per connection. */
  perMinute: number;
  /** Callable while the session is idle-locked (unlock, logout, status). */
  whileLocked?: boolean;
  /** Callable after the password but before the second factor, in these stages; every
   *  other non-public channel is refused until the second factor is done. */
  beforeSecondFactor?: readonly SecondFactorStage[];
  /** Phantom: the value type on success. */
  readonly output?: O;
}

export function channel<O>() {
  return <I extends z.ZodType>(def: Omit<ChannelDef<I, O>, 'output'>): ChannelDef<I, O> => def;
}
