// The `http` source: asks an upstream authority over HTTP. The request and the reading of the
// answer come from config; a timeout, retries with exponential backoff (network errors and 5xx
// only) and a circuit breaker keep a failing upstream from slowing every call down.
import { setTimeout as sleep } from 'node:timers/promises';
import { CircuitBreaker, type BreakerState } from './breaker.ts';
import { parseHttpSourceSettings } from './http-settings.ts';
import { normaliseIdNumber, normaliseName } from './identity.ts';
import {
  VerificationUnavailable,
  type HttpSourceConfig,
  type IdentityClaim,
  type SourceErrorReason,
  type VerificationDeps,
  type VerificationOutcome,
  type VerificationSource,
} from './types.ts';

/** One attempt's failure; `retryable` for network errors and 5xx. Messages carry no PII. */
class AttemptFailed extends Error {
  constructor(readonly reason: SourceErrorReason, readonly retryable: boolean, message: string) {
    super(message);
  }
}

/** The settings with defaults filled in; throws a RangeError listing every problem. */
export function resolveHttpConfig(section: unknown): HttpSourceConfig {
  if (section === undefined) throw new RangeError('verification.http (with url and response) is required when verification.source is http');
  const { settings, problems } = parseHttpSourceSettings(section);
  if (!settings) throw new RangeError(`verification.http: ${problems.join('; ')}`);
  return settings;
}

/** Replaces `{name}` / `{idNumber}` in every string of a JSON template. */
function fillTemplate(template: unknown, values: Record<'name' | 'idNumber', string>): unknown {
  if (typeof template === 'string') return template.replace(/\{(name|idNumber)\}/g, (_, k: 'name' | 'idNumber') => values[k]);
  if (Array.isArray(template)) return template.map((v) => fillTemplate(v, values));
  if (template && typeof template === 'object') {
    return Object.fromEntries(Object.entries(template).map(([k, v]) => [k, fillTemplate(v, values)]));
  }
  return template;
}

/** `a.b.0.c` into a parsed JSON value; undefined when any step is missing */
function atPath(value: unknown, path: string): unknown {
  let at = value;
  for (const step of path.split('.').filter(Boolean)) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[step];
  }
  return at;
}

function outcomeOf(value: unknown, mapping: HttpSourceConfig['response']): VerificationOutcome | undefined {
  if (value === undefined || value === null || typeof value === 'object') return undefined;
  const s = String(value);
  const has = (list: Array<string | number | boolean>) => list.some((v) => String(v) === s);
  if (has(mapping.match)) return 'match';
  if (has(mapping.mismatch)) return 'mismatch';
  if (has(mapping.unknown)) return 'unknown';
  return undefined;
}

async function readCapped(body: ReadableStream<Uint8Array> | null, max: number): Promise<string> {
  if (!body) return '';
  const parts: Uint8Array[] = [];
  let total = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => {});
      throw new AttemptFailed('bad-response', false, `response larger than ${max} bytes`);
    }
    parts.push(value);
  }
  return Buffer.concat(parts).toString('utf8');
}

export interface HttpSource extends VerificationSource {
  readonly breakerState: BreakerState;
}

export function createHttpSource(config: HttpSourceConfig, deps: VerificationDeps = {}): HttpSource {
  const now = deps.now ?? Date.now;
  const breaker = new CircuitBreaker(config.breakerFailureThreshold, config.breakerCooldownMs, now);

  async function attempt(values: Record<'name' | 'idNumber', string>): Promise<VerificationOutcome> {
    const url = config.url.replace(/\{(name|idNumber)\}/g, (_, k: 'name' | 'idNumber') => encodeURIComponent(values[k]));
    const headers: Record<string, string> = { accept: 'application/json', ...config.headers };
    let body: string | undefined;
    if (config.body !== undefined && config.method !== 'GET') {
      body = JSON.stringify(fillTemplate(config.body, values));
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
    }
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), config.timeoutMs);
    try {
      let response: Response;
      try {
        response = await fetch(url, { method: config.method, headers, body, signal: controller.signal, redirect: 'manual' });
      } catch (err) {
        if (controller.signal.aborted) throw new AttemptFailed('timeout', false, `no answer within ${config.timeoutMs} ms`);
        const code = (err as { cause?: { code?: string } }).cause?.code;
        throw new AttemptFailed('network', true, `network error${code ? ` ${code}` : ''}`);
      }
      let text: string;
      try {
        text = await readCapped(response.body, config.maxResponseBytes);
      } catch (err) {
        if (err instanceof AttemptFailed) throw err;
        if (controller.signal.aborted) throw new AttemptFailed('timeout', false, `no answer within ${config.timeoutMs} ms`);
        throw new AttemptFailed('network', true, 'connection lost while reading the answer');
      }
      if (response.status >= 500) throw new AttemptFailed('http-status', true, `HTTP ${response.status}`);
      if (response.status < 200 || response.status > 299) throw new AttemptFailed('http-status', false, `HTTP ${response.status}`);
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new AttemptFailed('bad-response', false, 'answer is not JSON');
      }
      const outcome = outcomeOf(atPath(parsed, config.response.path), config.response);
      if (!outcome) throw new AttemptFailed('bad-response', false, `answer has no mapped value at ${config.response.path}`);
      return outcome;
    } finally {
      clearTimeout(timer);
    }
  }

  async function withRetries(values: Record<'name' | 'idNumber', string>): Promise<VerificationOutcome> {
    for (let n = 0; ; n++) {
      try {
        return await attempt(values);
      } catch (err) {
        if (!(err instanceof AttemptFailed) || !err.retryable || n >= config.retries) throw err;
        await sleep(config.backoffMs * 2 ** n);
      }
    }
  }

  return {
    kind: 'http',
    get breakerState() {
      return breaker.state;
    },
    async verify(claim: IdentityClaim): Promise<VerificationOutcome> {
      if (!breaker.tryAcquire()) {
        deps.onSourceError?.({ source: 'http', reason: 'breaker-open' });
        throw new VerificationUnavailable('http', 'breaker-open');
      }
      const values = { name: normaliseName(claim.name), idNumber: normaliseIdNumber(claim.idNumber) };
      try {
        const outcome = await withRetries(values);
        breaker.success();
        return outcome;
      } catch (err) {
        breaker.failure();
        const reason: SourceErrorReason = err instanceof AttemptFailed ? err.reason : 'network';
        deps.onSourceError?.({ source: 'http', reason });
        throw new VerificationUnavailable('http', reason, err instanceof AttemptFailed ? err.message : undefined, { cause: err });
      }
    },
  };
}
