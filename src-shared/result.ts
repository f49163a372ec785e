export const ERROR_CODES = [
  'VALIDATION',
  'UNKNOWN_CHANNEL',
  'BAD_SENDER',
  'UNAUTHENTICATED',
  'SESSION_LOCKED',
  'FORBIDDEN',
  'RATE_LIMITED',
  'INVALID_CREDENTIALS',
  'ACCOUNT_LOCKED',
  'ACCOUNT_INACTIVE',
  'WEAK_PASSWORD',
  'SETUP_DONE',
  'NOT_FOUND',
  'CONFLICT',
  /** A service this workstation needs (the sync server) cannot be reached or refused it. */
  'UNAVAILABLE',
  /** Password accepted; the call must wait until the second factor (or its setup) is done. */
  'SECOND_FACTOR_REQUIRED',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface AppError {
  code: ErrorCode;
  message: string;
  /** Field path (dot-separated) to a message the screen can show beside that field. */
  fields?: Record<string, string>;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: AppError };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail(code: ErrorCode, message: string, fields?: Record<string, string>): Result<never> {
  return fields ? { ok: false, error: { code, message, fields } } : { ok: false, error: { code, message } };
}
