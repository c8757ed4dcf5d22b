// Cookies, sessions and CSRF for the console and admin APIs.
//
// The session cookie is HTTP-only, SameSite=Strict and Secure (unless the config says the server
// is plain-HTTP development). State-changing requests must carry the session's CSRF token in the
// X-CSRF-Token header; the same token is in a readable cookie so the page's script can send it
// (double submit), and the server compares the header with the token stored for the session.
// Before login there is no session: /csrf hands out a pre-session token cookie that login and
// sign-up must echo in the header.
import crypto from 'node:crypto';
import { Ajv } from 'ajv';
import type { FastifyReply, FastifyRequest, FastifyInstance } from 'fastify';
import { findSession, CommerceError, type ActiveSession, type Account } from '../../commerce/index.ts';
import type { Kysely } from 'kysely';
import type { DatabaseSchema } from '../../store/index.ts';

export const SESSION_COOKIE = 'shiming_session';
export const CSRF_COOKIE = 'shiming_csrf';
export const CSRF_HEADER = 'x-csrf-token';

declare module 'fastify' {
  interface FastifyRequest {
    /** the logged-in account of a console or admin request */
    account?: Account;
  }
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header || header.length > 8192) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (!name || name in out) continue;
    try {
      out[name] = decodeURIComponent(value);
    } catch {
      out[name] = value;
    }
  }
  return out;
}

export interface CookieOptions {
  secure: boolean;
}

function cookie(name: string, value: string, opts: CookieOptions & { httpOnly: boolean; maxAgeSeconds?: number }): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, 'Path=/', 'SameSite=Strict'];
  if (opts.httpOnly) parts.push('HttpOnly');
  if (opts.secure) parts.push('Secure');
  if (opts.maxAgeSeconds !== undefined) parts.push(`Max-Age=${Math.max(0, Math.floor(opts.maxAgeSeconds))}`);
  return parts.join('; ');
}

export function setSessionCookies(reply: FastifyReply, opts: CookieOptions, token: string, csrfToken: string, maxAgeSeconds: number): void {
  reply.header('set-cookie', [
    cookie(SESSION_COOKIE, token, { ...opts, httpOnly: true, maxAgeSeconds }),
    cookie(CSRF_COOKIE, csrfToken, { ...opts, httpOnly: false, maxAgeSeconds }),
  ]);
}

export function clearSessionCookies(reply: FastifyReply, opts: CookieOptions): void {
  reply.header('set-cookie', [
    cookie(SESSION_COOKIE, '', { ...opts, httpOnly: true, maxAgeSeconds: 0 }),
    cookie(CSRF_COOKIE, '', { ...opts, httpOnly: false, maxAgeSeconds: 0 }),
  ]);
}

export function setPreSessionCsrfCookie(reply: FastifyReply, opts: CookieOptions, token: string): void {
  reply.header('set-cookie', cookie(CSRF_COOKIE, token, { ...opts, httpOnly: false }));
}

export function newCsrfToken(): string {
  return crypto.randomBytes(24).toString('base64url');
}

function sameToken(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isStateChanging(request: FastifyRequest): boolean {
  return !SAFE_METHODS.has(request.method);
}

/** Login and sign-up: the header must equal the pre-session CSRF cookie. */
export function checkPreSessionCsrf(request: FastifyRequest): void {
  const header = request.headers[CSRF_HEADER];
  const cookies = parseCookies(request.headers.cookie);
  if (!sameToken(typeof header === 'string' ? header : undefined, cookies[CSRF_COOKIE])) {
    throw new CommerceError(403, 'csrf', 'missing or wrong X-CSRF-Token header');
  }
}

export async function sessionOf(db: Kysely<DatabaseSchema>, request: FastifyRequest, now: number): Promise<ActiveSession | undefined> {
  const token = parseCookies(request.headers.cookie)[SESSION_COOKIE];
  if (!token) return undefined;
  return findSession(db, token, now);
}

export function sessionToken(request: FastifyRequest): string | undefined {
  return parseCookies(request.headers.cookie)[SESSION_COOKIE];
}

/**
 * A preHandler that lets through only a logged-in account of `role`, checking the CSRF header on
 * state-changing requests, and sets `request.account`.
 */
export function requireRole(db: Kysely<DatabaseSchema>, role: 'buyer' | 'operator', now: () => number) {
  return async (request: FastifyRequest) => {
    const session = await sessionOf(db, request, now());
    if (!session) throw new CommerceError(401, 'not_logged_in', 'please log in');
    if (session.account.role !== role) throw new CommerceError(403, 'forbidden', role === 'operator' ? 'operators only' : 'buyers only');
    if (isStateChanging(request)) {
      const header = request.headers[CSRF_HEADER];
      if (!sameToken(typeof header === 'string' ? header : undefined, session.csrfToken)) {
        throw new CommerceError(403, 'csrf', 'missing or wrong X-CSRF-Token header');
      }
    }
    request.account = session.account;
  };
}

// Bodies are validated strictly: no type coercion (["a"] is not "a", "1" is not 1) and unknown
// fields refused. Query strings and path parameters are text, so they are coerced.
const bodyAjv = new Ajv({ coerceTypes: false, useDefaults: true, removeAdditional: false, allErrors: false });
const textAjv = new Ajv({ coerceTypes: true, useDefaults: true, removeAdditional: false, allErrors: false });

/**
 * The console and admin APIs' conventions: strict validation and JSON errors
 * (`{ error: { code, message } }`, not the gateway's error style of the public API).
 */
export function installJsonErrors(scope: FastifyInstance): void {
  scope.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? bodyAjv : textAjv).compile(schema));
  scope.setErrorHandler((error: Error & { statusCode?: number; code?: string; validation?: unknown }, request, reply) => {
    if (error instanceof CommerceError) {
      return reply.code(error.status).send({ error: { code: error.code, message: error.message } });
    }
    const status = error.statusCode ?? 500;
    if (status === 413 || error.code === 'FST_REQ_FILE_TOO_LARGE' || error.code === 'FST_FILES_LIMIT' || error.code === 'FST_PARTS_LIMIT') {
      return reply.code(413).send({ error: { code: 'too_large', message: 'request body too large' } });
    }
    if (status >= 400 && status < 500) {
      return reply.code(status).send({ error: { code: 'invalid_request', message: error.validation ? error.message : 'request not understood' } });
    }
    request.log.error({ err: error }, 'console/admin API error');
    return reply.code(500).send({ error: { code: 'internal', message: 'internal error' } });
  });
  scope.setNotFoundHandler((_request, reply) => reply.code(404).send({ error: { code: 'not_found', message: 'no such endpoint' } }));
}

/** query helpers shared by the routes */
export const pageQuery = {
  page: { type: 'integer', minimum: 1, maximum: 1_000_000 },
  pageSize: { type: 'integer', minimum: 1, maximum: 100 },
} as const;

export const idParam = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'integer', minimum: 1, maximum: 9_007_199_254_740_991 } },
} as const;
