// The HTTP server: body parsers and limits, request ids, logging, metrics, health, OpenAPI,
// the gateway-style errors, and the public routes. Areas plug their routes in as plugins.
import { newRequestId } from '../gateway/index.ts';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import { sql } from 'kysely';
import type { Config } from '../config.ts';
import type { Store } from '../store/index.ts';
import type { Recognizer } from '../recognition/index.ts';
import { createLogger, type Logger } from '../log.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { GATEWAY_ERRORS, sendGatewayError } from './answers.ts';
import { parseJsonWithDepthLimit, JsonTooDeep } from './json.ts';
import { buildOpenApi, collectRoute, type DocumentedRoute } from './openapi.ts';
import type { VerificationSource } from './identity.ts';
import { registerMetering } from './metering.ts';
import { ocrRoutes } from './routes/ocr.ts';
import { verifyRoutes } from './routes/verify.ts';
import { registerConsoleApi } from './console/index.ts';
import { registerAdminApi } from './admin/index.ts';
import { checkRenewalWarnings } from '../commerce/index.ts';
import { createNotifier } from '../notify/index.ts';
import { registerConsolePages } from './console-pages.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** the seed's result code of a product route, read by metering, metrics and the access log */
    resultCode?: string;
  }
  interface FastifySchema {
    /** left out of /openapi.json */
    hide?: boolean;
    summary?: string;
    description?: string;
    tags?: string[];
  }
  interface FastifyContextConfig {
    /** metered product of the route */
    product?: 'idcard-ocr' | 'idcard-verify';
  }
}

/** The recognition engine, possibly still loading, or absent when none is installed. */
export type RecognizerDep = Recognizer | Promise<Recognizer | undefined> | undefined;

export interface ServerDeps {
  config: Config;
  store: Store;
  recognizer: RecognizerDep;
  verification?: VerificationSource;
  metrics?: Metrics;
  logger?: Logger;
  /**
   * The gateway's authentication and billing hooks. Default: `registerMetering` of
   * src/http/metering.ts on this store and `config.gateway`; `false` serves the product routes
   * unauthenticated and unmetered (tests of the routes themselves).
   */
  metering?: false | ((app: FastifyInstance) => Promise<void> | void);
  /** more route plugins (console, admin API), registered after the public API */
  plugins?: Array<(app: FastifyInstance) => Promise<void> | void>;
}

/** Tracks the engine's loading so /readyz can tell and routes can wait for it. */
export interface RecognizerHandle {
  get(): Promise<Recognizer | undefined>;
  state(): 'loading' | 'ready' | 'absent' | 'failed';
  queueLength(): number;
}

function trackRecognizer(dep: RecognizerDep, log: Logger): RecognizerHandle {
  let state: ReturnType<RecognizerHandle['state']> = 'loading';
  let loaded: Recognizer | undefined;
  const promise = Promise.resolve(dep).then(
    (r) => {
      loaded = r;
      state = r ? 'ready' : 'absent';
      return r;
    },
    (err: unknown) => {
      state = 'failed';
      log.error({ err }, 'recognition engine failed to load');
      return undefined;
    },
  );
  return {
    get: () => promise,
    state: () => state,
    queueLength: () => loaded?.queueLength() ?? 0,
  };
}

const MAX_JSON_DEPTH = 32;

