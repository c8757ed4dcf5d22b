// OpenAPI 3.1 from the routes' own schemas: fastify's `schema` carries summary, description,
// tags, querystring and response (with examples); `config.openapi` adds what fastify must not
// validate itself (the request body, whose `image` may be a string or an uploaded file).
import type { RouteOptions } from 'fastify';

export interface RouteDocs {
  requestBody?: Record<string, unknown>;
  security?: Array<Record<string, string[]>>;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    openapi?: RouteDocs;
  }
}

export interface DocumentedRoute {
  method: string;
  url: string;
  schema: Record<string, unknown>;
  docs?: RouteDocs;
}

export function collectRoute(into: DocumentedRoute[], route: RouteOptions): void {
  const schema = route.schema as Record<string, unknown> | undefined;
  if (!schema || schema.hide) return;
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  for (const method of methods) {
    if (method === 'HEAD') continue;
    into.push({ method: method.toLowerCase(), url: route.url, schema, docs: (route.config as { openapi?: RouteDocs } | undefined)?.openapi });
  }
}

function queryParameters(querystring: unknown): unknown[] {
  const q = querystring as { properties?: Record<string, { description?: string }>; required?: string[] } | undefined;
  if (!q?.properties) return [];
  return Object.entries(q.properties).map(([name, schema]) => ({
    name,
    in: 'query',
    required: q.required?.includes(name) ?? false,
    description: schema.description,
    schema,
  }));
}

function responses(response: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [status, raw] of Object.entries((response ?? {}) as Record<string, Record<string, unknown>>)) {
    const { description, examples, headers, ...schema } = raw;
    out[status] = {
      description: description ?? `HTTP ${status}`,
      headers,
      content: { 'application/json': { schema, examples } },
    };
  }
  return out;
}

export function buildOpenApi(routes: DocumentedRoute[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const { summary, description, tags, querystring, response } = route.schema;
    (paths[route.url] ??= {})[route.method] = {
      summary,
      description,
      tags,
      parameters: queryParameters(querystring),
      requestBody: route.docs?.requestBody,
      security: route.docs?.security,
      responses: responses(response),
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Shiming (实名) — ID card recognition and real-name verification',
      version: '0.1.0',
      description:
        'Drop-in replacement for the cloud-market API 身份证实名认证OCR. Product results come back with HTTP 200 and a ' +
        '`code` string; authentication, quota and request errors come back as the API gateway sends them: an HTTP ' +
        'status with the `X-Ca-Error-Message` header. Every answer carries `X-Ca-Request-Id`.',
    },
    components: {
      securitySchemes: {
        appCode: { type: 'apiKey', in: 'header', name: 'Authorization', description: '`APPCODE <your AppCode>`' },
        signature: { type: 'apiKey', in: 'header', name: 'X-Ca-Signature', description: 'AppKey + AppSecret HMAC signature (X-Ca-Key, X-Ca-Timestamp, X-Ca-Nonce, X-Ca-Signature-Headers)' },
      },
    },
    paths,
  };
}
