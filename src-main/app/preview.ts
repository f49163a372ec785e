import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openCore } from '../core.js';
import type { Core } from '../core-types.js';
import { createKeytarStore } from '../vault/keytar-store.js';
import { type PreviewServer, startPreviewServer } from './preview-server.js';

/**
 * The browser preview's process: `node --import tsx src-main/app/preview.ts [--data DIR] [--port N]`.
 * Same core, same router as the desktop app; only the transport differs (see preview-server.ts).
 */

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RENDERER_DIR = resolve(PROJECT_ROOT, 'out/renderer');
const DEFAULT_DATA = 'data/workstation';
const DEFAULT_PORT = 5178;
/** Exit code for "the keychain cannot give us the device key": start.mjs and CI tell it apart. */
const EXIT_KEYCHAIN = 2;

const say = (text: string) => process.stdout.write(`${text}\n`);
const warn = (text: string) => process.stderr.write(`${text}\n`);

interface PreviewArgs {
  dataDir: string;
  port: number;
}

function parseArgs(argv: readonly string[], cwd = process.cwd()): PreviewArgs {
  const args: PreviewArgs = { dataDir: resolve(cwd, DEFAULT_DATA), port: DEFAULT_PORT };
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === '--data' && value) {
      args.dataDir = resolve(cwd, value);
      i += 1;
    } else if (flag === '--port' && value && /^\d{1,5}$/.test(value) && Number(value) <= 65535) {
      args.port = Number(value);
      i += 1;
    } else {
      throw new Error(`Unknown or incomplete option "${flag}". Usage: preview.ts [--data DIR] [--port N]`);
    }
  }
  return args;
}

/** A private keyring unlocked with the wrong password looks exactly like a missing key. */
function lockedPrivateKeyringHint(): string {
  const dir = process.env.KAVACH_PRIVATE_KEYRING;
  if (!dir) return '';
  return (
    ` This run uses the private keyring in ${dir}: if its password was mistyped the keyring stays ` +
    'locked and the key looks missing, so first try again with the password chosen when it was created.'
  );
}

function keyProblemText(code: string, message: string, dataDir: string): string {
  if (code === 'DEVICE_KEY_MISSING') {
    return (
      `Kavach cannot open the clinic data in ${dataDir}: ${message} ` +
      'Nothing was changed. If this folder belongs to another machine or user, start with --data pointing ' +
      `at a new folder instead.${lockedPrivateKeyringHint()}`
    );
  }
  return (
    `Kavach cannot reach the operating system keychain: ${message} ` +
    'On a Linux machine without a desktop session, start Kavach with `npm start`, which runs a private ' +
    'GNOME keyring for it; otherwise log in to a desktop session whose keyring is unlocked, then try again.'
  );
}

async function openOrExplain(dataDir: string): Promise<Core> {
  try {
    return await openCore({ dataDir, secrets: createKeytarStore(), log: warn });
  } catch (e) {
    const err = e as { code?: unknown; message?: unknown };
    const code = String(err.code);
    const message = typeof err.message === 'string' ? err.message : 'unknown error';
    if (code === 'KEYCHAIN_UNAVAILABLE' || code === 'DEVICE_KEY_MISSING') {
      warn(`\n${keyProblemText(code, message, dataDir)}\n`);
      process.exit(EXIT_KEYCHAIN);
    }
    throw e;
  }
}

async function listenWithFallback(core: Core, port: number): Promise<PreviewServer> {
  try {
    return await startPreviewServer({ core, rendererDir: RENDERER_DIR, port, log: warn });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
    warn(`Port ${port} is busy; using a free port instead.`);
    return startPreviewServer({ core, rendererDir: RENDERER_DIR, port: 0, log: warn });
  }
}

function printBanner(server: PreviewServer, dataDir: string): void {
  const rule = '='.repeat(72);
  say(
    [
      '',
      rule,
      '  Kavach is running in the browser preview.',
      '',
      '  Open this address in a browser on this machine (it works once):',
      '',
      `    ${server.url}`,
      '',
      `  Data folder: ${dataDir}`,
      '  Press Ctrl+C to stop.',
      rule,
      '',
    ].join('\n'),
  );
}

function closeOnSignals(server: PreviewServer, core: Core): void {
  let closing = false;
  const stop = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    warn(`\nStopping Kavach (${signal})...`);
    server
      .close()
      .then(() => core.close())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

async function main(): Promise<void> {
  const { dataDir, port } = parseArgs(process.argv.slice(2));
  if (!existsSync(resolve(RENDERER_DIR, 'index.html'))) {
    warn(`The renderer is not built (${RENDERER_DIR} has no index.html). Run: npx electron-vite build`);
    process.exit(1);
  }
  const core = await openOrExplain(dataDir);
  const server = await listenWithFallback(core, port);
  closeOnSignals(server, core);
  printBanner(server, dataDir);
}

main().catch((e: unknown) => {
  warn(`Kavach preview failed to start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