export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const logger = deps.logger ?? createLogger({ level: config.server.logLevel });
  const metrics = deps.metrics ?? createMetrics();
  const recognizer = trackRecognizer(deps.recognizer, logger);
  metrics.setQueueLengthProbe(() => recognizer.queueLength());

  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.server.bodyLimitBytes,
    trustProxy: config.server.trustProxy,
    // Our own ids only: a client-chosen id could collide with or forge another call's id.
    requestIdHeader: false,
    // time-ordered (UUIDv7): cheaper to index in the holds and the ledger than random ids
    genReqId: () => newRequestId(),
  });
  // Response schemas document; they do not filter what is sent.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  // (callback-style hooks: an async hook costs a promise and a microtask turn on every call)
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('X-Ca-Request-Id', request.id);
    done();
  });

  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseJsonWithDepthLimit(body as string, MAX_JSON_DEPTH));
    } catch (err) {
      const error = err as Error & { statusCode?: number };
      error.statusCode = 400;
      done(error, undefined);
    }
  });
  await app.register(formbody, { bodyLimit: config.server.bodyLimitBytes });
  await app.register(multipart, {
    attachFieldsToBody: 'keyValues',
    limits: { fileSize: config.server.bodyLimitBytes, fieldSize: config.server.bodyLimitBytes, files: 2, fields: 20, parts: 22, headerPairs: 100 },
  });

  const documented: DocumentedRoute[] = [];
  app.addHook('onRoute', (route) => collectRoute(documented, route));

  registerAccessLog(app, metrics);

  app.setNotFoundHandler((_request, reply) => sendGatewayError(reply, GATEWAY_ERRORS.invalidUrl));

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status === 413 || error.code === 'FST_REQ_FILE_TOO_LARGE' || error.code === 'FST_FILES_LIMIT' || error.code === 'FST_PARTS_LIMIT' || error.code === 'FST_FIELDS_LIMIT') {
      return sendGatewayError(reply, GATEWAY_ERRORS.bodyTooLarge);
    }
    if (status === 415) return sendGatewayError(reply, GATEWAY_ERRORS.unsupportedMediaType);
    if (status >= 400 && status < 500) {
      request.log.info({ err: error, jsonTooDeep: error instanceof JsonTooDeep }, 'bad request body');
      return sendGatewayError(reply, GATEWAY_ERRORS.invalidBody);
    }
    request.log.error({ err: error }, 'unexpected error');
    return sendGatewayError(reply, GATEWAY_ERRORS.internal);
  });

  app.get('/healthz', { schema: { hide: true } }, async (request) => ({ status: 'ok', requestId: request.id }));

  app.get('/readyz', { schema: { hide: true } }, async (request, reply) => {
    const checks: Record<string, string> = {};
    try {
      await sql`select 1`.execute(deps.store.db);
      checks.database = 'ok';
    } catch {
      checks.database = 'unreachable';
    }
    checks.recognizer = recognizer.state();
    const ready = checks.database === 'ok' && checks.recognizer === 'ready';
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks, requestId: request.id });
  });

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    const text = await metrics.registry.metrics();
    return reply.header('Content-Type', metrics.registry.contentType).send(text);
  });

  let openapi: unknown;
  app.get('/openapi.json', { schema: { hide: true } }, async () => (openapi ??= buildOpenApi(documented)));

  if (deps.metering === undefined) {
    const notifier = createNotifier(config.notify);
    app.addHook('onClose', async () => notifier.close());
    registerMetering(app, {
      store: deps.store,
      gateway: config.gateway,
      billing: config.billing,
      // a package crossing its warning threshold is noticed by the node that billed the call
      afterBilled: (call) => checkRenewalWarnings(deps.store.db, { notifier, config: config.commerce }, call),
    });
  } else if (deps.metering) await deps.metering(app);

  const routeDeps = {
    recognizer: () => recognizer.get(),
    verification: deps.verification,
    metrics,
    images: { allowedImageHosts: config.images.allowedHosts, timeoutMs: config.images.fetchTimeoutMs },
  };
  await app.register(ocrRoutes, routeDeps);
  await app.register(verifyRoutes, routeDeps);
  for (const plugin of deps.plugins ?? []) await app.register(async (scope) => plugin(scope));
  await app.register(async (scope) => registerConsoleApi(scope, { store: deps.store, config }));
  // the admin API also writes this process's heartbeat (operators' health page lists the nodes)
  await app.register(async (scope) => registerAdminApi(scope, { store: deps.store, config, health: { verification: deps.verification, heartbeat: true } }));
  await registerConsolePages(app, { support: config.commerce.support });

  return app;
}

/**
 * Every answer's access log line (info: method, route pattern, status, result code, ms — never
 * bodies, query strings or headers) and call metrics. Also used by the gateway benchmark's
 * server, so that it pays for the same logging as production.
 */
export function registerAccessLog(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const code = request.resultCode ?? String(reply.statusCode);
    metrics.calls.inc({ route, code });
    metrics.latency.observe({ route }, reply.elapsedTime / 1000);
    request.log.info({ method: request.method, route, status: reply.statusCode, code, ms: Math.round(reply.elapsedTime) }, 'answered');
    done();
  });
}

export type { FastifyInstance, FastifyRequest };
