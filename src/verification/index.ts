// Verification sources behind one interface: `registry` (a table of keyed hashes the operator
// imports) and `http` (an upstream authority), with a result cache in front of either.
import type { Store } from '../store/index.ts';
import { ResultCache, withCache } from './cache.ts';
import { createHttpSource, resolveHttpConfig } from './http-source.ts';
import { hmacKeyBytes, IdentityHasher } from './identity.ts';
import { importHashedCsv, type ImportOptions, type ImportReport } from './import.ts';
import { claimRegistryKey, countRegistry, createRegistrySource, hashIdentity, upsertHashedIdentities } from './registry.ts';
import {
  DEFAULT_CACHE_MAX_ENTRIES,
  type IdentityClaim,
  type VerificationConfig,
  type VerificationDeps,
  type VerificationSource,
} from './types.ts';

export {
  VerificationUnavailable,
  HTTP_SOURCE_DEFAULTS,
  type VerificationSource,
  type VerificationOutcome,
  type VerificationConfig,
  type VerificationDeps,
  type HttpSourceConfig,
  type HttpResponseMapping,
  type IdentityClaim,
  type SourceKind,
  type SourceErrorEvent,
  type SourceErrorReason,
} from './types.ts';
export { InvalidIdentity } from './registry.ts';
export { parseHttpSourceSettings } from './http-settings.ts';
export type { ImportOptions, ImportReport, ImportProgress, Rejection } from './import.ts';
export { runRegistryAdmin } from './cli.ts';

/** the part of the product's Config this area reads */
export interface VerificationSettings {
  verification: VerificationConfig;
}

export interface ConfiguredSource extends VerificationSource {
  /** 'closed' | 'open' | 'half-open' for the http source; always 'closed' for the registry */
  readonly breakerState: 'closed' | 'open' | 'half-open';
  /** results currently cached */
  readonly cachedResults: number;
}

/**
 * The source `config.verification.source` names ('registry' by default, or 'http'), behind the
 * result cache when `cacheTtlMs` > 0. `verify` throws `VerificationUnavailable` (code 203) when
 * the source cannot answer; `deps.onSourceError` hears about each such failure.
 */
export function createVerificationSource(store: Store, config: VerificationSettings, deps: VerificationDeps = {}): ConfiguredSource {
  const settings = config.verification;
  const now = deps.now ?? Date.now;
  const hasher = new IdentityHasher(hmacKeyBytes(settings.hmacKey));
  let breakerState: () => ConfiguredSource['breakerState'] = () => 'closed';
  let source: VerificationSource;
  if (settings.source === 'http') {
    const http = createHttpSource(resolveHttpConfig(settings.http), { ...deps, now });
    breakerState = () => http.breakerState;
    source = http;
  } else {
    source = createRegistrySource(store, hasher, { ...deps, now });
  }
  const cache = settings.cacheTtlMs > 0 ? new ResultCache(settings.cacheTtlMs, settings.cacheMaxEntries ?? DEFAULT_CACHE_MAX_ENTRIES, now) : undefined;
  const front = cache ? withCache(source, cache, hasher) : source;
  return {
    kind: front.kind,
    verify: (claim) => front.verify(claim),
    get breakerState() {
      return breakerState();
    },
    get cachedResults() {
      return cache?.size ?? 0;
    },
  };
}

/**
 * Adds or replaces one identity in the registry (the demo's sample, an operator's single fix).
 * Throws `InvalidIdentity` for a name or number that cannot be real.
 */
export async function registerIdentity(store: Store, config: VerificationSettings, claim: IdentityClaim, now: number = Date.now()): Promise<'imported' | 'updated' | 'unchanged'> {
  const hasher = new IdentityHasher(hmacKeyBytes(config.verification.hmacKey));
  const hashed = hashIdentity(hasher, claim, new Date(now));
  await claimRegistryKey(store, hasher);
  const counts = await upsertHashedIdentities(store, [hashed], now);
  return counts.imported ? 'imported' : counts.updated ? 'updated' : 'unchanged';
}

/**
 * Streams a `name,idNumber` CSV (optional header, UTF-8 with or without BOM, LF or CRLF) into the
 * registry in batched transactions; bad lines are skipped and reported by line number only.
 * Memory stays bounded for any file size. Pass a `fs.createReadStream(file)` or any async
 * iterable of bytes.
 */
export function importRegistryCsv(store: Store, config: VerificationSettings, readable: AsyncIterable<Uint8Array | string>, options: ImportOptions = {}): Promise<ImportReport> {
  const hasher = new IdentityHasher(hmacKeyBytes(config.verification.hmacKey));
  return importHashedCsv(store, hasher, readable, options);
}

/** identities in the registry */
export function registrySize(store: Store): Promise<number> {
  return countRegistry(store);
}
