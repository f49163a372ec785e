import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { LIMITS } from '../src-shared/sync-wire';
import { type DbChoice, openDatabase, type ServerDb } from './db';
import { installErrorHandling } from './errors';
import { RateLimiter } from './rate-limit';
import { registerRoutes } from './routes';
import { createClinic, readClinicSeqs } from './store';
import { TableStats } from './table-stats';
import { ClinicWatcher } from './watcher';

export interface ServerLimits {
  pushesPerMinute: number;
  enrollPerMinute: number;
  /** Enrollment codes one device may register per minute. */
  enrollmentsPerMinute: number;
}

export interface ServerOptions {
  /** Embedded PGlite, or PostgreSQL at a postgres:// URL. */
  db: DbChoice;
  /** PGlite's directory; in memory when omitted (tests). Ignored for PostgreSQL. */
  dataDir?: string;
  /** 0 (the default here) picks a free port; the CLI defaults to 8787. */
  port?: number;
  host?: string;
  /** PEM certificate and key: serve HTTPS. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** false (default): silent; true or a pino level: JSON logs on stdout. */
  log?: boolean | 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
  limits?: Partial<ServerLimits>;
  /** How often a waiting pull re-reads the database for pushes via other processes. */
  pollIntervalMs?: number;
  /** The server's clock (expiry, rate-limit windows, last seen); tests move it. */
  now?: () => number;
}

export interface RunningServer {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  port: number;
  /** The drizzle handle, for admin tasks and tests that inspect what is stored. */
  db: ServerDb;
  dbKind: 'pglite' | 'postgres';
  createClinic(name: string): Promise<{ clinicId: string; foundingCode: string; expiresAt: number }>;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || host.startsWith('127.');
}

/** Starts the sync server: opens and migrates the database, then listens. */
export async function createServer(options: ServerOptions): Promise<RunningServer> {
  const now = options.now ?? Date.now;
  const opened = await openDatabase(options.db, options.dataDir);
  const limits: ServerLimits = {
    pushesPerMinute: LIMITS.pushesPerMinute,
    enrollPerMinute: LIMITS.enrollPerMinute,
    enrollmentsPerMinute: LIMITS.enrollPerMinute,
    ...options.limits,
  };
  const app = buildFastify(options);
  // Embedded PGlite has no autovacuum: the server keeps the planner's statistics itself.
  const stats = new TableStats(opened.db, opened.kind === 'pglite', (err) =>
    app.log.warn({ err }, 'refreshing table statistics failed'),
  );
  const watcher = new ClinicWatcher(
    (ids) => readClinicSeqs(opened.db, ids),
    options.pollIntervalMs ?? 300,
    (err) => app.log.warn({ err }, 'long-poll check failed'),
  );
  registerRoutes(app, {
    db: opened.db,
    watcher,
    stats,
    now,
    enrollLimiter: new RateLimiter(limits.enrollPerMinute, 60_000, now),
    pushLimiter: new RateLimiter(limits.pushesPerMinute, 60_000, now),
    enrollmentLimiter: new RateLimiter(limits.enrollmentsPerMinute, 60_000, now),
  });
  // Waiting pulls answer (empty) at once on shutdown instead of holding close() open.
  app.addHook('preClose', async () => watcher.close());
  let closing: Promise<void> | null = null;
  const close = () => {
    closing ??= (async () => {
      await app.close();
      await stats.settled();
      await opened.close();
    })();
    return closing;
  };
  try {
    await stats.start();
    const host = options.host ?? '127.0.0.1';
    await app.listen({ port: options.port ?? 0, host });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : (options.port ?? 0);
    const shownHost = host.includes(':') ? `[${host}]` : host;
    return {
      url: `${options.tls ? 'https' : 'http'}://${shownHost}:${port}`,
      port,
      db: opened.db,
      dbKind: opened.kind,
      createClinic: async (name) => {
        const c = await createClinic(opened.db, name, new Date(now()));
        return { clinicId: c.clinicId, foundingCode: c.foundingCode, expiresAt: c.expiresAt.getTime() };
      },
      close,
    };
  } catch (err) {
    await close().catch(() => {});
    throw err;
  }
}

function buildFastify(options: ServerOptions): FastifyInstance {
  const common: FastifyServerOptions = {
    // Small by default; the push route raises it to LIMITS.bodyBytes for itself.
    bodyLimit: 256 * 1024,
    logger: options.log
      ? {
          level: options.log === true ? 'info' : options.log,
          // Request logs carry method, URL and status only; bodies are never logged. Tokens
          // travel in Authorization, redacted should a header ever be logged.
          redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
        }
      : false,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
  };
  // The HTTPS overload of Fastify() is typed for its own server class; both are driven
  // through the same FastifyInstance surface here.
  const app = (
    options.tls
      ? Fastify({
          ...common,
          https: { cert: options.tls.cert, key: options.tls.key },
        } as FastifyServerOptions)
      : Fastify(common)
  ) as FastifyInstance;
  installErrorHandling(app);
  // An empty body sent as application/json (a bodiless POST such as revoke) reads as no
  // body rather than as an error; anything else goes through Fastify's safe JSON parser.
  const jsonParser = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text === '') done(null, undefined);
    else jsonParser(request, text, done);
  });
  return app;
}
