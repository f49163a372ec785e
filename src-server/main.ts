// `npm run server [-- --data DIR] [--port N] [--host H] [--tls-cert P --tls-key P]`
// `npm run server -- create-clinic --name "Sunrise Clinic" [--data DIR]`
// With DATABASE_URL=postgres://... both use PostgreSQL instead of embedded PGlite.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { groupCode } from '../src-shared/sync-wire';
import { createServer, isLoopback } from './app';
import { type DbChoice, openDatabase } from './db';
import { createClinic } from './store';

const USAGE = `Kavach sync server

  npm run server -- [--data DIR] [--port N] [--host H] [--tls-cert FILE --tls-key FILE]
  npm run server -- create-clinic --name "Clinic name" [--data DIR]

Embedded PGlite in ./data/server by default; set DATABASE_URL=postgres://... to use PostgreSQL.
Listens on 127.0.0.1:8787 by default.`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

function parse() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        data: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        name: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    fail((err as Error).message);
  }
}

function dbChoice(): DbChoice {
  const url = process.env.DATABASE_URL;
  if (!url) return 'pglite';
  if (!/^postgres(ql)?:\/\//.test(url)) fail('DATABASE_URL must be a postgres:// URL');
  return { url };
}

async function createClinicCommand(name: string | undefined, dataDir: string): Promise<void> {
  const clinicName = name?.normalize('NFC').trim();
  if (!clinicName || clinicName.length > 120)
    fail('create-clinic needs --name "Clinic name" (1 to 120 characters)');
  const opened = await openDatabase(dbChoice(), dataDir);
  try {
    const c = await createClinic(opened.db, clinicName, new Date());
    // The code goes to the operator's terminal only: it is not logged and not stored.
    process.stdout.write(
      [
        `Created clinic "${clinicName}" (${c.clinicId}).`,
        '',
        "Founding code (shown once; enter it on the clinic's first workstation under 'Join an existing clinic'):",
        '',
        `    ${groupCode(c.foundingCode)}`,
        '',
        `It works once and expires at ${c.expiresAt.toISOString()}.`,
        '',
      ].join('\n'),
    );
  } finally {
    await opened.close();
  }
}

async function serveCommand(values: ReturnType<typeof parse>['values'], dataDir: string): Promise<void> {
  const port = values.port === undefined ? 8787 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail('--port must be a number from 0 to 65535');
  const host = values.host ?? '127.0.0.1';
  if (Boolean(values['tls-cert']) !== Boolean(values['tls-key']))
    fail('--tls-cert and --tls-key go together');
  const tls =
    values['tls-cert'] && values['tls-key']
      ? { cert: readFileSync(values['tls-cert']), key: readFileSync(values['tls-key']) }
      : undefined;
  if (!tls && !isLoopback(host)) {
    process.stderr.write(
      [
        '',
        '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
        `!! WARNING: listening on ${host} WITHOUT TLS.`,
        '!! Device tokens and enrollment codes will cross the network in clear text.',
        '!! Give --tls-cert and --tls-key, or put a TLS-terminating proxy in front.',
        '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
        '',
      ].join('\n'),
    );
  }
  const choice = dbChoice();
  const server = await createServer({ db: choice, dataDir, port, host, tls, log: 'info' });
  process.stderr.write(
    `Kavach sync server on ${server.url} (${choice === 'pglite' ? `PGlite in ${dataDir}` : 'PostgreSQL'})\n`,
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`${signal}: stopping\n`);
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

async function main(): Promise<void> {
  const { values, positionals } = parse();
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const dataDir = resolve(values.data ?? 'data/server');
  const [command, ...rest] = positionals;
  if (rest.length > 0) fail(`Unexpected arguments: ${rest.join(' ')}`);
  if (command === 'create-clinic') return createClinicCommand(values.name, dataDir);
  if (command !== undefined && command !== 'serve') fail(`Unknown command: ${command}`);
  return serveCommand(values, dataDir);
}

main().catch((err: unknown) => {
  // One line, no stack: the usual causes (port in use, database unreachable) read plainly.
  process.stderr.write(`Kavach sync server failed: ${(err as Error).message ?? String(err)}\n`);
  process.exit(1);
});
