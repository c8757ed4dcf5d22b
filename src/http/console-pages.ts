// The console's pages: the static build of web/ (Vite) served at /console/* and /admin/*.
//
// Every page path answers with index.html (the app picks the page from the path); the hashed
// files under /console/assets/ are cached for a year. /console/api/* and /admin/api/* are the
// JSON APIs' (src/http/console, src/http/admin): a path there that no API route took answers a
// JSON 404 here, never the page. The files are listed once at start-up and looked up by name, so
// no request path ever reaches the file system. The CSP lets scripts come only from this origin;
// styles may be inline, because Ant Design writes its CSS-in-JS (and a few components their own
// style tags, without a nonce) at run time.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SupportContacts } from '../config.ts';

/** 联系我们: what the operator tells buyers about support. */
/** 联系我们, as configured (`commerce.support` / SHIMING_SUPPORT). */
export type SupportInfo = SupportContacts;

export interface ConsolePagesOptions {
  /** the Vite build; default web/dist of this checkout */
  distDir?: string;
  support?: SupportInfo;
}

export const DEFAULT_DIST_DIR = fileURLToPath(new URL('../../web/dist', import.meta.url));

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};
const COMPRESSIBLE = new Set(['.js', '.css', '.svg', '.json', '.map']);

interface Asset {
  file: string;
  type: string;
  compressible: boolean;
  body?: Buffer;
  gzip?: Buffer;
}

export const CONTENT_SECURITY_POLICY = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');

function listAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  const assetDir = path.join(dir, 'assets');
  if (!fs.existsSync(assetDir)) return assets;
  for (const name of fs.readdirSync(assetDir)) {
    const ext = path.extname(name);
    const file = path.join(assetDir, name);
    if (!TYPES[ext] || !fs.statSync(file).isFile()) continue;
    assets.set(name, { file, type: TYPES[ext]!, compressible: COMPRESSIBLE.has(ext) });
  }
  return assets;
}

function securityHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'same-origin')
    .header('x-frame-options', 'DENY');
}

/** Serves the console's pages; register it after the console and admin APIs. */
export async function registerConsolePages(app: FastifyInstance, options: ConsolePagesOptions = {}): Promise<void> {
  const distDir = options.distDir ?? DEFAULT_DIST_DIR;
  const indexFile = path.join(distDir, 'index.html');
  const template = fs.existsSync(indexFile) ? fs.readFileSync(indexFile, 'utf8') : undefined;
  const assets = listAssets(distDir);
  const support = JSON.stringify(options.support ?? {});

  const sendAsset = (request: FastifyRequest, reply: FastifyReply, name: string) => {
    const asset = assets.get(name);
    if (!asset) return reply.code(404).header('cache-control', 'no-store').type('text/plain; charset=utf-8').send('not found');
    asset.body ??= fs.readFileSync(asset.file);
    securityHeaders(reply).header('content-type', asset.type).header('cache-control', 'public, max-age=31536000, immutable').header('vary', 'accept-encoding');
    if (asset.compressible && /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))) {
      asset.gzip ??= zlib.gzipSync(asset.body, { level: 9 });
      return reply.header('content-encoding', 'gzip').send(asset.gzip);
    }
    return reply.send(asset.body);
  };

  const sendPage = (reply: FastifyReply) => {
    if (!template) {
      return reply.code(503).header('cache-control', 'no-store').type('text/plain; charset=utf-8')
        .send('The console is not built: run `npm run build:web` (npm ci runs it).');
    }
    return securityHeaders(reply)
      .header('content-security-policy', CONTENT_SECURITY_POLICY)
      .header('cache-control', 'no-cache')
      .type('text/html; charset=utf-8')
      .send(template);
  };

  const handler = (door: 'console' | 'admin') => async (request: FastifyRequest, reply: FastifyReply) => {
    const rest = (request.params as { '*'?: string })['*'] ?? '';
    if (rest === 'api' || rest.startsWith('api/')) {
      return reply.code(404).header('cache-control', 'no-store').send({ error: { code: 'not_found', message: 'no such endpoint' } });
    }
    if (door === 'console' && rest.startsWith('assets/')) return sendAsset(request, reply, rest.slice('assets/'.length));
    if (door === 'console' && rest === 'support.json') {
      return reply.header('cache-control', 'no-cache').type('application/json; charset=utf-8').send(support);
    }
    return sendPage(reply);
  };

  for (const door of ['console', 'admin'] as const) {
    app.get(`/${door}`, { schema: { hide: true } }, handler(door));
    app.get(`/${door}/*`, { schema: { hide: true } }, handler(door));
  }
}
