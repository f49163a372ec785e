// `npm run bench`: the reception benchmark (bench/patients.bench.ts) with the real keytar
// store, inside a private D-Bus session with gnome-keyring and a throwaway HOME, as
// scripts/test.mjs runs the tests. Arguments are passed on:
//   npm run bench -- --quick | --patients 250000 | --million | --searches 1000 | --seed 7
// `node scripts/bench.mjs sync [--quick]` runs the sync benchmark (bench/sync.bench.ts) instead,
// `node scripts/bench.mjs attachments [--reps N]` the attachment benchmark (bench/attachments.bench.ts),
// `node scripts/bench.mjs chart [--visits N] [--samples N]` the chart benchmark (bench/chart.bench.ts).
// `node scripts/bench.mjs ledger [--entries N] [--runs N]` the ledger benchmark (bench/ledger.bench.ts).
// `node scripts/bench.mjs envelope [--runs N] [--ops N]` the field envelope cipher benchmark (bench/envelope.bench.ts).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureNativeFor } from './native-abi.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const say = (line) => process.stderr.write(`${line}\n`);

for (const [tool, pkg] of [
  ['dbus-run-session', 'dbus'],
  ['gnome-keyring-daemon', 'gnome-keyring'],
]) {
  if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) {
    say(`Missing ${tool}: install the Debian package ${pkg} and run the benchmark again.`);
    process.exit(1);
  }
}
ensureNativeFor('node', { root });

// Arguments reach the shell as positional parameters ("$@"), never spliced into its text.
const tsx = join(root, 'node_modules', '.bin', 'tsx');
const args = process.argv.slice(2);
const modes = {
  sync: 'bench/sync.bench.ts',
  attachments: 'bench/attachments.bench.ts',
  chart: 'bench/chart.bench.ts',
  ledger: 'bench/ledger.bench.ts',
  envelope: 'bench/envelope.bench.ts',
};
const mode = Object.hasOwn(modes, args[0] ?? '') ? args.shift() : null;
const bench = mode ? modes[mode] : 'bench/patients.bench.ts';
const home = mkdtempSync(join(tmpdir(), 'kavach-bench-home-'));
const runtime = mkdtempSync(join(tmpdir(), 'kavach-bench-run-'));
let status = 1;
try {
  const r = spawnSync(
    'dbus-run-session',
    [
      '--',
      'sh',
      '-c',
      // The keyring password only protects this throwaway keyring, deleted afterwards.
      `printf '%s' kavach-bench-keyring | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec "$0" "$@"`,
      tsx,
      bench,
      ...args,
    ],
    {
      cwd: root,
      stdio: 'inherit',
      env: {
        ...process.env,
        HOME: home,
        XDG_RUNTIME_DIR: runtime,
        XDG_DATA_HOME: join(home, '.local/share'),
        NO_COLOR: '1',
      },
    },
  );
  status = r.status ?? 1;
  if (r.signal) say(`benchmark stopped by ${r.signal}`);
} finally {
  rmSync(home, { recursive: true, force: true });
  rmSync(runtime, { recursive: true, force: true });
}
process.exit(status);
