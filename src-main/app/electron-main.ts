import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  type IpcMainInvokeEvent,
  protocol,
  session,
  type WebContents,
} from 'electron';
import { CHANNELS } from '../../src-shared/contract.js';
import { fail, type Result } from '../../src-shared/result.js';
import { openCore } from '../core.js';
import type { Connection, Core } from '../core-types.js';
import { createKeytarStore } from '../vault/keytar-store.js';
import { APP_ORIGIN, applyHardening, isTrustedSender, webPreferencesFor } from './hardening.js';
import { registerAppProtocol, registerAppScheme } from './protocol.js';

// Bundled to out/main/index.js; the preload and renderer builds sit beside it.
const here = dirname(fileURLToPath(import.meta.url));
const PRELOAD = join(here, '../preload/index.cjs');
const RENDERER_DIR = join(here, '../renderer');

/** Codes openCore uses when the keychain cannot give the device key: never fall back to a new key. */
const KEY_ERRORS = new Set(['KEYCHAIN_UNAVAILABLE', 'DEVICE_KEY_MISSING']);

let mainWindow: BrowserWindow | null = null;
let core: Core | null = null;
const connections = new Map<number, Connection>();

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** One Connection (and so one session) per window, gone with the window. */
function connectionFor(contents: WebContents, opened: Core): Connection {
  const existing = connections.get(contents.id);
  if (existing) return existing;
  const connection = opened.connect();
  connections.set(contents.id, connection);
  contents.once('destroyed', () => {
    connections.delete(contents.id);
    connection.close();
  });
  return connection;
}

async function invoke(opened: Core, channel: string, event: IpcMainInvokeEvent, payload: unknown) {
  try {
    const connection = connectionFor(event.sender, opened);
    const trustedSender = isTrustedSender(event.senderFrame);
    return await connection.invoke(channel, payload, { trustedSender });
  } catch {
    // A thrown error would carry its stack into the renderer: answer with a plain Result.
    return fail('INTERNAL', 'Something went wrong. Try again.') as Result<unknown>;
  }
}

function registerIpc(opened: Core): void {
  for (const channel of CHANNELS) {
    ipcMain.handle(channel, (event, payload: unknown) => invoke(opened, channel, event, payload));
  }
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Kavach',
    autoHideMenuBar: true,
    webPreferences: webPreferencesFor(PRELOAD),
  });
  applyHardening(app, session.defaultSession, win.webContents);
  win.once('ready-to-show', () => win.show());
  win.on('closed', () => {
    mainWindow = null;
  });
  win
    .loadURL(`${APP_ORIGIN}/index.html`)
    .catch((e: Error) => log(`Kavach: the window failed to load (${e.message})`));
  return win;
}

async function openServices(): Promise<Core | null> {
  try {
    return await openCore({
      dataDir: join(app.getPath('userData'), 'data'),
      secrets: createKeytarStore(),
      log,
    });
  } catch (e) {
    const err = e as { code?: unknown; message?: unknown };
    const message = typeof err.message === 'string' ? err.message : 'Kavach could not start.';
    const title = KEY_ERRORS.has(String(err.code))
      ? 'Kavach cannot unlock its data'
      : 'Kavach could not start';
    dialog.showErrorBox(title, message);
    return null;
  }
}

async function start(): Promise<void> {
  registerAppProtocol(protocol, RENDERER_DIR);
  core = await openServices();
  if (core === null) {
    app.exit(1);
    return;
  }
  registerIpc(core);
  mainWindow = createWindow();
}

async function shutdown(): Promise<void> {
  for (const connection of connections.values()) connection.close();
  connections.clear();
  const opened = core;
  core = null;
  await opened?.close();
}

function main(): void {
  // Test runs point userData at a throwaway folder; nothing else may move the data.
  if (process.env.KAVACH_USER_DATA_DIR) app.setPath('userData', process.env.KAVACH_USER_DATA_DIR);
  app.enableSandbox();
  registerAppScheme(protocol);
  if (!app.requestSingleInstanceLock()) {
    // Two processes on one encrypted store would race its writes and its keychain entry.
    app.quit();
    return;
  }
  app.on('second-instance', () => {
    if (mainWindow?.isMinimized()) mainWindow.restore();
    mainWindow?.focus();
  });
  app.on('window-all-closed', () => app.quit());
  // Quitting from the menu skips 'window-all-closed': close the store here so the WAL is checkpointed.
  app.on('will-quit', (event) => {
    if (core === null) return;
    event.preventDefault();
    shutdown().finally(() => app.quit());
  });
  app.whenReady().then(start, (e: Error) => {
    log(`Kavach: Electron failed to start (${e.message})`);
    app.exit(1);
  });
}

main();
