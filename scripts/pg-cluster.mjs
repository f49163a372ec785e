// A throwaway PostgreSQL cluster for the sync server's tests, from Debian's binaries
// (apt-get install postgresql, as .ci/run does).
//
//   node scripts/pg-cluster.mjs                  start, print DATABASE_URL, stop on Ctrl-C
//   node scripts/pg-cluster.mjs -- CMD ARGS...   run CMD with DATABASE_URL set, then stop
//
// As a module: `const c = await startCluster(); ... c.url ...; c.stop()`.
// PostgreSQL refuses to run as root, and CI runs as root: then initdb and pg_ctl run as the
// postgres user through runuser, on a data directory that user owns. Trust authentication
// is safe only because the cluster listens on 127.0.0.1 and a private socket directory, and
// lives for one test run.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HINT = 'install postgresql (as .ci/run does: apt-get install -y postgresql)';

export function findPgBin() {
  if (process.env.KAVACH_PG_BIN) return process.env.KAVACH_PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) throw new Error(`No PostgreSQL server binaries under ${root}: ${HINT}`);
  return join(root, versions[0], 'bin');
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolvePort(port));
    });
  });
}

function postgresIds() {
  const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) {
    throw new Error(`Running as root, but there is no postgres user to run PostgreSQL as: ${HINT}`);
  }
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/**
 * Starts a cluster on a free port and creates the database `kavach_test`.
 * @returns {Promise<{ url: string, port: number, dir: string, stop: () => void }>}
 */
export async function startCluster({ database = 'kavach_test' } = {}) {
  const bin = findPgBin();
  const asRoot = process.getuid?.() === 0;
  const run = (tool, args, opts = {}) => {
    const command = asRoot ? 'runuser' : join(bin, tool);
    const fullArgs = asRoot ? ['-u', 'postgres', '--', join(bin, tool), ...args] : args;
    const r = spawnSync(command, fullArgs, { encoding: 'utf8', ...opts });
    if (r.status !== 0) {
      throw new Error(
        `${tool} failed (${r.error?.message ?? `exit ${r.status}`}): ${(r.stderr || r.stdout).trim()}`,
      );
    }
    return r;
  };
  const dir = mkdtempSync(join(tmpdir(), 'kavach-pg-'));
  // The postgres user must reach its data directory through this one.
  chmodSync(dir, 0o755);
  const data = join(dir, 'data');
  mkdirSync(data, { mode: 0o700 });
  if (asRoot) {
    const { uid, gid } = postgresIds();
    chownSync(data, uid, gid);
  }
  const pgCtlStop = [
    ...(asRoot ? ['runuser', '-u', 'postgres', '--'] : []),
    join(bin, 'pg_ctl'),
    ...['-D', data, '-m', 'immediate', '-w', 'stop'],
  ];
  let started = false;
  let watchdog = null;
  const stop = () => {
    if (started) {
      spawnSync(pgCtlStop[0], pgCtlStop.slice(1));
      started = false;
    }
    watchdog?.kill();
    watchdog = null;
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stop);
  try {
    run('initdb', [
      '-D',
      data,
      '-A',
      'trust',
      '-U',
      'postgres',
      '-E',
      'UTF8',
      '--no-sync',
      '--no-instructions',
    ]);
    const port = await freePort();
    // Durability is pointless for a throwaway cluster; speed is not.
    const settings = [
      `-p ${port}`,
      `-k ${data}`,
      '-c listen_addresses=127.0.0.1',
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
      '-c max_connections=300',
    ].join(' ');
    run('pg_ctl', ['-D', data, '-o', settings, '-l', join(data, 'server.log'), '-w', '-t', '60', 'start']);
    started = true;
    // pg_ctl daemonises the server: if this process dies without running stop() (SIGKILL,
    // a CI timeout), this watchdog stops the cluster and deletes its files.
    const quote = (a) => `'${a.replace(/'/g, `'\\''`)}'`;
    watchdog = spawn(
      'sh',
      [
        '-c',
        `while kill -0 ${process.pid} 2>/dev/null; do sleep 2; done; ${pgCtlStop.map(quote).join(' ')} >/dev/null 2>&1; rm -rf ${quote(dir)}`,
      ],
      { detached: true, stdio: 'ignore' },
    );
    watchdog.unref();
    run('psql', ['-h', data, '-p', String(port), '-U', 'postgres', '-qc', `create database ${database}`]);
    const url = `postgres://postgres@127.0.0.1:${port}/${database}`;
    return { url, port, dir, stop };
  } catch (err) {
    stop();
    throw err;
  }
}

async function cli() {
  const dash = process.argv.indexOf('--');
  const command = dash >= 0 ? process.argv.slice(dash + 1) : [];
  const cluster = await startCluster();
  if (command.length === 0) {
    process.stdout.write(`DATABASE_URL=${cluster.url}\n`);
    process.stderr.write('PostgreSQL running; Ctrl-C stops it and deletes its files.\n');
    const quit = () => {
      cluster.stop();
      process.exit(0);
    };
    process.on('SIGINT', quit);
    process.on('SIGTERM', quit);
    setInterval(() => {}, 1 << 30);
    return;
  }
  const child = spawn(command[0], command.slice(1), {
    stdio: 'inherit',
    env: { ...process.env, DATABASE_URL: cluster.url, KAVACH_TEST_DATABASE_URL: cluster.url },
  });
  child.on('exit', (code, signal) => {
    cluster.stop();
    process.exit(code ?? (signal ? 1 : 0));
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  cli().catch((err) => {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  });
}
