import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';
import { APP_HOST, APP_SCHEME, CSP } from './hardening.js';

/**
 * Serves the built renderer over kavach://app/. A custom standard+secure scheme gives the page
 * a real origin (so 'self' in the CSP means something and file:// never appears) without a
 * network listener. The path resolver is shared with the browser preview server.
 * Nothing here imports Electron at run time: the preview imports this file under plain Node.
 */

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.wasm': 'application/wasm',
};

export function contentTypeFor(filePath: string): string {
  return CONTENT_TYPES[extname(filePath).toLowerCase()] ?? 'application/octet-stream';
}

function isInside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/**
 * Maps a URL pathname (still percent-encoded) to a file under rootDir, or null when it would
 * leave rootDir or cannot be decoded. '/' maps to index.html.
 */
export function resolveRendererPath(rootDir: string, urlPathname: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPathname);
  } catch {
    return null;
  }
  // Backslashes and NUL are separators or terminators on some platform: never legitimate here.
  if (!decoded.startsWith('/') || decoded.includes('\\') || decoded.includes('\0')) return null;
  const root = resolve(rootDir);
  const target = resolve(root, `.${decoded.endsWith('/') ? `${decoded}index.html` : decoded}`);
  return isInside(root, target) ? target : null;
}

/** A path with no extension is a client-side route: answer with the app shell. */
export function looksLikeClientRoute(urlPathname: string): boolean {
  const last = urlPathname.split('/').pop() ?? '';
  return !last.includes('.');
}

export interface StaticFile {
  body: Buffer;
  contentType: string;
}

async function readUnder(root: string, filePath: string): Promise<StaticFile | null> {
  try {
    // A symlink inside the build must not lead outside it either.
    const [realRoot, realFile] = await Promise.all([realpath(root), realpath(filePath)]);
    if (!isInside(realRoot, realFile)) return null;
    if (!(await stat(realFile)).isFile()) return null;
    return { body: await readFile(realFile), contentType: contentTypeFor(realFile) };
  } catch {
    return null;
  }
}

/** The file a GET for urlPathname should answer with, with the index.html fallback for routes. */
export async function loadRendererFile(rootDir: string, urlPathname: string): Promise<StaticFile | null> {
  const root = resolve(rootDir);
  const filePath = resolveRendererPath(root, urlPathname);
  if (filePath === null) return null;
  const found = await readUnder(root, filePath);
  if (found !== null || !looksLikeClientRoute(urlPathname)) return found;
  return readUnder(root, resolve(root, 'index.html'));
}

export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true },
} as const;

/** Structural slice of Electron's protocol module, so this file never loads Electron itself. */
export interface AppProtocol {
  registerSchemesAsPrivileged(schemes: Array<typeof APP_SCHEME_PRIVILEGES>): void;
  handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void;
}

/** Must run before app 'ready': Chromium fixes scheme privileges at start-up. */
export function registerAppScheme(protocol: Pick<AppProtocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
}

function textResponse(status: number, text: string): Response {
  return new Response(text, {
    status,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Security-Policy': CSP },
  });
}

export async function serveAppRequest(rendererDir: string, request: Request): Promise<Response> {
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return textResponse(400, 'Bad request');
  }
  if (url.host !== APP_HOST) return textResponse(404, 'Not found');
  if (request.method !== 'GET' && request.method !== 'HEAD') return textResponse(405, 'Method not allowed');
  const file = await loadRendererFile(rendererDir, url.pathname);
  if (file === null) return textResponse(404, 'Not found');
  return new Response(request.method === 'HEAD' ? null : new Uint8Array(file.body), {
    status: 200,
    headers: {
      'Content-Type': file.contentType,
      'Content-Security-Policy': CSP,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
    },
  });
}

/** After app 'ready': answer kavach://app/ from the built renderer folder. */
export function registerAppProtocol(protocol: Pick<AppProtocol, 'handle'>, rendererDir: string): void {
  protocol.handle(APP_SCHEME, (request) => serveAppRequest(rendererDir, request));
}
