import { describe, expect, it } from 'vitest';
import {
  APP_ORIGIN,
  answerPermissionCheck,
  answerPermissionRequest,
  applyHardening,
  CSP,
  cspFor,
  denyWindowOpen,
  FUSES,
  type HardenableWebContents,
  isAppUrl,
  isTrustedSender,
  preventNavigation,
  webPreferencesFor,
} from './hardening.js';

const EXACT_CSP =
  "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

describe('webPreferencesFor', () => {
  it('locks every option down and keeps the preload path', () => {
    expect(webPreferencesFor('/app/out/preload/index.cjs')).toStrictEqual({
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
      preload: '/app/out/preload/index.cjs',
    });
  });
});

describe('content security policy', () => {
  it('is exactly the strict policy for the desktop window', () => {
    expect(CSP).toBe(EXACT_CSP);
    expect(cspFor()).toBe(EXACT_CSP);
    expect(cspFor({})).toBe(EXACT_CSP);
  });

  it('adds only the loopback WebSocket for the browser preview', () => {
    expect(cspFor({ connectSrc: 'ws://127.0.0.1:5178' })).toBe(
      `${EXACT_CSP}; connect-src 'self' ws://127.0.0.1:5178`,
    );
  });

  it('refuses a connect-src that is not a loopback WebSocket', () => {
    for (const bad of [
      'ws://example.com:80',
      "ws://127.0.0.1:1; script-src 'unsafe-inline'",
      'http://127.0.0.1:1',
      '*',
    ]) {
      expect(() => cspFor({ connectSrc: bad })).toThrow();
    }
  });
});

describe('isAppUrl', () => {
  it('accepts only kavach://app/ paths', () => {
    expect(APP_ORIGIN).toBe('kavach://app');
    expect(isAppUrl('kavach://app/')).toBe(true);
    expect(isAppUrl('kavach://app/index.html')).toBe(true);
    expect(isAppUrl('kavach://app/assets/index-abc.js?x=1#y')).toBe(true);
  });

  it('refuses other schemes, hosts and lookalikes', () => {
    const refused = [
      'kavach://app',
      'kavach://app.evil/',
      'kavach://app.evil',
      'kavach://evil@app/',
      'kavach://app:8080/',
      'kavach://apps/',
      'KAVACH://APP/',
      'javascript:alert(1)',
      'file:///etc/passwd',
      'http://app/',
      'https://kavach.app/',
      'about:blank',
      'data:text/html,hi',
      '',
      undefined,
      null,
      42,
    ];
    for (const url of refused) expect(isAppUrl(url), String(url)).toBe(false);
  });
});

describe('window and navigation guards', () => {
  it('denies every window open', () => {
    expect(denyWindowOpen({ url: 'kavach://app/index.html' })).toStrictEqual({ action: 'deny' });
    expect(denyWindowOpen({ url: 'https://example.com' })).toStrictEqual({ action: 'deny' });
  });

  it('prevents navigation anywhere, including javascript:, file:, http: and lookalikes', () => {
    const targets = [
      'javascript:alert(1)',
      'file:///etc/passwd',
      'http://127.0.0.1/',
      'kavach://app.evil/',
      'kavach://app/index.html',
    ];
    for (const url of targets) {
      let prevented = false;
      preventNavigation({ preventDefault: () => (prevented = true) }, url);
      expect(prevented, url).toBe(true);
    }
  });

  it('denies every permission request and check except notifications from our own page', () => {
    const answers: boolean[] = [];
    for (const permission of [
      'media',
      'geolocation',
      'clipboard-read',
      'openExternal',
      'fullscreen',
      'hid',
    ]) {
      answerPermissionRequest({}, permission, (granted) => answers.push(granted), {
        requestingUrl: 'kavach://app/index.html',
      });
      expect(answerPermissionCheck(null, permission, 'kavach://app', {})).toBe(false);
    }
    expect(answers).toStrictEqual([false, false, false, false, false, false]);
    const notify: boolean[] = [];
    for (const url of [
      'kavach://app/index.html',
      'https://evil.example/',
      'kavach://app.evil/x',
      'file:///etc/passwd',
      undefined,
    ]) {
      answerPermissionRequest({}, 'notifications', (granted) => notify.push(granted), { requestingUrl: url });
    }
    expect(notify).toStrictEqual([true, false, false, false, false]);
    expect(answerPermissionCheck(null, 'notifications', 'kavach://app', {})).toBe(true);
    expect(answerPermissionCheck(null, 'notifications', 'https://evil.example', {})).toBe(false);
  });
});

