// Sign-up, login, logout and the CSRF token: shared by the console and the admin API (an
// operator logs in at either door; the role decides what the session may do).
import type { FastifyInstance } from 'fastify';
import { signUp, logIn, logOut, startSession, changePassword, CommerceError, type Account } from '../../commerce/index.ts';
import type { ApiDeps } from './deps.ts';
import {
  checkPreSessionCsrf, clearSessionCookies, newCsrfToken, parseCookies, CSRF_COOKIE, sessionOf, sessionToken,
  setPreSessionCsrfCookie, setSessionCookies, requireRole,
} from './session.ts';

const credentials = {
  type: 'object',
  required: ['email', 'password'],
  additionalProperties: false,
  properties: { email: { type: 'string', maxLength: 254 }, password: { type: 'string', maxLength: 1024 } },
} as const;

export function accountView(account: Account) {
  return { id: account.id, email: account.email, name: account.name, role: account.role, buyerId: account.buyerId };
}

export function registerAuthRoutes(scope: FastifyInstance, deps: ApiDeps, opts: { signUp: boolean; role: 'buyer' | 'operator' }): void {
  const { db } = deps.store;
  const cookieOpts = { secure: deps.config.commerce.cookieSecure };
  const maxAge = deps.config.commerce.sessionTtlMinutes * 60;

  scope.get('/csrf', { schema: { hide: true } }, async (request, reply) => {
    const existing = parseCookies(request.headers.cookie)[CSRF_COOKIE];
    const session = await sessionOf(db, request, deps.now());
    if (session) return { csrfToken: session.csrfToken };
    const token = existing && /^[A-Za-z0-9_-]{20,64}$/.test(existing) ? existing : newCsrfToken();
    if (token !== existing) setPreSessionCsrfCookie(reply, cookieOpts, token);
    return { csrfToken: token };
  });

  if (opts.signUp) {
    scope.post('/signup', {
      schema: { hide: true,
        body: {
          type: 'object', required: ['email', 'password', 'name'], additionalProperties: false,
          properties: { email: { type: 'string', maxLength: 254 }, password: { type: 'string', maxLength: 1024 }, name: { type: 'string', maxLength: 200 } },
        },
      },
    }, async (request, reply) => {
      checkPreSessionCsrf(request);
      const body = request.body as { email: string; password: string; name: string };
      const now = deps.now();
      const account = await signUp(db, { ...body, now });
      const session = await startSession(db, deps.config.commerce, account, now);
      setSessionCookies(reply, cookieOpts, session.token, session.csrfToken, maxAge);
      return reply.code(201).send({ account: accountView(account), csrfToken: session.csrfToken });
    });
  }

  scope.post('/login', { schema: { hide: true, body: credentials } }, async (request, reply) => {
    checkPreSessionCsrf(request);
    const body = request.body as { email: string; password: string };
    const session = await logIn(db, deps.config.commerce, { ...body, ip: request.ip, now: deps.now() });
    if (session.account.role !== opts.role) {
      // the account is real but belongs at the other door: end the session at once
      await logOut(db, session.token, deps.now());
      throw new CommerceError(403, 'wrong_door', opts.role === 'operator' ? 'operators log in here; buyers use the console' : 'operators use the admin API');
    }
    setSessionCookies(reply, cookieOpts, session.token, session.csrfToken, maxAge);
    return { account: accountView(session.account), csrfToken: session.csrfToken };
  });

  scope.post('/logout', { schema: { hide: true }, preHandler: requireRole(db, opts.role, deps.now) }, async (request, reply) => {
    const token = sessionToken(request);
    if (token) await logOut(db, token, deps.now());
    clearSessionCookies(reply, cookieOpts);
    return { ok: true };
  });

  scope.post('/password', {
    preHandler: requireRole(db, opts.role, deps.now),
    schema: { hide: true, body: { type: 'object', required: ['current', 'next'], additionalProperties: false, properties: { current: { type: 'string', maxLength: 1024 }, next: { type: 'string', maxLength: 1024 } } } },
  }, async (request, reply) => {
    const body = request.body as { current: string; next: string };
    await changePassword(db, request.account!.id, body);
    clearSessionCookies(reply, cookieOpts);
    return { ok: true };
  });
}
