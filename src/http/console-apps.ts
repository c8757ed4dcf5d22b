// 应用与密钥 for the buyer console: list, create, and reset AppCode / AppSecret of the buyer's own
// apps, under /console/api/apps. The plain AppCode and AppSecret are in the answer once (create,
// reset) and never again: the database keeps a hash and a ciphertext (src/gateway).
// This small plugin stands in until the console API (src/http/console/) carries these routes.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createApp, listApps, resetAppCode, resetAppSecret, setAppActive, AppInputError, type SecretKeySource } from '../gateway/index.ts';
import { installJsonErrors, requireRole, idParam } from './console/index.ts';
import { CommerceError } from '../commerce/index.ts';
import type { Store } from '../store/index.ts';

export interface ConsoleAppsOptions {
  store: Store;
  gateway: SecretKeySource;
  now?: () => number;
  /** most apps one buyer may have */
  maxAppsPerBuyer?: number;
}

export async function registerConsoleApps(app: FastifyInstance, options: ConsoleAppsOptions): Promise<void> {
  await app.register(async (scope) => appRoutes(scope, options), { prefix: '/console/api/apps' });
}

async function appRoutes(scope: FastifyInstance, options: ConsoleAppsOptions): Promise<void> {
  const { db } = options.store;
  const now = options.now ?? Date.now;
  const max = options.maxAppsPerBuyer ?? 20;
  installJsonErrors(scope);
  scope.addHook('onRoute', (route) => {
    route.bodyLimit ??= 4096;
  });
  scope.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
  });
  scope.addHook('preHandler', requireRole(db, 'buyer', now));

  const buyerOf = (request: FastifyRequest) => request.account!.buyerId!;
  /** the buyer's own app, or 404 (another buyer's id is no different from a missing one) */
  const ownApp = async (request: FastifyRequest) => {
    const { id } = request.params as { id: number };
    const apps = await listApps(db, buyerOf(request));
    const found = apps.find((a) => a.id === id);
    if (!found) throw new CommerceError(404, 'not_found', 'no such app');
    return found;
  };
  const view = (a: { id: number; name: string | null; appKey: string; active: boolean; createdAt: number; updatedAt: number }) =>
    ({ id: a.id, name: a.name, appKey: a.appKey, active: a.active, createdAt: a.createdAt, updatedAt: a.updatedAt });

  scope.get('/', async (request) => ({ apps: (await listApps(db, buyerOf(request))).map(view) }));

  scope.post('/', {
    schema: { body: { type: 'object', additionalProperties: false, properties: { name: { type: 'string', minLength: 1, maxLength: 60 } } } },
  }, async (request, reply) => {
    const buyerId = buyerOf(request);
    if ((await listApps(db, buyerId)).length >= max) throw new CommerceError(409, 'too_many_apps', `at most ${max} apps`);
    const name = (request.body as { name?: string } | undefined)?.name?.trim() || null;
    try {
      const created = await createApp(db, options.gateway, { buyerId, name: name ?? undefined, now: now() });
      return reply.code(201).send({ app: { id: created.id, name, appKey: created.appKey, appSecret: created.appSecret, appCode: created.appCode } });
    } catch (err) {
      if (err instanceof AppInputError) throw new CommerceError(400, 'invalid_app', err.message);
      throw err;
    }
  });

  scope.post('/:id/reset-code', { schema: { params: idParam } }, async (request) => {
    const found = await ownApp(request);
    return resetAppCode(db, found.id, now());
  });
  scope.post('/:id/reset-secret', { schema: { params: idParam } }, async (request) => {
    const found = await ownApp(request);
    return resetAppSecret(db, options.gateway, found.id, now());
  });
  for (const [path, active] of [['enable', true], ['disable', false]] as const) {
    scope.post(`/:id/${path}`, { schema: { params: idParam } }, async (request) => {
      const found = await ownApp(request);
      await setAppActive(db, found.id, active, now());
      return { ok: true };
    });
  }
}
