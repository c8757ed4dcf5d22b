// The operator's JSON API under /admin/api/: catalogue, buyers, top-ups, hand grants, refunds,
// orders, invoices, usage across buyers, operators, and the audit log of all their actions.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import {
  listProducts, createProduct, updateProduct, createPlan, updatePlan, listBuyers, buyerDetail, setBuyerDisabled, topUp, grantByHand,
  listBalanceEntries, refundPackage, listOrders, listInvoices, getInvoice, invoicePdf, issueInvoice, rejectInvoice, usageBreakdown,
  listAudit, recordAudit, createOperator, ensureOperator, CommerceError, listRefunds, listWarnings, usageSeries,
  startNodeHeartbeat, listNodes, pingDatabase, alertQueue, NODE_HEARTBEAT_MS, type NodeHeartbeat,
} from '../../commerce/index.ts';
import { registrySize } from '../../verification/index.ts';
import { getBuyer, writeTransaction } from '../../billing/index.ts';
import { listApps } from '../../gateway/index.ts';
import {
  apiDeps, installJsonErrors, requireRole, pageQuery, idParam, registerAuthRoutes, accountView, seriesQueryProperties, type ApiDeps, type ApiOptions,
} from '../console/index.ts';

const JSON_BODY_LIMIT = 64 * 1024;
const MAX_ID = 9_007_199_254_740_991;

const rangeQuery = {
  from: { type: 'integer', minimum: 0, maximum: 8_640_000_000_000 },
  to: { type: 'integer', minimum: 0, maximum: 8_640_000_000_000 },
} as const;
const reasonBody = { type: 'object', required: ['reason'], additionalProperties: false, properties: { reason: { type: 'string', maxLength: 1000 } } } as const;
const planFields = {
  priceFen: { type: 'integer', minimum: 0, maximum: 100_000_000_000 },
  calls: { type: 'integer', minimum: 1, maximum: 1_000_000_000 },
  validDays: { type: 'integer', minimum: 1, maximum: 3650 },
  oncePerBuyer: { type: 'boolean' },
  active: { type: 'boolean' },
} as const;

function operatorOf(request: FastifyRequest): number {
  return request.account!.id;
}

/**
 * Registers the admin API; creates the config's first operator (commerce.operatorEmail) if
 * missing. With `health.heartbeat`, this process writes its heartbeat to `nodes` from ready to
 * close.
 */
export async function registerAdminApi(app: FastifyInstance, options: ApiOptions): Promise<void> {
  const deps = apiDeps(options);
  await ensureOperator(deps.store.db, deps.config.commerce);
  const heartbeat = deps.health.heartbeat;
  if (heartbeat) {
    let running: NodeHeartbeat | undefined;
    app.addHook('onReady', async () => {
      running = await startNodeHeartbeat(deps.store.db, {
        now: deps.now, onError: (err) => app.log.warn({ err }, 'node heartbeat failed'), ...(heartbeat === true ? {} : heartbeat),
      });
    });
    app.addHook('onClose', async () => {
      await running?.stop();
    });
  }
  await app.register(async (scope) => adminRoutes(scope, deps), { prefix: '/admin/api' });
}

type SourceHealth = { kind: 'registry' | 'http' | 'none'; ok: boolean; detail?: string };
const REGISTRY_COUNT_TTL_MS = 60_000;

/** The verification source's state, asked cheaply: the http breaker, or the registry's size (counted once a minute). */
function sourceHealthProbe(deps: ApiDeps): () => Promise<SourceHealth> {
  let counted: { at: number; n: Promise<number> } | undefined;
  return async () => {
    const source = deps.health.verification;
    if (!source) return { kind: 'none', ok: false, detail: 'no verification source configured: names and numbers cannot be verified' };
    if (source.kind === 'http') {
      const state = source.breakerState ?? 'closed';
      return { kind: 'http', ok: state !== 'open', detail: state === 'open' ? 'circuit breaker open: the upstream failed repeatedly; calls answer 203 until it recovers' : `circuit breaker ${state}` };
    }
    if (source.kind !== 'registry') return { kind: 'none', ok: false, detail: 'a verification source of an unknown kind' };
    const now = Date.now();
    if (!counted || now - counted.at > REGISTRY_COUNT_TTL_MS) {
      counted = { at: now, n: registrySize(deps.store) };
      counted.n.catch(() => { counted = undefined; });
    }
    try {
      const n = await counted.n;
      return n > 0 ? { kind: 'registry', ok: true, detail: `identities in the registry: ${n}` } : { kind: 'registry', ok: false, detail: 'the registry is empty: import identities first' };
    } catch {
      return { kind: 'registry', ok: false, detail: 'the registry cannot be read' };
    }
  };
}

