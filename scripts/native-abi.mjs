// Native modules (better-sqlite3, keytar) are compiled for one ABI at a time: Node's for the
// tests and the browser preview, Electron's for the desktop app. This checks the current build
// by loading it in the target runtime and rebuilds only when that fails, because a rebuild
// costs minutes. (@electron/rebuild would do the Electron half, but cannot be installed here:
// one of its dependencies is fetched from a git host, and only the npm registry is reachable.)
//
// Usage: import { ensureNativeFor } from './native-abi.mjs', or `node scripts/native-abi.mjs node|electron`.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const NATIVE_MODULES = ['better-sqlite3', 'keytar'];
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PROBE = NATIVE_MODULES.map((m) => `require(${JSON.stringify(m)})`).join(';');
const REBUILD_TIMEOUT_MS = 15 * 60 * 1000;

/** The Electron executable if its runtime has been downloaded, else null. */
export function electronBinary(root = ROOT) {
  const dir = join(root, 'node_modules', 'electron');
  const pathFile = join(dir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

export function electronVersion(root = ROOT) {
  return JSON.parse(readFileSync(join(root, 'node_modules', 'electron', 'package.json'), 'utf8')).version;
}

function firstErrorLine(stderr) {
  const lines = stderr.split('\n').map((line) => line.trim());
  return lines.find((line) => /NODE_MODULE_VERSION|Error/.test(line)) ?? lines.find((line) => line !== '');
}

function probe(target, root) {
  const command = target === 'electron' ? electronBinary(root) : process.execPath;
  if (command === null)
    throw new Error('The Electron runtime is not installed, so nothing can be built for it.');
  const env = target === 'electron' ? { ...process.env, ELECTRON_RUN_AS_NODE: '1' } : process.env;
  const run = spawnSync(command, ['-e', PROBE], { cwd: root, env, encoding: 'utf8', timeout: 60_000 });
  const stderr = `${run.stderr ?? ''}${run.error ? run.error.message : ''}`;
  return {
    ok: run.status === 0,
    abiMismatch: /NODE_MODULE_VERSION/.test(stderr),
    detail: firstErrorLine(stderr) ?? `exit ${run.status}`,
  };
}

function rebuildEnv(target, root) {
  const env = { ...process.env, npm_config_build_from_source: 'true' };
  if (target !== 'electron') return env;
  return {
    ...env,
    npm_config_runtime: 'electron',
    npm_config_target: electronVersion(root),
    npm_config_disturl: 'https://electronjs.org/headers',
    // ~/.npmrc on these machines points nodedir at Node's headers in /usr: wrong for Electron.
    npm_config_nodedir: '',
  };
}

function label(target, root) {
  return target === 'electron' ? `Electron ${electronVersion(root)}` : `Node ${process.versions.node}`;
}

/**
 * Makes better-sqlite3 and keytar loadable in `target` ('node' or 'electron').
 * Returns true when it had to rebuild; throws when even a rebuild does not help.
 */
export function ensureNativeFor(target, { root = ROOT } = {}) {
  if (target !== 'node' && target !== 'electron') throw new Error(`Unknown target "${target}"`);
  const before = probe(target, root);
  if (before.ok) return false;
  const why = before.abiMismatch
    ? 'they were built for another ABI'
    : `they failed to load: ${before.detail}`;
  process.stdout.write(`Rebuilding ${NATIVE_MODULES.join(' and ')} for ${label(target, root)} (${why})...\n`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const run = spawnSync(npm, ['rebuild', ...NATIVE_MODULES], {
    cwd: root,
    env: rebuildEnv(target, root),
    encoding: 'utf8',
    timeout: REBUILD_TIMEOUT_MS,
    shell: process.platform === 'win32',
  });
  const after = probe(target, root);
  if (!after.ok) {
    const tail = `${run.stdout ?? ''}${run.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
    throw new Error(
      `Rebuilding native modules for ${label(target, root)} failed (${after.detail}).\n${tail}`,
    );
  }
  return true;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    ensureNativeFor(process.argv[2] ?? 'node');
  } catch (e) {
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  }
}
