// `npm start`: the desktop app where Electron's runtime can be had, otherwise the browser preview
// (same renderer, same router, a token-protected WebSocket on 127.0.0.1 instead of IPC).
// `npm start -- --preview [--data DIR] [--port N]` forces the preview.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronBinary, ensureNativeFor } from './native-abi.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PREVIEW_ENTRY = join(ROOT, 'src-main', 'app', 'preview.ts');
const DEFAULT_DATA = 'data/workstation';
const INSTALL_TIMEOUT_MS = 120_000;

const say = (text) => process.stdout.write(`${text}\n`);
const complain = (text) => process.stderr.write(`${text}\n`);

function fatal(text, code = 1) {
  complain(`\n${text}\n`);
  process.exit(code);
}

function tryInstallElectron() {
  say('The Electron runtime is not installed yet; fetching it (this can take a minute)...');
  spawnSync(process.execPath, [join(ROOT, 'node_modules', 'electron', 'install.js')], {
    cwd: ROOT,
    stdio: 'ignore',
    timeout: INSTALL_TIMEOUT_MS,
  });
  return electronBinary(ROOT);
}

function build() {
  say('Building Kavach (electron-vite build)...');
  const cli = join(ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');
  const run = spawnSync(process.execPath, [cli, 'build'], { cwd: ROOT, encoding: 'utf8' });
  if (run.status !== 0) {
    const tail = `${run.stdout ?? ''}${run.stderr ?? ''}`.trim().split('\n').slice(-25).join('\n');
    fatal(`The build failed:\n${tail}`);
  }
}

/** Runs a child in its own process group and passes our stop signals on to all of it. */
function runForwardingSignals(command, args, options) {
  const child = spawn(command, args, { ...options, detached: process.platform !== 'win32' });
  const forward = (signal) => {
    try {
      if (process.platform === 'win32') child.kill(signal);
      else process.kill(-child.pid, signal);
    } catch {
      // Already gone.
    }
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => forward(signal));
  child.on('error', (e) => fatal(`Could not start ${command}: ${e.message}`));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  return child;
}

function dataDirFrom(args) {
  const i = args.indexOf('--data');
  return resolve(process.cwd(), i >= 0 && args[i + 1] ? args[i + 1] : DEFAULT_DATA);
}

function hasCommand(name) {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

/** Reads a line from the terminal without echoing it. */
function promptHidden(question) {
  return new Promise((resolvePw, reject) => {
    const { stdin, stdout } = process;
    let value = '';
    const finish = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      stdout.write('\n');
    };
    const onData = (chunk) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0003') {
          finish();
          if (ch === '\u0003') reject(new Error('Cancelled.'));
          else resolvePw(value);
          return;
        }
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else if (ch >= ' ') value += ch;
      }
    };
    stdout.write(question);
    stdin.setEncoding('utf8');
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}

async function keyringPassword(isNew) {
  const fromEnv = process.env.KAVACH_KEYRING_PASSWORD;
  let password = fromEnv;
  if (password === undefined) {
    if (!process.stdin.isTTY) {
      fatal(
        'No desktop keychain was found and there is no terminal to ask for the private keyring password. ' +
          'Set KAVACH_KEYRING_PASSWORD, or run npm start from a terminal.',
      );
    }
    password = await promptHidden(
      isNew ? 'Choose a password for the private keyring: ' : 'Keyring password: ',
    );
    if (isNew && password !== (await promptHidden('Type it again: '))) fatal('The two passwords differ.');
  }
  // gnome-keyring stores a keyring with an empty password unencrypted; a newline would cut it short.
  if (password === '' || /[\r\n]/.test(password))
    fatal('The keyring password must be non-empty and one line.');
  return password;
}

function privateKeyringWarning(keyringDir) {
  return (
    `WARNING: no desktop keychain was found (no D-Bus session bus), so Kavach keeps its device key in a ` +
    `private GNOME keyring at ${keyringDir}, unlocked with the keyring password. This keyring exists only ` +
    'because no desktop keychain was found. Keep the password and a recovery kit: without them the clinic ' +
    'data in this folder cannot be opened.'
  );
}

/** The preview, inside its own D-Bus session with gnome-keyring unlocked from a folder under the data dir. */
async function runPreviewWithPrivateKeyring(previewArgs) {
  if (!hasCommand('dbus-run-session') || !hasCommand('gnome-keyring-daemon')) {
    fatal(
      'No desktop keychain was found (no D-Bus session bus), and neither dbus-run-session nor ' +
        'gnome-keyring-daemon exist to run a private one. Install them (Debian: apt-get install dbus ' +
        'gnome-keyring) or start Kavach from a desktop session.',
    );
  }
  const keyringDir = join(dataDirFrom(previewArgs), 'keyring');
  const isNew = !existsSync(join(keyringDir, 'keyrings'));
  mkdirSync(keyringDir, { recursive: true, mode: 0o700 });
  complain(`\n${privateKeyringWarning(keyringDir)}\n`);
  const password = await keyringPassword(isNew);
  // The password travels on a pipe, never in argv or the environment of the long-lived process.
  const script =
    'IFS= read -r pw; printf %s "$pw" | gnome-keyring-daemon --unlock --components=secrets >/dev/null; ' +
    'unset pw KAVACH_KEYRING_PASSWORD; exec "$@" </dev/null';
  const node = [process.execPath, '--import', 'tsx', PREVIEW_ENTRY, ...previewArgs];
  const env = { ...process.env, XDG_DATA_HOME: keyringDir, KAVACH_PRIVATE_KEYRING: keyringDir };
  delete env.KAVACH_KEYRING_PASSWORD;
  const child = runForwardingSignals('dbus-run-session', ['--', 'sh', '-c', script, 'kavach', ...node], {
    cwd: process.cwd(),
    env,
    stdio: ['pipe', 'inherit', 'inherit'],
  });
  child.stdin.end(`${password}\n`);
}

function runPreview(previewArgs) {
  ensureNativeFor('node');
  build();
  if (process.platform === 'linux' && !process.env.DBUS_SESSION_BUS_ADDRESS) {
    return runPreviewWithPrivateKeyring(previewArgs);
  }
  runForwardingSignals(process.execPath, ['--import', 'tsx', PREVIEW_ENTRY, ...previewArgs], {
    cwd: process.cwd(),
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

function runDesktop(binary) {
  ensureNativeFor('electron');
  build();
  say('Starting Kavach...');
  runForwardingSignals(binary, [ROOT], { cwd: ROOT, stdio: 'inherit' });
}

const NO_RUNTIME =
  'The Electron runtime could not be downloaded on this machine (only the npm registry is reachable), ' +
  'so Kavach is serving the same renderer to a browser on 127.0.0.1, over the same router, through a ' +
  'local WebSocket transport. The address printed below carries a one-time token: open it in a browser ' +
  'on this machine.';

async function main() {
  const args = process.argv.slice(2);
  const forcePreview = args.includes('--preview');
  const previewArgs = args.filter((a) => a !== '--preview');
  if (forcePreview) {
    say('Starting the browser preview (--preview).');
    return runPreview(previewArgs);
  }
  const binary = electronBinary(ROOT) ?? tryInstallElectron();
  if (binary !== null) return runDesktop(binary);
  say(`\n${NO_RUNTIME}\n`);
  return runPreview(previewArgs);
}

main().catch((e) => fatal(e instanceof Error ? e.message : String(e)));