async function adminRoutes(scope: FastifyInstance, deps: ApiDeps): Promise<void> {
  const { db } = deps.store;
  const cfg = deps.config.commerce;
  installJsonErrors(scope);
  // The server registers multipart for the whole app; a bare instance (tests, other embeddings)
  // gets it here with the same shape: fields and files as body values.
  if (!scope.hasContentTypeParser('multipart/form-data')) {
    await scope.register(multipart, { attachFieldsToBody: 'keyValues', limits: { fileSize: cfg.invoicePdfMaxBytes + 1, files: 1, fields: 5, parts: 6 } });
  }
  scope.addHook('onRoute', (route) => {
    route.bodyLimit ??= JSON_BODY_LIMIT;
  });
  scope.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
  });

  registerAuthRoutes(scope, deps, { signUp: false, role: 'operator' });

  await scope.register(async (op) => {
    op.addHook('preHandler', requireRole(db, 'operator', deps.now));

    op.get('/me', { schema: { hide: true } }, async (request) => ({ account: accountView(request.account!) }));

    op.post('/operators', {
      schema: { hide: true,
        body: {
          type: 'object', required: ['email', 'password'], additionalProperties: false,
          properties: { email: { type: 'string', maxLength: 254 }, password: { type: 'string', maxLength: 1024 }, name: { type: 'string', maxLength: 200 } },
        },
      },
    }, async (request, reply) => {
      const body = request.body as { email: string; password: string; name?: string };
      const now = deps.now();
      const account = await createOperator(db, { ...body, now });
      await recordAudit(db, { operatorId: operatorOf(request), action: 'operator.create', target: `account:${account.id}`, detail: { email: account.email }, now });
      return reply.code(201).send({ account: accountView(account) });
    });

    // catalogue
    op.get('/products', { schema: { hide: true } }, async () => ({ products: await listProducts(db, { includeInactive: true }) }));
    op.post('/products', {
      schema: { hide: true,
        body: {
          type: 'object', required: ['code', 'name', 'description', 'apiPath'], additionalProperties: false,
          properties: {
            code: { type: 'string', maxLength: 40 }, name: { type: 'string', maxLength: 200 }, description: { type: 'string', maxLength: 4000 },
            apiPath: { type: 'string', maxLength: 100 }, active: { type: 'boolean' },
          },
        },
      },
    }, async (request, reply) => {
      const body = request.body as { code: string; name: string; description: string; apiPath: string; active?: boolean };
      const now = deps.now();
      const id = await writeTransaction(db, async (trx) => {
        const productId = await createProduct(trx, body, now);
        await recordAudit(trx, { operatorId: operatorOf(request), action: 'product.create', target: `product:${productId}`, detail: body, now });
        return productId;
      });
      return reply.code(201).send({ id });
    });
    op.patch('/products/:id', {
      schema: { hide: true,
        params: idParam,
        body: {
          type: 'object', additionalProperties: false, minProperties: 1,
          properties: { name: { type: 'string', maxLength: 200 }, description: { type: 'string', maxLength: 4000 }, active: { type: 'boolean' } },
        },
      },
    }, async (request) => {
      const { id } = request.params as { id: number };
      const now = deps.now();
      await writeTransaction(db, async (trx) => {
        await updateProduct(trx, id, request.body as object, now);
        await recordAudit(trx, { operatorId: operatorOf(request), action: 'product.update', target: `product:${id}`, detail: request.body as Record<string, unknown>, now });
      });
      return { ok: true };
    });
    op.post('/products/:id/plans', {
      schema: { hide: true, params: idParam, body: { type: 'object', required: ['priceFen', 'calls', 'validDays'], additionalProperties: false, properties: planFields } },
    }, async (request, reply) => {
      const { id } = request.params as { id: number };
      const body = request.body as { priceFen: number; calls: number; validDays: number; oncePerBuyer?: boolean; active?: boolean };
      const now = deps.now();
      const planId = await writeTransaction(db, async (trx) => {
        const created = await createPlan(trx, id, body, now);
        await recordAudit(trx, { operatorId: operatorOf(request), action: 'plan.create', target: `plan:${created}`, detail: { productId: id, ...body }, now });
        return created;
      });
      return reply.code(201).send({ id: planId });
    });
    op.patch('/plans/:id', {
      schema: { hide: true, params: idParam, body: { type: 'object', additionalProperties: false, minProperties: 1, properties: planFields } },
    }, async (request) => {
      const { id } = request.params as { id: number };
      const now = deps.now();
      await writeTransaction(db, async (trx) => {
        await updatePlan(trx, id, request.body as object, now);
        await recordAudit(trx, { operatorId: operatorOf(request), action: 'plan.update', target: `plan:${id}`, detail: request.body as Record<string, unknown>, now });
      });
      return { ok: true };
    });

    // buyers, balance, grants
    op.get('/buyers', {
      schema: { hide: true, querystring: { type: 'object', additionalProperties: false, properties: { ...pageQuery, search: { type: 'string', maxLength: 100 } } } },
    }, async (request) => listBuyers(db, request.query as object));
    op.get('/buyers/:id', { schema: { hide: true, params: idParam } }, async (request) => {
      const { id } = request.params as { id: number };
      return { buyer: await buyerDetail(db, id, deps.now()) };
    });
    for (const [path, disabled] of [['disable', true], ['enable', false]] as const) {
      op.post(`/buyers/:id/${path}`, { schema: { hide: true, params: idParam } }, async (request) => {
        const { id } = request.params as { id: number };
        await setBuyerDisabled(db, { buyerId: id, disabled, operatorId: operatorOf(request), now: deps.now() });
        return { ok: true };
      });
    }
    op.get('/buyers/:id/balance', { schema: { hide: true, params: idParam, querystring: { type: 'object', additionalProperties: false, properties: pageQuery } } }, async (request) => {
      const { id } = request.params as { id: number };
      const detail = await buyerDetail(db, id, deps.now());
      return { balanceFen: detail.balanceFen, entries: await listBalanceEntries(db, id, request.query as object) };
    });
    op.post('/buyers/:id/topups', {
      schema: { hide: true,
        params: idParam,
        body: { type: 'object', required: ['amountFen', 'reason'], additionalProperties: false, properties: { amountFen: { type: 'integer', minimum: 1, maximum: 10_000_000_000 }, reason: { type: 'string', maxLength: 1000 } } },
      },
    }, async (request, reply) => {
      const { id } = request.params as { id: number };
      const body = request.body as { amountFen: number; reason: string };
      return reply.code(201).send(await topUp(db, { buyerId: id, ...body, operatorId: operatorOf(request), now: deps.now() }));
    });
    op.post('/buyers/:id/grants', {
      schema: { hide: true,
        params: idParam,
        body: {
          type: 'object', required: ['product', 'calls', 'reason'], additionalProperties: false,
          properties: { product: { type: 'string', maxLength: 40 }, calls: { type: 'integer', minimum: 1, maximum: 100_000_000 }, days: { type: 'integer', minimum: 1, maximum: 3650, default: 730 }, reason: { type: 'string', maxLength: 1000 } },
        },
      },
    }, async (request, reply) => {
      const { id } = request.params as { id: number };
      const body = request.body as { product: string; calls: number; days: number; reason: string };
      const pkg = await grantByHand(db, { buyerId: id, ...body, operatorId: operatorOf(request), now: deps.now() });
      return reply.code(201).send({ package: pkg });
    });

    // orders and refunds (退款管理)
    op.get('/orders', {
      schema: { hide: true,
        querystring: {
          type: 'object', additionalProperties: false,
          properties: { ...pageQuery, status: { type: 'string', enum: ['unpaid', 'paid', 'cancelled', 'expired'] }, buyerId: { type: 'integer', minimum: 1, maximum: MAX_ID } },
        },
      },
    }, async (request) => {
      const q = request.query as { buyerId?: number; status?: 'paid'; page?: number; pageSize?: number };
      return listOrders(db, q.buyerId, { ...q, now: deps.now() });
    });
    op.post('/packages/:id/refund', { schema: { hide: true, params: idParam, body: reasonBody } }, async (request) => {
      const { id } = request.params as { id: number };
      const { reason } = request.body as { reason: string };
      return { refund: await refundPackage(db, cfg, { packageId: id, reason, operatorId: operatorOf(request), now: deps.now() }) };
    });

    op.get('/refunds', {
      schema: { hide: true, querystring: { type: 'object', additionalProperties: false, properties: { ...pageQuery, buyerId: { type: 'integer', minimum: 1, maximum: MAX_ID } } } },
    }, async (request) => listRefunds(db, request.query as object));
    op.get('/warnings', {
      schema: { hide: true, querystring: { type: 'object', additionalProperties: false, properties: pageQuery } },
    }, async (request) => listWarnings(db, undefined, request.query as object));

    // invoices
    op.get('/invoices', {
      schema: { hide: true,
        querystring: {
          type: 'object', additionalProperties: false,
          properties: { ...pageQuery, status: { type: 'string', enum: ['requested', 'issued', 'rejected'] }, buyerId: { type: 'integer', minimum: 1, maximum: MAX_ID } },
        },
      },
    }, async (request) => listInvoices(db, request.query as object));
    op.get('/invoices/:id', { schema: { hide: true, params: idParam } }, async (request) => {
      const { id } = request.params as { id: number };
      return { invoice: await getInvoice(db, undefined, id) };
    });
    op.get('/invoices/:id/pdf', { schema: { hide: true, params: idParam } }, async (request, reply) => {
      const { id } = request.params as { id: number };
      const { pdf, name } = await invoicePdf(db, undefined, id);
      return reply.header('content-type', 'application/pdf').header('content-disposition', `attachment; filename="${name}"`).send(pdf);
    });
    // multipart/form-data: `number` and the file `pdf`
    op.post('/invoices/:id/issue', { schema: { hide: true, params: idParam }, bodyLimit: cfg.invoicePdfMaxBytes + 64 * 1024 }, async (request) => {
      const { id } = request.params as { id: number };
      const body = (request.body ?? {}) as Record<string, unknown>;
      if (!request.isMultipart()) throw new CommerceError(415, 'multipart_required', 'send multipart/form-data with number and pdf');
      const number = typeof body.number === 'string' ? body.number : '';
      const pdf = Buffer.isBuffer(body.pdf) ? body.pdf : undefined;
      if (!pdf) throw new CommerceError(400, 'invalid_pdf', 'attach the invoice PDF as the file field `pdf`');
      const invoice = await issueInvoice(db, { invoiceId: id, number, pdf, pdfName: `invoice-${number}.pdf`, maxBytes: cfg.invoicePdfMaxBytes, operatorId: operatorOf(request), now: deps.now() });
      return { invoice };
    });
    op.post('/invoices/:id/reject', { schema: { hide: true, params: idParam, body: reasonBody } }, async (request) => {
      const { id } = request.params as { id: number };
      const { reason } = request.body as { reason: string };
      return { invoice: await rejectInvoice(db, { invoiceId: id, reason, operatorId: operatorOf(request), now: deps.now() }) };
    });

    // usage across buyers
    op.get('/usage', {
      schema: { hide: true,
        querystring: {
          type: 'object', required: ['from', 'to'], additionalProperties: false,
          properties: {
            by: { type: 'string', enum: ['buyer', 'product', 'code', 'app'], default: 'buyer' }, buyerId: { type: 'integer', minimum: 1, maximum: MAX_ID },
            product: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,39}$' }, ...rangeQuery,
          },
        },
      },
    }, async (request) => {
      const q = request.query as { by: 'buyer'; buyerId?: number; product?: string; from: number; to: number };
      return { by: q.by, from: q.from, to: q.to, rows: await usageBreakdown(db, q) };
    });

    // the usage chart across buyers, or of one buyer (then with that buyer's apps)
    op.get('/usage/series', {
      schema: { hide: true,
        querystring: { type: 'object', additionalProperties: false, properties: { ...seriesQueryProperties, buyerId: { type: 'integer', minimum: 1, maximum: MAX_ID } } },
      },
    }, async (request) => {
      const q = request.query as { bucket: 'hour' | 'day'; from?: number; to?: number; appId?: number; product?: string; buyerId?: number };
      if (q.buyerId !== undefined && !(await getBuyer(db, q.buyerId))) throw new CommerceError(404, 'not_found', 'buyer not found');
      const series = await usageSeries(db, { ...q, now: deps.now() });
      const apps = q.buyerId === undefined ? [] : (await listApps(db, q.buyerId)).map((a) => ({ id: a.id, name: a.name }));
      return { ...series, apps };
    });

    // the health page: database, serving nodes, verification source, renewal-warning delivery
    const sourceHealth = sourceHealthProbe(deps);
    const heartbeatMs = typeof deps.health.heartbeat === 'object' ? deps.health.heartbeat.intervalMs ?? NODE_HEARTBEAT_MS : NODE_HEARTBEAT_MS;
    op.get('/health', { schema: { hide: true } }, async () => {
      const now = deps.now();
      const ping = await pingDatabase(db);
      const database = { dialect: deps.store.dialect, ok: ping.ok, latencyMs: ping.latencyMs, ...(ping.error ? { detail: ping.error } : {}) };
      const [nodes, verificationSource, alerts] = await Promise.all([
        listNodes(db, now, heartbeatMs).catch(() => []),
        sourceHealth(),
        alertQueue(db, now).catch(() => ({ pending: 0, failed: 0, sentLast24h: 0, oldestPendingAt: null })),
      ]);
      return { database, nodes, verificationSource, alerts };
    });

    op.get('/audit', {
      schema: { hide: true, querystring: { type: 'object', additionalProperties: false, properties: { ...pageQuery, action: { type: 'string', maxLength: 60 } } } },
    }, async (request) => listAudit(db, request.query as object));
  });
}
