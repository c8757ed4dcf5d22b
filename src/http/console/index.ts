// The buyer's JSON API under /console/api/: account, catalogue, orders and balance, purchased
// services and packages, usage records and exports, renewal warnings, invoices and spend.
// Everything but the catalogue, login and sign-up needs a buyer's session; a buyer only ever
// sees their own rows (another buyer's ids answer 404).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  listProducts, createOrder, getOrder, listOrders, countUnpaid, cancelOrder, payOrder, balanceOf, listBalanceEntries,
  purchasedServices, packagesOf, usageDetail, usageBreakdown, usageCsv, usageXlsx, contactsOf, setContacts,
  listWarnings, markWarningRead, invoiceableOrders, requestInvoice, getInvoice, listInvoices, invoicePdf, spendTrend, packageOf,
  usageSeries, CommerceError,
} from '../../commerce/index.ts';
import { createApp, listApps, resetAppCode, resetAppSecret, setAppActive } from '../../gateway/index.ts';
import { apiDeps, type ApiDeps, type ApiOptions } from './deps.ts';
import { installJsonErrors, requireRole, pageQuery, idParam } from './session.ts';
import { registerAuthRoutes, accountView } from './auth-routes.ts';

export { apiDeps, type ApiDeps, type ApiOptions, type HealthOptions } from './deps.ts';
export * from './session.ts';
export { registerAuthRoutes, accountView } from './auth-routes.ts';

const JSON_BODY_LIMIT = 64 * 1024;

const productParam = {
  type: 'object', required: ['product'],
  properties: { product: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,39}$' } },
} as const;

export const rangeQuery = {
  from: { type: 'integer', minimum: 0, maximum: 8_640_000_000_000 },
  to: { type: 'integer', minimum: 0, maximum: 8_640_000_000_000 },
} as const;

const listQuery = { type: 'object', additionalProperties: false, properties: { ...pageQuery } } as const;
const usageQuery = { type: 'object', additionalProperties: false, properties: { ...pageQuery, ...rangeQuery } } as const;
const exportQuery = { type: 'object', additionalProperties: false, properties: { ...rangeQuery } } as const;

const MAX_APPS = 50;

/** GET /usage/series (console and admin): the chart of calls per China hour/day and result code */
export const seriesQueryProperties = {
  bucket: { type: 'string', enum: ['hour', 'day'], default: 'hour' },
  ...rangeQuery,
  appId: { type: 'integer', minimum: 1, maximum: 9_007_199_254_740_991 },
  product: { type: 'string', enum: ['idcard-ocr', 'idcard-verify'] },
} as const;

function appView(a: { id: number; name: string | null; appKey: string; active: boolean; createdAt: number }) {
  return { id: a.id, name: a.name, appKey: a.appKey, active: a.active, createdAt: a.createdAt };
}

function buyerOf(request: FastifyRequest): number {
  return request.account!.buyerId!;
}

function exportName(base: string, ext: string): string {
  return `attachment; filename="${base}.${ext}"`;
}

/** Registers the console API (a fastify plugin scope with its own JSON errors). */
export async function registerConsoleApi(app: FastifyInstance, options: ApiOptions): Promise<void> {
  const deps = apiDeps(options);
  await app.register(async (scope) => consoleRoutes(scope, deps), { prefix: '/console/api' });
}

