import type { SessionInfo } from '../../src-shared/types';
import { call, summaryOf } from './api';
import { onConnectionChange } from './bridge';
import { homeFor, navigate } from './router';
import { applySession, endSession, useApp } from './store';

const POLL_MS = 15_000;
const HEARTBEAT_MS = 30_000;

/** Asks main where this window stands: first-run setup, login, or an existing session. */
export async function bootstrap(): Promise<void> {
  const status = await call('setup.status', {});
  if (!status.ok) {
    useApp.setState({ phase: 'unavailable', notice: summaryOf(status.error) });
    return;
  }
  useApp.setState({ clinicName: status.value.clinicName });
  if (status.value.needsSetup) {
    useApp.setState({ phase: 'setup', user: null, locked: false });
    return;
  }
  const wasInApp = useApp.getState().phase === 'app';
  const session = await call('session.status', {});
  if (!session.ok) {
    useApp.setState({ phase: 'unavailable', notice: summaryOf(session.error) });
    return;
  }
  applySession(session.value);
  if (wasInApp && useApp.getState().phase === 'login') {
    useApp.setState({ notice: 'The connection to Kavach was interrupted. Please log in again.' });
  }
}

/** Re-checks the session whenever a lost preview connection comes back. */
export function watchConnection(): void {
  let wasLost = false;
  onConnectionChange((state) => {
    useApp.setState({ connection: state });
    if (state === 'lost') wasLost = true;
    if (state === 'open' && wasLost) {
      wasLost = false;
      void bootstrap();
    }
  });
}

export function enterApp(info: SessionInfo): void {
  useApp.setState({ notice: null });
  applySession(info);
  const user = useApp.getState().user;
  if (user) navigate(homeFor(user.role));
}

export async function logout(): Promise<void> {
  await call('auth.logout', {});
  endSession(null);
}

async function pollStatus(): Promise<void> {
  const result = await call('session.status', {});
  if (!result.ok || useApp.getState().phase !== 'app') return;
  if (result.value.state === 'anonymous') endSession('Your session has ended. Please log in again.');
  else applySession(result.value);
}

/**
 * While logged in: poll the session so an idle lock shows without user action, and tell
 * main about keyboard or pointer activity, at most once per HEARTBEAT_MS.
 */
export function startSessionWatch(): () => void {
  const timer = window.setInterval(() => void pollStatus(), POLL_MS);
  let lastBeat = 0;
  const onActivity = () => {
    const { phase, locked } = useApp.getState();
    const now = Date.now();
    if (phase !== 'app' || locked || now - lastBeat < HEARTBEAT_MS) return;
    lastBeat = now;
    void call('session.heartbeat', {}).then((result) => {
      if (result.ok && result.value.state === 'locked') applySession(result.value);
    });
  };
  document.addEventListener('keydown', onActivity, true);
  document.addEventListener('pointerdown', onActivity, true);
  return () => {
    window.clearInterval(timer);
    document.removeEventListener('keydown', onActivity, true);
    document.removeEventListener('pointerdown', onActivity, true);
  };
}
