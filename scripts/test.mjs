// `npm test`: the whole suite. Lint, typecheck, build, then Vitest and Playwright inside a
// private D-Bus session with gnome-keyring (the real keychain for keytar) and a throwaway
// HOME. Every step runs even after a failure, so one run shows everything; the exit code
// is non-zero if any step failed, and the last line sums the runners' counts.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureNativeFor } from './native-abi.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const results = [];
const say = (line) => process.stdout.write(`${line}\n`);

const started = Date.now();
const seconds = (ms) => `${(ms / 1000).toFixed(0)} s`;

function step(name, command, args, env = {}) {
  say(`\n── ${name} ──`);
  const t0 = Date.now();
  const r = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  const ok = r.status === 0;
  const ms = Date.now() - t0;
  results.push({ name, ok, ms });
  if (!ok) say(`✗ ${name} failed (exit ${r.status ?? r.signal})`);
  return ok;
}

function need(tool, pkg) {
  const r = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' });
  if (r.status !== 0) {
    say(`Missing ${tool}: install the Debian package ${pkg} (as .ci/run does) and run npm test again.`);
    process.exit(1);
  }
}

need('dbus-run-session', 'dbus');
need('gnome-keyring-daemon', 'gnome-keyring');
const chromium = process.env.KAVACH_CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(chromium)) {
  say(`Missing ${chromium}: install the Debian package chromium (as .ci/run does) and run npm test again.`);
  process.exit(1);
}

ensureNativeFor('node', { root });
mkdirSync(join(root, 'test-results'), { recursive: true });
step('lint (biome)', bin('biome'), ['lint', '.']);
step('typecheck (tsc)', 'npm', ['run', '--silent', 'typecheck']);
const built = step('build (electron-vite)', bin('electron-vite'), ['build']);

const home = mkdtempSync(join(tmpdir(), 'kavach-test-home-'));
const runtime = mkdtempSync(join(tmpdir(), 'kavach-test-run-'));
// The keyring password only protects this throwaway keyring, which is deleted afterwards.
const inKeyringSession = (command) => [
  '--',
  'sh',
  '-c',
  `printf '%s' kavach-test-keyring | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec ${command}`,
];
const sessionEnv = {
  HOME: home,
  XDG_RUNTIME_DIR: runtime,
  XDG_DATA_HOME: join(home, '.local/share'),
  NO_COLOR: '1',
};
step(
  'unit and integration tests (vitest)',
  'dbus-run-session',
  inKeyringSession(
    `"${bin('vitest')}" run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json`,
  ),
  sessionEnv,
);
if (built) {
  step(
    'browser journeys (playwright)',
    'dbus-run-session',
    inKeyringSession(`"${bin('playwright')}" test`),
    sessionEnv,
  );
} else {
  results.push({ name: 'browser journeys (playwright)', ok: false });
  say('✗ browser journeys not run: the build failed');
}
rmSync(home, { recursive: true, force: true });
rmSync(runtime, { recursive: true, force: true });

function readJson(file) {
  try {
    return JSON.parse(readFileSync(join(root, file), 'utf8'));
  } catch {
    return null;
  }
}

const vitest = readJson('test-results/vitest.json');
const pw = readJson('test-results/playwright.json');
const counts = {
  vitest: vitest
    ? {
        passed: vitest.numPassedTests,
        failed: vitest.numFailedTests,
        skipped: vitest.numPendingTests + vitest.numTodoTests,
      }
    : { passed: 0, failed: 1, skipped: 0 },
  playwright: pw
    ? { passed: pw.stats.expected + pw.stats.flaky, failed: pw.stats.unexpected, skipped: pw.stats.skipped }
    : { passed: 0, failed: 1, skipped: 0 },
};
const failedSteps = results.filter((r) => !r.ok).map((r) => r.name);
say('\n── summary ──');
for (const r of results)
  say(`${r.ok ? '✓' : '✗'} ${r.name}${r.ms === undefined ? '' : ` (${seconds(r.ms)})`}`);
say(`whole run: ${seconds(Date.now() - started)}`);
for (const [name, c] of Object.entries(counts))
  say(`${name}: ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`);
// Lint, typecheck and build count as one failed check each in the closing line.
const checkFailures = results.filter((r) => !r.ok && !/vitest|playwright/.test(r.name)).length;
const total = Object.values(counts).reduce(
  (a, c) => ({ passed: a.passed + c.passed, failed: a.failed + c.failed, skipped: a.skipped + c.skipped }),
  { passed: 0, failed: checkFailures, skipped: 0 },
);
say(`total: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(failedSteps.length > 0 ? 1 : 0);
