// Reading and checking the `http` source's settings (a JSON object in the config file, or the
// same object as a JSON string in SHIMING_VERIFICATION_HTTP). Every problem is listed at once.
import { HTTP_SOURCE_DEFAULTS, type HttpResponseMapping, type HttpSourceConfig } from './types.ts';

const INT_RANGES: Record<'timeoutMs' | 'retries' | 'backoffMs' | 'breakerFailureThreshold' | 'breakerCooldownMs' | 'maxResponseBytes', [number, number]> = {
  timeoutMs: [50, 120_000],
  retries: [0, 10],
  backoffMs: [0, 60_000],
  breakerFailureThreshold: [1, 10_000],
  breakerCooldownMs: [0, 24 * 3600_000],
  maxResponseBytes: [256, 64 * 1024 * 1024],
};
const KNOWN = new Set(['url', 'method', 'headers', 'body', 'response', ...Object.keys(INT_RANGES)]);

const isScalarList = (v: unknown): v is Array<string | number | boolean> =>
  Array.isArray(v) && v.every((x) => ['string', 'number', 'boolean'].includes(typeof x));

/**
 * Checks an `http` settings object and fills in `HTTP_SOURCE_DEFAULTS`. Returns the settings, or
 * the list of problems (each naming the field, e.g. `response.path: must be a string`).
 */
export function parseHttpSourceSettings(value: unknown): { settings?: HttpSourceConfig; problems: string[] } {
  const problems: string[] = [];
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { problems: ['must be an object with url and response'] };
  const v = value as Record<string, unknown>;
  for (const k of Object.keys(v)) if (!KNOWN.has(k)) problems.push(`${k}: unknown setting`);

  const url = v.url;
  if (typeof url !== 'string' || !/^https?:\/\/[^/]/.test(url)) problems.push('url: must be an http:// or https:// URL');
  const method = v.method ?? HTTP_SOURCE_DEFAULTS.method;
  if (method !== 'GET' && method !== 'POST' && method !== 'PUT') problems.push('method: must be GET, POST or PUT');
  const headers = v.headers ?? {};
  if (!headers || typeof headers !== 'object' || Array.isArray(headers) || !Object.values(headers).every((h) => typeof h === 'string')) {
    problems.push('headers: must be an object of strings');
  }
  if (v.body !== undefined && method === 'GET') problems.push('body: a GET request has no body (put {name}/{idNumber} in the url)');

  const r = v.response as Record<string, unknown> | undefined;
  if (!r || typeof r !== 'object' || Array.isArray(r)) {
    problems.push('response: must be an object with path, match, mismatch and unknown');
  } else {
    if (typeof r.path !== 'string' || r.path === '') problems.push('response.path: must be a dotted path such as data.result');
    for (const k of ['match', 'mismatch', 'unknown'] as const) {
      if (!isScalarList(r[k])) problems.push(`response.${k}: must be a list of strings, numbers or booleans`);
    }
    for (const k of Object.keys(r)) if (!['path', 'match', 'mismatch', 'unknown'].includes(k)) problems.push(`response.${k}: unknown setting`);
    if (isScalarList(r.match) && isScalarList(r.mismatch) && isScalarList(r.unknown)) {
      const seen = new Map<string, string>();
      for (const k of ['match', 'mismatch', 'unknown'] as const) {
        for (const x of r[k] as Array<string | number | boolean>) {
          const other = seen.get(String(x));
          if (other && other !== k) problems.push(`response: value ${JSON.stringify(x)} is in both ${other} and ${k}`);
          seen.set(String(x), k);
        }
      }
    }
  }

  const ints = {} as Record<keyof typeof INT_RANGES, number>;
  for (const [k, [min, max]] of Object.entries(INT_RANGES) as Array<[keyof typeof INT_RANGES, [number, number]]>) {
    const n = v[k] ?? HTTP_SOURCE_DEFAULTS[k];
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < min || n > max) problems.push(`${k}: must be a whole number from ${min} to ${max}`);
    else ints[k] = n;
  }
  if (problems.length) return { problems };
  return {
    problems,
    settings: {
      url: url as string,
      method: method as HttpSourceConfig['method'],
      headers: { ...(headers as Record<string, string>) },
      body: v.body,
      response: r as unknown as HttpResponseMapping,
      ...ints,
    },
  };
}
