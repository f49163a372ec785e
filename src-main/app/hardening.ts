/**
 * Every Electron security setting in one place, as plain data and small pure functions.
 * Nothing here imports Electron: the unit test asserts the settings without a runtime,
 * and electron-main.ts hands the real objects to applyHardening().
 */

export const APP_SCHEME = 'kavach';
export const APP_HOST = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

export function webPreferencesFor(preloadPath: string) {
  return {
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    preload: preloadPath,
  } as const;
}

const BASE_CSP =
  "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; " +
  "frame-ancestors 'none'; form-action 'none'";

/** Only a loopback WebSocket may be added: anything else would widen what a hijacked page can reach. */
const LOOPBACK_WS = /^ws:\/\/127\.0\.0\.1:\d{1,5}$/;

export function cspFor(options: { connectSrc?: string } = {}): string {
  const { connectSrc } = options;
  if (connectSrc === undefined) return BASE_CSP;
  if (!LOOPBACK_WS.test(connectSrc)) {
    throw new Error('connect-src must be a ws://127.0.0.1:<port> address');
  }
  return `${BASE_CSP}; connect-src 'self' ${connectSrc}`;
}

/** The CSP the desktop window runs under (no network at all beyond its own origin). */
export const CSP = cspFor();

/**
 * True only for kavach://app/... . Parsed with URL, and the raw prefix checked too, so that
 * lookalikes (kavach://app.evil, kavach://evil@app, kavach://app:1) and other schemes fail.
 */
export function isAppUrl(url: unknown): boolean {
  if (typeof url !== 'string' || !url.startsWith(`${APP_ORIGIN}/`)) return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return (
    parsed.protocol === `${APP_SCHEME}:` &&
    parsed.host === APP_HOST &&
    parsed.username === '' &&
    parsed.password === '' &&
    parsed.port === '' &&
    parsed.pathname.startsWith('/')
  );
}

/** New windows would escape the hardened preferences and the navigation guard. */
export function denyWindowOpen(_details?: unknown): { action: 'deny' } {
  return { action: 'deny' };
}

export interface PreventableEvent {
  preventDefault(): void;
}

/**
 * The app is a single page with client-side routes: any real navigation (a link, a form, a
 * dropped file, a script setting location) can only take the window somewhere it should not be.
 */
export function preventNavigation(event: PreventableEvent, _url?: unknown): void {
  event.preventDefault();
}

/**
 * Every permission is refused except desktop notifications asked for by our own page (the
 * doctor's "new patient" notice, which carries a token number and never a name). A page
 * from anywhere else, or any other permission (camera, location, clipboard, opening
 * external links), gets no.
 */
function permitted(permission: string, origin: unknown): boolean {
  return (
    permission === 'notifications' &&
    typeof origin === 'string' &&
    (origin === APP_ORIGIN || isAppUrl(origin))
  );
}

export function answerPermissionRequest(
  _webContents: unknown,
  permission: string,
  callback: (granted: boolean) => void,
  details?: unknown,
): void {
  const url = (details as { requestingUrl?: unknown } | undefined)?.requestingUrl;
  callback(permitted(permission, url));
}

export function answerPermissionCheck(
  _webContents: unknown,
  permission: string,
  origin?: string,
  _details?: unknown,
): boolean {
  return permitted(permission, origin);
}

/** Structural view of Electron's WebFrameMain: all isTrustedSender needs. */
export interface SenderFrame {
  readonly url: string;
  readonly parent: unknown;
}

/** IPC is honoured only from our own top frame, never from an iframe or a navigated-away page. */
export function isTrustedSender(frame: SenderFrame | null | undefined): boolean {
  if (frame == null) return false;
  return frame.parent === null && isAppUrl(frame.url);
}

// Minimal structural interfaces, so tests can pass fakes that record calls. One overload per
// event, because Electron's own types declare one overload per event name.
type GuardListener = (event: PreventableEvent, ...args: unknown[]) => void;

export interface HardenableWebContents {
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
  on(event: 'will-navigate', listener: GuardListener): unknown;
  on(event: 'will-redirect', listener: GuardListener): unknown;
  on(event: 'will-attach-webview', listener: GuardListener): unknown;
}

export interface HardenableSession {
  setPermissionRequestHandler(handler: typeof answerPermissionRequest): void;
  setPermissionCheckHandler(handler: typeof answerPermissionCheck): void;
}

export interface HardenableApp {
  on(
    event: 'web-contents-created',
    listener: (event: unknown, contents: HardenableWebContents) => void,
  ): unknown;
}

const hardened = new WeakSet<object>();

export function hardenWebContents(contents: HardenableWebContents): void {
  if (hardened.has(contents)) return;
  hardened.add(contents);
  contents.setWindowOpenHandler(denyWindowOpen);
  contents.on('will-navigate', preventNavigation);
  contents.on('will-redirect', preventNavigation);
  contents.on('will-attach-webview', preventNavigation);
}

/**
 * Wires the settings into Electron: permission handlers on the session, the guards on the
 * given window's contents and on any contents created later (devtools, a stray child).
 */
export function applyHardening(
  app: HardenableApp,
  session: HardenableSession,
  webContents: HardenableWebContents,
): void {
  session.setPermissionRequestHandler(answerPermissionRequest);
  session.setPermissionCheckHandler(answerPermissionCheck);
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));
  hardenWebContents(webContents);
}

/**
 * Electron fuses for packaged builds: flipped in the binary by @electron/fuses at packaging
 * time. That package is not installed here (nothing is packaged on these machines), so this
 * is the description the packaging step must apply, asserted by the unit test.
 */
export const FUSES = {
  version: 'V1',
  RunAsNode: false,
  EnableCookieEncryption: true,
  EnableNodeOptionsEnvironmentVariable: false,
  EnableNodeCliInspectArguments: false,
  EnableEmbeddedAsarIntegrityValidation: true,
  OnlyLoadAppFromAsar: true,
} as const;
