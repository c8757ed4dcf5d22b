// The one interface every verification source implements, and the settings that choose one.

export type VerificationOutcome = 'match' | 'mismatch' | 'unknown';

export interface IdentityClaim {
  name: string;
  idNumber: string;
}

export interface VerificationSource {
  /** 'registry' or 'http' */
  readonly kind: SourceKind;
  /**
   * Says whether the number is known with this name ('match'), with another name ('mismatch'),
   * or not known ('unknown'). Throws `VerificationUnavailable` when the source cannot answer.
   */
  verify(claim: IdentityClaim): Promise<VerificationOutcome>;
}

export type SourceKind = 'registry' | 'http';

/** Why a source could not answer; the label of the source-error metric. */
export type SourceErrorReason =
  | 'timeout'
  | 'network'
  | 'http-status'
  | 'bad-response'
  | 'breaker-open'
  | 'database'
  | 'key-mismatch';

export interface SourceErrorEvent {
  source: SourceKind;
  reason: SourceErrorReason;
}

/** Which JSON values of the upstream's answer mean what. Compared as strings. */
export interface HttpResponseMapping {
  /** dotted path to the field, e.g. `data.result` or `results.0.code` */
  path: string;
  match: Array<string | number | boolean>;
  mismatch: Array<string | number | boolean>;
  unknown: Array<string | number | boolean>;
}

export interface HttpSourceConfig {
  /** may hold `{name}` / `{idNumber}` placeholders (inserted URL-encoded), e.g. for GET */
  url: string;
  method: 'GET' | 'POST' | 'PUT';
  /** request headers; `content-type: application/json` is added when a body is sent */
  headers: Record<string, string>;
  /**
   * JSON body; every string in it has `{name}` and `{idNumber}` replaced. Absent: no body.
   * E.g. `{ "realName": "{name}", "certNo": "{idNumber}" }`.
   */
  body?: unknown;
  response: HttpResponseMapping;
  /** per attempt, including reading the body */
  timeoutMs: number;
  /** further attempts after a network error or a 5xx (not after a timeout or a 4xx) */
  retries: number;
  /** first retry waits this long, each later one twice as long */
  backoffMs: number;
  /** consecutive failed verifications that open the breaker */
  breakerFailureThreshold: number;
  /** how long the breaker stays open before one trial call is let through */
  breakerCooldownMs: number;
  /** largest response body read, in bytes */
  maxResponseBytes: number;
}

export interface VerificationConfig {
  source: SourceKind;
  /** key of the HMAC that stands in for name+number in the registry and the cache */
  hmacKey: string;
  /** how long a verification result is reused, 0 = no cache */
  cacheTtlMs: number;
  /** most results the cache holds (least recently used go first) */
  cacheMaxEntries?: number;
  /**
   * required when `source` is 'http': checked by `parseHttpSourceSettings`, missing fields take
   * `HTTP_SOURCE_DEFAULTS`
   */
  http?: Partial<HttpSourceConfig> & Pick<HttpSourceConfig, 'url' | 'response'>;
}

export const HTTP_SOURCE_DEFAULTS: Omit<HttpSourceConfig, 'url' | 'response'> = {
  method: 'POST',
  headers: {},
  timeoutMs: 3000,
  retries: 2,
  backoffMs: 100,
  breakerFailureThreshold: 5,
  breakerCooldownMs: 30_000,
  maxResponseBytes: 1024 * 1024,
};

export const DEFAULT_CACHE_MAX_ENTRIES = 100_000;

/** Side effects a source takes from outside, so tests can steer them. */
export interface VerificationDeps {
  /** epoch ms; drives the cache TTL and the breaker's cool-down */
  now?: () => number;
  /** called once for every failed verification, with the reason */
  onSourceError?: (event: SourceErrorEvent) => void;
}

/** Thrown when the source cannot answer (timeout, upstream error, breaker open): code 203. */
export class VerificationUnavailable extends Error {
  readonly code = '203';

  constructor(readonly source: SourceKind, readonly reason: SourceErrorReason, detail?: string, options?: { cause?: unknown }) {
    super(`verification source ${source} unavailable: ${reason}${detail ? ` (${detail})` : ''}`, options);
    this.name = 'VerificationUnavailable';
  }
}