async function consoleRoutes(scope: FastifyInstance, deps: ApiDeps): Promise<void> {
  const { db } = deps.store;
  const cfg = deps.config.commerce;
  installJsonErrors(scope);
  scope.addHook('onRoute', (route) => {
    route.bodyLimit ??= JSON_BODY_LIMIT;
  });
  scope.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
  });

  registerAuthRoutes(scope, deps, { signUp: true, role: 'buyer' });

  // the market's product page: public
  scope.get('/products', { schema: { hide: true } }, async () => {
    const products = await listProducts(db);
    return {
      products: products.map((p) => ({
        code: p.code, name: p.name, description: p.description, apiPath: p.apiPath,
        plans: p.plans.map((l) => ({ id: l.id, priceFen: l.priceFen, calls: l.calls, validDays: l.validDays, oncePerBuyer: l.oncePerBuyer })),
      })),
    };
  });

  await scope.register(async (buyer) => {
    buyer.addHook('preHandler', requireRole(db, 'buyer', deps.now));

    buyer.get('/me', { schema: { hide: true } }, async (request) => {
      const buyerId = buyerOf(request);
      const now = deps.now();
      const warnings = await listWarnings(db, buyerId, { pageSize: 1, unreadOnly: true });
      return {
        account: accountView(request.account!),
        balanceFen: await balanceOf(db, buyerId),
        unpaidOrders: await countUnpaid(db, buyerId, now),
        unreadWarnings: warnings.unread,
      };
    });

    // apps: AppKey always; AppSecret and AppCode are shown once, at creation and at reset
    // (the gateway keeps the AppCode hashed and the AppSecret encrypted)
    buyer.get('/apps', { schema: { hide: true } }, async (request) => ({ apps: (await listApps(db, buyerOf(request))).map(appView) }));
    buyer.post('/apps', {
      schema: { hide: true, body: { type: 'object', additionalProperties: false, properties: { name: { type: 'string', minLength: 1, maxLength: 60 } } } },
    }, async (request, reply) => {
      const buyerId = buyerOf(request);
      const { name } = (request.body ?? {}) as { name?: string };
      if ((await listApps(db, buyerId)).length >= MAX_APPS) throw new CommerceError(409, 'too_many_apps', `at most ${MAX_APPS} apps`);
      const app = await createApp(db, deps.config.gateway, { buyerId, name: name?.trim() || undefined, now: deps.now() });
      return reply.code(201).send({ app: { id: app.id, appKey: app.appKey, appSecret: app.appSecret, appCode: app.appCode } });
    });
    const ownApp = async (request: FastifyRequest) => {
      const { id } = request.params as { id: number };
      const app = (await listApps(db, buyerOf(request))).find((a) => a.id === id);
      if (!app) throw new CommerceError(404, 'not_found', 'app not found');
      return app;
    };
    buyer.post('/apps/:id/reset-code', { schema: { hide: true, params: idParam } }, async (request) => {
      const app = await ownApp(request);
      return { id: app.id, appKey: app.appKey, ...(await resetAppCode(db, app.id, deps.now())) };
    });
    buyer.post('/apps/:id/reset-secret', { schema: { hide: true, params: idParam } }, async (request) => {
      const app = await ownApp(request);
      return { id: app.id, appKey: app.appKey, ...(await resetAppSecret(db, deps.config.gateway, app.id, deps.now())) };
    });
    buyer.post('/apps/:id/:action', {
      schema: { hide: true, params: { type: 'object', required: ['id', 'action'], properties: { id: idParam.properties.id, action: { type: 'string', enum: ['disable', 'enable'] } } } },
    }, async (request) => {
      const app = await ownApp(request);
      const { action } = request.params as { action: 'disable' | 'enable' };
      await setAppActive(db, app.id, action === 'enable', deps.now());
      return { ok: true };
    });

    // orders (订单列表)
    buyer.get('/orders', {
      schema: { hide: true, querystring: { type: 'object', additionalProperties: false, properties: { ...pageQuery, status: { type: 'string', enum: ['unpaid', 'paid', 'cancelled', 'expired'] } } } },
    }, async (request) => {
      const q = request.query as { page?: number; pageSize?: number; status?: 'unpaid' };
      const page = await listOrders(db, buyerOf(request), { ...q, now: deps.now() });
      return { ...page, items: page.items.map(({ buyerId: _b, ...o }) => o) };
    });
    buyer.post('/orders', {
      schema: { hide: true,
        body: {
          type: 'object', required: ['planId'], additionalProperties: false,
          properties: { planId: { type: 'integer', minimum: 1, maximum: 9_007_199_254_740_991 }, quantity: { type: 'integer', minimum: 1, maximum: 1000, default: 1 } },
        },
      },
    }, async (request, reply) => {
      const body = request.body as { planId: number; quantity: number };
      const order = await createOrder(db, cfg, { buyerId: buyerOf(request), planId: body.planId, quantity: body.quantity, now: deps.now() });
      return reply.code(201).send({ order });
    });
    buyer.get('/orders/:id', { schema: { hide: true, params: idParam } }, async (request) => {
      const { id } = request.params as { id: number };
      return { order: await getOrder(db, buyerOf(request), id, deps.now()) };
    });
    buyer.post('/orders/:id/pay', { schema: { hide: true, params: idParam } }, async (request) => {
      const { id } = request.params as { id: number };
      const order = await payOrder(db, { buyerId: buyerOf(request), orderId: id, now: deps.now() });
      return { order, balanceFen: await balanceOf(db, buyerOf(request)) };
    });
    buyer.post('/orders/:id/cancel', { schema: { hide: true, params: idParam } }, async (request) => {
      const { id } = request.params as { id: number };
      return { order: await cancelOrder(db, buyerOf(request), id, deps.now()) };
    });

    // 账户余额
    buyer.get('/balance', { schema: { hide: true, querystring: listQuery } }, async (request) => {
      const buyerId = buyerOf(request);
      return { balanceFen: await balanceOf(db, buyerId), entries: await listBalanceEntries(db, buyerId, request.query as object) };
    });

    // 已购买的服务, 套餐包列表, 使用明细
    buyer.get('/services', { schema: { hide: true } }, async (request) => ({ services: await purchasedServices(db, buyerOf(request), deps.now()) }));
    buyer.get('/services/:product/packages', { schema: { hide: true, params: productParam, querystring: listQuery } }, async (request) => {
      const { product } = request.params as { product: string };
      return packagesOf(db, buyerOf(request), product, { ...(request.query as object), now: deps.now() });
    });
    buyer.get('/services/:product/usage', { schema: { hide: true, params: productParam, querystring: usageQuery } }, async (request) => {
      const { product } = request.params as { product: string };
      return usageDetail(db, buyerOf(request), { product }, { ...(request.query as object), now: deps.now() });
    });
    for (const ext of ['csv', 'xlsx'] as const) {
      buyer.get(`/services/:product/usage.${ext}`, { schema: { hide: true, params: productParam, querystring: exportQuery } }, async (request, reply) => {
        const { product } = request.params as { product: string };
        const q = request.query as { from?: number; to?: number };
        const scope = { buyerId: buyerOf(request), product, from: q.from, to: q.to };
        return sendExport(reply, ext, `usage-${product}`, ext === 'csv' ? usageCsv(db, scope) : usageXlsx(db, scope));
      });
      buyer.get(`/packages/:id/usage.${ext}`, { schema: { hide: true, params: idParam, querystring: exportQuery } }, async (request, reply) => {
        const { id } = request.params as { id: number };
        await packageOf(db, buyerOf(request), id, deps.now());
        const q = request.query as { from?: number; to?: number };
        const scope = { packageId: id, from: q.from, to: q.to };
        return sendExport(reply, ext, `usage-package-${id}`, ext === 'csv' ? usageCsv(db, scope) : usageXlsx(db, scope));
      });
    }
    buyer.get('/packages/:id/usage', { schema: { hide: true, params: idParam, querystring: usageQuery } }, async (request) => {
      const { id } = request.params as { id: number };
      return usageDetail(db, buyerOf(request), { packageId: id }, { ...(request.query as object), now: deps.now() });
    });
    buyer.get('/usage/breakdown', {
      schema: { hide: true,
        querystring: {
          type: 'object', required: ['by', 'from', 'to'], additionalProperties: false,
          properties: { by: { type: 'string', enum: ['app', 'code'] }, product: productParam.properties.product, ...rangeQuery },
        },
      },
    }, async (request) => {
      const q = request.query as { by: 'app' | 'code'; product?: string; from: number; to: number };
      return { by: q.by, from: q.from, to: q.to, rows: await usageBreakdown(db, { ...q, buyerId: buyerOf(request) }) };
    });

    // 使用情况 as a chart; another buyer's appId is "not found"
    buyer.get('/usage/series', {
      schema: { hide: true, querystring: { type: 'object', additionalProperties: false, properties: seriesQueryProperties } },
    }, async (request) => {
      const buyerId = buyerOf(request);
      const q = request.query as { bucket: 'hour' | 'day'; from?: number; to?: number; appId?: number; product?: string };
      const apps = await listApps(db, buyerId);
      if (q.appId !== undefined && !apps.some((a) => a.id === q.appId)) throw new CommerceError(404, 'not_found', 'app not found');
      const series = await usageSeries(db, { ...q, buyerId, now: deps.now() });
      return { ...series, apps: apps.map((a) => ({ id: a.id, name: a.name })) };
    });

    // 产品续费: contacts, threshold, warnings
    buyer.get('/contacts', { schema: { hide: true } }, async (request) => ({ contacts: await contactsOf(db, cfg, buyerOf(request)) }));
    buyer.put('/contacts', {
      schema: { hide: true,
        body: {
          type: 'object', additionalProperties: false, minProperties: 1,
          properties: {
            email: { type: ['string', 'null'], maxLength: 254 }, phone: { type: ['string', 'null'], maxLength: 32 },
            warnThresholdPct: { type: 'integer', minimum: 1, maximum: 99 },
          },
        },
      },
    }, async (request) => ({ contacts: await setContacts(db, cfg, buyerOf(request), request.body as object, deps.now()) }));
    buyer.get('/warnings', {
      schema: { hide: true, querystring: { type: 'object', additionalProperties: false, properties: { ...pageQuery, unread: { type: 'boolean' } } } },
    }, async (request) => {
      const q = request.query as { page?: number; pageSize?: number; unread?: boolean };
      const page = await listWarnings(db, buyerOf(request), { ...q, unreadOnly: q.unread });
      return { ...page, items: page.items.map(({ buyerId: _b, ...w }) => w) };
    });
    buyer.post('/warnings/:id/read', { schema: { hide: true, params: idParam } }, async (request) => {
      const { id } = request.params as { id: number };
      await markWarningRead(db, buyerOf(request), id, deps.now());
      return { ok: true };
    });

    // 发票申请 and 消费趋势
    buyer.get('/invoices/invoiceable', { schema: { hide: true } }, async (request) => invoiceableOrders(db, buyerOf(request)));
    buyer.get('/invoices', {
      schema: { hide: true, querystring: { type: 'object', additionalProperties: false, properties: { ...pageQuery, status: { type: 'string', enum: ['requested', 'issued', 'rejected'] } } } },
    }, async (request) => listInvoices(db, { ...(request.query as object), buyerId: buyerOf(request) }));
    buyer.post('/invoices', {
      schema: { hide: true,
        body: {
          type: 'object', required: ['orderIds', 'title', 'taxId', 'type', 'email'], additionalProperties: false,
          properties: {
            orderIds: { type: 'array', minItems: 1, maxItems: 500, items: { type: 'integer', minimum: 1, maximum: 9_007_199_254_740_991 } },
            title: { type: 'string', maxLength: 200 }, taxId: { type: 'string', maxLength: 40 },
            type: { type: 'string', enum: ['normal', 'special'] }, email: { type: 'string', maxLength: 254 },
          },
        },
      },
    }, async (request, reply) => {
      const invoice = await requestInvoice(db, buyerOf(request), request.body as never, deps.now());
      return reply.code(201).send({ invoice });
    });
    buyer.get('/invoices/:id', { schema: { hide: true, params: idParam } }, async (request) => {
      const { id } = request.params as { id: number };
      return { invoice: await getInvoice(db, buyerOf(request), id) };
    });
    buyer.get('/invoices/:id/pdf', { schema: { hide: true, params: idParam } }, async (request, reply) => {
      const { id } = request.params as { id: number };
      const { pdf, name } = await invoicePdf(db, buyerOf(request), id);
      return reply.header('content-type', 'application/pdf').header('content-disposition', `attachment; filename="${name}"`).send(pdf);
    });
    buyer.get('/spend', { schema: { hide: true } }, async (request) => spendTrend(db, buyerOf(request), deps.now()));
  });
}

export function sendExport(reply: import('fastify').FastifyReply, ext: 'csv' | 'xlsx', base: string, stream: NodeJS.ReadableStream) {
  const type = ext === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
  return reply.header('content-type', type).header('content-disposition', exportName(base, ext)).send(stream);
}
