import type { ErrorCode } from '../../src-shared/result.js';

/** An expected refusal raised by a handler; the router turns it into `{ ok: false, error }`. */
export class Failure extends Error {
  override readonly name = 'Failure';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fields?: Record<string, string>,
  ) {
    super(message);
  }
}
