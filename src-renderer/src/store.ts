import { create } from 'zustand';
import type { SecondFactorStage, SessionInfo, SessionUser } from '../../src-shared/types';
import type { ConnectionState } from './bridge';

/** Which top-level screen the window shows; the role's own routes live under 'app'. */
export type Phase = 'starting' | 'setup' | 'login' | 'app' | 'unavailable';

export interface AppState {
  phase: Phase;
  clinicName: string | null;
  user: SessionUser | null;
  idleMinutes: number;
  /** Main locked the session for idleness: the lock panel covers the still-mounted screen. */
  locked: boolean;
  connection: ConnectionState;
  /** A one-off explanation for the login screen, e.g. why the session ended. */
  notice: string | null;
  route: string;
  /** Password accepted, second factor (or its setup) still to do: the login screen asks. */
  signInStage: SecondFactorStage | null;
}

export const useApp = create<AppState>(() => ({
  phase: 'starting',
  clinicName: null,
  user: null,
  idleMinutes: 5,
  locked: false,
  connection: 'open',
  notice: null,
  route: '',
  signInStage: null,
}));

/** Applies what main says about this window's session; it is the only authority. */
export function applySession(info: SessionInfo): void {
  if (info.state === 'anonymous' || info.user === null) {
    useApp.setState({ phase: 'login', user: null, locked: false, signInStage: null });
    return;
  }
  if (info.state === 'second-factor' || info.state === 'enroll-second-factor') {
    useApp.setState({ phase: 'login', user: null, locked: false, signInStage: info.state });
    return;
  }
  useApp.setState({
    signInStage: null,
    phase: 'app',
    user: info.user,
    idleMinutes: info.idleMinutes,
    locked: info.state === 'locked',
  });
}

export function endSession(notice: string | null): void {
  useApp.setState({ phase: 'login', user: null, locked: false, notice, signInStage: null });
}

export function lockSession(): void {
  if (useApp.getState().phase === 'app') useApp.setState({ locked: true });
}