describe('isTrustedSender', () => {
  it('trusts only our own top frame', () => {
    expect(isTrustedSender({ url: 'kavach://app/index.html', parent: null })).toBe(true);
    expect(isTrustedSender({ url: 'kavach://app/index.html', parent: {} })).toBe(false);
    expect(isTrustedSender({ url: 'kavach://app.evil/index.html', parent: null })).toBe(false);
    expect(isTrustedSender({ url: 'http://127.0.0.1/', parent: null })).toBe(false);
    expect(isTrustedSender(null)).toBe(false);
    expect(isTrustedSender(undefined)).toBe(false);
  });
});

function fakeContents() {
  const calls: string[] = [];
  const handlers = new Map<string, (event: { preventDefault(): void }, url?: string) => void>();
  let openHandler: ((details: { url: string }) => { action: string }) | null = null;
  const contents = {
    setWindowOpenHandler(handler: (details: never) => { action: 'deny' }) {
      calls.push('setWindowOpenHandler');
      openHandler = handler as unknown as typeof openHandler;
    },
    on(event: string, listener: (event: { preventDefault(): void }) => void) {
      calls.push(`on:${event}`);
      handlers.set(event, listener);
      return contents;
    },
  };
  return { contents: contents as HardenableWebContents, calls, handlers, open: () => openHandler };
}

describe('applyHardening', () => {
  it('registers every handler on the app, session and window contents', () => {
    const appCalls: string[] = [];
    let created: ((event: unknown, contents: HardenableWebContents) => void) | null = null;
    const app = {
      on(event: 'web-contents-created', listener: (event: unknown, c: HardenableWebContents) => void) {
        appCalls.push(event);
        created = listener;
      },
    };
    const sessionCalls: Array<[string, unknown]> = [];
    const session = {
      setPermissionRequestHandler: (h: unknown) => sessionCalls.push(['request', h]),
      setPermissionCheckHandler: (h: unknown) => sessionCalls.push(['check', h]),
    };
    const win = fakeContents();

    applyHardening(app, session, win.contents);

    expect(appCalls).toStrictEqual(['web-contents-created']);
    expect(sessionCalls).toStrictEqual([
      ['request', answerPermissionRequest],
      ['check', answerPermissionCheck],
    ]);
    expect(win.calls).toStrictEqual([
      'setWindowOpenHandler',
      'on:will-navigate',
      'on:will-redirect',
      'on:will-attach-webview',
    ]);
    expect(win.open()?.({ url: 'https://example.com' })).toStrictEqual({ action: 'deny' });
    let prevented = false;
    win.handlers.get('will-navigate')?.({ preventDefault: () => (prevented = true) }, 'file:///etc/passwd');
    expect(prevented).toBe(true);

    // Contents created later (a devtools window, a stray child) are hardened too, and once only.
    const later = fakeContents();
    created!({}, later.contents);
    created!({}, later.contents);
    expect(later.calls).toHaveLength(4);
  });
});

describe('FUSES', () => {
  it('describes the packaged binary’s fuses', () => {
    expect(FUSES).toStrictEqual({
      version: 'V1',
      RunAsNode: false,
      EnableCookieEncryption: true,
      EnableNodeOptionsEnvironmentVariable: false,
      EnableNodeCliInspectArguments: false,
      EnableEmbeddedAsarIntegrityValidation: true,
      OnlyLoadAppFromAsar: true,
    });
  });
});
