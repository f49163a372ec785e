import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSP } from './hardening.js';
import {
  contentTypeFor,
  loadRendererFile,
  registerAppProtocol,
  registerAppScheme,
  resolveRendererPath,
  serveAppRequest,
} from './protocol.js';

const root = '/srv/renderer';

describe('resolveRendererPath', () => {
  it('maps paths under the renderer folder', () => {
    expect(resolveRendererPath(root, '/')).toBe('/srv/renderer/index.html');
    expect(resolveRendererPath(root, '/index.html')).toBe('/srv/renderer/index.html');
    expect(resolveRendererPath(root, '/assets/app-1.js')).toBe('/srv/renderer/assets/app-1.js');
    expect(resolveRendererPath(root, '/assets/')).toBe('/srv/renderer/assets/index.html');
    expect(resolveRendererPath(root, '/a%20b.css')).toBe('/srv/renderer/a b.css');
    expect(resolveRendererPath(root, '/assets/../index.html')).toBe('/srv/renderer/index.html');
  });

  it('refuses traversal, encoded traversal and odd bytes', () => {
    const refused = [
      '/..',
      '/../etc/passwd',
      '/assets/../../etc/passwd',
      '/%2e%2e/etc/passwd',
      '/%2E%2E%2Fetc%2Fpasswd',
      '/..%2f..%2fetc/passwd',
      '/..%5c..%5cwindows',
      '/a\\b',
      '/index.html%00.png',
      '/%E0%A4%A',
      'relative/path',
      '/../renderer-evil/index.html',
    ];
    for (const p of refused) expect(resolveRendererPath(root, p), p).toBeNull();
  });
});

describe('contentTypeFor', () => {
  it('names the types the renderer build emits', () => {
    expect(contentTypeFor('index.html')).toBe('text/html; charset=utf-8');
    expect(contentTypeFor('a.JS')).toBe('text/javascript; charset=utf-8');
    expect(contentTypeFor('a.css')).toBe('text/css; charset=utf-8');
    expect(contentTypeFor('a.svg')).toBe('image/svg+xml');
    expect(contentTypeFor('a.woff2')).toBe('font/woff2');
    expect(contentTypeFor('noext')).toBe('application/octet-stream');
  });
});

describe('serving files', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kavach-protocol-'));
    mkdirSync(join(dir, 'renderer', 'assets'), { recursive: true });
    writeFileSync(join(dir, 'renderer', 'index.html'), '<!doctype html><title>Kavach</title>');
    writeFileSync(join(dir, 'renderer', 'assets', 'app.js'), 'export {};');
    writeFileSync(join(dir, 'secret.txt'), 'outside');
    symlinkSync(join(dir, 'secret.txt'), join(dir, 'renderer', 'assets', 'link.txt'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('falls back to the app shell for client routes only', async () => {
    const renderer = join(dir, 'renderer');
    expect((await loadRendererFile(renderer, '/patients/42'))?.contentType).toBe('text/html; charset=utf-8');
    expect(await loadRendererFile(renderer, '/assets/missing.js')).toBeNull();
    expect(await loadRendererFile(renderer, '/assets/link.txt')).toBeNull();
  });

  it('answers kavach://app/ requests with the CSP header and refuses traversal', async () => {
    const renderer = join(dir, 'renderer');
    const ok = await serveAppRequest(renderer, new Request('http://app/assets/app.js'));
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(ok.headers.get('content-security-policy')).toBe(CSP);
    expect(await ok.text()).toBe('export {};');
    const bad = await serveAppRequest(renderer, new Request('http://app/%2e%2e/secret.txt'));
    expect(bad.status).toBe(404);
    expect(bad.headers.get('content-security-policy')).toBe(CSP);
    const post = await serveAppRequest(renderer, new Request('http://app/index.html', { method: 'POST' }));
    expect(post.status).toBe(405);
  });

  it('registers the scheme as standard and secure, and a handler for it', () => {
    const calls: unknown[] = [];
    registerAppScheme({ registerSchemesAsPrivileged: (s) => calls.push(s) });
    registerAppProtocol({ handle: (scheme) => calls.push(scheme) }, '/x');
    expect(calls).toStrictEqual([
      [{ scheme: 'kavach', privileges: { standard: true, secure: true } }],
      'kavach',
    ]);
  });
});
