/**
 * Desktop notifications for new patients in the doctor's queue. The text carries only the
 * token, never a name: a notification can show on a locked screen. Every call tolerates
 * the API being missing (some builds, some kiosks) or permission being denied.
 */

let asked = false;

function api(): typeof Notification | null {
  return typeof window !== 'undefined' && 'Notification' in window ? window.Notification : null;
}

/** Call from a click or key press: asks for permission once, if the user was never asked. */
export function askNotificationPermissionOnce(): void {
  const N = api();
  if (!N || asked) return;
  asked = true;
  try {
    if (N.permission === 'default') void Promise.resolve(N.requestPermission()).catch(() => undefined);
  } catch {
    // Old signatures or a refusing host: no notifications, nothing else changes.
  }
}

export function notifyNewPatient(token: number): void {
  const N = api();
  if (!N) return;
  try {
    if (N.permission !== 'granted') return;
    new N('New patient', { body: `New patient: token ${token}`, tag: `kavach-token-${token}` });
  } catch {
    // A host may refuse to construct notifications; the queue on screen still shows the patient.
  }
}
