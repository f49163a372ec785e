import type { Channel, InputOf, OutputOf } from '../../src-shared/contract';
import type { AppError, Result } from '../../src-shared/result';
import { endSession, lockSession, useApp } from './store';

const LOST: AppError = { code: 'INTERNAL', message: 'Connection to Kavach lost' };

/**
 * The only way screens talk to main. Session-wide answers (idle lock, session gone) are
 * handled here once, so every screen reacts to them the same way.
 */
export async function call<C extends Channel>(channel: C, payload: InputOf<C>): Promise<Result<OutputOf<C>>> {
  let result: Result<OutputOf<C>>;
  try {
    result = await window.kavach[channel](payload);
  } catch {
    result = { ok: false, error: LOST };
  }
  if (!result.ok) reactToSessionError(result.error);
  return result;
}

function reactToSessionError(error: AppError): void {
  if (useApp.getState().phase !== 'app') return;
  if (error.code === 'SESSION_LOCKED') lockSession();
  else if (error.code === 'UNAUTHENTICATED') endSession('Your session has ended. Please log in again.');
}

/** A message safe to show for an error with no field to sit beside. */
export function summaryOf(error: AppError): string {
  // Shown beside the form after unlocking, so it must say what happened to this action.
  if (error.code === 'SESSION_LOCKED') return 'Kavach locked before this could be done. Please try again.';
  if (error.code === 'INTERNAL' && error.message !== LOST.message) {
    return 'Something went wrong in Kavach. Please try again.';
  }
  return error.message || 'Something went wrong. Please try again.';
}
